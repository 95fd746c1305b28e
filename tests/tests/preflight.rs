//! Preflights: answered from the policy of the route that serves the path
//! and the requested method, 204 with the right headers when allowed, 403 with a plain-text
//! reason and no CORS headers when refused, and the handler never runs.

use actix_web::http::header::HeaderValue;
use actix_web::{delete, get, post, test, web, App, HttpResponse, Responder};
use cors_actix::{cors, Cors};
use tests::{has_cors_headers, header, preflight, Calls};

#[cors(
    origins = ["https://app.example.com", "https://*.preview.example.com"],
    credentials,
    headers = ["Authorization", "X-Request-Id"],
    expose = ["X-Total-Count"],
    max_age = 600,
)]
#[get("/items")]
async fn list_items(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "[]"
}

#[cors(origins = ["https://admin.example.com"], credentials, headers = ["Authorization"])]
#[delete("/items")]
async fn delete_items(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    HttpResponse::NoContent().finish()
}

#[cors(origins = "*")]
#[get("/status")]
async fn status(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "ok"
}

#[cors(origins = ["https://app.example.com"], private_network)]
#[post("/device")]
async fn device(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "ok"
}

macro_rules! app {
    ($calls:expr) => {
        test::init_service(
            App::new()
                .app_data(web::Data::new($calls.clone()))
                .service(list_items)
                .service(delete_items)
                .service(status)
                .service(device)
                .wrap(Cors::new()),
        )
        .await
    };
}

#[actix_rt::test]
async fn allowed_preflight_is_204_with_every_header() {
    let calls = Calls::default();
    let app = app!(calls);
    let req = preflight(
        "/items",
        "https://app.example.com",
        "GET",
        Some("authorization,x-request-id"),
    )
    .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    assert_eq!(
        header(&res, "access-control-allow-credentials").as_deref(),
        Some("true")
    );
    assert_eq!(
        header(&res, "access-control-allow-methods").as_deref(),
        Some("GET")
    );
    assert_eq!(
        header(&res, "access-control-allow-headers").as_deref(),
        Some("authorization,x-request-id")
    );
    assert_eq!(
        header(&res, "access-control-max-age").as_deref(),
        Some("600")
    );
    assert_eq!(
        header(&res, "vary").as_deref(),
        Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
    );
    // Expose-Headers belongs to actual responses only.
    assert_eq!(header(&res, "access-control-expose-headers"), None);
    assert_eq!(calls.count(), 0, "the handler must not run for a preflight");
}

/// HTTP lets an intermediary split a list-valued field over several lines (and join them
/// back): the lines of `Access-Control-Request-Headers` are read as one list, within the bound
/// on the whole, as both peers measured against do.
#[actix_rt::test]
async fn request_headers_split_over_lines_are_one_list() {
    let calls = Calls::default();
    let app = app!(calls);
    let split = |lines: &[&str]| {
        let mut req = preflight("/items", "https://app.example.com", "GET", None);
        for line in lines {
            req = req.append_header(("Access-Control-Request-Headers", *line));
        }
        req.to_request()
    };
    let res = test::call_service(&app, split(&["authorization", "x-request-id"])).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-headers").as_deref(),
        Some("authorization, x-request-id"),
        "echoed as one list"
    );
    // A name of any line that the policy does not allow refuses the whole preflight.
    let res = test::call_service(&app, split(&["authorization", "x-other"])).await;
    assert_eq!(res.status(), 403);
    assert!(!has_cors_headers(&res));
    // The bound applies to the lines together: many short lines are as long as one long one.
    let line = vec!["x-request-id"; 20].join(",");
    let many = vec![line.as_str(); 10];
    let res = test::call_service(&app, split(&many)).await;
    assert_eq!(res.status(), 400, "{} bytes in all", 10 * (line.len() + 2));
    assert!(!has_cors_headers(&res));
    // Under the bound, the same lines are fine.
    let res = test::call_service(&app, split(&many[..5])).await;
    assert_eq!(res.status(), 204);
    assert_eq!(calls.count(), 0, "the handler must not run for a preflight");
}

#[actix_rt::test]
async fn subdomain_wildcard_allows_subdomains_not_apex() {
    let calls = Calls::default();
    let app = app!(calls);
    let ok = preflight("/items", "https://pr-42.preview.example.com", "GET", None).to_request();
    let res = test::call_service(&app, ok).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://pr-42.preview.example.com")
    );
    let apex = preflight("/items", "https://preview.example.com", "GET", None).to_request();
    assert_eq!(test::call_service(&app, apex).await.status(), 403);
}

#[actix_rt::test]
async fn refused_origin_is_403_with_reason_and_no_cors_headers() {
    let calls = Calls::default();
    let app = app!(calls);
    let req = preflight("/items", "https://evil.example", "GET", None).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 403);
    assert!(!has_cors_headers(&res));
    assert_eq!(
        header(&res, "content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    let body = test::read_body(res).await;
    assert_eq!(body, "CORS request refused: origin not allowed\n");
    assert_eq!(calls.count(), 0);
}

#[actix_rt::test]
async fn refused_header_is_403() {
    let calls = Calls::default();
    let app = app!(calls);
    let req = preflight("/items", "https://app.example.com", "GET", Some("x-secret")).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 403);
    assert!(!has_cors_headers(&res));
    assert_eq!(
        test::read_body(res).await,
        "CORS request refused: request header not allowed\n"
    );
}

