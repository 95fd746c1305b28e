// `null` is sent by every sandboxed iframe: needs allow_null_origin.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com", "null"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
