//! The app under test, three ways: no CORS, actix-cors, cors-actix (same policy).

use actix_web::{get, HttpResponse, Responder};
use cors_actix::cors;

/// The handler, without CORS.
#[get("/items")]
pub async fn plain_items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .body("[1,2]")
}

/// The same handler with our policy.
#[cors(
    origins = ["https://app.example.com"],
    credentials,
    headers = ["Authorization", "X-Request-Id", "Content-Type"],
    expose = ["X-Total-Count"],
    max_age = 600,
)]
#[get("/items")]
pub async fn cors_items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .body("[1,2]")
}

/// actix-cors configured to the same policy, blocking refused origins like cors-actix does by
/// default (actix-cors' own default is to run the handler and omit the headers).
pub fn actix_cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .block_on_origin_mismatch(true)
        .allowed_origin("https://app.example.com")
        .allowed_methods(["GET"])
        .allowed_headers(["Authorization", "X-Request-Id", "Content-Type"])
        .expose_headers(["X-Total-Count"])
        .supports_credentials()
        .max_age(600)
}
