//! SQLite: one file shared by the processes of one host.
//!
//! How a change reaches the other processes: triggers write every changed origin to a log
//! table (`<table>_changes`, numbered by revision) in the writer's own transaction, whoever the
//! writer is (this crate, a migration, `sqlite3` at a prompt). Each process asks SQLite every
//! `poll_every` (default 100 ms) whether any other connection committed anything
//! (`PRAGMA data_version`: no I/O, answered from the file's change counter), and only then
//! reads the log past the last revision it applied and the rows those origins have now. So a
//! change is seen within a poll, an idle table costs a pragma a poll, and a change costs a
//! query per changed origin rather than a reload of the table. `data_version` alone would say
//! that something changed, not what: every change would reload the whole table (100,000 rows
//! in about a tenth of a second, ten times a second under churn). The log is pruned by writers
//! (entries older than ten minutes); a process that was away longer reloads everything.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Connection, Row};

use crate::error::StoreError;
use crate::replica::Replica;
use crate::schema::{self, Table, SQLITE};
use crate::settings::Settings;

/// Above this many changed origins since the last poll, the whole table is read instead.
const MAX_INCREMENTAL: i64 = 5_000;

/// Rows written by one statement (SQLite allows 32,766 parameters).
const CHUNK: usize = 500;

/// The log of changes keeps entries this many seconds.
const LOG_SECONDS: i64 = 600;

/// The table in one SQLite file.
pub(crate) struct Sqlite {
    pool: SqlitePool,
    options: SqliteConnectOptions,
    table: Table,
}

/// Where the watcher is: its own connection (`data_version` is per connection), the last
/// `data_version` it saw and the last revision of the log it applied.
pub(crate) struct Mark {
    conn: SqliteConnection,
    data_version: i64,
    revision: i64,
}

