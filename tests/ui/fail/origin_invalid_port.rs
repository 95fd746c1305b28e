// Ports are 1-65535, without leading zeros.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com:08443", "https://app.example.com:65536", "https://app.example.com:"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
