// Set-Cookie is never readable by a page.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], expose = ["Set-Cookie"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
