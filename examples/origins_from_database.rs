//! Tenants' origins in a database: customers bring their own domains, the API allows each one
//! without a restart, on every instance. The same code runs on SQLite (the embedded default:
//! one file shared by the processes of one host) and on PostgreSQL (a fleet of instances behind
//! a load balancer, sharing one table), with `cors-actix-store`.
//!
//! ```sh
//! cargo run --example origins_from_database                              # SQLite, tenants.db
//! DATABASE_URL=postgres://app@db/app cargo run --example origins_from_database
//! curl -X POST 'http://127.0.0.1:8080/admin/tenants?origin=https://acme.example'
//! curl -X DELETE 'http://127.0.0.1:8080/admin/tenants?origin=https://acme.example'
//! ```
//!
//! - The store makes its table (`cors_origins`) and reads it whole before the server starts:
//!   every instance, fresh or restarted, serves every known tenant from its first request,
//!   decided from memory. An origin not in the table is refused without a query.
//! - A change through any instance (the admin routes below) is validated by the policy's rules
//!   (a bad origin is refused with its reason), written, held by that instance at once, and
//!   reaches the others within a second: PostgreSQL notifies them (`LISTEN`/`NOTIFY`), SQLite
//!   processes read the table's change log every 100 ms. So does a row added with plain SQL.
//! - Nothing here depends on the load balancer in front: the set asks nothing per client.
//!
//! See "Running a fleet" in cors-actix's guide to dynamic origins.

use actix_web::{delete, get, post, web, App, HttpResponse, Responder};
use cors_actix::{cors, Cors, Policy};
use cors_actix_store::{ChangeError, OriginStore, StoreError};

#[cors(policy = "tenants")]
#[get("/api/me")]
async fn me() -> impl Responder {
    HttpResponse::Ok().json(serde_json::json!({ "user": "ada" }))
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

/// Opens the tenants' table at `url` (`sqlite://tenants.db`, `postgres://...`): made if
/// missing, read whole, then followed.
pub async fn open(url: &str) -> Result<OriginStore, StoreError> {
    OriginStore::open(url, &tenants_policy()).await
}

/// The middleware: the tenants' policy, its origins from the store.
pub fn cors(tenants: &OriginStore) -> Cors {
    Cors::new().dynamic_policy("tenants", tenants_policy(), tenants.origins())
}

#[derive(serde::Deserialize)]
struct Tenant {
    origin: String,
}

/// What a change answers: 201/204 when applied, 200/404 when there was nothing to do, 422 with
/// every problem when refused, 503 when the database failed.
fn answer(
    result: Result<bool, ChangeError>,
    done: HttpResponse,
    nothing: HttpResponse,
) -> HttpResponse {
    match result {
        Ok(true) => done,
        Ok(false) => nothing,
        Err(ChangeError::Invalid(error)) => {
            HttpResponse::UnprocessableEntity().body(error.to_string())
        }
        Err(error) => HttpResponse::ServiceUnavailable().body(error.to_string()),
    }
}

/// Adds a tenant's origin (an admin route: protect it in a real app). No CORS policy: only
/// same-origin or non-browser clients use it.
#[post("/admin/tenants")]
async fn add_tenant(tenants: web::Data<OriginStore>, tenant: web::Query<Tenant>) -> impl Responder {
    answer(
        tenants.add(&tenant.origin).await,
        HttpResponse::Created().finish(),
        HttpResponse::Ok().finish(),
    )
}

/// Removes a tenant's origin.
#[delete("/admin/tenants")]
async fn remove_tenant(
    tenants: web::Data<OriginStore>,
    tenant: web::Query<Tenant>,
) -> impl Responder {
    answer(
        tenants.remove(&tenant.origin).await,
        HttpResponse::NoContent().finish(),
        HttpResponse::NotFound().finish(),
    )
}

/// The routes, for `App::configure` (with the `OriginStore` as app data).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(me).service(add_tenant).service(remove_tenant);
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    examples::init_logging("cors=info");
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://tenants.db".into());
    let tenants = open(&url)
        .await
        .map_err(|err| std::io::Error::other(format!("{url}: {err}")))?;
    examples::serve(&format!("API (tenants in {url})"), &[], move || {
        App::new()
            .app_data(web::Data::new(tenants.clone()))
            .configure(routes)
            .wrap(cors(&tenants))
    })
    .await
}
