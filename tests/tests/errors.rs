//! Error responses keep their CORS headers, so that the page can read a 401
//! from an authentication middleware or an error from the handler.

use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::error::{ErrorBadRequest, ErrorUnauthorized};
use actix_web::http::Method;
use actix_web::{get, test, web, App, Error, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, is_preflight, Cors};
use futures_util::future::LocalBoxFuture;
use tests::{actual, header, preflight, reply, Calls};

/// Rejects requests without `Authorization`: with an `Err` (as most auth crates do), or with
/// an `Ok(401)` response.
#[derive(Clone, Copy)]
struct Auth {
    as_error: bool,
    skip_preflights: bool,
}

impl<S, B> Transform<S, ServiceRequest> for Auth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    type Response = ServiceResponse<actix_web::body::EitherBody<B>>;
    type Error = Error;
    type Transform = AuthService<S>;
    type InitError = ();
    type Future = Ready<Result<AuthService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(AuthService {
            service: Rc::new(service),
            as_error: self.as_error,
            skip_preflights: self.skip_preflights,
        }))
    }
}

struct AuthService<S> {
    service: Rc<S>,
    as_error: bool,
    skip_preflights: bool,
}

impl<S, B> Service<ServiceRequest> for AuthService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    type Response = ServiceResponse<actix_web::body::EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // Preflights never carry credentials: let them through (as documented).
        let preflight = self.skip_preflights && is_preflight(&req);
        if preflight || req.headers().contains_key("authorization") {
            let service = self.service.clone();
            return Box::pin(async move { Ok(service.call(req).await?.map_into_left_body()) });
        }
        if self.as_error {
            Box::pin(async { Err(ErrorUnauthorized("missing credentials")) })
        } else {
            let res = req.into_response(HttpResponse::Unauthorized().body("missing credentials"));
            Box::pin(async { Ok(res.map_into_right_body()) })
        }
    }
}

#[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
#[get("/me", wrap = "Auth { as_error: true, skip_preflights: true }")]
async fn me(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "me"
}

#[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
#[get("/me2", wrap = "Auth { as_error: false, skip_preflights: true }")]
async fn me2(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "me"
}

#[cors(origins = ["https://app.example.com"])]
#[get("/fails")]
async fn fails() -> Result<&'static str, Error> {
    Err(ErrorBadRequest("bad input"))
}

#[get("/plain")]
async fn plain() -> impl Responder {
    "plain"
}

#[actix_rt::test]
async fn auth_error_from_route_middleware_keeps_cors_headers() {
    let calls = Calls::default();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(calls.clone()))
            .service(me)
            .service(me2)
            .service(fails)
            .wrap(Cors::new()),
    )
    .await;
    for path in ["/me", "/me2"] {
        let req = actual(Method::GET, path, Some("https://app.example.com")).to_request();
        let res = reply(&app, req).await;
        assert_eq!(res.status, 401, "{path}");
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("https://app.example.com"),
            "{path}"
        );
        assert_eq!(
            res.header("access-control-allow-credentials"),
            Some("true"),
            "{path}"
        );
        assert_eq!(res.header("vary"), Some("Origin"), "{path}");
        assert_eq!(res.body, "missing credentials");
    }
    // The auth middleware never sees the preflight: `Cors` answers it at the door.
    let req = preflight(
        "/me",
        "https://app.example.com",
        "GET",
        Some("authorization"),
    )
    .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 204);
    // A refused origin is stopped by CORS before auth runs.
    let req = actual(Method::GET, "/me", Some("https://evil.example")).to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 403);
    assert_eq!(calls.count(), 0);
}

#[actix_rt::test]
async fn handler_error_keeps_cors_headers() {
    let app = test::init_service(App::new().service(fails).wrap(Cors::new())).await;
    let req = actual(Method::GET, "/fails", Some("https://app.example.com")).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
}

#[actix_rt::test]
async fn app_level_auth_inside_cors_is_covered_by_the_default_policy() {
    // Auth registered inside Cors on a route without a declaration: the default policy applies,
    // decided at the door.
    let app = test::init_service(
        App::new()
            .service(plain)
            .wrap(Auth {
                as_error: true,
                skip_preflights: false,
            })
            .wrap(Cors::new().default_policy(cors_policy!(
                origins = ["https://app.example.com"],
                credentials,
                headers = ["Authorization"],
            ))),
    )
    .await;
    let req = actual(Method::GET, "/plain", Some("https://app.example.com")).to_request();
    let res = reply(&app, req).await;
    assert_eq!(res.status, 401);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(res.header("vary"), Some("Origin"));
    // This auth layer forgets `is_preflight` and would reject the preflight: the default policy
    // answers it at the door, before the auth layer runs.
    let req = preflight(
        "/plain",
        "https://app.example.com",
        "GET",
        Some("authorization"),
    )
    .to_request();
    let res = reply(&app, req).await;
    assert_eq!(res.status, 204);
    assert_eq!(
        res.header("access-control-allow-headers"),
        Some("authorization")
    );
}
