// `policy` takes the whole policy from the middleware.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(policy = "partners", origins = ["https://app.example.com"], credentials)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
