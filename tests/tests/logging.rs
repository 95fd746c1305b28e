//! Every decision is logged with `tracing` (target `cors`), with the reason for each refusal:
//! `#[cors]` routes (actual requests and preflights), named policies, disabled routes, the
//! default policy, and the requests no policy has to decide. Debug mode puts the reason in the
//! response too.

use std::io::Write;
use std::sync::{Arc, Mutex};

use actix_web::http::Method;
use actix_web::{get, options, test, web, App, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, Cors, OnRefusal};
use tests::{actual, header, preflight};

#[cors(origins = ["https://app.example.com"], headers = ["X-Request-Id"])]
#[get("/items")]
async fn items() -> impl Responder {
    "[]"
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[actix_rt::test]
async fn refusals_and_allowed_requests_are_logged_with_reasons() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = test::init_service(App::new().service(items).wrap(Cors::new())).await;
    test::call_service(
        &app,
        actual(Method::GET, "/items", Some("https://evil.example")).to_request(),
    )
    .await;
    test::call_service(
        &app,
        preflight("/items", "https://app.example.com", "GET", Some("x-secret")).to_request(),
    )
    .await;
    test::call_service(
        &app,
        actual(Method::GET, "/items", Some("https://app.example.com")).to_request(),
    )
    .await;

    let log = captured.text();
    assert!(log.contains("cors: CORS request refused"), "{log}");
    assert!(
        log.contains("origin `https://evil.example` is not allowed"),
        "{log}"
    );
    assert!(log.contains("CORS preflight refused"), "{log}");
    assert!(
        log.contains("request header `x-secret` is not allowed"),
        "{log}"
    );
    assert!(log.contains("CORS request allowed"), "{log}");
    assert!(
        log.contains("handler=\"items\"") || log.contains("handler=items"),
        "{log}"
    );
}

#[cors(disable)]
#[get("/internal")]
async fn internal() -> impl Responder {
    "internal"
}

#[cors(policy = "partners")]
#[get("/partners")]
async fn partners() -> impl Responder {
    "partners"
}

#[get("/plain")]
async fn plain() -> impl Responder {
    "plain"
}

#[options("/own-options")]
async fn own_options() -> impl Responder {
    HttpResponse::Ok().finish()
}

/// Runs `f` with a subscriber capturing every `cors` event of this thread; returns the log.
// Tests run on threads of their own, each with its own runtime: one at a time holds the lock,
// because tracing's level and interest caches are global and a subscriber dropped by one test
// can hide another test's events while both run.
// Tests that log without capturing take it too (a callsite first hit then would otherwise cache
// "no interest" while a capture starts).
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

#[allow(clippy::await_holding_lock)]
async fn capture<F: std::future::Future<Output = ()>>(f: F) -> String {
    let _one = one_at_a_time();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    f.await;
    drop(guard);
    captured.text()
}

/// Asserts that one line of `log` contains every one of `parts`.
#[track_caller]
fn assert_event(log: &str, parts: &[&str]) {
    assert!(
        log.lines()
            .any(|line| line.contains(" cors: ") && parts.iter().all(|p| line.contains(p))),
        "no `cors` event with {parts:?} in:\n{log}"
    );
}

async fn send<S, B>(app: &S, req: test::TestRequest) -> actix_web::dev::ServiceResponse<B>
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
{
    test::call_service(app, req.to_request()).await
}

