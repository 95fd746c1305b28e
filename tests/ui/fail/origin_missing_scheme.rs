// An origin starts with its scheme; an empty string is no origin.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["app.example.com", ""])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
