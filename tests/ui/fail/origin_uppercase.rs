// Browsers send scheme and host in lowercase.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["HTTPS://App.Example.com"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
