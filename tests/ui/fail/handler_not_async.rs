// A handler must be an `async fn`.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
#[get("/items")]
fn items() -> impl Responder {
    "[]"
}

fn main() {}
