//! Allowed origins from the environment, so that one build serves dev, staging and production:
//! `#[cors(policy = "frontend")]` on the routes, and the `"frontend"` policy built at start-up
//! from `CORS_ORIGINS` (origins separated by commas or spaces), validated by the same rules as
//! the macro. A mistake in the variable stops the server with every problem listed.
//!
//! ```sh
//! CORS_ORIGINS="https://app.example.com, https://*.staging.example.com" cargo run --example origins_from_env
//! CORS_ORIGINS="https://app.example.com/, *" cargo run --example origins_from_env   # refused, 3 problems
//! ```
//! Without `CORS_ORIGINS` the dev front end `http://localhost:3000` is allowed.

use actix_web::{get, post, web, App, Responder};
use cors_actix::{cors, Cors, Policy, PolicyError};

#[cors(policy = "frontend")]
#[get("/api/items")]
async fn items() -> impl Responder {
    "[]"
}

#[cors(policy = "frontend")]
#[post("/api/items")]
async fn add_item(body: String) -> impl Responder {
    body
}

/// The routes, for `App::configure`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(items).service(add_item);
}

/// The front end's policy, from a configured list of origins.
pub fn frontend_policy(origins: &str) -> Result<Policy, PolicyError> {
    Policy::builder()
        .allow_origins_list(origins)
        .allow_credentials()
        .allow_headers(["Content-Type", "Authorization"])
        .max_age(600)
        .build()
}

/// The middleware, with every named policy the routes use.
pub fn cors(frontend: Policy) -> Cors {
    Cors::new().policy("frontend", frontend)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    examples::init_logging("cors=debug");
    let origins =
        std::env::var("CORS_ORIGINS").unwrap_or_else(|_| "http://localhost:3000".to_owned());
    let frontend = match frontend_policy(&origins) {
        Ok(policy) => policy,
        Err(err) => {
            // Every problem, each with its position in the list and a suggestion.
            eprintln!("CORS_ORIGINS={origins:?}: {err}");
            std::process::exit(2);
        }
    };
    println!("Allowed origins: {origins}");
    let cors = cors(frontend); // built once; clones share it
    examples::serve(
        "API",
        &[
            "curl -i http://127.0.0.1:8080/api/items -H 'Origin: http://localhost:3000'",
            "curl -i -X OPTIONS http://127.0.0.1:8080/api/items -H 'Origin: http://localhost:3000' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type'",
        ],
        move || App::new().configure(routes).wrap(cors.clone()),
    )
    .await
}
