// Values of the wrong type.
use actix_web::{get, Responder};
use cors_actix::cors;

#[cors(origins = 5, headers = [X_Request_Id, "X-Trace"], max_age = "600", policy = partners)]
#[get("/items")]
async fn handler() -> impl Responder {
    ""
}

fn main() {}
