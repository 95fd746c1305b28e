//! The macro's routing mechanics: scopes, path parameters, multi-method
//! `#[route]`, the user's `name`, `guard` and `wrap`, doc comments, and `disable`.

use actix_web::dev::{Service, ServiceRequest, Transform};
use actix_web::http::Method;
use actix_web::{get, guard, put, route, test, web, App, HttpRequest, Responder};
use cors_actix::{cors, Cors};
use std::future::{ready, Ready};
use tests::{actual, has_cors_headers, header, preflight, Calls};

#[cors(origins = [regex(r"^https://[a-z0-9-]+\.partner\.example$")], headers = ["Content-Type"])]
#[put("/users/{id}")]
async fn put_user(id: web::Path<u32>, calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    id.to_string()
}

#[cors(origins = ["https://app.example.com"])]
#[route("/multi", method = "GET", method = "POST", method = "PATCH")]
async fn multi(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "multi"
}

/// Documented handler: the doc comment moves to the generated service.
#[cors(origins = ["https://app.example.com"])]
#[get("/named", name = "my_named_route")]
async fn named(req: HttpRequest) -> impl Responder {
    req.url_for_static("my_named_route")
        .map(|u| u.path().to_string())
        .unwrap_or_default()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/default_name")]
async fn default_name(req: HttpRequest) -> impl Responder {
    // The resource keeps the handler's name, as with plain actix-web.
    req.url_for_static("default_name")
        .map(|u| u.path().to_string())
        .unwrap_or_default()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/guarded", guard = "is_json")]
async fn guarded(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "json"
}

fn is_json(ctx: &guard::GuardContext<'_>) -> bool {
    ctx.head()
        .headers()
        .get("accept")
        .is_some_and(|v| v.as_bytes() == b"application/json")
}

#[cors(disable)]
#[get("/internal")]
async fn internal(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "internal"
}

/// A route-level middleware that adds a header, to check the user's `wrap` still applies.
struct Tag;

impl<S, B> Transform<S, ServiceRequest> for Tag
where
    S: Service<
            ServiceRequest,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        > + 'static,
    B: 'static,
{
    type Response = actix_web::dev::ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = TagService<S>;
    type InitError = ();
    type Future = Ready<Result<TagService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(TagService {
            service: std::rc::Rc::new(service),
        }))
    }
}

struct TagService<S> {
    service: std::rc::Rc<S>,
}

impl<S, B> Service<ServiceRequest> for TagService<S>
where
    S: Service<
            ServiceRequest,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        > + 'static,
    B: 'static,
{
    type Response = actix_web::dev::ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future =
        futures_util::future::LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let service = self.service.clone();
        Box::pin(async move {
            let mut res = service.call(req).await?;
            res.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("x-tag"),
                actix_web::http::header::HeaderValue::from_static("wrapped"),
            );
            Ok(res)
        })
    }
}

#[cors(origins = ["https://app.example.com"])]
#[get("/wrapped", wrap = "Tag")]
async fn wrapped() -> impl Responder {
    "wrapped"
}

fn app(
    calls: &Calls,
) -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(calls.clone()))
        .service(
            web::scope("/v1")
                .service(put_user)
                .service(web::scope("/nested").service(multi)),
        )
        .service(named)
        .service(default_name)
        .service(guarded)
        .service(internal)
        .service(wrapped)
        .wrap(Cors::default().default_policy(cors_actix::cors_policy!(origins = "*")))
}

#[actix_rt::test]
async fn scoped_route_with_path_parameter() {
    let calls = Calls::default();
    let app = test::init_service(app(&calls)).await;
    let req = preflight(
        "/v1/users/7",
        "https://acme.partner.example",
        "PUT",
        Some("content-type"),
    )
    .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://acme.partner.example")
    );
    let req = actual(
        Method::PUT,
        "/v1/users/7",
        Some("https://acme.partner.example"),
    )
    .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://acme.partner.example")
    );
    assert_eq!(test::read_body(res).await, "7");
    // The regex is anchored: a longer host is refused.
    let req = preflight(
        "/v1/users/7",
        "https://acme.partner.example.evil.com",
        "PUT",
        None,
    )
    .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 403);
    // Outside the scope the route's policy does not apply: the app's default policy answers.
    let req = preflight("/users/7", "https://acme.partner.example", "PUT", None).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(calls.count(), 1);
}

#[actix_rt::test]
async fn multi_method_route_answers_each_method() {
    let calls = Calls::default();
    let app = test::init_service(app(&calls)).await;
    for method in ["GET", "POST", "PATCH"] {
        let req =
            preflight("/v1/nested/multi", "https://app.example.com", method, None).to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), 204, "{method}");
        assert_eq!(
            header(&res, "access-control-allow-methods").as_deref(),
            Some(method)
        );
    }
    let req = actual(
        Method::PATCH,
        "/v1/nested/multi",
        Some("https://app.example.com"),
    )
    .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    assert_eq!(calls.count(), 1);
}

#[actix_rt::test]
async fn user_name_is_kept() {
    let calls = Calls::default();
    let app = test::init_service(app(&calls)).await;
    let res = test::call_service(&app, actual(Method::GET, "/named", None).to_request()).await;
    assert_eq!(test::read_body(res).await, "/named");
    let res = test::call_service(
        &app,
        actual(Method::GET, "/default_name", None).to_request(),
    )
    .await;
    assert_eq!(test::read_body(res).await, "/default_name");
}

#[actix_rt::test]
async fn user_guard_is_kept() {
    let calls = Calls::default();
    let app = test::init_service(app(&calls)).await;
    let req = actual(Method::GET, "/guarded", Some("https://app.example.com"))
        .insert_header(("Accept", "application/json"))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    // Without the guard's header the route does not match at all.
    let req = actual(Method::GET, "/guarded", Some("https://app.example.com")).to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 404);
    assert_eq!(calls.count(), 1);
}

#[actix_rt::test]
async fn user_wrap_is_kept() {
    let calls = Calls::default();
    let app = test::init_service(app(&calls)).await;
    let req = actual(Method::GET, "/wrapped", Some("https://app.example.com")).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(header(&res, "x-tag").as_deref(), Some("wrapped"));
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    let req = actual(Method::GET, "/wrapped", Some("https://evil.example")).to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 403);
}

#[actix_rt::test]
async fn disabled_route_never_gets_cors_headers_even_under_a_default() {
    let calls = Calls::default();
    let app = test::init_service(app(&calls)).await;
    let req = actual(Method::GET, "/internal", Some("https://anyone.example")).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 200);
    assert!(!has_cors_headers(&res));
    let req = preflight("/internal", "https://anyone.example", "GET", None).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 403);
    assert!(!has_cors_headers(&res));
    assert_eq!(calls.count(), 1);
}
