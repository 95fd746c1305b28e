// A `*` stands for leading labels or for the port, nothing else.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = [
    "https://app.*.example.com",
    "https://*example.com",
    "https://*",
    "*://app.example.com",
    "https://*.127.0.0.1",
    "https://app.example.com:8*",
])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
