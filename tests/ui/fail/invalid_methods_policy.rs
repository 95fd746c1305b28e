// cors_policy! methods: forbidden, non-canonical, duplicate and invalid.
use cors_actix::cors_policy;

fn main() {
    let _ = cors_policy!(origins = ["https://app.example.com"], methods = ["GET", "get", "TRACK", "GET", "NOT A METHOD"]);
}
