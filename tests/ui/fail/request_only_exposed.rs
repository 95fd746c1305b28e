// expose: a request header of the CORS protocol never appears on a response.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], expose = ["Access-Control-Request-Method", "X-Total-Count"])]
#[get("/items")]
async fn items() -> impl Responder {
    "[]"
}

fn main() {}
