// Unanchored regexes, including the top-level alternation trap.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = [
    regex(r"https://[a-z]+\.example\.com"),
    regex(r"^https://a\.example\.com|https://b\.example\.com$"),
])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
