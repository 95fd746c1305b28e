// `max_age` takes a literal number of seconds, not an expression.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], max_age = 60 * 10)]
#[get("/items")]
async fn items() -> impl Responder {
    "[]"
}

fn main() {}
