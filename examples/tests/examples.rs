//! Each example's app, exercised with `actix_web::test`: the example files are included as
//! modules, so these tests run exactly the code `cargo run --example NAME` serves.

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use actix_web::App;

#[allow(dead_code)] // `main`
#[path = "../public_api.rs"]
mod public_api;

#[allow(dead_code)]
#[path = "../credentialed_spa.rs"]
mod credentialed_spa;

#[allow(dead_code)]
#[path = "../several_frontends.rs"]
mod several_frontends;

#[allow(dead_code)]
#[path = "../origins_from_env.rs"]
mod origins_from_env;

#[allow(dead_code)]
#[path = "../auth_beside_cors.rs"]
mod auth_beside_cors;

fn get(path: &str, origin: &str) -> TestRequest {
    TestRequest::get()
        .uri(path)
        .insert_header(("Origin", origin))
}

fn preflight(path: &str, origin: &str, method: &str, headers: Option<&str>) -> TestRequest {
    let req = TestRequest::default()
        .method(Method::OPTIONS)
        .uri(path)
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", method));
    match headers {
        Some(headers) => req.insert_header(("Access-Control-Request-Headers", headers)),
        None => req,
    }
}

fn header<B>(res: &ServiceResponse<B>, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Sends a request; an `Err` from the service is rendered as the server would render it.
async fn send<S, B>(app: &S, req: TestRequest) -> (u16, actix_web::http::header::HeaderMap)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    match test::try_call_service(app, req.to_request()).await {
        Ok(res) => (res.status().as_u16(), res.headers().clone()),
        Err(err) => {
            let res = err.error_response();
            (res.status().as_u16(), res.headers().clone())
        }
    }
}

