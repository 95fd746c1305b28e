//! The guarantees SECURITY.md states, one test each (the property tests in
//! `security_invariants.rs` check the same rules over random policies and requests).

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use actix_web::{get, post, App, HttpResponse};
use cors_actix::{cors, Cors, OnRefusal};
use tests::fixtures::Harness;

static WIRES: AtomicUsize = AtomicUsize::new(0);

/// Counts its runs; used by one test only (tests run in parallel).
#[cors(origins = ["https://bank.example"], credentials)]
#[post("/wire")]
async fn wire() -> HttpResponse {
    WIRES.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().body("done")
}

/// A state-changing endpoint a cross-site form could post to without a preflight.
#[cors(origins = ["https://bank.example"], credentials)]
#[post("/transfer")]
async fn transfer() -> HttpResponse {
    HttpResponse::Ok().body("done")
}

#[cors(origins = "*")]
#[get("/public")]
async fn public() -> HttpResponse {
    HttpResponse::Ok().body("public")
}

#[cors(origins = ["https://bank.example"], credentials)]
#[get("/account")]
async fn account() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("vary", "Accept-Encoding"))
        .body("secret")
}

fn app(on_refusal: OnRefusal) -> Harness {
    Harness::new(move || {
        App::new()
            .service(transfer)
            .service(wire)
            .service(public)
            .service(account)
            .wrap(Cors::new().on_refusal(on_refusal))
    })
}

fn post_transfer(origin: &str, extra: Option<(&'static str, &'static str)>) -> TestRequest {
    let mut req = TestRequest::post()
        .uri("/transfer")
        .insert_header(("origin", origin))
        .insert_header(("content-type", "application/x-www-form-urlencoded"));
    if let Some(h) = extra {
        req = req.insert_header(h);
    }
    req
}

