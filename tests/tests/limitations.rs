//! The limitations the crate documentation states ("Limitations"), pinned so that the docs
//! and the behavior cannot drift apart silently.

use actix_web::http::Method;
use actix_web::{get, guard, test, web, App, Responder};
use cors_actix::{cors, Cors};
use tests::{actual, preflight, reply};

#[cors(origins = ["https://json.example"])]
#[get("/search", guard = "wants_json")]
async fn search_json() -> impl Responder {
    "{}"
}

#[cors(origins = ["https://html.example"])]
#[get("/search")]
async fn search_html() -> impl Responder {
    "<p>"
}

fn wants_json(ctx: &guard::GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get("accept")
        .is_some_and(|v| v.as_bytes() == b"application/json")
}

#[actix_rt::test]
async fn a_guard_on_headers_a_preflight_does_not_carry_passes_the_preflight_on() {
    let app = test::init_service(
        App::new()
            .service(search_json)
            .service(search_html)
            .wrap(Cors::new()),
    )
    .await;
    // The preflight carries no `Accept: application/json`: the guarded route does not match
    // it, so the next route's policy answers.
    let res = reply(
        &app,
        preflight("/search", "https://json.example", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    let res = reply(
        &app,
        preflight("/search", "https://html.example", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    // Actual requests are routed with the guard, at the door as in actix-web.
    let res = reply(
        &app,
        actual(Method::GET, "/search", Some("https://json.example"))
            .insert_header(("accept", "application/json"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body, "{}");
}

#[cors(origins = ["https://app.example.com"])]
#[get("/api/status")]
async fn status() -> impl Responder {
    "ok"
}

#[actix_rt::test]
async fn a_plain_scope_registered_before_a_declared_route_is_invisible_to_the_door() {
    let app = test::init_service(
        App::new()
            // No CORS declaration inside: the door does not know this scope exists.
            .service(web::scope("/api").route("/other", web::get().to(|| async { "other" })))
            .service(status)
            .wrap(Cors::new()),
    )
    .await;
    // actix-web routes `/api/...` into the scope first, which has no `/status`: 404. The door
    // still answers the preflight with `status`'s policy.
    let res = reply(
        &app,
        preflight("/api/status", "https://app.example.com", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    let res = reply(
        &app,
        actual(Method::GET, "/api/status", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status, 404);
}

#[cors(origins = ["https://app.example.com"])]
#[get("/items")]
async fn tenant_items() -> impl Responder {
    "items"
}

#[cors(origins = ["https://app.example.com"])]
#[get("/{page}")]
async fn page() -> impl Responder {
    "page"
}

#[actix_rt::test]
async fn a_scope_level_without_declared_routes_of_its_own_is_invisible_to_the_door() {
    let app = test::init_service(
        App::new()
            // The door learns `/v1/{tenant}` from `tenant_items`; that `/v1` is a scope of its
            // own (which takes every path under `/v1`) it cannot know.
            .service(web::scope("/v1").service(web::scope("/{tenant}").service(tenant_items)))
            .service(page)
            .wrap(Cors::new()),
    )
    .await;
    // actix-web routes `/v1` into the `/v1` scope, which has nothing for it: 404. The door
    // takes `page` for it and answers the preflight.
    let res = reply(
        &app,
        preflight("/v1", "https://app.example.com", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    let res = reply(
        &app,
        actual(Method::GET, "/v1", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status, 404);
}
