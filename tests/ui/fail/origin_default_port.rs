// Browsers omit the default port.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com:443", "http://app.example.com:80"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
