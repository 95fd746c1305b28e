// Every problem of a declaration is reported in one compilation.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(
    origins = ["*", "https://App.example.com/", "null"],
    credentials,
    headers = ["Cookie", "X Request Id"],
    expose = ["Set-Cookie"],
    max_age = 100000,
    orgins = ["https://app.example.com"],
)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
