// `#[cors]` on a method taking `self`: handlers are free functions (or associated functions).
use actix_web::{get, Responder};
use cors_actix::cors;

struct Api;

impl Api {
    #[cors(origins = ["https://app.example.com"])]
    #[get("/items")]
    async fn items(&self) -> impl Responder {
        "[]"
    }
}

fn main() {
    let _ = Api;
}
