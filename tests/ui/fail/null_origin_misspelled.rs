// The opaque origin is spelled `null`.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["Null"], allow_null_origin)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
