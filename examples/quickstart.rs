//! The README's quickstart: an API with per-route CORS policies.
//!
//! Run it with `cargo run --example quickstart`, then try the `curl` commands it prints.
//! Set `RUST_LOG=cors=debug` to see every CORS decision and the reason for each refusal.

use actix_web::{delete, get, put, web, App, HttpServer, Responder};
use cors_actix::{cors, Cors};

/// Public, read-only: any origin, no credentials.
#[cors(origins = "*")]
#[get("/status")]
async fn status() -> impl Responder {
    "ok"
}

/// Credentialed API for one front end and its preview deployments.
#[cors(
    origins = ["http://localhost:8081", "https://*.preview.example.com"],
    credentials,
    headers = ["Authorization", "X-Request-Id"],
    expose = ["X-Total-Count"],
    max_age = 600,
)]
#[get("/items")]
async fn list_items() -> impl Responder {
    actix_web::HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .json(["apple", "pear"])
}

/// Same path, another method, another policy: a DELETE preflight gets this one.
#[cors(origins = ["http://localhost:8082"], credentials, headers = ["Authorization"])]
#[delete("/items")]
async fn delete_items() -> impl Responder {
    actix_web::HttpResponse::NoContent().finish()
}

/// Partner integrations, matched by an anchored regex.
#[cors(origins = [regex(r"^https://[a-z0-9-]+\.partner\.example$")])]
#[put("/users/{id}")]
async fn put_user(id: web::Path<u32>) -> impl Responder {
    id.to_string()
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("cors=debug")),
        )
        .init();

    let addr = ("127.0.0.1", 8080);
    println!("API on http://localhost:8080 (CORS decisions are logged; RUST_LOG=cors=trace shows allowed ones too)\n");
    println!("Try:");
    println!("  curl -i http://localhost:8080/status -H 'Origin: https://anyone.example'");
    println!("  curl -i http://localhost:8080/v1/items -H 'Origin: http://localhost:8081'");
    println!("  curl -i http://localhost:8080/v1/items -H 'Origin: https://evil.example'");
    println!("  curl -i -X OPTIONS http://localhost:8080/v1/items -H 'Origin: http://localhost:8082' -H 'Access-Control-Request-Method: DELETE'");
    println!("  curl -i -X OPTIONS http://localhost:8080/v1/users/7 -H 'Origin: https://acme.partner.example' -H 'Access-Control-Request-Method: PUT'");
    HttpServer::new(|| {
        App::new()
            .service(status)
            .service(
                web::scope("/v1")
                    .service(list_items)
                    .service(delete_items)
                    .service(put_user),
            )
            .wrap(Cors::new()) // outermost: registered last
    })
    .bind(addr)?
    .run()
    .await
}
