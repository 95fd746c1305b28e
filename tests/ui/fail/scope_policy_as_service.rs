// scope_policy(..) goes to `configure`: given to `service`, a compile error says so.
use actix_web::{web, App};
use cors_actix::{cors_policy, scope_policy, Cors};

fn main() {
    let _ = App::new()
        .service(
            web::scope("/admin")
                .service(scope_policy(cors_policy!(origins = ["https://app.example.com"]))),
        )
        .wrap(Cors::new());
}
