// Two route attributes without #[routes].
use actix_web::{get, post, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
#[get("/items")]
#[post("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
