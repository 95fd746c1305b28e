// origins = "*" with credentials: browsers reject ACAO * on credentialed responses.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = "*", credentials)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
