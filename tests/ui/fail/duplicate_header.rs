// Header names are case-insensitive: listed twice.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], headers = ["X-Request-Id", "x-request-id"], expose = ["X-Total", "X-Total"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
