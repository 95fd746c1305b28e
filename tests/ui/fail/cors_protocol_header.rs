// CORS protocol headers are never request headers a page sets.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], headers = ["Access-Control-Allow-Origin", "Access-Control-Request-Method"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