fn header<'a>(a: &'a tests::fixtures::Answer, name: &str) -> Option<&'a str> {
    a.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Guarantee: a refused cross-origin actual request (e.g. a cross-site form post, which needs no
/// preflight) gets 403 and the handler does not run: no side effect.
#[test]
fn refused_actual_request_never_reaches_the_handler() {
    let h = app(OnRefusal::Block);
    let wire_request = |origin: &str| {
        TestRequest::post()
            .uri("/wire")
            .insert_header(("origin", origin))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("to=mallory&amount=1000")
            .to_request()
    };
    let a = h.call(wire_request("https://evil.example"));
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(header(&a, "access-control-allow-origin"), None);
    assert_eq!(WIRES.load(Ordering::SeqCst), 0, "the handler ran");
    // The same request from the allowed origin does run.
    let a = h.call(wire_request("https://bank.example"));
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(WIRES.load(Ordering::SeqCst), 1);
}

/// Guarantee (and its documented limit): `OnRefusal::HeadersOnly` runs the handler but never
/// grants the response to the page.
#[test]
fn headers_only_mode_runs_the_handler_without_granting_access() {
    let h = app(OnRefusal::HeadersOnly);
    let a = h.call(
        TestRequest::get()
            .uri("/account")
            .insert_header(("origin", "https://evil.example"))
            .to_request(),
    );
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(header(&a, "access-control-allow-origin"), None);
    assert_eq!(header(&a, "access-control-allow-credentials"), None);
}

/// Guarantee: same-origin requests are never blocked (browsers send `Origin` on same-origin
/// POSTs), and being same-origin never grants CORS headers to anyone.
#[test]
fn same_origin_requests_are_not_blocked_and_get_no_grant() {
    let h = app(OnRefusal::Block);
    // `Sec-Fetch-Site: same-origin` (set by browsers, never by pages).
    let a = h.call(
        post_transfer(
            "https://api.bank.example",
            Some(("sec-fetch-site", "same-origin")),
        )
        .to_request(),
    );
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(header(&a, "access-control-allow-origin"), None);
    // `Origin` equal to the request's own scheme://host.
    let a = h.call(
        post_transfer(
            "http://api.bank.example",
            Some(("host", "api.bank.example")),
        )
        .to_request(),
    );
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(header(&a, "access-control-allow-origin"), None);
    // A cross-site request is not same-origin because of its Host: the Host is the server's.
    let a = h.call(
        post_transfer("https://evil.example", Some(("host", "api.bank.example"))).to_request(),
    );
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // When present, `Sec-Fetch-Site` alone decides: an `Origin` naming the Host does not
    // override a browser's `cross-site`.
    let mut req = post_transfer(
        "http://api.bank.example",
        Some(("host", "api.bank.example")),
    );
    req = req.insert_header(("sec-fetch-site", "cross-site"));
    let a = h.call(req.to_request());
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    // `Sec-Fetch-Site: cross-site` is not same-origin.
    let a = h.call(
        post_transfer(
            "https://evil.example",
            Some(("sec-fetch-site", "cross-site")),
        )
        .to_request(),
    );
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

/// Guarantee: every response of a route whose ACAO depends on the origin carries
/// `Vary: Origin` once (allowed, refused, no Origin at all), appended to the handler's own Vary.
#[test]
fn vary_origin_on_every_response_that_depends_on_the_origin() {
    let h = app(OnRefusal::HeadersOnly);
    for origin in [
        Some("https://bank.example"),
        Some("https://evil.example"),
        None,
    ] {
        let mut req = TestRequest::get().uri("/account");
        if let Some(o) = origin {
            req = req.insert_header(("origin", o));
        }
        let a = h.call(req.to_request());
        let vary: Vec<String> = a
            .headers
            .get_all("vary")
            .flat_map(|v| {
                v.to_str()
                    .unwrap()
                    .split(',')
                    .map(|t| t.trim().to_ascii_lowercase())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(
            vary.iter().filter(|t| *t == "origin").count(),
            1,
            "{origin:?}: {vary:?}"
        );
        assert!(vary.contains(&"accept-encoding".to_string()), "{vary:?}");
    }
    // Preflight answers vary on all three request headers.
    let a = h.call(
        TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/account")
            .insert_header(("origin", "https://bank.example"))
            .insert_header(("access-control-request-method", "GET"))
            .to_request(),
    );
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(
        header(&a, "vary"),
        Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
    );
}

/// Guarantee: credentials are only ever granted to an echoed, allowed origin; an any-origin
/// policy answers `*` and never grants credentials (the macro refuses `"*"` + `credentials`).
#[test]
fn credentials_only_with_an_echoed_origin() {
    let h = app(OnRefusal::Block);
    let a = h.call(
        TestRequest::get()
            .uri("/account")
            .insert_header(("origin", "https://bank.example"))
            .to_request(),
    );
    assert_eq!(
        header(&a, "access-control-allow-origin"),
        Some("https://bank.example")
    );
    assert_eq!(header(&a, "access-control-allow-credentials"), Some("true"));
    let a = h.call(
        TestRequest::get()
            .uri("/public")
            .insert_header(("origin", "https://anyone.example"))
            .to_request(),
    );
    assert_eq!(header(&a, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&a, "access-control-allow-credentials"), None);
    // A runtime policy cannot combine them either.
    let err = cors_actix::Policy::builder()
        .allow_any_origin()
        .allow_credentials()
        .build()
        .unwrap_err();
    assert_eq!(
        err.problems()[0].kind,
        cors_actix::ProblemKind::WildcardWithCredentials
    );
}

/// Guarantee: a refusal never reflects request data (unless debug mode is on), so it cannot be
/// used to inject content or headers.
#[test]
fn refusals_do_not_reflect_the_request() {
    let h = app(OnRefusal::Block);
    let req = post_transfer("https://evil.example<script>", None).to_request();
    let res = h.call(req);
    // Malformed but ASCII: refused as an origin not allowed.
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(!res.headers.contains_key(cors_actix::REFUSAL_HEADER));
    let harness_body = {
        let system = actix_web::rt::System::new();
        system.block_on(async {
            let app =
                actix_web::test::init_service(App::new().service(transfer).wrap(Cors::new())).await;
            let res = actix_web::test::call_service(
                &app,
                post_transfer("https://evil.example<script>", None).to_request(),
            )
            .await;
            actix_web::test::read_body(res).await
        })
    };
    let body = String::from_utf8_lossy(&harness_body);
    assert!(!body.contains("evil"), "{body}");
    assert!(!body.contains("<script>"), "{body}");
}
