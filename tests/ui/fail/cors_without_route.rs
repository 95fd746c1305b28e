// #[cors] on a function with no route attribute.
use actix_web::Responder;
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
