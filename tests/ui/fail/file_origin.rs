// Browsers never send file:// origins (they send `null`).
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["file:///home/me/index.html"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
