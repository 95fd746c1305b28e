// #[cors] on something that is not a function.
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
struct Handler;

fn main() {
    let _ = Handler;
}
