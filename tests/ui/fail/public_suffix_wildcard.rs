// A subdomain wildcard over a public suffix allows everyone's sites.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = [
    "https://*.com",
    "https://*.co.uk",
    "https://*.github.io",
    "https://*.compute.amazonaws.com",
])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
