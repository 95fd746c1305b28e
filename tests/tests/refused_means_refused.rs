//! Refused means refused: a response carries exactly the CORS headers its policy decides,
//! whoever else wrote some; WebSocket upgrades from refused origins are refused in every mode;
//! a preflight for a method the path does not serve says why; one rule for the app's own
//! `OPTIONS` handlers. The leak and the WebSocket cases run over a real `HttpServer`.

use actix_web::http::Method;
use actix_web::{get, options, test, web, App, HttpRequest, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, Cors, OnRefusal};
use tests::{actual, preflight, reply, wire};

/// A handler that writes CORS headers of its own, generous ones.
#[cors(origins = ["https://app.example.com"])]
#[get("/legacy")]
async fn legacy() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("access-control-allow-origin", "*"))
        .insert_header(("access-control-allow-credentials", "true"))
        .insert_header(("access-control-expose-headers", "x-secret"))
        .body("legacy")
}

async fn plain_legacy() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("access-control-allow-origin", "*"))
        .insert_header(("access-control-allow-credentials", "true"))
        .body("plain legacy")
}

async fn websocket(req: HttpRequest, body: web::Payload) -> actix_web::Result<HttpResponse> {
    let (response, _session, _stream) = actix_ws::handle(&req, body)?;
    Ok(response)
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/ws")]
async fn ws(req: HttpRequest, body: web::Payload) -> actix_web::Result<HttpResponse> {
    websocket(req, body).await
}

fn start() -> (std::net::SocketAddr, actix_web::dev::ServerHandle) {
    wire::serve(|| {
        App::new()
            .service(legacy)
            .service(ws)
            .route("/plain-legacy", web::get().to(plain_legacy))
            .wrap(
                Cors::new()
                    .on_refusal(OnRefusal::HeadersOnly)
                    .default_policy(cors_policy!(origins = ["https://app.example.com"])),
            )
    })
}

const CORS_HEADERS: [&str; 3] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
];

#[actix_rt::test]
async fn the_apps_own_cors_headers_never_reach_a_refused_origin_nor_widen_an_allowed_one() {
    let (addr, handle) = start();
    let [refused, refused_plain, allowed] = actix_web::rt::task::spawn_blocking(move || {
        [
            wire::send(
                addr,
                "GET",
                "/legacy",
                &[("Origin", "https://evil.example")],
            ),
            wire::send(
                addr,
                "GET",
                "/plain-legacy",
                &[("Origin", "https://evil.example")],
            ),
            wire::send(
                addr,
                "GET",
                "/legacy",
                &[("Origin", "https://app.example.com")],
            ),
        ]
    })
    .await
    .expect("the client thread");
    handle.stop(true).await;
    // HeadersOnly: the handler ran, its CORS headers were removed.
    for res in [&refused, &refused_plain] {
        assert_eq!(res.status, 200);
        for name in CORS_HEADERS {
            assert_eq!(res.header(name), None, "{name} leaked: {res:?}");
        }
    }
    // Allowed: the policy's headers only (no credentials, nothing exposed).
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(allowed.header("access-control-allow-credentials"), None);
    assert_eq!(allowed.header("access-control-expose-headers"), None);
}

fn upgrade(origin: &'static str) -> [(&'static str, &'static str); 5] {
    [
        ("Origin", origin),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", "13"),
    ]
}

#[actix_rt::test]
async fn a_websocket_upgrade_from_a_refused_origin_is_refused_even_in_headers_only_mode() {
    let (addr, handle) = start();
    let [refused, allowed] = actix_web::rt::task::spawn_blocking(move || {
        [
            wire::send_until_head(addr, "GET", "/ws", &upgrade("https://evil.example")),
            wire::send_until_head(addr, "GET", "/ws", &upgrade("https://app.example.com")),
        ]
    })
    .await
    .expect("the client thread");
    handle.stop(true).await;
    assert_eq!(refused.status, 403, "{refused:?}");
    assert_eq!(refused.header("upgrade"), None);
    assert_eq!(allowed.status, 101, "{allowed:?}");
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
}

#[cors(origins = ["https://app.example.com"])]
#[get("/only-get")]
async fn only_get() -> impl Responder {
    "get"
}

#[actix_rt::test]
async fn a_preflight_for_a_method_the_path_does_not_serve_says_why_in_debug_mode() {
    for debug in [false, true] {
        let app =
            test::init_service(App::new().service(only_get).wrap(Cors::new().debug(debug))).await;
        let res = reply(
            &app,
            preflight("/only-get", "https://app.example.com", "DELETE", None).to_request(),
        )
        .await;
        if debug {
            assert_eq!(res.status, 403);
            let body = String::from_utf8_lossy(&res.body).into_owned();
            assert!(
                body.contains("no route with a CORS policy serves the requested method")
                    && body.contains("/only-get serves GET"),
                "{body}"
            );
            assert!(res.header("x-cors-refusal").is_some());
        } else {
            // Passed on to actix-web, which has no DELETE route there.
            assert_eq!(res.status, 404);
        }
    }
}

#[options("/own")]
async fn own_options() -> impl Responder {
    HttpResponse::Ok().insert_header(("x-own", "yes")).finish()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/own")]
async fn own_get() -> impl Responder {
    "own"
}

#[actix_rt::test]
async fn the_apps_own_options_handler_follows_one_rule_whatever_the_registration_order() {
    for options_first in [true, false] {
        let app = if options_first {
            test::init_service(
                App::new()
                    .service(own_options)
                    .service(own_get)
                    .wrap(Cors::new()),
            )
            .await
        } else {
            test::init_service(
                App::new()
                    .service(own_get)
                    .service(own_options)
                    .wrap(Cors::new()),
            )
            .await
        };
        // A preflight the route's policy covers: answered by `Cors`.
        let res = reply(
            &app,
            preflight("/own", "https://app.example.com", "GET", None).to_request(),
        )
        .await;
        assert_eq!(res.status, 204, "options first: {options_first}");
        assert_eq!(res.header("x-own"), None);
        // Any other OPTIONS request: the app's handler.
        let res = reply(
            &app,
            test::TestRequest::default()
                .method(Method::OPTIONS)
                .uri("/own")
                .to_request(),
        )
        .await;
        assert_eq!(res.status, 200);
        assert_eq!(res.header("x-own"), Some("yes"));
        let res = reply(
            &app,
            actual(Method::GET, "/own", Some("https://app.example.com")).to_request(),
        )
        .await;
        assert_eq!(res.status, 200);
    }
}
