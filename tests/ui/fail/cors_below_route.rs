// #[cors] below the route attribute cannot see it.
use actix_web::{get, Responder};
use cors_actix::cors;

#[get("/items")]
#[cors(origins = ["https://app.example.com"])]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
