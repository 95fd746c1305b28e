//! `Vary`: `Origin` is appended to whatever `Vary` the handler set, never
//! duplicated, on every response whose CORS headers depend on the origin.

use actix_web::http::Method;
use actix_web::{get, test, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};
use tests::{actual, headers};

#[cors(origins = ["https://app.example.com"])]
#[get("/encoded")]
async fn encoded() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("Vary", "Accept-Encoding"))
        .body("x")
}

#[cors(origins = ["https://app.example.com"])]
#[get("/already")]
async fn already() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("Vary", "accept-encoding, origin"))
        .body("x")
}

#[cors(origins = ["https://app.example.com"])]
#[get("/star")]
async fn star() -> impl Responder {
    HttpResponse::Ok().insert_header(("Vary", "*")).body("x")
}

#[actix_rt::test]
async fn vary_is_appended_and_never_duplicated() {
    let app = test::init_service(
        App::new()
            .service(encoded)
            .service(already)
            .service(star)
            .wrap(Cors::new()),
    )
    .await;
    for origin in [
        Some("https://app.example.com"),
        Some("https://evil.example"),
        None,
    ] {
        let res =
            test::call_service(&app, actual(Method::GET, "/encoded", origin).to_request()).await;
        if origin == Some("https://evil.example") {
            // Refused before the handler: only CORS's own Vary.
            assert_eq!(headers(&res, "vary"), vec!["Origin"]);
            continue;
        }
        assert_eq!(
            headers(&res, "vary"),
            vec!["Accept-Encoding", "Origin"],
            "{origin:?}"
        );
        let res =
            test::call_service(&app, actual(Method::GET, "/already", origin).to_request()).await;
        assert_eq!(
            headers(&res, "vary"),
            vec!["accept-encoding, origin"],
            "{origin:?}"
        );
        let res = test::call_service(&app, actual(Method::GET, "/star", origin).to_request()).await;
        assert_eq!(headers(&res, "vary"), vec!["*"], "{origin:?}");
    }
}
