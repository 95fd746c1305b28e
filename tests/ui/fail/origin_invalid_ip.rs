// IP addresses must be in their canonical form.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["http://127.1:3000", "http://[0:0:0:0:0:0:0:1]:8080", "http://[::1"])]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
