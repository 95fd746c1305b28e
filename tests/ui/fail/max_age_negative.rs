// A negative max_age.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], max_age = -1)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
