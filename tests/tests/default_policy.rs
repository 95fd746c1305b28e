//! The default policy for routes without `#[cors]`, named policies registered at run time,
//! and their precedence: route over named over default.

use actix_service::IntoServiceFactory;
use actix_web::dev::{AppConfig, ServiceFactory};
use actix_web::http::Method;
use actix_web::{get, options, test, web, App, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, Cors, Policy};
use tests::{actual, has_cors_headers, header, headers, preflight, Calls};

#[get("/plain")]
async fn plain(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "plain"
}

#[options("/own-options")]
async fn own_options() -> impl Responder {
    HttpResponse::Ok().insert_header(("X-Own", "yes")).finish()
}

#[cors(origins = ["https://admin.example.com"])]
#[get("/admin")]
async fn admin(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "admin"
}

#[cors(policy = "partners")]
#[get("/partners")]
async fn partners(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "partners"
}

fn partner_policy() -> Policy {
    // As it would come from configuration.
    let configured = "https://acme.partner.example, https://*.beta.partner.example";
    Policy::builder()
        .allow_origins(configured.split(',').map(str::trim))
        .allow_credentials()
        .allow_headers(["Authorization"])
        .build()
        .expect("valid configuration")
}

fn cors() -> Cors {
    Cors::new()
        .default_policy(cors_policy!(
            origins = ["https://app.example.com"],
            methods = ["GET", "POST"]
        ))
        .policy("partners", partner_policy())
}

macro_rules! app {
    ($calls:expr) => {
        test::init_service(
            App::new()
                .app_data(web::Data::new($calls.clone()))
                .service(plain)
                .service(own_options)
                .service(admin)
                .service(partners)
                .wrap(cors()),
        )
        .await
    };
}

#[actix_rt::test]
async fn default_policy_decorates_routes_without_cors() {
    let calls = Calls::default();
    let app = app!(calls);
    let res = test::call_service(
        &app,
        actual(Method::GET, "/plain", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    assert_eq!(headers(&res, "vary"), vec!["Origin"]);
    // A refused origin: the default policy is decided at the door, so the handler of a route
    // without #[cors] does not run either.
    let res = test::call_service(
        &app,
        actual(Method::GET, "/plain", Some("https://evil.example")).to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert!(!has_cors_headers(&res));
    assert_eq!(headers(&res, "vary"), vec!["Origin"]);
    assert_eq!(calls.count(), 1);
}

#[actix_rt::test]
async fn default_policy_answers_unclaimed_preflights() {
    let calls = Calls::default();
    let app = app!(calls);
    let res = test::call_service(
        &app,
        preflight("/plain", "https://app.example.com", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    // `methods = ["GET", "POST"]` restricts the default policy.
    let res = test::call_service(
        &app,
        preflight("/plain", "https://app.example.com", "DELETE", None).to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = test::call_service(
        &app,
        preflight("/plain", "https://evil.example", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert!(!has_cors_headers(&res));
    // One rule for the app's own OPTIONS handlers: a preflight that a policy covers (here the
    // default) is answered by `Cors`; the handler gets every other OPTIONS request.
    let res = test::call_service(
        &app,
        preflight("/own-options", "https://app.example.com", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "x-own"), None);
    let res = test::call_service(
        &app,
        test::TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/own-options")
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "x-own").as_deref(), Some("yes"));
    assert_eq!(calls.count(), 0);
}

#[actix_rt::test]
async fn route_policy_takes_precedence_over_default() {
    let calls = Calls::default();
    let app = app!(calls);
    // The default allows app.example.com, but /admin's own policy does not.
    let res = test::call_service(
        &app,
        actual(Method::GET, "/admin", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = test::call_service(
        &app,
        preflight("/admin", "https://app.example.com", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = test::call_service(
        &app,
        actual(Method::GET, "/admin", Some("https://admin.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://admin.example.com")
    );
    assert_eq!(calls.count(), 1);
}

#[actix_rt::test]
async fn named_policy_from_configuration() {
    let calls = Calls::default();
    let app = app!(calls);
    let res = test::call_service(
        &app,
        preflight(
            "/partners",
            "https://x.beta.partner.example",
            "GET",
            Some("authorization"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-credentials").as_deref(),
        Some("true")
    );
    let res = test::call_service(
        &app,
        actual(
            Method::GET,
            "/partners",
            Some("https://acme.partner.example"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://acme.partner.example")
    );
    // The named policy, not the default, decides: app.example.com is refused here.
    let res = test::call_service(
        &app,
        actual(Method::GET, "/partners", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(calls.count(), 1);
}

#[actix_rt::test]
async fn unregistered_named_policy_stops_the_app_from_starting() {
    let app = App::new().service(partners).wrap(Cors::new());
    let started = app.into_factory().new_service(AppConfig::default()).await;
    assert!(started.is_err(), "the app must refuse to start");

    let app = App::new()
        .service(partners)
        .wrap(Cors::new().policy("partners", partner_policy()));
    let started = app.into_factory().new_service(AppConfig::default()).await;
    assert!(started.is_ok());
}

#[actix_rt::test]
async fn routes_without_the_middleware_refuse_cross_origin_requests() {
    let calls = Calls::default();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(calls.clone()))
            .service(partners),
    )
    .await;
    let res = test::call_service(
        &app,
        actual(
            Method::GET,
            "/partners",
            Some("https://acme.partner.example"),
        )
        .to_request(),
    )
    .await;
    // `Cors` decides every CORS request: without it, the route's door refuses a cross-origin
    // request that no door decided (fail closed), before the handler runs.
    assert_eq!(res.status(), 403);
    assert!(!has_cors_headers(&res));
    assert_eq!(calls.count(), 0);
    // Requests without `Origin` pass untouched.
    let res = test::call_service(&app, actual(Method::GET, "/partners", None).to_request()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(calls.count(), 1);
    // The routes this app noted cannot reach a later app on this thread: see tests/startup.rs.
}
