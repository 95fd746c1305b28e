// Entries already covered by a wildcard, an any-port rule or a regex of the same list.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = [
    "https://*.example.com",
    "https://app.example.com",
    "http://localhost:*",
    "http://localhost:3000",
    regex(r"^https://[a-z]+\.partner\.example$"),
    "https://acme.partner.example",
])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
