//! A server whose handler uses `#[cors(policy = "partners")]` but whose `Cors` does not
//! register `"partners"`: it refuses to start.
//!
//! ```sh
//! cargo run -p examples --bin unregistered_policy
//! # cors-actix: refusing to start: handler `partners` uses `policy = "partners"`; register it ...
//! # Error: Custom { kind: Other, error: "Can not start server service 0" }   (exit status 1)
//! ```
//!
//! With `REGISTER_PARTNERS=1` the policy is registered and the server starts normally: the
//! integration test `examples/tests/startup.rs` runs both.

use actix_web::{get, App, HttpServer, Responder};
use cors_actix::{cors, cors_policy, Cors};

#[cors(policy = "partners")]
#[get("/partners")]
async fn partners() -> impl Responder {
    "partners"
}

fn cors() -> Cors {
    let cors = Cors::new();
    if std::env::var_os("REGISTER_PARTNERS").is_none() {
        return cors; // The mistake this binary demonstrates.
    }
    cors.policy(
        "partners",
        cors_policy!(origins = ["https://acme.partner.example"]),
    )
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let server = HttpServer::new(|| App::new().service(partners).wrap(cors()))
        .workers(2)
        .bind(("127.0.0.1", 0))?;
    for addr in server.addrs() {
        println!("listening on http://{addr}");
    }
    // `run()` resolves to an error if a worker cannot create the app: `?` then makes the
    // process print it and exit with status 1.
    server.run().await
}
