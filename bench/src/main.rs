//! The server of the load comparison (`bench/run.sh`): one actix-web app, three ways.
//!
//! `bench-server MODE PORT` with MODE `none` (no CORS), `actix-cors` (actix-cors configured like
//! our policy) or `cors-actix` (this project). One worker, so that the server's CPU time can be
//! pinned to one core and measured per request.

use actix_web::{get, App, HttpResponse, HttpServer, Responder};
use cors_actix::{cors, Cors};

/// The handler, without CORS.
#[get("/items")]
async fn plain_items() -> impl Responder {
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
async fn cors_items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .body("[1,2]")
}

/// actix-cors configured to the same policy.
fn actix_cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allowed_origin("https://app.example.com")
        .allowed_methods(["GET"])
        .allowed_headers(["Authorization", "X-Request-Id", "Content-Type"])
        .expose_headers(["X-Total-Count"])
        .supports_credentials()
        .max_age(600)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "cors-actix".into());
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8090);
    let server = match mode.as_str() {
        "none" => HttpServer::new(|| App::new().service(plain_items))
            .workers(1)
            .bind(("127.0.0.1", port))?
            .run(),
        "actix-cors" => HttpServer::new(|| App::new().service(plain_items).wrap(actix_cors()))
            .workers(1)
            .bind(("127.0.0.1", port))?
            .run(),
        "cors-actix" => HttpServer::new(|| App::new().service(cors_items).wrap(Cors::new()))
            .workers(1)
            .bind(("127.0.0.1", port))?
            .run(),
        other => {
            eprintln!("unknown mode {other}: use none, actix-cors or cors-actix");
            std::process::exit(2);
        }
    };
    println!("bench-server {mode} listening on 127.0.0.1:{port}");
    server.await
}
