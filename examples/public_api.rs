//! A public, read-only API that any web page may call: one default policy covers every route,
//! and one internal route opts out with `#[cors(disable)]`.
//!
//! Run it with `cargo run --example public_api`, then try the `curl` commands it prints.

use actix_web::{get, post, web, App, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, Cors};

#[get("/v1/quotes")]
async fn quotes() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .json(["Stay hungry.", "Ship it."])
}

#[get("/v1/quotes/{id}")]
async fn quote(id: web::Path<u32>) -> impl Responder {
    format!("quote {id}")
}

/// Anonymous feedback as JSON: `Content-Type: application/json` needs a preflight.
#[post("/v1/feedback")]
async fn feedback(body: web::Bytes) -> impl Responder {
    HttpResponse::Accepted().body(format!("{} bytes received", body.len()))
}

/// Only for the operators' tooling: no page may read it, even under the public default.
#[cors(disable)]
#[get("/internal/metrics")]
async fn metrics() -> impl Responder {
    "requests_total 42"
}

/// The routes, for `App::configure`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(quotes)
        .service(quote)
        .service(feedback)
        .service(metrics);
}

/// Any origin, no credentials (so `Access-Control-Allow-Origin: *`), JSON bodies allowed,
/// preflights cached for a day, the total count readable by pages.
pub fn cors() -> Cors {
    Cors::new().default_policy(cors_policy!(
        origins = "*",
        headers = ["Content-Type"],
        expose = ["X-Total-Count"],
        max_age = 86400,
    ))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    examples::init_logging("cors=debug");
    examples::serve(
        "Public API",
        &[
            "curl -i http://127.0.0.1:8080/v1/quotes -H 'Origin: https://anyone.example'",
            "curl -i -X OPTIONS http://127.0.0.1:8080/v1/feedback -H 'Origin: https://anyone.example' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type'",
            "curl -i http://127.0.0.1:8080/internal/metrics -H 'Origin: https://anyone.example'   # no CORS headers",
        ],
        || App::new().configure(routes).wrap(cors()),
    )
    .await
}
