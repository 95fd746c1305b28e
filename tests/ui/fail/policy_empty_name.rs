// A named policy needs a name.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(policy = "")]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
