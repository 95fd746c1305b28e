//! Actual (non-preflight) requests: allowed origins run the handler and get
//! ACAO/ACAC/ACEH; refused origins get a 403 and the handler does not run (or, configured,
//! headers only); same-origin requests are never blocked; malformed input is bounded.

use actix_web::http::header::HeaderValue;
use actix_web::http::Method;
use actix_web::{get, post, test, web, App, HttpResponse, Responder};
use cors_actix::{cors, Cors, OnRefusal};
use tests::{actual, has_cors_headers, header, headers, Calls};

#[cors(
    origins = ["https://app.example.com"],
    credentials,
    expose = ["X-Total-Count"],
)]
#[get("/items")]
async fn list_items(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "0"))
        .body("[]")
}

#[cors(origins = ["https://app.example.com"])]
#[post("/form")]
async fn form(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "stored"
}

#[cors(origins = "*", expose = "*")]
#[get("/public")]
async fn public(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "public"
}

fn app_with(
    cors: Cors,
    calls: &Calls,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(calls.clone()))
        .service(list_items)
        .service(form)
        .service(public)
        .wrap(cors)
}

#[actix_rt::test]
async fn allowed_origin_runs_handler_and_gets_headers() {
    let calls = Calls::default();
    let app = test::init_service(app_with(Cors::new(), &calls)).await;
    let req = actual(Method::GET, "/items", Some("https://app.example.com")).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    assert_eq!(
        header(&res, "access-control-allow-credentials").as_deref(),
        Some("true")
    );
    assert_eq!(
        header(&res, "access-control-expose-headers").as_deref(),
        Some("X-Total-Count")
    );
    assert_eq!(headers(&res, "vary"), vec!["Origin"]);
    assert_eq!(
        header(&res, "access-control-allow-methods"),
        None,
        "preflight-only header"
    );
    assert_eq!(calls.count(), 1);
    assert_eq!(test::read_body(res).await, "[]");
}

#[actix_rt::test]
async fn refused_origin_gets_403_and_handler_does_not_run() {
    let calls = Calls::default();
    let app = test::init_service(app_with(Cors::new(), &calls)).await;
    // A cross-site form post: sent by browsers without a preflight.
    let req = actual(Method::POST, "/form", Some("https://evil.example"))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload("amount=1000")
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 403);
    assert!(!has_cors_headers(&res));
    assert_eq!(headers(&res, "vary"), vec!["Origin"]);
    assert_eq!(
        test::read_body(res).await,
        "CORS request refused: origin not allowed\n"
    );
    assert_eq!(
        calls.count(),
        0,
        "the handler must not run for a refused origin"
    );
}

#[actix_rt::test]
async fn headers_only_mode_runs_handler_without_cors_headers() {
    let calls = Calls::default();
    let app = test::init_service(app_with(
        Cors::new().on_refusal(OnRefusal::HeadersOnly),
        &calls,
    ))
    .await;
    let req = actual(Method::POST, "/form", Some("https://evil.example")).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 200);
    assert!(!has_cors_headers(&res));
    assert_eq!(headers(&res, "vary"), vec!["Origin"]);
    assert_eq!(calls.count(), 1);
}

#[actix_rt::test]
async fn request_without_origin_runs_and_varies() {
    let calls = Calls::default();
    let app = test::init_service(app_with(Cors::new(), &calls)).await;
    let res = test::call_service(&app, actual(Method::GET, "/items", None).to_request()).await;
    assert_eq!(res.status(), 200);
    assert!(!has_cors_headers(&res));
    // The response differs by Origin, so caches must key on it even when there was none.
    assert_eq!(headers(&res, "vary"), vec!["Origin"]);
    assert_eq!(calls.count(), 1);
}

#[actix_rt::test]
async fn any_origin_answers_star_without_vary() {
    let calls = Calls::default();
    let app = test::init_service(app_with(Cors::new(), &calls)).await;
    let req = actual(Method::GET, "/public", Some("https://anyone.example")).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        header(&res, "access-control-expose-headers").as_deref(),
        Some("*")
    );
    assert_eq!(header(&res, "access-control-allow-credentials"), None);
    assert!(
        headers(&res, "vary").is_empty(),
        "ACAO is constant: no Vary needed"
    );
}

