//! One API, several front ends, each allowed exactly what it needs: the shop (and its preview
//! deployments) reads the catalogue, only the admin console may delete from it (same path,
//! another method, another policy), and partners matched by a regex update stock.
//!
//! Run it with `cargo run --example several_frontends`, then try the `curl` commands it prints.

use actix_web::{delete, get, put, web, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};

#[cors(origins = ["https://shop.example.com", "https://*.preview.shop.example.com"])]
#[get("/items/{id}")]
async fn get_item(id: web::Path<u32>) -> impl Responder {
    format!("item {id}")
}

#[cors(origins = ["https://admin.example.com"], credentials, headers = ["Authorization"])]
#[delete("/items/{id}")]
async fn delete_item(_id: web::Path<u32>) -> impl Responder {
    HttpResponse::NoContent().finish()
}

#[cors(
    origins = [regex(r"^https://[a-z0-9-]+\.partners\.example\.com$")],
    headers = ["Content-Type"],
)]
#[put("/items/{id}/stock")]
async fn put_stock(id: web::Path<u32>, body: String) -> impl Responder {
    format!("item {id}: stock {body}")
}

/// The routes, for `App::configure`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .service(get_item)
            .service(delete_item)
            .service(put_stock),
    );
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    examples::init_logging("cors=debug");
    examples::serve(
        "API",
        &[
            "curl -i http://127.0.0.1:8080/api/items/7 -H 'Origin: https://pr-12.preview.shop.example.com'",
            "curl -i -X OPTIONS http://127.0.0.1:8080/api/items/7 -H 'Origin: https://admin.example.com' -H 'Access-Control-Request-Method: DELETE' -H 'Access-Control-Request-Headers: authorization'",
            "curl -i -X OPTIONS http://127.0.0.1:8080/api/items/7 -H 'Origin: https://shop.example.com' -H 'Access-Control-Request-Method: DELETE'   # 403: the shop may not delete",
            "curl -i -X PUT http://127.0.0.1:8080/api/items/7/stock -H 'Origin: https://acme.partners.example.com' -d 12",
        ],
        || App::new().configure(routes).wrap(Cors::new()),
    )
    .await
}
