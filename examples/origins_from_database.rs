//! Tenants' origins in a database: customers bring their own domains, the API allows each one
//! without a restart. The same code runs on SQLite (the embedded default, one instance) and on
//! PostgreSQL (a fleet of instances behind a load balancer, sharing one table).
//!
//! ```sh
//! cargo run --example origins_from_database                              # SQLite, tenants.db
//! DATABASE_URL=postgres://app@db/app cargo run --example origins_from_database
//! curl -X POST 'http://127.0.0.1:8080/admin/tenants?origin=https://acme.example'
//! ```
//!
//! - Each request from an origin that is not in the policy's list is decided by an
//!   [`OriginLookup`]: one `SELECT` per origin, cached (allowed 60 s, refused 10 s), at most one
//!   query in flight per origin, at most 100 queries a second, failures and timeouts refused.
//! - A change (`add`/`remove`) bumps a revision number in the same transaction. Every instance
//!   polls that number four times a second and forgets its cached answers when it moves: a change
//!   is seen by the whole fleet within about 250 ms plus one query, whatever the TTLs.
//!
//! See the guide "Origins from a database" in cors-actix's docs.

use std::time::Duration;

use actix_web::{get, post, web, App, HttpResponse, Responder};
use cors_actix::{cors, Cors, OriginLookup, Policy};
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

#[cors(policy = "tenants")]
#[get("/api/me")]
async fn me() -> impl Responder {
    HttpResponse::Ok().json(serde_json::json!({ "user": "ada" }))
}

const SCHEMA: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS tenant_origins (origin TEXT PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS cors_revision (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL)",
    "INSERT INTO cors_revision (id, revision) VALUES (1, 0) ON CONFLICT DO NOTHING",
];

/// The tenants' origins of one instance: its connection pool and its cached lookup.
#[derive(Clone)]
pub struct TenantOrigins {
    pool: AnyPool,
    lookup: OriginLookup,
}

impl TenantOrigins {
    /// Connects to `url` (`sqlite://tenants.db?mode=rwc`, `postgres://...`) and creates the
    /// tables if they do not exist.
    pub async fn connect(url: &str) -> Result<TenantOrigins, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(5)
            .acquire_timeout(Duration::from_secs(2))
            .connect(url)
            .await?;
        for statement in SCHEMA {
            sqlx::query(statement).execute(&pool).await?;
        }
        let query_pool = pool.clone();
        let lookup = OriginLookup::builder(move |origin: String| {
            let pool = query_pool.clone();
            async move {
                sqlx::query("SELECT origin FROM tenant_origins WHERE origin = $1")
                    .bind(origin)
                    .fetch_optional(&pool)
                    .await
                    .map(|row| row.is_some())
            }
        })
        .build();
        Ok(TenantOrigins { pool, lookup })
    }

    /// The lookup, for `Cors::dynamic_policy`.
    pub fn lookup(&self) -> OriginLookup {
        self.lookup.clone()
    }

    /// Allows `origin` (as browsers send it: `https://acme.example`) on every instance.
    pub async fn add(&self, origin: &str) -> Result<(), sqlx::Error> {
        self.change(
            "INSERT INTO tenant_origins (origin) VALUES ($1) ON CONFLICT DO NOTHING",
            origin,
        )
        .await
    }

    /// Stops allowing `origin` on every instance.
    pub async fn remove(&self, origin: &str) -> Result<(), sqlx::Error> {
        self.change("DELETE FROM tenant_origins WHERE origin = $1", origin)
            .await
    }

    async fn change(&self, statement: &str, origin: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(statement)
            .bind(origin)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE cors_revision SET revision = revision + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // This instance forgets at once; the others within one poll.
        self.lookup.forget(origin);
        Ok(())
    }

    async fn revision(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT revision FROM cors_revision WHERE id = 1")
            .fetch_one(&self.pool)
            .await
    }

    /// Reads the revision now, then polls it every `every` (on the current actix system) and
    /// forgets every cached answer when another instance changed the table. A failed poll is
    /// logged and retried; cached answers then expire with their TTLs. (The first read happens
    /// before this returns: a change made right after is seen, not taken for the start.)
    pub async fn watch(&self, every: Duration) -> actix_web::rt::task::JoinHandle<()> {
        let origins = self.clone();
        let mut seen = origins.revision().await.ok();
        actix_web::rt::spawn(async move {
            loop {
                actix_web::rt::time::sleep(every).await;
                match origins.revision().await {
                    Ok(revision) if Some(revision) != seen => {
                        origins.lookup.forget_all();
                        seen = Some(revision);
                    }
                    Ok(_) => {}
                    Err(err) => {
                        tracing::warn!(target: "cors", "cannot poll the tenants' revision: {err}")
                    }
                }
            }
        })
    }
}

/// The tenants' policy: the company's own front end, plus every tenant's origin.
pub fn tenants_policy() -> Policy {
    Policy::builder()
        .allow_origin("https://app.example.com")
        .allow_dynamic_origins()
        .allow_credentials()
        .allow_headers(["Authorization", "Content-Type"])
        .max_age(600)
        .build()
        .expect("a valid policy")
}

/// The middleware.
pub fn cors(origins: &TenantOrigins) -> Cors {
    Cors::new().dynamic_policy("tenants", tenants_policy(), origins.lookup())
}

#[derive(serde::Deserialize)]
struct Tenant {
    origin: String,
}

/// Adds a tenant's origin (an admin route: protect it in a real app). No CORS policy: only
/// same-origin or non-browser clients use it.
#[post("/admin/tenants")]
async fn add_tenant(
    origins: web::Data<TenantOrigins>,
    tenant: web::Query<Tenant>,
) -> impl Responder {
    match origins.add(&tenant.origin).await {
        Ok(()) => HttpResponse::Created().finish(),
        Err(err) => HttpResponse::ServiceUnavailable().body(err.to_string()),
    }
}

/// The routes, for `App::configure` (with the `TenantOrigins` as app data).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(me).service(add_tenant);
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    examples::init_logging("cors=info");
    let url =
        std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://tenants.db?mode=rwc".into());
    let origins = TenantOrigins::connect(&url)
        .await
        .map_err(|err| std::io::Error::other(format!("{url}: {err}")))?;
    origins.watch(Duration::from_millis(250)).await;
    examples::serve(&format!("API (tenants in {url})"), &[], move || {
        App::new()
            .app_data(web::Data::new(origins.clone()))
            .configure(routes)
            .wrap(cors(&origins))
    })
    .await
}
