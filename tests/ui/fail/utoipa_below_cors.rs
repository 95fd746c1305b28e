// `#[utoipa::path]` must be above `#[cors]`.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
#[utoipa::path(responses((status = 200, description = "The items")))]
#[get("/items")]
async fn items() -> impl Responder {
    "[]"
}

fn main() {}
