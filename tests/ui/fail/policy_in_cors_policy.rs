// `policy` only applies to a route.
use cors_actix::cors_policy;

fn main() {
    let _ = cors_policy!(policy = "partners");
}
