// The methods of `#[route]` are checked too.
use actix_web::{route, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
#[route("/items", method = "GET", method = "CONNECT")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
