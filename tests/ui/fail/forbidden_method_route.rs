// CONNECT, TRACE and TRACK can never be allowed; a route's methods come from its attribute.
use actix_web::{trace, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
#[trace("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
