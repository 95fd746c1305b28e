// An unescaped dot matches any character.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = [regex(r"^https://app.example.com$")])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
