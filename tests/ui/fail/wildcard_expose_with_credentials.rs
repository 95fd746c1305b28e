// expose = "*" with credentials: read as a header literally named "*".
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], credentials, expose = ["*"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
