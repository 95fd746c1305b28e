// Unknown keys, with "did you mean".
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(orgins = ["https://app.example.com"], credential, allow_everything)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
