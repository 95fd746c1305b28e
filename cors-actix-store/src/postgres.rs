//! PostgreSQL: a fleet of instances on one database.
//!
//! How a change reaches every instance: triggers `NOTIFY` the channel named after the table
//! with each changed origin, in the writer's transaction (delivered when it commits), whoever
//! the writer is. Each instance `LISTEN`s on one connection of its own (sqlx's
//! [`PgListener`]), reads what the changed origins' rows hold now (one query per batch of
//! notifications: the payload says which origin changed, the table says how), and applies it.
//! Notifications sent while an instance's connection is down are lost: after every
//! (re)connection it reads the whole table again, and it does so every `reconcile_every` as
//! well, whatever it was told.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sqlx::PgConnection;

use crate::error::StoreError;
use crate::replica::Replica;
use crate::schema::{self, Table, POSTGRES};
use crate::settings::Settings;

/// The table in one PostgreSQL database.
pub(crate) struct Postgres {
    pool: PgPool,
    table: Table,
}

/// The listening connection, set up before the table was read.
pub(crate) struct Mark {
    listener: PgListener,
}

impl Postgres {
    pub(crate) async fn connect(url: &str, settings: &Settings) -> Result<Postgres, StoreError> {
        let pool = PgPoolOptions::new()
            // One connection is the listener's.
            .max_connections(settings.max_connections.max(2))
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(Postgres {
            pool,
            table: settings.table.clone(),
        })
    }

    fn sql(&self, text: &str) -> String {
        self.table.sql(text)
    }

    /// Makes the schema, in one transaction under an advisory lock of the table's.
    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(format!("cors-actix-store:{}", self.table.name()))
            .execute(&mut *tx)
            .await?;
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(format!("{}_meta", self.table.name()))
            .fetch_one(&mut *tx)
            .await?;
        if exists {
            let version: Option<i64> =
                sqlx::query_scalar(&self.sql("SELECT value FROM {t}_meta WHERE key = 'schema'"))
                    .fetch_optional(&mut *tx)
                    .await?;
            if schema::is_current(version)? {
                return Ok(());
            }
        }
        for statement in POSTGRES {
            sqlx::query(&self.sql(statement)).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Listens, then reads every row: a change committed after the read is notified.
    pub(crate) async fn load(&self) -> Result<(Vec<String>, Mark), StoreError> {
        let listener = self.listen().await?;
        let rows = self.read_all().await?;
        Ok((rows, Mark { listener }))
    }

    async fn listen(&self) -> Result<PgListener, StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(self.table.name()).await?;
        Ok(listener)
    }

    async fn read_all(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(&self.sql("SELECT origin FROM {t}"))
            .fetch_all(&self.pool)
            .await?)
    }

    /// Inserts and deletes rows (`insert` and `delete` disjoint) in one statement: one round
    /// trip, atomic; how many rows each changed.
    pub(crate) async fn write(
        &self,
        insert: &[&str],
        delete: &[&str],
    ) -> Result<(u64, u64), StoreError> {
        let mut conn = self.pool.acquire().await?;
        self.write_in(&mut conn, insert, delete).await
    }

    async fn write_in(
        &self,
        conn: &mut PgConnection,
        insert: &[&str],
        delete: &[&str],
    ) -> Result<(u64, u64), StoreError> {
        let (inserted, deleted): (i64, i64) = sqlx::query_as(&self.sql(
            "WITH removed AS (DELETE FROM {t} WHERE origin = ANY($2) RETURNING 1),
                  added AS (INSERT INTO {t} (origin) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING 1)
             SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM removed)",
        ))
        .bind(insert)
        .bind(delete)
        .fetch_one(&mut *conn)
        .await?;
        Ok((inserted as u64, deleted as u64))
    }

    /// Makes the table hold exactly `origins`, in one transaction (the table locked against
    /// other writers meanwhile).
    pub(crate) async fn replace_all(&self, origins: &[&str]) -> Result<(u64, u64), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&self.sql("LOCK TABLE {t} IN SHARE ROW EXCLUSIVE MODE"))
            .execute(&mut *tx)
            .await?;
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
    pub(crate) async fn watch(&self, replica: Arc<Replica>, mark: Mark, settings: Settings) {
        let mut listener = Some(mark.listener);
        loop {
            let current = match listener.take() {
                Some(listener) => listener,
                // (Re)connect, listen, then read everything: what was notified while the
                // connection was down is lost.
                None => {
                    let connected = async {
                        let listener = self.listen().await?;
                        let started = Instant::now();
                        let rows = self.read_all().await?;
                        replica.load(rows, started);
                        Ok::<_, StoreError>(listener)
                    }
                    .await;
                    match connected {
                        Ok(listener) => {
                            replica.reconnects.fetch_add(1, Ordering::Relaxed);
                            replica.recovered();
                            listener
                        }
                        Err(error) => {
                            let pause = replica.failed("listening for changes", &error);
                            tokio::time::sleep(pause).await;
                            continue;
                        }
                    }
                }
            };
            listener = self.follow(&replica, current, &settings).await;
        }
    }

    /// Applies notifications, and reads the whole table every `reconcile_every`; returns the
    /// listener while it works, `None` once its connection is lost.
    async fn follow(
        &self,
        replica: &Replica,
        mut listener: PgListener,
        settings: &Settings,
    ) -> Option<PgListener> {
        let mut next_reconcile = tokio::time::Instant::now() + settings.reconcile_every;
        loop {
            let received = tokio::time::timeout_at(next_reconcile, listener.try_recv()).await;
            let result = match received {
                Err(_) => {
                    next_reconcile = tokio::time::Instant::now() + settings.reconcile_every;
                    let started = Instant::now();
                    self.read_all()
                        .await
                        .map(|rows| replica.load(rows, started))
                }
                Ok(Ok(Some(first))) => {
                    let mut changed = vec![first.payload().to_owned()];
                    while let Some(next) = listener.next_buffered() {
                        changed.push(next.payload().to_owned());
                    }
                    replica
                        .notified
                        .fetch_add(changed.len() as u64, Ordering::Relaxed);
                    self.apply(replica, changed).await
                }
                // The connection was lost: notifications may have been missed.
                Ok(Ok(None)) => return None,
                Ok(Err(error)) => {
                    replica.failed("listening for changes", &error);
                    return None;
                }
            };
            match result {
                Ok(()) => replica.recovered(),
                Err(error) => {
                    // What the notifications said may be lost: read everything once the
                    // store answers again.
                    let pause = replica.failed("reading changed origins", &error);
                    tokio::time::sleep(pause).await;
                    return None;
                }
            }
        }
    }

    /// Reads what the rows of `changed` hold now, and applies it (an empty payload: everything).
    async fn apply(&self, replica: &Replica, changed: Vec<String>) -> Result<(), StoreError> {
        if changed.iter().any(String::is_empty) {
            let started = Instant::now();
            let rows = self.read_all().await?;
            replica.load(rows, started);
            return Ok(());
        }
        let changed: Vec<String> = changed
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let present: HashSet<String> =
            sqlx::query_scalar(&self.sql("SELECT origin FROM {t} WHERE origin = ANY($1)"))
                .bind(&changed)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .collect();
        let rows: Vec<(String, bool)> = changed
            .into_iter()
            .map(|origin| {
                let here = present.contains(&origin);
                (origin, here)
            })
            .collect();
        replica.apply(&rows);
        Ok(())
    }
}
