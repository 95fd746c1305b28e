//! Every decision is logged with `tracing` (target `cors`), with the reason for each refusal.

use std::io::Write;
use std::sync::{Arc, Mutex};

use actix_web::http::Method;
use actix_web::{get, test, App, Responder};
use cors_actix::{cors, Cors};
use tests::{actual, preflight};

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