#[actix_rt::test]
async fn same_origin_requests_are_never_blocked() {
    let calls = Calls::default();
    let app = test::init_service(app_with(Cors::new(), &calls)).await;
    // Sec-Fetch-Site, set by browsers, pages cannot forge it.
    let req = actual(Method::POST, "/form", Some("https://api.example.com"))
        .insert_header(("Sec-Fetch-Site", "same-origin"))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 200);
    assert!(!has_cors_headers(&res));
    // Origin equal to the server's own scheme://host (older browsers).
    let req = actual(Method::POST, "/form", Some("http://api.example.com:8080"))
        .insert_header(("Host", "api.example.com:8080"))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 200);
    assert_eq!(calls.count(), 2);
    // But same-site is not same-origin.
    let req = actual(Method::POST, "/form", Some("https://other.example.com"))
        .insert_header(("Sec-Fetch-Site", "same-site"))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 403);
    assert_eq!(calls.count(), 2);
}

#[actix_rt::test]
async fn same_origin_is_recognized_behind_proxies_and_never_guessed() {
    let calls = Calls::default();
    let app = test::init_service(app_with(Cors::new(), &calls)).await;
    let status = |extra: &[(&'static str, &'static str)], origin: &'static str| {
        let mut req = actual(Method::POST, "/form", Some(origin));
        for &(name, value) in extra {
            req = req.insert_header((name, value));
        }
        let app = &app;
        async move { test::call_service(app, req.to_request()).await.status() }
    };
    // A reverse proxy: the request's own host is the forwarded one, not `Host`.
    let behind = [
        ("Host", "backend:8080"),
        ("X-Forwarded-Host", "api.example.com"),
        ("X-Forwarded-Proto", "https"),
    ];
    assert_eq!(status(&behind, "https://api.example.com").await, 200);
    let forwarded = [
        ("Host", "backend:8080"),
        ("Forwarded", "host=api.example.com;proto=https"),
    ];
    assert_eq!(status(&forwarded, "https://api.example.com").await, 200);
    assert_eq!(calls.count(), 2);
    // The forwarded host named, but another scheme: not the server's own origin.
    assert_eq!(status(&behind, "http://api.example.com").await, 403);
    // `Host` names the origin's host among other headers, but the browser says cross-site.
    let cross = [
        ("Host", "api.example.com"),
        ("Sec-Fetch-Site", "cross-site"),
    ];
    assert_eq!(status(&cross, "http://api.example.com").await, 403);
    // A request whose only header is its `Origin` names no host of its own.
    assert_eq!(status(&[], "http://api.example.com").await, 403);
    // The origin's host as part of another host is not the same host.
    let longer = [("Host", "api.example.com.evil.example")];
    assert_eq!(status(&longer, "http://api.example.com").await, 403);
    assert_eq!(calls.count(), 2, "refused requests never reach the handler");
}

#[actix_rt::test]
async fn malformed_origins_are_refused_403_and_unreadable_ones_400() {
    let calls = Calls::default();
    let app = test::init_service(app_with(Cors::new(), &calls)).await;
    // Malformed but readable: refused as any origin not allowed (a browser never sends them,
    // and a policy of exact origins does not parse what it does not list).
    let malformed = [
        "https://app.example.com/",
        "https://APP.example.com",
        "https://app.example.com:443",
        "https://app.example.com, https://evil.example",
        "app.example.com",
    ];
    // Not ASCII, or longer than an origin can be: cannot be read as CORS at all.
    let unreadable: Vec<HeaderValue> = vec![
        HeaderValue::from_bytes(b"https://app.example.com\xff").unwrap(),
        HeaderValue::from_str(&format!("https://{}.example.com", "a".repeat(600))).unwrap(),
    ];
    let cases = malformed
        .iter()
        .map(|o| (HeaderValue::from_static(o), 403))
        .chain(unreadable.into_iter().map(|o| (o, 400)));
    for (origin, expected) in cases {
        let req = test::TestRequest::get()
            .uri("/items")
            .insert_header(("Origin", origin.clone()))
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), expected, "{origin:?}");
        assert!(!has_cors_headers(&res), "{origin:?}");
    }
    // Two Origin headers.
    let req = actual(Method::GET, "/items", Some("https://app.example.com"))
        .append_header(("Origin", "https://app.example.com"))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 400);
    assert_eq!(calls.count(), 0);
}

#[actix_rt::test]
async fn debug_mode_explains_refusals() {
    let calls = Calls::default();
    let app = test::init_service(app_with(Cors::new().debug(true), &calls)).await;
    let req = actual(Method::POST, "/form", Some("https://evil.example")).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 403);
    let reason = "origin `https://evil.example` is not allowed by this route's CORS policy";
    assert_eq!(header(&res, "x-cors-refusal").as_deref(), Some(reason));
    assert_eq!(
        test::read_body(res).await,
        format!("CORS request refused: {reason}\n")
    );
    // Off by default: no header, no detail.
    let app = test::init_service(app_with(Cors::new(), &calls)).await;
    let req = actual(Method::POST, "/form", Some("https://evil.example")).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(header(&res, "x-cors-refusal"), None);
}
