//! The store: a table of origins, held whole in memory by every instance, and the changes made
//! to it.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cors_actix::{OriginSet, OriginSetError, Policy, RefusedOrigin};

use crate::backend::Backend;
use crate::error::{ChangeError, StoreError};
use crate::replica::Replica;
use crate::schema::{Table, DEFAULT_TABLE};
use crate::settings::Settings;

/// The allowed origins of tenants, in a table of a SQLite file or a PostgreSQL database, held
/// whole in memory by every instance that opens it. See the [crate docs](crate) for the
/// guarantees, the schema and a fleet's setup.
///
/// ```
/// # actix_web::rt::System::new().block_on(async {
/// use cors_actix::{Cors, Policy};
/// use cors_actix_store::OriginStore;
///
/// let policy = Policy::builder().allow_credentials().allow_dynamic_origins().build()?;
/// # let dir = std::env::temp_dir().join(format!("cors-store-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// # let url = format!("sqlite://{}", dir.join("store.db").display());
/// // `url`: `sqlite://tenants.db`, or `postgres://app@db/app` (feature `postgres`).
/// let tenants = OriginStore::open(&url, &policy).await?;
/// let cors = Cors::new().dynamic_policy("tenants", policy, tenants.origins());
///
/// assert!(tenants.add("https://acme.example").await?);
/// assert!(tenants.origins().contains("https://acme.example"));
/// // Refused with its reason; nothing changes.
/// let err = tenants.add("http://acme.example").await.unwrap_err();
/// assert!(err.to_string().contains("plain http with `credentials`"));
/// # let _ = cors;
/// # drop(tenants);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct OriginStore {
    shared: Arc<Shared>,
}

struct Shared {
    backend: Arc<Backend>,
    replica: Arc<Replica>,
    /// Keeps the replica in step with the table; stopped when the last handle is dropped.
    watcher: tokio::task::JoinHandle<()>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.watcher.abort();
    }
}

/// Configures an [`OriginStore`]; made by [`OriginStore::builder`].
#[derive(Clone, Debug)]
pub struct OriginStoreBuilder {
    url: String,
    table: String,
    poll_every: Duration,
    reconcile_every: Duration,
    max_connections: u32,
    migrate: bool,
}

/// Counters and size of an [`OriginStore`], for metrics and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreStats {
    /// Origins held, and served.
    pub origins: usize,
    /// Rows of the table that are not valid origins (not served).
    pub invalid_rows: usize,
    /// Times the whole table was read (start-up, reconnections, reconciles).
    pub reloads: u64,
    /// Changed origins learnt from the store's notifications (PostgreSQL) or log (SQLite).
    pub notified: u64,
    /// Times the connection that follows changes was made again.
    pub reconnects: u64,
    /// Failures of the store while following changes (each retried).
    pub errors: u64,
    /// How long the last read of the whole table took, validation and the swap included.
    pub last_load: Duration,
}

impl OriginStore {
    /// A store of the table `cors_origins` at `url` (`sqlite://tenants.db`,
    /// `postgres://user@host/db`), with the default settings, to configure before
    /// [`open`](OriginStoreBuilder::open).
    pub fn builder(url: impl Into<String>) -> OriginStoreBuilder {
        OriginStoreBuilder {
            url: url.into(),
            table: DEFAULT_TABLE.to_owned(),
            poll_every: Duration::from_millis(100),
            reconcile_every: Duration::from_secs(300),
            max_connections: 4,
            migrate: true,
        }
    }

    /// Opens the table at `url` with the default settings (see [`OriginStoreBuilder::open`]).
    pub async fn open(url: &str, policy: &Policy) -> Result<OriginStore, StoreError> {
        OriginStore::builder(url).open(policy).await
    }

    /// The set the door decides from: give it to
    /// [`Cors::dynamic_policy`](cors_actix::Cors::dynamic_policy). Every clone is the same set,
    /// kept current by this store.
    pub fn origins(&self) -> OriginSet {
        self.shared.replica.set.clone()
    }

    /// Allows `origin` on every instance: validated (by the policy's rules), written, and held
    /// here at once; `Ok(false)` if the table already had it.
    pub async fn add(&self, origin: &str) -> Result<bool, ChangeError> {
        Ok(self.add_all([origin]).await? > 0)
    }

