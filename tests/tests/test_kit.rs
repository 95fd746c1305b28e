//! The test kit (`cors-actix-test`) against an `actix_web::test` service: cors-actix's own
//! answers, and hand-written answers that exercise each rule of the model (the browser suite
//! checks the same model against Chromium, Firefox and WebKit over a real server).

use actix_web::{get, test, web, App, HttpRequest, HttpResponse, Responder};
use cors_actix::{cors, Cors};
use cors_actix_test::{page, CorsError, ThirdPartyCookies};

#[cors(origins = ["https://app.example"], credentials, headers = ["Authorization", "Content-Type"], expose = ["X-Total"])]
#[get("/items")]
async fn items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total", "2"))
        .insert_header(("X-Secret", "s"))
        .body("[]")
}

#[cors(origins = "*")]
#[get("/public")]
async fn public() -> impl Responder {
    "public"
}

#[cors(origins = ["https://app.example"])]
#[get("/hop")]
async fn hop() -> impl Responder {
    HttpResponse::TemporaryRedirect()
        .insert_header(("Location", "http://other.example/public"))
        .finish()
}

/// Answers written by hand: `/raw?acao=..&acac=..&acam=..&acah=..&status=..`.
async fn raw(req: HttpRequest) -> HttpResponse {
    let query =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
    let status = query
        .get("status")
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let mut res = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    for (key, name) in [
        ("acao", "Access-Control-Allow-Origin"),
        ("acac", "Access-Control-Allow-Credentials"),
        ("acam", "Access-Control-Allow-Methods"),
        ("acah", "Access-Control-Allow-Headers"),
        ("acma", "Access-Control-Max-Age"),
    ] {
        if let Some(value) = query.get(key) {
            res.insert_header((name, value.as_str()));
        }
    }
    res.body("raw")
}

macro_rules! app {
    () => {
        test::init_service(
            App::new()
                .service(items)
                .service(public)
                .service(hop)
                .wrap(Cors::new())
                .default_service(web::to(raw)),
        )
        .await
    };
}

const APP: &str = "https://app.example";

#[actix_rt::test]
async fn what_a_page_sees_of_cors_actix_answers() {
    let app = app!();
    // Credentialed, preflighted (Authorization), exposed header readable, the other not.
    let seen = page(APP)
        .credentials()
        .fetch("GET", "/items")
        .header("Authorization", "Bearer 1")
        .send(&app)
        .await;
    assert!(seen.preflighted && seen.readable, "{seen:#?}");
    assert_eq!(seen.header("x-total"), Some("2"));
    assert_eq!(seen.header("x-secret"), None);
    assert_eq!(
        seen.requests
            .iter()
            .map(|(m, _, s)| (m.as_str(), *s))
            .collect::<Vec<_>>(),
        [("OPTIONS", 204), ("GET", 200)]
    );
    // A simple request: no preflight; refused origin blocked without ACAO.
    let seen = page("https://evil.example")
        .fetch("get", "/items")
        .send(&app)
        .await;
    assert!(!seen.preflighted);
    assert_eq!(seen.blocked, Some(CorsError::MissingAllowOriginHeader));
    // JSON needs a preflight; a header the policy does not list is refused at it.
    let seen = page(APP)
        .fetch("GET", "/items")
        .header("X-Other", "1")
        .send(&app)
        .await;
    assert_eq!(
        seen.blocked,
        Some(CorsError::PreflightMissingAllowOriginHeader)
    );
    // `*` and credentials.
    let seen = page(APP)
        .credentials()
        .fetch("GET", "/public")
        .send(&app)
        .await;
    assert_eq!(seen.blocked, Some(CorsError::WildcardOriginNotAllowed));
    let seen = page(APP).fetch("GET", "/public").send(&app).await;
    assert_eq!((seen.readable, seen.body.as_str()), (true, "public"));
    // A cross-origin redirect: the next request's origin is `null`; `*` answers it.
    let seen = page(APP).fetch("GET", "/hop").send(&app).await;
    assert!(seen.readable, "{seen:#?}");
    assert_eq!(seen.requests[1].1, "http://other.example/public");
    // Same origin: no CORS at all, every header readable.
    let seen = page("http://localhost:8080")
        .fetch("GET", "/items")
        .send(&app)
        .await;
    assert_eq!(seen.header("x-secret"), Some("s"));
    // Headers a page cannot set are left out; forbidden methods never go out.
    let seen = page(APP)
        .fetch("GET", "/public")
        .header("Cookie", "a=b")
        .header("Sec-Fetch-Site", "same-origin")
        .send(&app)
        .await;
    assert!(!seen.preflighted && seen.readable);
    // The preflight cache: a page's second fetch within the max-age (5 s without one) sends
    // no preflight; `Access-Control-Max-Age: 0` caches nothing.
    let spa = page(APP).credentials();
    let fetch = || {
        spa.fetch("GET", "/items")
            .header("Authorization", "Bearer 1")
    };
    let (first, second) = (fetch().send(&app).await, fetch().send(&app).await);
    assert!(
        first.preflighted && !second.preflighted && second.readable,
        "{second:#?}"
    );
    let raw = page(APP);
    let uncached = || raw.fetch("PUT", "/raw?acao=*&acam=PUT&acma=0");
    let (first, second) = (uncached().send(&app).await, uncached().send(&app).await);
    assert!(first.preflighted && second.preflighted);
    let seen = page(APP).fetch("TRACE", "/public").send(&app).await;
    assert_eq!(
        (seen.blocked, seen.requests.len()),
        (Some(CorsError::ForbiddenMethod), 0)
    );
}

