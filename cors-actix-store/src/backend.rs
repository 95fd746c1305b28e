//! The database behind a store, chosen by the URL's scheme: `sqlite:` or `postgres:`.

use std::sync::Arc;

use crate::error::StoreError;
use crate::replica::Replica;
use crate::settings::Settings;

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!(
    "cors-actix-store needs a database: enable the feature `sqlite` (the default) or `postgres`"
);

/// A connected database (made once per store: the size of a variant does not matter).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Backend {
    #[cfg(feature = "sqlite")]
    Sqlite(crate::sqlite::Sqlite),
    #[cfg(feature = "postgres")]
    Postgres(crate::postgres::Postgres),
}

/// Where a watcher starts from: what it needs to see every change after the first load.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Mark {
    #[cfg(feature = "sqlite")]
    Sqlite(crate::sqlite::Mark),
    #[cfg(feature = "postgres")]
    Postgres(crate::postgres::Mark),
}

impl Backend {
    /// Connects to `url` with the backend its scheme names.
    pub(crate) async fn connect(url: &str, settings: &Settings) -> Result<Backend, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            #[cfg(feature = "sqlite")]
            "sqlite" => Ok(Backend::Sqlite(
                crate::sqlite::Sqlite::connect(url, settings).await?,
            )),
            #[cfg(feature = "postgres")]
            "postgres" | "postgresql" => Ok(Backend::Postgres(
                crate::postgres::Postgres::connect(url, settings).await?,
            )),
            #[allow(unreachable_patterns)]
            "sqlite" | "postgres" | "postgresql" => Err(StoreError::Config(format!(
                "`{scheme}:` URLs need cors-actix-store's feature `{}`",
                if scheme == "sqlite" {
                    "sqlite"
                } else {
                    "postgres"
                }
            ))),
            _ => Err(StoreError::Config(format!(
                "the URL's scheme `{scheme}:` is not one of `sqlite:` or `postgres:`"
            ))),
        }
    }

    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(db) => db.migrate().await,
            #[cfg(feature = "postgres")]
            Backend::Postgres(db) => db.migrate().await,
        }
    }

    /// Every row, and where a watcher starts from to miss no change made after the read.
    pub(crate) async fn load(&self) -> Result<(Vec<String>, Mark), StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(db) => db.load().await.map(|(rows, m)| (rows, Mark::Sqlite(m))),
            #[cfg(feature = "postgres")]
            Backend::Postgres(db) => db.load().await.map(|(rows, m)| (rows, Mark::Postgres(m))),
        }
    }

    pub(crate) async fn write(
        &self,
        insert: &[&str],
        delete: &[&str],
    ) -> Result<(u64, u64), StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(db) => db.write(insert, delete).await,
            #[cfg(feature = "postgres")]
            Backend::Postgres(db) => db.write(insert, delete).await,
        }
    }

    pub(crate) async fn replace_all(&self, origins: &[&str]) -> Result<(u64, u64), StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite(db) => db.replace_all(origins).await,
            #[cfg(feature = "postgres")]
            Backend::Postgres(db) => db.replace_all(origins).await,
        }
    }

    /// Keeps `replica` in step with the table until the task is aborted.
    pub(crate) async fn watch(
        self: Arc<Self>,
        replica: Arc<Replica>,
        mark: Mark,
        settings: Settings,
    ) {
        match (&*self, mark) {
            #[cfg(feature = "sqlite")]
            (Backend::Sqlite(db), Mark::Sqlite(mark)) => db.watch(replica, mark, settings).await,
            #[cfg(feature = "postgres")]
            (Backend::Postgres(db), Mark::Postgres(mark)) => {
                db.watch(replica, mark, settings).await
            }
            // Never: a mark comes from its own backend's load.
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }
}