    /// Allows every origin of `origins` on every instance, in one transaction: if any is
    /// refused by validation, nothing is written and every refused origin is returned. How
    /// many were new.
    pub async fn add_all<'a>(
        &self,
        origins: impl IntoIterator<Item = &'a str>,
    ) -> Result<u64, ChangeError> {
        let origins: Vec<&str> = origins.into_iter().collect();
        self.validate(&origins)?;
        let (inserted, _) = self.shared.backend.write(&origins, &[]).await?;
        self.held(&origins, true);
        Ok(inserted)
    }

    /// Stops allowing `origin` on every instance; `Ok(false)` if the table did not have it.
    pub async fn remove(&self, origin: &str) -> Result<bool, ChangeError> {
        let (_, deleted) = self.shared.backend.write(&[], &[origin]).await?;
        self.held(&[origin], false);
        Ok(deleted > 0)
    }

    /// Replaces `old` by `new` (a tenant moving to another domain) in one transaction: `new`
    /// is validated first, and nothing changes if it is refused.
    pub async fn replace(&self, old: &str, new: &str) -> Result<(), ChangeError> {
        self.validate(&[new])?;
        if old == new {
            self.shared.backend.write(&[new], &[]).await?;
            self.held(&[new], true);
            return Ok(());
        }
        self.shared.backend.write(&[new], &[old]).await?;
        self.shared
            .replica
            .apply(&[(old.to_owned(), false), (new.to_owned(), true)]);
        Ok(())
    }

    /// Makes the table hold exactly `origins`, in one transaction: every origin is validated
    /// first, and if any is refused, nothing changes. Rows not in `origins` (invalid ones too)
    /// are deleted.
    pub async fn replace_all<'a>(
        &self,
        origins: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), ChangeError> {
        let origins: Vec<&str> = origins.into_iter().collect();
        self.validate(&origins)?;
        let started = Instant::now();
        self.shared.backend.replace_all(&origins).await?;
        self.shared
            .replica
            .load(origins.iter().map(|o| (*o).to_owned()).collect(), started);
        Ok(())
    }

    /// Reads the whole table again now, and holds what it says (instances do it by themselves
    /// after a reconnection and every `reconcile_every`).
    pub async fn reload(&self) -> Result<(), StoreError> {
        let started = Instant::now();
        let (rows, _) = self.shared.backend.load().await?;
        self.shared.replica.load(rows, started);
        Ok(())
    }

    /// Every row of the table that is not a valid origin (by the policy's rules), with why:
    /// never served, reported here and in the log (`warn`, target `cors`) until the row is
    /// fixed or deleted.
    pub fn invalid_rows(&self) -> Vec<RefusedOrigin> {
        self.shared.replica.invalid_rows()
    }

    /// The counters and the size.
    pub fn stats(&self) -> StoreStats {
        let replica = &self.shared.replica;
        StoreStats {
            origins: replica.set.len(),
            invalid_rows: replica.invalid_rows().len(),
            reloads: replica.reloads.load(Ordering::Relaxed),
            notified: replica.notified.load(Ordering::Relaxed),
            reconnects: replica.reconnects.load(Ordering::Relaxed),
            errors: replica.errors.load(Ordering::Relaxed),
            last_load: Duration::from_micros(replica.last_load_micros.load(Ordering::Relaxed)),
        }
    }

    /// Every refused origin of `origins`, or none.
    fn validate(&self, origins: &[&str]) -> Result<(), OriginSetError> {
        self.shared
            .replica
            .set
            .validate_all(origins.iter().copied())
    }

    /// What this instance holds now that the table has (`present`) or lacks `origins`.
    fn held(&self, origins: &[&str], present: bool) {
        let rows: Vec<(String, bool)> =
            origins.iter().map(|o| ((*o).to_owned(), present)).collect();
        self.shared.replica.apply(&rows);
    }
}

impl OriginStoreBuilder {
    /// The table's name (default `cors_origins`): lowercase letters, digits and `_`, at most 40
    /// characters. The store also makes `<table>_meta` (and, on SQLite, `<table>_changes`);
    /// on PostgreSQL, it notifies the channel `<table>`.
    pub fn table(mut self, name: &str) -> Self {
        self.table = name.to_owned();
        self
    }

    /// SQLite: how often each instance asks the file whether anything changed (default
    /// 100 ms): the longest a change waits before this instance sees it. Ignored on
    /// PostgreSQL, where changes are notified.
    pub fn poll_every(mut self, every: Duration) -> Self {
        self.poll_every = every.max(Duration::from_millis(1));
        self
    }

    /// How often each instance reads the whole table again, whatever it was told (default 5
    /// minutes): what bounds how long a change can be missed if a notification is lost
    /// without the connection failing (a failed connection is followed by a full read at
    /// once).
    pub fn reconcile_every(mut self, every: Duration) -> Self {
        self.reconcile_every = every.max(Duration::from_secs(1));
        self
    }

    /// Connections to the database at most (default 4; on PostgreSQL one more is the
    /// listener's).
    pub fn max_connections(mut self, connections: u32) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Whether [`open`](Self::open) makes or updates the schema (default `true`; idempotent,
    /// safe for instances starting together). Turn it off when your own migrations apply the
    /// SQL of [`schema`](crate::schema).
    pub fn migrate(mut self, migrate: bool) -> Self {
        self.migrate = migrate;
        self
    }

    /// Connects, makes the schema (unless told not to), reads the whole table and holds its
    /// valid origins (by `policy`'s rules: see
    /// [`Policy::validate_dynamic_origin`](cors_actix::Policy::validate_dynamic_origin)),
    /// reports the rows that are not, and starts following the table's changes (on the Tokio
    /// runtime this is called on, until the last handle is dropped). Call it before the
    /// server starts: every instance then serves every known tenant from its first request.
    pub async fn open(self, policy: &Policy) -> Result<OriginStore, StoreError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            StoreError::Config(
                "open the store on a Tokio runtime (`#[actix_web::main]`, `#[tokio::main]`)"
                    .to_owned(),
            )
        })?;
        let settings = Settings {
            table: Table::new(&self.table)?,
            poll_every: self.poll_every,
            reconcile_every: self.reconcile_every,
            max_connections: self.max_connections,
            migrate: self.migrate,
        };
        let backend = Backend::connect(&self.url, &settings).await?;
        if settings.migrate {
            backend.migrate().await?;
        }
        let replica = Arc::new(Replica::new(OriginSet::for_policy(policy)));
        let started = Instant::now();
        let (rows, mark) = backend.load().await?;
        replica.load(rows, started);
        let backend = Arc::new(backend);
        let watcher =
            runtime.spawn(Arc::clone(&backend).watch(Arc::clone(&replica), mark, settings));
        Ok(OriginStore {
            shared: Arc::new(Shared {
                backend,
                replica,
                watcher,
            }),
        })
    }
}

impl std::fmt::Debug for OriginStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OriginStore")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}
