// Value keys need `= value`.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins, headers("X-Request-Id"), max_age: 600)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
