//! Cross-origin protection for the routes without a CORS policy (opt-in): state-changing
//! requests from another site refused at the door, everything else untouched. In process and
//! over a real `HttpServer` (behind a reverse proxy's `X-Forwarded-Host` too).

use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use actix_web::{get, post, web, App, HttpResponse, Responder};
use cors_actix::{cors, Cors, CrossOriginProtection};
use tests::Calls;

#[post("/transfer")]
async fn transfer(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "done"
}

#[get("/account")]
async fn account(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "account"
}

#[post("/webhooks/github")]
async fn webhook(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "hooked"
}

#[cors(disable)]
#[post("/legacy")]
async fn legacy(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "legacy"
}

#[cors(origins = ["https://app.example"])]
#[post("/api/items")]
async fn items(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    HttpResponse::Created().body("{}")
}

fn protection() -> CrossOriginProtection {
    CrossOriginProtection::new()
        .trust_origin("https://partner.example")
        .expect("an origin")
        .bypass_path("/webhooks/")
}

macro_rules! app {
    ($cors:expr, $calls:expr) => {
        test::init_service(
            App::new()
                .app_data(web::Data::new($calls.clone()))
                .service(transfer)
                .service(account)
                .service(webhook)
                .service(legacy)
                .service(items)
                .wrap($cors),
        )
        .await
    };
}

/// A request with these headers (`TestRequest`'s host is `localhost:8080`).
fn req(method: Method, path: &str, headers: &[(&'static str, &'static str)]) -> TestRequest {
    headers
        .iter()
        .fold(TestRequest::default().method(method).uri(path), |r, h| {
            r.insert_header(*h)
        })
}

/// Request headers of a case.
type Headers = &'static [(&'static str, &'static str)];

const CROSS: (&str, &str) = ("Sec-Fetch-Site", "cross-site");
const EVIL: (&str, &str) = ("Origin", "https://evil.example");

#[actix_rt::test]
async fn state_changing_requests_from_another_site_are_refused_before_the_handler() {
    let calls = Calls::default();
    let app = app!(Cors::new().cross_origin_protection(protection()), calls);
    let cases: &[(Method, &str, Headers, u16)] = &[
        // Refused: another site says the browser, or an Origin that is not the server's.
        (Method::POST, "/transfer", &[CROSS, EVIL], 403),
        (
            Method::POST,
            "/transfer",
            &[
                ("Sec-Fetch-Site", "same-site"),
                ("Origin", "https://www.localhost"),
            ],
            403,
        ),
        (Method::DELETE, "/transfer", &[CROSS], 403),
        (Method::POST, "/transfer", &[EVIL], 403),
        (Method::POST, "/transfer", &[("Origin", "null")], 403),
        (
            Method::POST,
            "/transfer",
            &[("Origin", "https://localhost:8080")],
            403,
        ), // another scheme
        (Method::POST, "/legacy", &[CROSS, EVIL], 403), // `#[cors(disable)]`: no policy either
        (Method::POST, "/webhooks", &[CROSS, EVIL], 403), // not under the prefix
        // Passed: same origin, a navigation, no browser signal at all.
        (
            Method::POST,
            "/transfer",
            &[
                ("Sec-Fetch-Site", "same-origin"),
                ("Origin", "http://localhost:8080"),
            ],
            200,
        ),
        (
            Method::POST,
            "/transfer",
            &[("Sec-Fetch-Site", "none")],
            200,
        ),
        (
            Method::POST,
            "/transfer",
            &[("Origin", "http://localhost:8080")],
            200,
        ),
        (Method::POST, "/transfer", &[], 200),
        // Passed: safe methods, a trusted origin, a bypassed path.
        (Method::GET, "/account", &[CROSS, EVIL], 200),
        (
            Method::POST,
            "/transfer",
            &[CROSS, ("Origin", "https://partner.example")],
            200,
        ),
        (Method::POST, "/webhooks/github", &[CROSS, EVIL], 200),
    ];
    for (method, path, headers, status) in cases {
        let before = calls.count();
        let res = test::call_service(&app, req(method.clone(), path, headers).to_request()).await;
        assert_eq!(
            res.status().as_u16(),
            *status,
            "{method} {path} with {headers:?}"
        );
        let ran = calls.count() > before;
        assert_eq!(
            ran,
            *status == 200,
            "handler ran: {method} {path} {headers:?}"
        );
    }
}