impl Sqlite {
    pub(crate) async fn connect(url: &str, settings: &Settings) -> Result<Sqlite, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.clone())
            .await?;
        Ok(Sqlite {
            pool,
            options,
            table: settings.table.clone(),
        })
    }

    fn sql(&self, text: &str) -> String {
        self.table.sql(text)
    }

    /// Makes the schema (in one `BEGIN IMMEDIATE` transaction: one process at a time).
    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let exists: Option<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?")
                .bind(format!("{}_meta", self.table.name()))
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            let version: Option<i64> =
                sqlx::query_scalar(&self.sql("SELECT value FROM {t}_meta WHERE key = 'schema'"))
                    .fetch_optional(&mut *tx)
                    .await?;
            if schema::is_current(version)? {
                return Ok(());
            }
        }
        for statement in SQLITE {
            sqlx::query(&self.sql(statement)).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The watcher's connection and where the table is now; and every row.
    pub(crate) async fn load(&self) -> Result<(Vec<String>, Mark), StoreError> {
        let mut conn = SqliteConnection::connect_with(&self.options).await?;
        let data_version = data_version(&mut conn).await?;
        let (rows, revision) = self.read_all(&mut conn).await?;
        Ok((
            rows,
            Mark {
                conn,
                data_version,
                revision,
            },
        ))
    }

    /// Every row and the log's last revision, read in one transaction.
    async fn read_all(
        &self,
        conn: &mut SqliteConnection,
    ) -> Result<(Vec<String>, i64), StoreError> {
        let mut tx = conn.begin().await?;
        let revision: i64 =
            sqlx::query_scalar(&self.sql("SELECT coalesce(max(revision), 0) FROM {t}_changes"))
                .fetch_one(&mut *tx)
                .await?;
        let rows: Vec<String> = sqlx::query_scalar(&self.sql("SELECT origin FROM {t}"))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((rows, revision))
    }

    /// Inserts and deletes rows (`insert` and `delete` disjoint) in one transaction; how many
    /// rows each changed. Prunes the log.
    pub(crate) async fn write(
        &self,
        insert: &[&str],
        delete: &[&str],
    ) -> Result<(u64, u64), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (inserted, deleted) = self.write_in(&mut tx, insert, delete).await?;
        tx.commit().await?;
        Ok((inserted, deleted))
    }

    async fn write_in(
        &self,
        tx: &mut SqliteConnection,
        insert: &[&str],
        delete: &[&str],
    ) -> Result<(u64, u64), StoreError> {
        let (mut inserted, mut deleted) = (0, 0);
        // Many rows a statement: one round trip to SQLite's thread per chunk, not per row.
        for chunk in delete.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let remove = self.sql(&format!("DELETE FROM {{t}} WHERE origin IN ({marks})"));
            let query = chunk.iter().fold(sqlx::query(&remove), |q, o| q.bind(*o));
            deleted += query.execute(&mut *tx).await?.rows_affected();
        }
        for chunk in insert.chunks(CHUNK) {
            let rows = vec!["(?)"; chunk.len()].join(", ");
            let add = self.sql(&format!(
                "INSERT INTO {{t}} (origin) VALUES {rows} ON CONFLICT DO NOTHING"
            ));
            let query = chunk.iter().fold(sqlx::query(&add), |q, o| q.bind(*o));
            inserted += query.execute(&mut *tx).await?.rows_affected();
        }
        let cutoff = format!("CAST(strftime('%s', 'now') AS INTEGER) - {LOG_SECONDS}");
        sqlx::query(&self.sql(&format!(
            "UPDATE {{t}}_meta SET value = max(value, coalesce((SELECT max(revision) FROM {{t}}_changes WHERE at < {cutoff}), 0)) WHERE key = 'pruned_through'"
        )))
        .execute(&mut *tx)
        .await?;
        sqlx::query(&self.sql(&format!("DELETE FROM {{t}}_changes WHERE at < {cutoff}")))
            .execute(&mut *tx)
            .await?;
        Ok((inserted, deleted))
    }

    /// Makes the table hold exactly `origins`, in one transaction.
    pub(crate) async fn replace_all(&self, origins: &[&str]) -> Result<(u64, u64), StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rows: Vec<String> = sqlx::query_scalar(&self.sql("SELECT origin FROM {t}"))
            .fetch_all(&mut *tx)
            .await?;
        let wanted: BTreeSet<&str> = origins.iter().copied().collect();
        let held: BTreeSet<&str> = rows.iter().map(String::as_str).collect();
        let delete: Vec<&str> = held.difference(&wanted).copied().collect();
        let insert: Vec<&str> = wanted.difference(&held).copied().collect();
        let counts = self.write_in(&mut tx, &insert, &delete).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// Keeps `replica` in step with the table until the task is aborted.
    pub(crate) async fn watch(&self, replica: Arc<Replica>, mut mark: Mark, settings: Settings) {
        let mut next_reconcile = Instant::now() + settings.reconcile_every;
        let mut lost = false;
        loop {
            tokio::time::sleep(settings.poll_every).await;
            let result = async {
                if lost {
                    mark.conn = SqliteConnection::connect_with(&self.options).await?;
                    replica
                        .reconnects
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    lost = false;
                }
                let reconcile = Instant::now() >= next_reconcile;
                let version = data_version(&mut mark.conn).await?;
                if version == mark.data_version && !reconcile {
                    return Ok::<_, StoreError>(());
                }
                mark.data_version = version;
                if reconcile {
                    next_reconcile = Instant::now() + settings.reconcile_every;
                    return self.reload(&replica, &mut mark).await;
                }
                self.catch_up(&replica, &mut mark).await
            }
            .await;
            match result {
                Ok(()) => replica.recovered(),
                Err(error) => {
                    lost = true;
                    let pause = replica.failed("watching the table", &error);
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }

    async fn reload(&self, replica: &Replica, mark: &mut Mark) -> Result<(), StoreError> {
        let started = Instant::now();
        let (rows, revision) = self.read_all(&mut mark.conn).await?;
        mark.revision = revision;
        replica.load(rows, started);
        Ok(())
    }

    /// Applies the changes logged since the last one applied (or reloads everything, if the
    /// log no longer holds them or holds too many).
    async fn catch_up(&self, replica: &Replica, mark: &mut Mark) -> Result<(), StoreError> {
        let mut tx = mark.conn.begin().await?;
        let pruned: i64 = sqlx::query_scalar(
            &self.sql("SELECT value FROM {t}_meta WHERE key = 'pruned_through'"),
        )
        .fetch_one(&mut *tx)
        .await?;
        let logged = sqlx::query(&self.sql(
            "SELECT revision, origin FROM {t}_changes WHERE revision > ? ORDER BY revision LIMIT ?",
        ))
        .bind(mark.revision)
        .bind(MAX_INCREMENTAL + 1)
        .fetch_all(&mut *tx)
        .await?;
        if pruned > mark.revision || logged.len() as i64 > MAX_INCREMENTAL {
            tx.commit().await?;
            return self.reload(replica, mark).await;
        }
        let Some(last) = logged.last() else {
            tx.commit().await?;
            return Ok(());
        };
        let revision: i64 = last.try_get(0)?;
        let changed: BTreeSet<String> = logged
            .iter()
            .map(|row| row.try_get::<String, _>(1))
            .collect::<Result<_, _>>()?;
        let exists = self.sql("SELECT EXISTS (SELECT 1 FROM {t} WHERE origin = ?)");
        let mut rows = Vec::with_capacity(changed.len());
        for origin in changed {
            let present: bool = sqlx::query_scalar(&exists)
                .bind(&origin)
                .fetch_one(&mut *tx)
                .await?;
            rows.push((origin, present));
        }
        tx.commit().await?;
        mark.revision = revision;
        replica
            .notified
            .fetch_add(rows.len() as u64, std::sync::atomic::Ordering::Relaxed);
        replica.apply(&rows);
        Ok(())
    }
}

async fn data_version(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("PRAGMA data_version")
        .fetch_one(&mut *conn)
        .await?)
}
