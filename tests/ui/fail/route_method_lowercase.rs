// A misspelled route method is reported once, by actix-web's route attribute.
use actix_web::{route, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
#[route("/items", method = "get")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