#[actix_rt::test]
async fn route_decisions_that_need_no_policy_are_logged_with_why() {
    let log = capture(async {
        let app = test::init_service(
            App::new()
                .service(items)
                .service(internal)
                .wrap(Cors::new().on_refusal(OnRefusal::HeadersOnly)),
        )
        .await;
        send(&app, actual(Method::GET, "/items", None)).await;
        send(
            &app,
            actual(Method::GET, "/items", Some("http://localhost:8080"))
                .insert_header(("Sec-Fetch-Site", "same-origin")),
        )
        .await;
        send(
            &app,
            actual(Method::GET, "/items", Some("https://evil.example")),
        )
        .await;
        send(
            &app,
            actual(Method::GET, "/internal", Some("https://evil.example")),
        )
        .await;
        send(
            &app,
            preflight("/internal", "https://evil.example", "GET", None),
        )
        .await;
    })
    .await;
    assert_event(
        &log,
        &[
            "TRACE",
            "not decided",
            "no Origin header",
            r#"handler="items""#,
        ],
    );
    assert_event(
        &log,
        &[
            "TRACE",
            "not decided",
            "server's own origin",
            r#"path="/items""#,
        ],
    );
    assert_event(
        &log,
        &[
            "DEBUG",
            "CORS request refused",
            "evil.example",
            "headers only: handler runs",
        ],
    );
    assert_event(
        &log,
        &[
            "TRACE",
            "CORS request not decided",
            "CORS is disabled",
            r#"handler="internal""#,
        ],
    );
    assert_event(
        &log,
        &[
            "DEBUG",
            "CORS preflight refused",
            "CORS is disabled",
            r#"handler="internal""#,
        ],
    );
}

#[actix_rt::test]
async fn default_policy_decisions_are_logged() {
    let log = capture(async {
        let app = test::init_service(App::new().service(plain).service(own_options).wrap(
            Cors::new().default_policy(cors_policy!(
                origins = ["https://app.example.com"],
                methods = ["GET"]
            )),
        ))
        .await;
        send(
            &app,
            actual(Method::GET, "/plain", Some("https://app.example.com")),
        )
        .await;
        send(
            &app,
            actual(Method::GET, "/plain", Some("https://evil.example")),
        )
        .await;
        send(
            &app,
            preflight("/plain", "https://app.example.com", "GET", None),
        )
        .await;
        send(
            &app,
            preflight("/plain", "https://app.example.com", "DELETE", None),
        )
        .await;
        send(
            &app,
            preflight("/own-options", "https://app.example.com", "GET", None),
        )
        .await;
    })
    .await;
    let by_default = r#"handler="<default policy>""#;
    assert_event(
        &log,
        &[
            "TRACE",
            "CORS request allowed",
            by_default,
            r#"path="/plain""#,
        ],
    );
    assert_event(
        &log,
        &[
            "DEBUG",
            "CORS request refused",
            by_default,
            "origin `https://evil.example` is not allowed",
            "handler not run",
        ],
    );
    assert_event(&log, &["TRACE", "CORS preflight allowed", by_default]);
    assert_event(
        &log,
        &[
            "DEBUG",
            "CORS preflight refused",
            by_default,
            "method `DELETE` is not allowed",
        ],
    );
    assert_event(
        &log,
        &[
            "TRACE",
            "CORS preflight allowed",
            by_default,
            r#"path="/own-options""#,
        ],
    );
}

