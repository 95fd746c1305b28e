// #[routes] (several paths) is not supported.
use actix_web::{routes, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
#[routes]
#[get("/items")]
#[post("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