#[actix_rt::test]
async fn each_rule_of_the_model_on_hand_written_answers() {
    let app = app!();
    let fetch = |method: &str, query: &str| page(APP).fetch(method, &format!("/raw?{query}"));
    let cases = [
        (fetch("GET", "acao=https://app.example"), None),
        (
            fetch("GET", "acao=https://other.example"),
            Some(CorsError::AllowOriginMismatch),
        ),
        (
            fetch("GET", "acao=https://app.example,https://b.example"),
            Some(CorsError::MultipleAllowOriginValues),
        ),
        (fetch("PUT", "acao=*&acam=PUT"), None),
        (fetch("PUT", "acao=*&acam=*"), None),
        (
            fetch("PUT", "acao=*&acam=DELETE"),
            Some(CorsError::MethodDisallowedByPreflightResponse),
        ),
        (
            fetch("PUT", "acao=*&acam=PUT&status=500"),
            Some(CorsError::PreflightInvalidStatus),
        ),
        (fetch("GET", "acao=*&acah=*").header("X-A", "1"), None),
        (
            fetch("GET", "acao=*&acah=*").header("Authorization", "x"),
            Some(CorsError::HeaderDisallowedByPreflightResponse),
        ),
        (
            page(APP)
                .credentials()
                .fetch("GET", "/raw?acao=https://app.example"),
            Some(CorsError::InvalidAllowCredentials),
        ),
        (
            page(APP)
                .credentials()
                .fetch("PUT", "/raw?acao=https://app.example&acac=true&acam=*"),
            Some(CorsError::MethodDisallowedByPreflightResponse),
        ),
        (
            fetch("POST", "acao=*").header("Content-Type", "application/json"),
            Some(CorsError::HeaderDisallowedByPreflightResponse),
        ),
        (
            fetch("POST", "acao=*").header("Content-Type", "text/plain;charset=UTF-8"),
            None,
        ),
    ];
    for (fetch, expected) in cases {
        let what = format!("{fetch:?}");
        let seen = fetch.send(&app).await;
        assert_eq!(seen.blocked, expected, "{what}: {seen:#?}");
        assert_eq!(seen.readable, expected.is_none(), "{what}");
    }
}

