//! The quickstart's demo page, in Chromium, Firefox and WebKit (a trial each): every row of its table must show the outcome the
//! policies of `examples/quickstart.rs` call for, with the API's answers behind it; then the page
//! is saved as a screenshot (from Chromium).
//!
//! The screenshot goes to `$CARGO_TARGET_TMPDIR/quickstart.png`. To refresh the README's
//! `docs/quickstart.png`, run with `CORS_ACTIX_UPDATE_SCREENSHOT=1` (this binds the quickstart's
//! real ports, 8080 and 8081, so that the picture shows what a reader will see).

// The example itself, compiled into this test: the test checks the very code the README runs.
#[allow(dead_code)]
#[path = "../../../examples/quickstart.rs"]
mod quickstart;

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use browser_tests::harness::{self, Case};
use browser_tests::{chromium, firefox, webkit, Engine};
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use serde_json::Value;

/// What each row must show: (id, page origin, readable?, lines the API's answers must contain).
fn expectations(port: u16) -> Vec<(u64, &'static str, bool, Vec<String>)> {
    let app = format!("http://app.localhost:{port}");
    let admin = format!("http://admin.localhost:{port}");
    vec![
        (
            1,
            "app",
            true,
            vec![
                "GET /status → 200".into(),
                "access-control-allow-origin: *".into(),
            ],
        ),
        (
            2,
            "app",
            true,
            vec![
                "GET /v1/items → 200".into(),
                format!("access-control-allow-origin: {app}"),
                "access-control-allow-credentials: true".into(),
                "access-control-expose-headers: X-Total-Count".into(),
            ],
        ),
        (
            3,
            "app",
            true,
            vec![
                "OPTIONS /v1/items → 204".into(),
                "asks access-control-request-headers: authorization".into(),
                "access-control-allow-headers: authorization".into(),
                "access-control-max-age: 600".into(),
                "GET /v1/items → 200".into(),
            ],
        ),
        (
            4,
            "admin",
            true,
            vec![
                "OPTIONS /v1/items → 204".into(),
                format!("access-control-allow-origin: {admin}"),
                "access-control-allow-methods: DELETE".into(),
                "DELETE /v1/items → 204".into(),
            ],
        ),
        (
            5,
            "app",
            false,
            vec![
                "OPTIONS /v1/items → 403".into(),
                format!("x-cors-refusal: origin `{app}` is not allowed"),
            ],
        ),
        (
            6,
            "app",
            false,
            vec![
                "OPTIONS /v1/users/7 → 403".into(),
                "asks access-control-request-method: PUT".into(),
            ],
        ),
        (
            7,
            "evil",
            false,
            vec![
                "GET /v1/items → 403".into(),
                format!("x-cors-refusal: origin `http://evil.localhost:{port}` is not allowed"),
            ],
        ),
    ]
}

/// The API's answers of a row, one line per request and per header, as the page shows them.
fn wire(row: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    for x in row["exchanges"].as_array().into_iter().flatten() {
        lines.push(format!(
            "{} → {}",
            x["request"].as_str().unwrap(),
            x["status"]
        ));
        for ask in x["asks"].as_array().into_iter().flatten() {
            lines.push(format!("asks {}", ask.as_str().unwrap()));
        }
        for pair in x["headers"].as_array().into_iter().flatten() {
            lines.push(format!(
                "{}: {}",
                pair[0].as_str().unwrap(),
                pair[1].as_str().unwrap()
            ));
        }
    }
    lines
}

/// Checks the demo's results and its rendered table against the expectations; `blocked` is the
/// engine's message for a blocked fetch.
fn check(results: &Value, rendered: &Value, port: u16, blocked: &str) {
    let expected = expectations(port);
    let results = results.as_array().expect("one result per row");
    let rendered = rendered.as_array().expect("one table row per request");
    assert_eq!(results.len(), expected.len(), "{results:#?}");
    assert_eq!(rendered.len(), expected.len(), "{rendered:#?}");
    for (((id, from, readable, lines), result), row) in expected.iter().zip(results).zip(rendered) {
        let context = format!("row {id}: {result:#}\nrendered: {row:#}");
        let outcome = if *readable { "readable" } else { "blocked" };
        assert_eq!(result["id"], *id, "{context}");
        assert_eq!(result["outcome"], outcome, "{context}");
        let wire = wire(result);
        for line in lines {
            assert!(
                wire.iter().any(|l| l.starts_with(line.as_str())),
                "{context}\nmissing {line:?} in {wire:#?}"
            );
        }
        // The rendered table says the same, in color, with the API's answer beside it.
        assert_eq!(row["id"], *id, "{context}");
        assert_eq!(row["outcome"], outcome, "{context}");
        assert_eq!(row["classes"], outcome, "{context} (no `unexpected`)");
        let origin = row["origin"].as_str().unwrap();
        assert_eq!(origin, format!("from {from}.localhost:{port}"), "{context}");
        let badge = if *readable {
            "✔ readable"
        } else {
            "✘ blocked"
        };
        let browser = row["browser"].as_str().unwrap();
        assert!(browser.starts_with(badge), "{context}");
        if !*readable {
            assert!(browser.contains(blocked), "{context}");
        }
        assert!(
            row["wire"].as_str().unwrap().contains(&lines[0]),
            "{context}"
        );
    }
    // A refused preflight stops the request: the DELETE of row 5 and the PUT of row 6 never
    // reached the API.
    for id in [5, 6] {
        let exchanges = results[id - 1]["exchanges"].as_array().unwrap();
        assert_eq!(exchanges.len(), 1, "row {id}: {exchanges:#?}");
    }
    assert!(rendered[1]["browser"]
        .as_str()
        .unwrap()
        .contains("X-Total-Count: 2"));
}