#[actix_rt::test]
#[allow(clippy::await_holding_lock)]
async fn debug_mode_puts_the_reason_in_refused_preflights_and_default_refusals() {
    let _one = one_at_a_time();
    let app = test::init_service(
        App::new()
            .service(items)
            .service(web::scope("/other"))
            .wrap(
                Cors::new()
                    .debug(true)
                    .default_policy(cors_policy!(origins = ["https://app.example.com"])),
            ),
    )
    .await;
    let res = send(
        &app,
        preflight("/items", "https://app.example.com", "GET", Some("x-secret")),
    )
    .await;
    assert_eq!(res.status(), 403);
    let reason = header(&res, "x-cors-refusal").expect("debug header");
    assert!(reason.contains("`x-secret`"), "{reason}");
    let body = test::read_body(res).await;
    assert!(String::from_utf8_lossy(&body).contains(&reason), "{body:?}");
    // A preflight answered by the default policy (no route claims it).
    let res = send(
        &app,
        preflight("/nowhere", "https://evil.example", "GET", None),
    )
    .await;
    assert_eq!(res.status(), 403);
    let reason = header(&res, "x-cors-refusal").expect("debug header");
    assert!(reason.contains("`https://evil.example`"), "{reason}");

    // Off by default: a static summary, no header, no request data echoed.
    let app = test::init_service(App::new().service(items).wrap(Cors::new())).await;
    let res = send(
        &app,
        preflight("/items", "https://app.example.com", "GET", Some("x-secret")),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(header(&res, "x-cors-refusal"), None);
    let body = test::read_body(res).await;
    assert!(
        !String::from_utf8_lossy(&body).contains("x-secret"),
        "{body:?}"
    );
}

#[actix_rt::test]
async fn a_preflight_for_a_method_the_path_does_not_serve_is_logged_with_why() {
    let log = capture(async {
        let app = test::init_service(App::new().service(items).wrap(Cors::new())).await;
        let res = send(
            &app,
            preflight("/items", "https://app.example.com", "DELETE", None),
        )
        .await;
        // Passed on to the app (no route answers it): not a silent 404 any more.
        assert_eq!(res.status(), 404);
    })
    .await;
    assert_event(
        &log,
        &[
            "DEBUG",
            "CORS preflight refused",
            r#"handler="items""#,
            "no route with a CORS policy serves the requested method on this path (/items serves GET)",
            "passed to the app",
        ],
    );
}

#[cors(policy = "tenants")]
#[get("/tenant")]
async fn tenant() -> impl Responder {
    "tenant"
}

#[actix_rt::test]
async fn a_failed_or_throttled_origin_lookup_is_logged_with_why() {
    let log = capture(async {
        let lookup = cors_actix::OriginLookup::builder(|origin: String| async move {
            if origin.contains("slow") {
                actix_rt::time::sleep(std::time::Duration::from_secs(5)).await;
            }
            Err::<bool, _>("connection refused")
        })
        .timeout(std::time::Duration::from_millis(50))
        .max_lookups_per_second(2)
        .build();
        let policy = cors_actix::Policy::builder()
            .allow_dynamic_origins()
            .build()
            .unwrap();
        let app = test::init_service(
            App::new()
                .service(tenant)
                .wrap(Cors::new().dynamic_policy("tenants", policy, lookup)),
        )
        .await;
        for origin in [
            "https://down.example",
            "https://slow.example",
            "https://third.example",
        ] {
            let res = send(&app, actual(Method::GET, "/tenant", Some(origin))).await;
            assert_eq!(res.status(), 403, "{origin}");
        }
    })
    .await;
    assert_event(
        &log,
        &[
            "WARN",
            "dynamic origin lookup failed, request refused: connection refused",
            "origin=https://down.example",
        ],
    );
    assert_event(
        &log,
        &[
            "WARN",
            "dynamic origin lookup timed out after 50ms, request refused",
        ],
    );
    assert_event(
        &log,
        &[
            "WARN",
            "dynamic origin refused without a lookup: it waited for max_lookups_per_second",
            "origin=https://third.example",
        ],
    );
    // And the refusal itself, with the usual reason.
    assert_event(
        &log,
        &[
            "CORS request refused",
            "https://down.example",
            "is not allowed",
        ],
    );
}

/// A refusal says what was done: a refusal response, and for a connection upgrade (WebSocket)
/// that it is blocked because browsers do not protect upgrades with CORS.
#[actix_rt::test]
async fn a_refusal_logs_its_action_and_tells_an_upgrade_apart() {
    let app = test::init_service(App::new().service(items).wrap(Cors::new())).await;
    let log = capture(async {
        let refused = actual(Method::GET, "/items", Some("https://evil.example")).to_request();
        assert_eq!(test::call_service(&app, refused).await.status(), 403);
    })
    .await;
    assert_event(
        &log,
        &[
            "CORS request refused",
            "action=\"blocked: refusal response sent",
        ],
    );
    assert!(!log.contains("connection upgrade"), "{log}");

    let log = capture(async {
        let upgrade = actual(Method::GET, "/items", Some("https://evil.example"))
            .insert_header(("Connection", "Upgrade"))
            .insert_header(("Upgrade", "websocket"))
            .to_request();
        assert_eq!(test::call_service(&app, upgrade).await.status(), 403);
    })
    .await;
    assert_event(
        &log,
        &[
            "CORS request refused",
            "action=\"blocked: a connection upgrade (WebSocket)",
        ],
    );
}
