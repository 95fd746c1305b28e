// Two #[cors] on one handler.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
#[cors(origins = ["https://admin.example.com"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
