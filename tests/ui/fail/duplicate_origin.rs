// The same origin twice.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com", "https://app.example.com"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