#[actix_rt::test]
async fn same_path_different_methods_get_their_own_policy() {
    let calls = Calls::default();
    let app = app!(calls);
    // DELETE /items belongs to the admin front end only...
    let req = preflight(
        "/items",
        "https://admin.example.com",
        "DELETE",
        Some("authorization"),
    )
    .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-methods").as_deref(),
        Some("DELETE")
    );
    assert_eq!(
        header(&res, "access-control-max-age"),
        None,
        "DELETE's policy has no max_age"
    );
    // ...which GET /items' policy does not allow, and vice versa.
    let req = preflight("/items", "https://app.example.com", "DELETE", None).to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 403);
    let req = preflight("/items", "https://admin.example.com", "GET", None).to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 403);
    assert_eq!(calls.count(), 0);
}

#[actix_rt::test]
async fn method_without_route_is_passed_to_the_app() {
    let calls = Calls::default();
    let app = app!(calls);
    // No PUT /items route: no policy answers, the router's 404 is returned unchanged.
    let req = preflight("/items", "https://app.example.com", "PUT", None).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 404);
    assert!(!has_cors_headers(&res));
    // Nor for an unknown path.
    let req = preflight("/nowhere", "https://app.example.com", "GET", None).to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 404);
}

#[actix_rt::test]
async fn any_origin_without_credentials_answers_star() {
    let calls = Calls::default();
    let app = app!(calls);
    let req = preflight(
        "/status",
        "https://anyone.example",
        "GET",
        Some("x-anything"),
    )
    .to_request();
    let res = test::call_service(&app, req).await;
    // `headers` was not declared: only safelisted headers are allowed.
    assert_eq!(res.status(), 403);
    let req = preflight("/status", "https://anyone.example", "GET", None).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(header(&res, "access-control-allow-credentials"), None);
}

#[actix_rt::test]
async fn private_network_access_is_granted_only_when_declared_and_never_refused_for() {
    let calls = Calls::default();
    let app = app!(calls);
    let req = preflight("/device", "https://app.example.com", "POST", None)
        .insert_header(("Access-Control-Request-Private-Network", "true"))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        header(&res, "access-control-allow-private-network").as_deref(),
        Some("true")
    );
    assert_eq!(
        header(&res, "vary").as_deref(),
        Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network")
    );

    let req = preflight("/items", "https://app.example.com", "GET", None)
        .insert_header(("Access-Control-Request-Private-Network", "true"))
        .to_request();
    // Local Network Access (Chrome 142+) replaced these preflights: a route without
    // `private_network` answers as if the header were absent.
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "access-control-allow-private-network"), None);
    assert_eq!(
        header(&res, "vary").as_deref(),
        Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
    );
}

#[actix_rt::test]
async fn unreadable_preflights_are_400_and_bounded() {
    let calls = Calls::default();
    let app = app!(calls);
    // Not a serialized origin, but readable: refused as an origin not allowed.
    let req = preflight("/items", "https://app.example.com/", "GET", None).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 403);
    assert!(!has_cors_headers(&res));
    // Not ASCII: cannot be read as CORS.
    let req = preflight("/items", "https://app.example.com", "GET", None)
        .insert_header((
            "Origin",
            HeaderValue::from_bytes(b"https://app.example.com\xff").unwrap(),
        ))
        .to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 400);
    assert!(!has_cors_headers(&res));
    // Several Origin headers.
    let req = preflight("/items", "https://app.example.com", "GET", None)
        .append_header(("Origin", "https://evil.example"))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 400);
    // A 1 MiB Access-Control-Request-Headers is refused without being read.
    let huge = "a,".repeat(512 * 1024);
    let req = preflight("/items", "https://app.example.com", "GET", Some(&huge)).to_request();
    let res = test::call_service(&app, req).await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        test::read_body(res).await,
        "CORS request refused: Access-Control-Request-Headers too long\n"
    );
    // Non-UTF-8 bytes in Origin.
    let req = actix_web::test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/items")
        .insert_header((
            "Origin",
            actix_web::http::header::HeaderValue::from_bytes(b"https://app.\xffexample.com")
                .unwrap(),
        ))
        .insert_header(("Access-Control-Request-Method", "GET"))
        .to_request();
    assert_eq!(test::call_service(&app, req).await.status(), 400);
    assert_eq!(calls.count(), 0);
}

#[actix_rt::test]
async fn the_success_status_of_preflights_is_configurable() {
    use cors_actix::PreflightStatus;
    for (chosen, expected) in [
        (None, 204),
        (Some(PreflightStatus::NoContent), 204),
        (Some(PreflightStatus::Ok), 200),
    ] {
        let cors = match chosen {
            Some(chosen) => cors_actix::Cors::new().preflight_status(chosen),
            None => cors_actix::Cors::new(),
        };
        let app = test::init_service(
            actix_web::App::new()
                .app_data(web::Data::new(Calls::default()))
                .service(list_items)
                .wrap(cors),
        )
        .await;
        let res = test::call_service(
            &app,
            preflight("/items", "https://app.example.com", "GET", None).to_request(),
        )
        .await;
        assert_eq!(res.status(), expected);
        assert_eq!(
            header(&res, "access-control-allow-origin").as_deref(),
            Some("https://app.example.com")
        );
        // A refusal stays a 403 whatever the success status.
        let res = test::call_service(
            &app,
            preflight("/items", "https://evil.example", "GET", None).to_request(),
        )
        .await;
        assert_eq!(res.status(), 403);
    }
}
