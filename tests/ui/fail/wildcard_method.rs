// cors_policy! methods = ["*"]: not a method name (a policy without `methods` allows every method).
use cors_actix::cors_policy;

fn main() {
    let _ = cors_policy!(origins = ["https://app.example.com"], methods = ["GET", "*"]);
}
