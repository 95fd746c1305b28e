// regex(..) is only for origins.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], headers = [regex(r"^X-.*$")])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
