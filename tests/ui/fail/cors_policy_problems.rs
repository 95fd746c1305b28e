// cors_policy! runs the same validation as #[cors].
use cors_actix::cors_policy;

fn main() {
    let _ = cors_policy!(origins = ["*"], credentials, max_age = 100000);
}
