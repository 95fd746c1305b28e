// Always-readable response headers need no `expose`.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], expose = ["Content-Type", "Cache-Control", "X-Total-Count"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