#[actix_web::test]
async fn public_api() {
    let app = test::init_service(
        App::new()
            .configure(public_api::routes)
            .wrap(public_api::cors()),
    )
    .await;
    let res = test::call_service(
        &app,
        get("/v1/quotes", "https://anyone.example").to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(header(&res, "access-control-allow-credentials"), None);
    assert_eq!(
        header(&res, "access-control-expose-headers").as_deref(),
        Some("X-Total-Count")
    );
    let res = test::call_service(
        &app,
        preflight(
            "/v1/feedback",
            "https://anyone.example",
            "POST",
            Some("content-type"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-headers").as_deref(),
        Some("content-type")
    );
    assert_eq!(
        header(&res, "access-control-max-age").as_deref(),
        Some("86400")
    );
    // The disabled route: served, but never readable cross-origin.
    let res = test::call_service(
        &app,
        get("/internal/metrics", "https://anyone.example").to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), None);
}

#[actix_web::test]
async fn credentialed_spa() {
    let app = test::init_service(
        App::new()
            .configure(credentialed_spa::routes)
            .wrap(cors_actix::Cors::new()),
    )
    .await;
    for origin in ["https://app.example.com", "http://localhost:5173"] {
        let res = test::call_service(&app, get("/api/me", origin).to_request()).await;
        assert_eq!(res.status(), 200, "{origin}");
        assert_eq!(
            header(&res, "access-control-allow-origin").as_deref(),
            Some(origin)
        );
        assert_eq!(
            header(&res, "access-control-allow-credentials").as_deref(),
            Some("true")
        );
        assert_eq!(
            header(&res, "access-control-expose-headers").as_deref(),
            Some("X-Request-Id")
        );
    }
    let res = test::call_service(
        &app,
        preflight(
            "/api/logout",
            "https://app.example.com",
            "POST",
            Some("content-type,x-csrf-token"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-max-age").as_deref(),
        Some("600")
    );
    // A cross-site form post is stopped before the handler.
    let req = TestRequest::post()
        .uri("/api/logout")
        .insert_header(("Origin", "https://evil.example"));
    let res = test::call_service(&app, req.to_request()).await;
    assert_eq!(res.status(), 403);
}

#[actix_web::test]
async fn several_frontends() {
    let app = test::init_service(
        App::new()
            .configure(several_frontends::routes)
            .wrap(cors_actix::Cors::new()),
    )
    .await;
    let shop = "https://pr-12.preview.shop.example.com";
    let res = test::call_service(&app, get("/api/items/7", shop).to_request()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some(shop)
    );
    // Same path, DELETE: the admin console's policy, not the shop's.
    let admin = preflight(
        "/api/items/7",
        "https://admin.example.com",
        "DELETE",
        Some("authorization"),
    );
    let res = test::call_service(&app, admin.to_request()).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-credentials").as_deref(),
        Some("true")
    );
    let res = test::call_service(
        &app,
        preflight("/api/items/7", "https://shop.example.com", "DELETE", None).to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    // Partners, by regex; a look-alike host is refused.
    let res = test::call_service(
        &app,
        preflight(
            "/api/items/7/stock",
            "https://acme.partners.example.com",
            "PUT",
            Some("content-type"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status(), 204);
    let res = test::call_service(
        &app,
        preflight(
            "/api/items/7/stock",
            "https://acme.partnersxexample.com",
            "PUT",
            None,
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
}

#[actix_web::test]
async fn origins_from_env() {
    let policy = origins_from_env::frontend_policy(
        "https://app.example.com, https://*.staging.example.com\thttp://localhost:3000",
    )
    .expect("valid list");
    let app = test::init_service(
        App::new()
            .configure(origins_from_env::routes)
            .wrap(origins_from_env::cors(policy)),
    )
    .await;
    for origin in [
        "https://app.example.com",
        "https://pr-1.staging.example.com",
        "http://localhost:3000",
    ] {
        let res = test::call_service(&app, get("/api/items", origin).to_request()).await;
        assert_eq!(res.status(), 200, "{origin}");
        assert_eq!(
            header(&res, "access-control-allow-origin").as_deref(),
            Some(origin)
        );
    }
    let res = test::call_service(
        &app,
        preflight(
            "/api/items",
            "https://app.example.com",
            "POST",
            Some("content-type"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status(), 204);
    let res =
        test::call_service(&app, get("/api/items", "https://evil.example").to_request()).await;
    assert_eq!(res.status(), 403);

    // A bad variable: every problem, none panics.
    let err = origins_from_env::frontend_policy("https://app.example.com/, *").unwrap_err();
    // The trailing slash, and "*" with credentials (each entry is reported once).
    assert_eq!(err.problems().len(), 2, "{err}");
    assert_eq!(
        err.problems()[0].kind,
        cors_actix::ProblemKind::InvalidOrigin
    );
    assert_eq!(
        err.problems()[1].kind,
        cors_actix::ProblemKind::WildcardWithCredentials
    );
    let err = origins_from_env::frontend_policy("").unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
}

#[actix_web::test]
async fn auth_beside_cors() {
    let app = test::init_service(
        App::new()
            .configure(auth_beside_cors::routes)
            .wrap(auth_beside_cors::cors()),
    )
    .await;
    let origin = "https://app.example.com";
    // The preflight is answered at the door: the auth layer, which would refuse it, never sees
    // it.
    let (status, headers) = send(
        &app,
        preflight("/api/me", origin, "GET", Some("authorization")),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        headers.get("access-control-allow-headers").unwrap(),
        "authorization"
    );
    // No token: 401, with the CORS headers the page needs to read it.
    let (status, headers) = send(&app, get("/api/me", origin)).await;
    assert_eq!(status, 401);
    assert_eq!(headers.get("access-control-allow-origin").unwrap(), origin);
    assert_eq!(
        headers.get("access-control-allow-credentials").unwrap(),
        "true"
    );
    // With the token: the route answers.
    let (status, headers) = send(
        &app,
        get("/api/me", origin).insert_header(("Authorization", "Bearer let-me-in")),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("access-control-allow-origin").unwrap(), origin);
}
