// A route's methods come from its route attribute.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], methods = ["GET", "POST"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
