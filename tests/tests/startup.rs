//! The start-up check of named policies, in process: a route naming a policy the middleware
//! does not have stops the app from being created, with a message naming the handler and the
//! policy; apps built earlier on the same thread cannot cause false alarms.
//! (`examples/tests/startup.rs` runs a real `HttpServer` in a subprocess.)

use std::io::Write;
use std::sync::{Arc, Mutex};

use actix_service::IntoServiceFactory;
use actix_web::dev::{AppConfig, ServiceFactory};
use actix_web::http::Method;
use actix_web::{get, test, web, App, Responder};
use cors_actix::{cors, Cors, Policy};
use tests::actual;

#[cors(policy = "partners")]
#[get("/partners")]
async fn partners() -> impl Responder {
    "partners"
}

#[cors(policy = "mobile")]
#[get("/mobile")]
async fn mobile() -> impl Responder {
    "mobile"
}

#[cors(origins = ["https://app.example.com"])]
#[get("/items")]
async fn items() -> impl Responder {
    "[]"
}

fn policy() -> Policy {
    Policy::builder()
        .allow_origin("https://acme.partner.example")
        .build()
        .expect("valid policy")
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

/// Runs `f` with a subscriber capturing this thread's `cors` events; returns the log.
async fn capture_log<F: std::future::Future<Output = ()>>(f: F) -> String {
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
    let text = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    text
}

#[actix_rt::test]
async fn every_unregistered_name_is_reported_when_the_app_is_created() {
    let log = capture_log(async {
        let app = App::new()
            .service(web::scope("/v1").service(partners).service(mobile))
            .service(items)
            .wrap(Cors::new().policy("other", policy()));
        let started = app.into_factory().new_service(AppConfig::default()).await;
        assert!(started.is_err(), "the app must refuse to start");
    })
    .await;
    assert!(
        log.contains("ERROR cors: cors-actix: refusing to start"),
        "{log}"
    );
    assert!(
        log.contains(r#"handler `partners` uses `policy = "partners"`"#),
        "{log}"
    );
    assert!(
        log.contains(r#"handler `mobile` uses `policy = "mobile"`"#),
        "{log}"
    );
    assert!(log.contains("Cors::new().policy("), "{log}");
}

#[actix_rt::test]
async fn registered_names_start_and_serve() {
    let app = App::new()
        .service(web::scope("/v1").service(partners).service(mobile))
        .wrap(
            Cors::new()
                .policy("partners", policy())
                .policy("mobile", policy()),
        );
    let app = test::init_service(app).await;
    let res = test::call_service(
        &app,
        actual(
            Method::GET,
            "/v1/mobile",
            Some("https://acme.partner.example"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
}

/// An app built without `Cors` (whose routes are then plain actix-web routes) must not make a
/// later, correct app on the same thread refuse to start.
#[actix_rt::test]
async fn an_app_built_earlier_without_cors_is_not_blamed() {
    // Kept alive, and dropped: neither may leak its names into the next app.
    let kept = test::init_service(App::new().service(partners)).await;
    drop(test::init_service(App::new().service(mobile)).await);

    let app = App::new().service(items).wrap(Cors::new());
    let started = app.into_factory().new_service(AppConfig::default()).await;
    assert!(started.is_ok(), "a correct app must start");

    let res = test::call_service(
        &kept,
        actual(
            Method::GET,
            "/partners",
            Some("https://acme.partner.example"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(
        res.status(),
        403,
        "without Cors the route's door refuses a cross-origin request no door decided"
    );
    assert_eq!(
        res.headers().get("access-control-allow-origin"),
        None,
        "without Cors nothing writes CORS headers"
    );
}

/// Names of an app whose build is abandoned before its `Cors` is created are forgotten too.
#[actix_rt::test]
async fn an_abandoned_app_build_is_not_blamed() {
    let factory = App::new()
        .service(partners)
        .wrap(Cors::new())
        .into_factory();
    // Registration happens here; the future (which would create `Cors`) is never polled.
    drop(factory.new_service(AppConfig::default()));
    drop(factory);

    let app = App::new().service(items).wrap(Cors::new());
    let started = app.into_factory().new_service(AppConfig::default()).await;
    assert!(started.is_ok(), "a correct app must start");
}
