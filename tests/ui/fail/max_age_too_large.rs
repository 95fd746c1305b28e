// Firefox caps preflight caching at 86400 s.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], max_age = 86401)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
