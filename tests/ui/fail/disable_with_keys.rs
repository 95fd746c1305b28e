// `disable` turns CORS off: other keys have no effect.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(disable, origins = ["https://app.example.com"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
