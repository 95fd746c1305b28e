//! One instance of a fleet, for `tests/fleet.rs`: a real `HttpServer` on a loopback port whose
//! tenants' origins come from an `OriginStore` (SQLite file or PostgreSQL), opened before the
//! server starts.
//!
//! Usage: `cors-fleet-instance URL TABLE`. Prints `ready PORT LOAD_MICROS ORIGINS` on stdout
//! once it listens. Routes: `GET /api/me` (the tenants' policy), `POST /admin/add?origin=...`
//! and `POST /admin/remove?origin=...` (changes through this instance: 200 when applied, 422
//! with the reason when refused).
#![forbid(unsafe_code)]

use std::io::Write as _;

use actix_web::{get, post, web, App, HttpResponse, HttpServer, Responder};
use cors_actix::{cors, Cors, Policy};
use cors_actix_store::{ChangeError, OriginStore};

#[cors(policy = "tenants")]
#[get("/api/me")]
async fn me() -> impl Responder {
    HttpResponse::Ok().body("{}")
}

/// The `origin` of a query string `origin=https://acme.example` (sent as it is: `:` and `/` are
/// allowed in a query).
fn origin_of(query: &str) -> Option<String> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("origin="))
        .map(str::to_owned)
}

fn answer(result: Result<bool, ChangeError>) -> HttpResponse {
    match result {
        Ok(changed) => HttpResponse::Ok().body(changed.to_string()),
        Err(ChangeError::Invalid(error)) => {
            HttpResponse::UnprocessableEntity().body(error.to_string())
        }
        Err(error) => HttpResponse::ServiceUnavailable().body(error.to_string()),
    }
}

#[post("/admin/add")]
async fn add(store: web::Data<OriginStore>, req: actix_web::HttpRequest) -> impl Responder {
    match origin_of(req.query_string()) {
        Some(origin) => answer(store.add(&origin).await),
        None => HttpResponse::BadRequest().finish(),
    }
}

#[post("/admin/remove")]
async fn remove(store: web::Data<OriginStore>, req: actix_web::HttpRequest) -> impl Responder {
    match origin_of(req.query_string()) {
        Some(origin) => answer(store.remove(&origin).await),
        None => HttpResponse::BadRequest().finish(),
    }
}

fn policy() -> Policy {
    Policy::builder()
        .allow_origin("https://app.example.com")
        .allow_credentials()
        .allow_dynamic_origins()
        .build()
        .expect("a valid policy")
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(table)) = (args.next(), args.next()) else {
        eprintln!("usage: cors-fleet-instance URL TABLE");
        std::process::exit(2);
    };
    let store = OriginStore::builder(&url)
        .table(&table)
        .open(&policy())
        .await
        .map_err(std::io::Error::other)?;
    let stats = store.stats();
    let origins = store.origins();
    let data = web::Data::new(store);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .service(me)
            .service(add)
            .service(remove)
            .wrap(Cors::new().dynamic_policy("tenants", policy(), origins.clone()))
    })
    .workers(2)
    .bind(("127.0.0.1", 0))?;
    let port = server.addrs()[0].port();
    let server = server.run();
    println!(
        "ready {port} {} {}",
        stats.last_load.as_micros(),
        stats.origins
    );
    std::io::stdout().flush()?;
    server.await
}
