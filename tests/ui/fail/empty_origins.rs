// An empty list allows nothing.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = [])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
