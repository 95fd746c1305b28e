//! An authentication middleware written without any knowledge of CORS, on a scope, beside
//! `Cors`.
//!
//! `Cors` is the door: it answers the preflights of every route that has a policy before any
//! middleware inside it runs, so the auth layer never sees them (preflights carry no
//! credentials, and an auth layer that refused them would break every cross-origin call). And
//! it puts the route's CORS headers on whatever comes back, so the `401` the auth layer sends
//! is readable by the page, which can then send the user to the login page. No default policy
//! and no `is_preflight` check are needed; the same holds for auth on the whole app or on the
//! route (`wrap = "..."`).
//!
//! Run it with `cargo run --example auth_beside_cors`, then try the `curl` commands it prints.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::ErrorUnauthorized;
use actix_web::middleware::{from_fn, Next};
use actix_web::{get, web, App, Error, Responder};
use cors_actix::{cors, Cors};

/// Accepts `Authorization: Bearer let-me-in`, refuses everything else.
pub async fn require_token(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let authorized = req
        .headers()
        .get("authorization")
        .is_some_and(|value| value == "Bearer let-me-in");
    if authorized {
        next.call(req).await
    } else {
        Err(ErrorUnauthorized("missing or invalid token"))
    }
}

#[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
#[get("/me")]
async fn me() -> impl Responder {
    "alice"
}

/// The routes, for `App::configure`: `/api/me` behind the auth layer.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::scope("/api").wrap(from_fn(require_token)).service(me));
}

/// `Cors`: nothing to configure for the auth layer.
pub fn cors() -> Cors {
    Cors::new()
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    examples::init_logging("cors=debug");
    examples::serve(
        "API",
        &[
            "curl -i -X OPTIONS http://127.0.0.1:8080/api/me -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: authorization'   # 204: answered by Cors, the auth layer never sees it",
            "curl -i http://127.0.0.1:8080/api/me -H 'Origin: https://app.example.com'   # 401, readable by the page",
            "curl -i http://127.0.0.1:8080/api/me -H 'Origin: https://app.example.com' -H 'Authorization: Bearer let-me-in'",
        ],
        || {
        App::new().configure(routes).wrap(cors()) // outermost: registered last
    },
    )
    .await
}
