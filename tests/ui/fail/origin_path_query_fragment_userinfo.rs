// An origin is scheme://host[:port]: no path, query, fragment or userinfo.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = [
    "https://app.example.com/api",
    "https://app.example.com?x=1",
    "https://app.example.com#top",
    "https://user@app.example.com",
])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