/// Echoes the request's `Sec-Fetch-Site` and `Cookie` headers, and sets the cookies of `?set=`.
async fn echo(req: HttpRequest) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned()
    };
    let mut res = HttpResponse::Ok();
    res.insert_header(("Access-Control-Allow-Origin", header("origin")))
        .insert_header(("Access-Control-Allow-Credentials", "true"));
    let query =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
    if let Some(set) = query.get("set") {
        for line in set.split('|') {
            res.append_header(("Set-Cookie", line));
        }
    }
    res.body(format!(
        "site={} cookie={}",
        header("sec-fetch-site"),
        header("cookie")
    ))
}

#[actix_rt::test]
async fn fetch_metadata_and_cookies_go_as_the_engines_send_them() {
    let app = test::init_service(App::new().default_service(web::to(echo))).await;
    // The test service is http://localhost:8080: a trustworthy origin, so Sec-Fetch-Site goes.
    for (page_origin, site) in [
        ("http://localhost:8080", "same-origin"),
        ("http://localhost:9090", "same-site"),
        ("https://app.example", "cross-site"),
    ] {
        let seen = page(page_origin).fetch("GET", "/echo").send(&app).await;
        assert_eq!(seen.body, format!("site={site} cookie=-"), "{page_origin}");
    }
    // Over plain http to another host, no Sec-Fetch-* (not a secure context).
    let seen = page("https://app.example")
        .fetch("GET", "http://api.test/echo")
        .send(&app)
        .await;
    assert_eq!(seen.body, "site=- cookie=-");

    // Same origin: cookies without `credentials`; a Lax cookie too.
    let home = page("http://localhost:8080");
    home.fetch("GET", "/echo?set=a=1;%20Path=/")
        .send(&app)
        .await;
    let seen = home.fetch("GET", "/echo").send(&app).await;
    assert_eq!(seen.body, "site=same-origin cookie=a=1");

    // Cross-site: only with credentials, only SameSite=None; Secure, and as the profile
    // treats third-party cookies.
    let set = "/echo?set=lax=1|sid=2;%20SameSite=None;%20Secure";
    let plain = page("https://app.example").third_party_cookies(ThirdPartyCookies::Allowed);
    plain.fetch("GET", set).send(&app).await;
    assert_eq!(plain.cookies(), [], "no credentials, no cookies stored");
    for (treatment, back) in [
        (ThirdPartyCookies::Blocked, "-"),
        (ThirdPartyCookies::Partitioned, "sid=2"),
        (ThirdPartyCookies::Allowed, "sid=2"),
    ] {
        let spa = page("https://app.example")
            .credentials()
            .third_party_cookies(treatment);
        spa.fetch("GET", set).send(&app).await;
        let seen = spa.fetch("GET", "/echo").send(&app).await;
        assert_eq!(
            seen.body,
            format!("site=cross-site cookie={back}"),
            "{treatment:?}"
        );
        // Without credentials the same page sends none.
        let seen = page("https://app.example")
            .fetch("GET", "/echo")
            .send(&app)
            .await;
        assert_eq!(seen.body, "site=cross-site cookie=-");
    }
}

#[actix_rt::test]
async fn cross_origin_protection_refuses_the_kits_cross_site_post() {
    use cors_actix::CrossOriginProtection;
    let app = test::init_service(
        App::new()
            .route("/transfer", web::post().to(|| async { "transferred" }))
            .wrap(Cors::new().cross_origin_protection(CrossOriginProtection::new())),
    )
    .await;
    let form = |origin: &str| {
        page(origin)
            .fetch("POST", "/transfer")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("amount=1")
    };
    let seen = form("https://evil.example").send(&app).await;
    assert_eq!(
        seen.requests,
        [("POST".into(), "http://localhost:8080/transfer".into(), 403)]
    );
    assert_eq!(seen.blocked, Some(CorsError::MissingAllowOriginHeader));
    let seen = form("http://localhost:8080").send(&app).await;
    assert_eq!(
        (seen.status, seen.body.as_str()),
        (Some(200), "transferred")
    );
}
