// A key given twice.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], credentials, origins = ["https://b.example.com"], credentials)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
