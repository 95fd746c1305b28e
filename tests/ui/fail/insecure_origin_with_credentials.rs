// Plain http with credentials: forgeable by a network attacker.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["http://app.example.com", "http://*.example.com"], credentials)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