#[actix_rt::test]
async fn several_origin_headers_are_never_the_servers_own() {
    let calls = Calls::default();
    let app = app!(Cors::new().cross_origin_protection(protection()), calls);
    let res = test::call_service(
        &app,
        TestRequest::post()
            .uri("/transfer")
            .append_header(("Origin", "http://localhost:8080"))
            .append_header(("Origin", "https://evil.example"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(calls.count(), 0);
}

#[actix_rt::test]
async fn routes_with_a_policy_are_decided_by_it_and_without_protection_nothing_changes() {
    let calls = Calls::default();
    // A route with a policy: the policy decides, the protection does not apply.
    let app = app!(Cors::new().cross_origin_protection(protection()), calls);
    let allowed = req(
        Method::POST,
        "/api/items",
        &[CROSS, ("Origin", "https://app.example")],
    );
    assert_eq!(
        test::call_service(&app, allowed.to_request())
            .await
            .status(),
        201
    );
    let refused = req(Method::POST, "/api/items", &[CROSS, EVIL]);
    assert_eq!(
        test::call_service(&app, refused.to_request())
            .await
            .status(),
        403
    );
    assert_eq!(calls.count(), 1);

    // Without the opt-in, a cross-site form post to a route without a policy runs (the case
    // this protection exists for).
    let calls = Calls::default();
    let app = app!(Cors::new(), calls);
    let res = test::call_service(
        &app,
        req(Method::POST, "/transfer", &[CROSS, EVIL]).to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(calls.count(), 1);
}

#[actix_rt::test]
async fn an_app_without_any_cors_declaration_is_protected_too() {
    let calls = Calls::default();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(calls.clone()))
            .service(transfer)
            .wrap(Cors::new().cross_origin_protection(CrossOriginProtection::new())),
    )
    .await;
    let res = test::call_service(
        &app,
        req(Method::POST, "/transfer", &[CROSS, EVIL]).to_request(),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(calls.count(), 0);
}

#[test]
fn a_trusted_origin_must_be_written_as_browsers_send_it() {
    for bad in [
        "https://partner.example/",
        "partner.example",
        "HTTPS://partner.example",
        "*",
    ] {
        assert!(
            CrossOriginProtection::new().trust_origin(bad).is_err(),
            "{bad} was accepted"
        );
    }
}

#[actix_rt::test]
async fn over_a_real_server_and_behind_a_proxy() {
    let calls = Calls::default();
    let (addr, handle) = tests::wire::serve({
        let calls = calls.clone();
        move || {
            App::new()
                .app_data(web::Data::new(calls.clone()))
                .service(transfer)
                .wrap(Cors::new().cross_origin_protection(CrossOriginProtection::new()))
        }
    });
    let send = move |headers: Vec<(&'static str, &'static str)>| {
        actix_web::rt::task::spawn_blocking(move || {
            tests::wire::send_to(addr, "bank.example", "POST", "/transfer", &headers).status
        })
    };
    // An older browser without Sec-Fetch-Site: the Origin against the Host.
    assert_eq!(
        send(vec![("Origin", "http://bank.example")]).await.unwrap(),
        200
    );
    assert_eq!(
        send(vec![("Origin", "http://evil.example")]).await.unwrap(),
        403
    );
    // Behind a TLS-terminating proxy: the scheme and host it forwards.
    let proxied = vec![
        ("Origin", "https://www.bank.example"),
        ("X-Forwarded-Host", "www.bank.example"),
        ("X-Forwarded-Proto", "https"),
    ];
    assert_eq!(send(proxied).await.unwrap(), 200);
    assert_eq!(
        send(vec![
            ("Sec-Fetch-Site", "cross-site"),
            ("Origin", "https://evil.example")
        ])
        .await
        .unwrap(),
        403
    );
    assert_eq!(calls.count(), 2);
    handle.stop(true).await;
}
