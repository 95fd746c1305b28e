// Browsers send the punycode form of an internationalized host.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://bücher.example"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
