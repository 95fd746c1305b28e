//! An authentication middleware for the whole app, living beside `Cors`.
//!
//! App-level middleware registered *inside* `Cors` (before it in the `wrap` chain) sees every
//! request before routing, browser preflights included. Preflights never carry credentials, so
//! an auth layer that rejects them breaks every cross-origin call: skip them with
//! `cors_actix::is_preflight`. And because such a layer answers before routing, only the
//! default policy can put CORS headers on its `401`: give `Cors` one, so that the page can
//! read the `401` and send the user to the login page.
//!
//! (Auth as a route-level `wrap = "..."` under `#[cors]` needs neither: preflights go to the
//! route's hidden preflight resource, and the route's CORS headers cover its `401`.)
//!
//! Run it with `cargo run --example auth_beside_cors`, then try the `curl` commands it prints.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::ErrorUnauthorized;
use actix_web::middleware::{from_fn, Next};
use actix_web::{get, web, App, Error, HttpServer, Responder};
use cors_actix::{cors, cors_policy, is_preflight, Cors};

/// Accepts `Authorization: Bearer let-me-in`; lets preflights through.
pub async fn require_token(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let authorized = req
        .headers()
        .get("authorization")
        .is_some_and(|value| value == "Bearer let-me-in");
    if is_preflight(req.head()) || authorized {
        next.call(req).await
    } else {
        Err(ErrorUnauthorized("missing or invalid token"))
    }
}

#[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
#[get("/api/me")]
async fn me() -> impl Responder {
    "alice"
}

/// The routes, for `App::configure`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(me);
}

/// `Cors`, with a default policy for the answers the auth layer gives before routing.
pub fn cors() -> Cors {
    Cors::new().default_policy(cors_policy!(
        origins = ["https://app.example.com"],
        credentials,
        headers = ["Authorization"],
    ))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("cors=debug")),
        )
        .init();
    println!("API on http://127.0.0.1:8080. Try:");
    println!("  curl -i -X OPTIONS http://127.0.0.1:8080/api/me -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: authorization'   # 204: auth lets preflights through");
    println!("  curl -i http://127.0.0.1:8080/api/me -H 'Origin: https://app.example.com'   # 401, readable by the page");
    println!("  curl -i http://127.0.0.1:8080/api/me -H 'Origin: https://app.example.com' -H 'Authorization: Bearer let-me-in'");
    HttpServer::new(|| {
        App::new()
            .configure(routes)
            .wrap(from_fn(require_token)) // inside Cors: sees preflights
            .wrap(cors()) // outermost: registered last
    })
    .bind(("127.0.0.1", 8080))?
    .run()
    .await
}
