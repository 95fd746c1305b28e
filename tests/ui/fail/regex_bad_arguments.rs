// regex(..) takes one string literal.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = [regex("^https://a\\.example$", "i"), regex(PATTERN)])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
