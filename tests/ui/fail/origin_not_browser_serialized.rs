// The example: uppercase host, default port, trailing slash; suggests the browser form.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://Example.com:443/"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
