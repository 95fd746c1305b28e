//! Tenants' allowed origins for [cors-actix](https://docs.rs/cors-actix), from a database table:
//! SQLite (the default: one file shared by the processes of one host) or PostgreSQL (feature
//! `postgres`: a fleet of instances behind a load balancer). Add this one dependency, open the
//! store when the app starts and give its origins to `Cors`; the store makes its table, loads
//! it whole, and keeps every instance in step with it. No SQL to write.
//!
//! ```
//! # actix_web::rt::System::new().block_on(async {
//! use actix_web::{get, test, App, Responder};
//! use cors_actix::{cors, Cors, Policy};
//! use cors_actix_store::OriginStore;
//!
//! #[cors(policy = "tenants")]
//! #[get("/api/me")]
//! async fn me() -> impl Responder { "{}" }
//!
//! let policy = Policy::builder()
//!     .allow_origin("https://app.example.com")
//!     .allow_credentials()
//!     .allow_dynamic_origins()
//!     .build()?;
//! # let dir = std::env::temp_dir().join(format!("cors-store-crate-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let url = format!("sqlite://{}", dir.join("tenants.db").display());
//! // `url` is `sqlite://tenants.db`, or `postgres://app@db/app` with the feature `postgres`.
//! let tenants = OriginStore::open(&url, &policy).await?;
//! let cors = Cors::new().dynamic_policy("tenants", policy, tenants.origins());
//! let app = test::init_service(App::new().service(me).wrap(cors)).await;
//!
//! // From an admin route of any instance: validated, written, seen by every instance.
//! tenants.add("https://acme.example").await?;
//! let req = test::TestRequest::get().uri("/api/me").insert_header(("Origin", "https://acme.example"));
//! assert_eq!(test::call_service(&app, req.to_request()).await.status(), 200);
//! tenants.remove("https://acme.example").await?;
//! let req = test::TestRequest::get().uri("/api/me").insert_header(("Origin", "https://acme.example"));
//! assert_eq!(test::call_service(&app, req.to_request()).await.status(), 403);
//! # drop(tenants);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! # What it promises
//!
//! - **Every known tenant from the first request.** [`OriginStore::open`] reads the whole
//!   table before it returns: open it before the server starts, and a freshly deployed or
//!   restarted instance serves every tenant of the table from its first request. Requests are
//!   decided from memory ([`cors_actix::OriginSet`]): an origin in the set is allowed before
//!   it is even parsed, one not in it is refused at once. The store is never asked on the
//!   request path, so a flood of random origins costs it nothing.
//! - **A change made anywhere reaches every instance within a second.** A change through
//!   [`add`](OriginStore::add), [`remove`](OriginStore::remove),
//!   [`replace`](OriginStore::replace) or [`replace_all`](OriginStore::replace_all) is held
//!   by the instance that made it as soon as it is committed, and reaches the others by the
//!   database's own means: PostgreSQL's `NOTIFY` (milliseconds), or SQLite's log of changes,
//!   polled every 100 ms. A change made with plain SQL (an admin's `INSERT`, a migration) is
//!   seen the same way: triggers record it.
//! - **Validated; bad rows are reported, never served.** Each origin of a change is validated
//!   by the rules of the policy given to `open` (one exact origin as a browser sends it; with
//!   credentials, no plain `http` but loopback): a bad one is refused with its reason and
//!   nothing of the change is written. A row already in the table that fails validation (put
//!   there with SQL) is never served; every one is listed by
//!   [`invalid_rows`](OriginStore::invalid_rows), with its reason, and logged (`warn`, target
//!   `cors`).
//! - **Nothing missed.** On PostgreSQL, notifications sent while an instance's connection is
//!   down are lost: after every reconnection it reads the whole table again. Both stores are
//!   read whole every [`reconcile_every`](OriginStoreBuilder::reconcile_every) (5 minutes) as
//!   well. While the database is down, instances keep serving the origins they hold.
//! - **Compact.** About 48 bytes per origin of 37 characters (100,000 tenants: 4.7 MB per
//!   instance); a starting instance loads 100,000 rows in about 0.16 s from SQLite, 0.09 s
//!   from PostgreSQL (`docs/BENCHMARKS.md`).
//!
//! # The table
//!
//! `open` makes it (and migrates it in later versions) unless told not to
//! ([`OriginStoreBuilder::migrate`]): idempotent, in one transaction, safe for instances
//! starting together. The SQL is in [`schema`] for your own migration tool. One table,
//! `cors_origins` by default ([`OriginStoreBuilder::table`]):
//!
//! | column | type | |
//! |---|---|---|
//! | `origin` | `TEXT PRIMARY KEY` | as a browser sends it: `https://acme.example` |
//! | `added_at` | SQLite `INTEGER` (Unix seconds), PostgreSQL `TIMESTAMPTZ` | set by the database |
//!
//! Beside it, `cors_origins_meta` (the schema's version) and the triggers that tell instances
//! what changed: on PostgreSQL they `NOTIFY` the channel `cors_origins` with the changed
//! origin; on SQLite they append it to `cors_origins_changes`. Add columns of your own if you
//! like (a tenant id); the store reads and writes only `origin`.
//!
//! # Why SQLite is polled, and what
//!
//! SQLite has no notifications between processes. Each process asks the file every 100 ms
//! whether another connection committed anything (`PRAGMA data_version`: answered from the
//! file's change counter, no query, no I/O), and only then reads the log of changed origins
//! past the last one it applied, with what their rows hold now. So an idle table costs a
//! pragma a poll, and a change costs a query per changed origin, not a reload of the whole
//! table (which `data_version` alone would need: it says that something changed, not what).
//! Writers prune log entries older than ten minutes; a process that was away longer (or
//! finds more than 5,000 changes) reads the whole table. The file is put in WAL mode, so that
//! readers never wait for a writer.
//!
//! # Running a fleet
//!
//! Every instance opens the same table (one PostgreSQL database; or one SQLite file for the
//! processes of one host) before its server starts, and makes changes through its own
//! `OriginStore`. Nothing is asked per client, so the set needs no setting for the load
//! balancer in front of the instances. See "Running a fleet" in cors-actix's guide to dynamic
//! origins for which tool fits which store and deployment.
//!
//! TLS to PostgreSQL: enable one of sqlx's TLS features in your own `Cargo.toml`
//! (`sqlx = { version = "0.8", features = ["tls-rustls"] }`) and add `sslmode=require` to the
//! URL.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod backend;
mod error;
#[cfg(feature = "postgres")]
mod postgres;
mod replica;
pub mod schema;
mod settings;
#[cfg(feature = "sqlite")]
mod sqlite;
mod store;

pub use error::{ChangeError, StoreError};
pub use store::{OriginStore, OriginStoreBuilder, StoreStats};
