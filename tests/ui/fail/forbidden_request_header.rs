// Headers a page can never set.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], headers = ["Cookie", "Host", "Sec-Fetch-Site", "Proxy-Authorization", "Content-Length"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
