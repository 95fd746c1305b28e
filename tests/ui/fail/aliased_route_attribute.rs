// A route attribute imported under another name is not recognized.
use actix_web::get as http_get;
use actix_web::Responder;
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
#[http_get("/items")]
async fn items() -> impl Responder {
    "[]"
}

fn main() {}
