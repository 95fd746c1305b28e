// Header names are HTTP tokens.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], headers = ["X Request Id", "X-Trace:", ""])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
