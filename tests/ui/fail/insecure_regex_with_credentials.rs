// A regex admitting http:// with credentials.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = [regex(r"^https?://[a-z]+\.example\.com$")], credentials)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
