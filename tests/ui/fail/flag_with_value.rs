// Flags take no value (or true/false).
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], credentials = "yes", private_network = 1)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
