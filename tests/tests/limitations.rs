//! The limitations the crate documentation states ("Limitations"), pinned so that the docs
//! and the behavior cannot drift apart silently.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::ErrorTooManyRequests;
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Next};
use actix_web::{get, guard, test, web, App, Error, Responder};
use cors_actix::{cors, cors_policy, Cors};
use tests::{actual, header, preflight, reply, Calls};

#[cors(origins = ["https://app.example.com"])]
#[get("/items")]
async fn items() -> impl Responder {
    "[]"
}

/// An app-level middleware answering on its own, before routing.
async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.headers().contains_key("x-over-limit") {
        return Err(ErrorTooManyRequests("slow down"));
    }
    next.call(req).await
}

#[actix_rt::test]
async fn app_level_middleware_answers_carry_only_the_default_policy() {
    let request = || {
        actual(Method::GET, "/items", Some("https://app.example.com"))
            .insert_header(("x-over-limit", "1"))
            .to_request()
    };
    // No default policy: the route's policy never sees the request, the 429 is unreadable.
    let app = test::init_service(
        App::new()
            .service(items)
            .wrap(from_fn(rate_limit))
            .wrap(Cors::new()),
    )
    .await;
    let res = reply(&app, request()).await;
    assert_eq!(res.status, 429);
    assert_eq!(res.header("access-control-allow-origin"), None);
    // With a default policy, it covers the middleware's answer.
    let app = test::init_service(
        App::new()
            .service(items)
            .wrap(from_fn(rate_limit))
            .wrap(Cors::new().default_policy(cors_policy!(origins = ["https://app.example.com"]))),
    )
    .await;
    let res = reply(&app, request()).await;
    assert_eq!(res.status, 429);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
}

#[cors(origins = ["https://a.example"])]
#[get("/tenant", guard = "is_tenant_a")]
async fn tenant_a() -> impl Responder {
    "a"
}

#[cors(origins = ["https://b.example"])]
#[get("/tenant")]
async fn tenant_b() -> impl Responder {
    "b"
}

fn is_tenant_a(ctx: &guard::GuardContext<'_>) -> bool {
    ctx.head().headers().contains_key("x-tenant-a")
}

#[actix_rt::test]
async fn guards_are_not_applied_to_preflights() {
    let app = test::init_service(
        App::new()
            .service(tenant_a)
            .service(tenant_b)
            .wrap(Cors::new()),
    )
    .await;
    // Actual requests are routed with the guard: b.example reaches tenant_b.
    let res = test::call_service(
        &app,
        actual(Method::GET, "/tenant", Some("https://b.example")).to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(test::read_body(res).await, "b");
    // Preflights are routed by path and method only: the first route's policy answers.
    let res = test::call_service(
        &app,
        preflight("/tenant", "https://b.example", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = test::call_service(
        &app,
        preflight("/tenant", "https://a.example", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status(), 204);
}

async fn counted(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "side effect"
}

#[actix_rt::test]
async fn routes_without_cors_run_before_the_default_policy_refuses() {
    let calls = Calls::default();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(calls.clone()))
            // A manual route: `#[cors]` cannot apply, only the default policy.
            .route("/manual", web::post().to(counted))
            .wrap(Cors::new().default_policy(cors_policy!(origins = ["https://app.example.com"]))),
    )
    .await;
    let res = test::call_service(
        &app,
        actual(Method::POST, "/manual", Some("https://evil.example")).to_request(),
    )
    .await;
    assert_eq!(res.status(), 200, "not a 403: the handler has already run");
    assert_eq!(header(&res, "access-control-allow-origin"), None);
    assert_eq!(calls.count(), 1);
}
