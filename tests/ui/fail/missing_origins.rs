// No origins at all.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(credentials, max_age = 600)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
