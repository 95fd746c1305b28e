// Values must be literals: a bare URL or header name is reported entry by entry.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = [app.example.com], headers = X-Request-Id, max_age = 600 s)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
