//! Every CORS decision counted, and served to Prometheus on `/metrics`: `cors-actix` with its
//! `metrics` feature counts through the `metrics` facade, and `metrics-exporter-prometheus`
//! renders the counts. No label holds a raw `Origin`: routes are labelled by their pattern,
//! refusals by their reason.
//!
//! ```text
//! cargo run -p metrics-example --example metrics
//! ```
//!
//! Then send a few requests (the lines printed at start) and read `/metrics`:
//!
//! ```text
//! cors_decisions_total{route="/items",kind="request",outcome="allowed",reason="none"} 1
//! cors_decisions_total{route="/items",kind="request",outcome="refused",reason="origin not allowed"} 1
//! cors_origin_set_origins 2
//! ```

use std::time::Duration;

use actix_web::{get, web, App, HttpResponse, Responder};
use cors_actix::{cors, Cors, OriginLookup, OriginSet, Policy};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

#[cors(origins = ["https://app.example.com"], headers = ["Content-Type"])]
#[get("/items")]
pub async fn items() -> impl Responder {
    "[]"
}

/// Tenants' origins, held in memory.
#[cors(policy = "tenants")]
#[get("/tenant/profile")]
pub async fn profile() -> impl Responder {
    "{}"
}

/// Partners' origins, asked one by one (here: any `*.partner.example`; a store would be asked).
#[cors(policy = "partners")]
#[get("/partner/feed")]
pub async fn feed() -> impl Responder {
    "[]"
}

/// The scrape: no CORS policy (a scraper is not a browser), so no CORS decision either.
pub async fn scrape(handle: web::Data<PrometheusHandle>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(handle.render())
}

/// The policy both dynamic policies share: a fixed origin, and dynamic ones.
fn dynamic_policy() -> Policy {
    Policy::builder()
        .allow_origin("https://app.example.com")
        .allow_dynamic_origins()
        .build()
        .expect("a valid policy")
}

/// The tenants' origins (from a database, in a real app: see the `origins_from_database`
/// example and `cors-actix-store`).
pub fn tenants() -> OriginSet {
    let set = OriginSet::for_policy(&dynamic_policy());
    set.replace_all(["https://one.tenant.example", "https://two.tenant.example"])
        .expect("valid origins");
    set
}

/// The partners' lookup: `*.partner.example` is a partner; an origin with `broken` in it makes
/// the (pretend) store fail.
pub fn partners() -> OriginLookup {
    OriginLookup::builder(|origin: String| async move {
        if origin.contains("broken") {
            return Err("the partners' store is down");
        }
        Ok(origin.ends_with(".partner.example"))
    })
    .timeout(Duration::from_millis(500))
    .build()
}

/// The app's `Cors`.
pub fn cors(tenants: OriginSet, partners: OriginLookup) -> Cors {
    Cors::new()
        .dynamic_policy("tenants", dynamic_policy(), tenants)
        .dynamic_policy("partners", dynamic_policy(), partners)
}

/// The app's routes, `/metrics` included.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(items)
        .service(profile)
        .service(feed)
        .route("/metrics", web::get().to(scrape));
}

#[actix_web::main]
#[allow(dead_code)] // Not called by the test, which includes this file.
async fn main() -> std::io::Result<()> {
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .expect("the only metrics recorder of the process");
    let (tenants, partners) = (tenants(), partners());
    examples::serve(
        "Counted CORS decisions",
        &[
            "curl -i http://127.0.0.1:8080/items -H 'Origin: https://app.example.com'",
            "curl -i http://127.0.0.1:8080/items -H 'Origin: https://evil.example'",
            "curl -i http://127.0.0.1:8080/tenant/profile -H 'Origin: https://one.tenant.example'",
            "curl -i http://127.0.0.1:8080/partner/feed -H 'Origin: https://acme.partner.example'",
            "curl -s http://127.0.0.1:8080/metrics | grep ^cors_",
        ],
        move || {
            App::new()
                .app_data(web::Data::new(handle.clone()))
                .configure(routes)
                .wrap(cors(tenants.clone(), partners.clone()))
        },
    )
    .await
}