/// The script that reads the rendered table.
const TABLE: &str = r#"[...document.querySelectorAll("tbody tr")].map((tr) => ({
    id: Number(tr.dataset.row),
    outcome: tr.dataset.outcome,
    classes: tr.className,
    origin: tr.cells[1].querySelector(".origin").innerText,
    browser: tr.cells[2].innerText,
    wire: tr.cells[3].innerText,
}))"#;

/// Serves the quickstart (API and pages) on free ports, or on its real ones; the pages' port.
fn serve(real_ports: bool) -> u16 {
    let (api_port, pages_port) = if real_ports { (8080, 8081) } else { (0, 0) };
    let api = TcpListener::bind(("127.0.0.1", api_port)).expect("bind the API");
    let pages = TcpListener::bind(("127.0.0.1", pages_port)).expect("bind the pages");
    let port = pages.local_addr().unwrap().port();
    std::thread::spawn(move || {
        actix_web::rt::System::new()
            .block_on(quickstart::serve(api, pages))
            .expect("quickstart serves")
    });
    port
}

/// The demo page in a WebDriver engine (Firefox, WebKit).
fn in_webdriver(e: Engine) {
    let driver = match e {
        Engine::Firefox => firefox(),
        _ => webkit(),
    }
    .unwrap_or_else(|why| panic!("{why}"));
    let started = Instant::now();
    let port = serve(false);
    // Through the redirect from localhost to the page's real origin, app.localhost.
    let results = driver.run(
        Some(&format!("http://localhost:{port}/")),
        "const done = arguments[arguments.length - 1]; Promise.resolve(window.demo).then(done);",
        vec![],
    );
    let rendered = driver.run(
        None,
        &format!("arguments[arguments.length - 1]({TABLE});"),
        vec![],
    );
    check(&results, &rendered, port, e.blocked_error());
    println!(
        "quickstart page checked in {e} ({}) in {} ms",
        driver.version,
        started.elapsed().as_millis()
    );
}

async fn quickstart_demo_page_shows_what_the_browser_allowed(e: Engine) {
    match e {
        Engine::Chromium => in_chromium().await,
        _ => tokio::task::spawn_blocking(move || in_webdriver(e))
            .await
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic())),
    }
}

fn main() {
    harness::run(vec![Case::all(
        "quickstart_demo_page_shows_what_the_browser_allowed",
        |e| Box::pin(quickstart_demo_page_shows_what_the_browser_allowed(e)),
    )]);
}

/// The demo page in Chromium, and its screenshot.
async fn in_chromium() {
    let chromium = chromium().unwrap_or_else(|why| panic!("{why}"));
    let started = Instant::now();
    let update = std::env::var_os("CORS_ACTIX_UPDATE_SCREENSHOT").is_some();
    let port = serve(update);

    // Through the redirect from localhost to the page's real origin, app.localhost.
    let tab = chromium.open(&format!("http://localhost:{port}/")).await;
    let results: Value =
        tokio::time::timeout(Duration::from_secs(20), tab.page.evaluate("window.demo"))
            .await
            .expect("the demo page finishes within 20 s")
            .expect("evaluate window.demo")
            .into_value()
            .expect("JSON results");
    let rendered: Value = tab
        .page
        .evaluate(TABLE)
        .await
        .expect("read the table")
        .into_value()
        .expect("JSON rows");

    check(&results, &rendered, port, Engine::Chromium.blocked_error());

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("quickstart.png");
    let png = tab
        .page
        .save_screenshot(
            ScreenshotParams::builder()
                .format(CaptureScreenshotFormat::Png)
                .full_page(true)
                .build(),
            &shot,
        )
        .await
        .expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    if update {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/quickstart.png");
        std::fs::copy(&shot, &docs).expect("update docs/quickstart.png");
    }
    tab.close().await;
    println!(
        "quickstart page checked in {} ms, screenshot {} ({} bytes)",
        started.elapsed().as_millis(),
        shot.display(),
        png.len()
    );
}
