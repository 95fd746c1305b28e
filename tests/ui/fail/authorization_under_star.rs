// "*" covers every request header but Authorization: only Authorization belongs next to it.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], headers = ["*", "X-Request-Id"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
