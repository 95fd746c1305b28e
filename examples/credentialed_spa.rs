//! The API of a single-page app that calls it with cookies (`fetch(url, { credentials:
//! "include" })`) from its production origin and from the dev server on localhost.
//!
//! Every route declares its policy with `#[cors]`, so that a request from any other origin is
//! refused *before* the handler runs: a cross-site form posting to `/api/logout` does nothing.
//! (A default policy could not do that: see the crate docs, "Limitations".)
//!
//! Run it with `cargo run --example credentialed_spa`, then try the `curl` commands it prints.

use actix_web::{get, post, web, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(
    origins = ["https://app.example.com", "http://localhost:5173"],
    credentials,
    expose = ["X-Request-Id"],
)]
#[get("/api/me")]
async fn me() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Request-Id", "42"))
        .json(["alice"])
}

/// A JSON body and a CSRF header: the browser sends a preflight first.
#[cors(
    origins = ["https://app.example.com", "http://localhost:5173"],
    credentials,
    headers = ["Content-Type", "X-CSRF-Token"],
    max_age = 600,
)]
#[post("/api/logout")]
async fn logout() -> impl Responder {
    HttpResponse::NoContent().finish()
}

/// The routes, for `App::configure`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(me).service(logout);
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    examples::init_logging("cors=debug");
    examples::serve(
        "SPA API",
        &[
            "curl -i http://127.0.0.1:8080/api/me -H 'Origin: http://localhost:5173'",
            "curl -i -X OPTIONS http://127.0.0.1:8080/api/logout -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type, x-csrf-token'",
            "curl -i -X POST http://127.0.0.1:8080/api/logout -H 'Origin: https://evil.example'   # 403, handler not run",
        ],
        || App::new().configure(routes).wrap(Cors::new()),
    )
    .await
}
