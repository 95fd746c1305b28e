//! The `metrics` example for real: its app on a real `HttpServer`, a scripted mix of requests
//! over a socket, then a scrape of `/metrics`, every `cors_*` series checked against what the
//! script must have counted. A second server, in report-only mode, with a path rewritten
//! inside `Cors` and an origin lookup with a budget of one a second, counts the outcomes the
//! example's app never has: would-refuse, failed closed, throttled and stale.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Next};
use actix_web::{get, web, App, Error, HttpServer, Responder};
use cors_actix::{cors, cors_policy, scope_policy, Cors, OriginLookup, Policy};
use metrics_exporter_prometheus::PrometheusBuilder;

#[allow(dead_code)] // `main`
#[path = "../metrics.rs"]
mod metrics_example;

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";

/// One request over a new connection (`Connection: close`): the status and the body.
fn send(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if method == "POST" {
        request.push_str("Content-Length: 0\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

/// Runs `send` off the actix system's thread.
async fn call(
    addr: SocketAddr,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, &'static str)>,
) -> u16 {
    actix_web::rt::task::spawn_blocking(move || send(addr, method, path, &headers).0)
        .await
        .expect("the request's thread")
}

/// The `cors_*` series of a scrape, each as `name{label="value",...}` with its labels sorted.
fn series(scrape: &str) -> BTreeMap<String, f64> {
    let mut all = BTreeMap::new();
    for line in scrape.lines().filter(|l| l.starts_with("cors_")) {
        let (key, value) = line.rsplit_once(' ').expect("a value");
        let value: f64 = value.parse().expect("a number");
        let key = match key.split_once('{') {
            None => key.to_owned(),
            Some((name, labels)) => {
                let labels = labels.strip_suffix('}').expect("closed labels");
                let mut pairs = Vec::new();
                let mut rest = labels;
                while !rest.is_empty() {
                    let (label, after) = rest.split_once("=\"").expect("label=\"");
                    let end = after.find("\"").expect("a closing quote");
                    pairs.push(format!("{label}=\"{}\"", &after[..end]));
                    rest = after[end + 1..].trim_start_matches(',');
                }
                pairs.sort();
                format!("{name}{{{}}}", pairs.join(","))
            }
        };
        all.insert(key, value);
    }
    all
}

fn decision(route: &str, kind: &str, outcome: &str, reason: &str) -> String {
    let mut pairs = [
        format!("kind=\"{kind}\""),
        format!("outcome=\"{outcome}\""),
        format!("reason=\"{reason}\""),
        format!("route=\"{route}\""),
    ];
    pairs.sort();
    format!("cors_decisions_total{{{}}}", pairs.join(","))
}

/// Maps `/v1/...` onto `/api/...` inside `Cors`: the door never saw the path actix-web routes.
async fn alias(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(rest) = req.path().strip_prefix("/v1/") {
        let uri: actix_web::http::Uri = format!("/api/{rest}").parse().expect("a path");
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
    next.call(req).await
}

async fn transfer() -> &'static str {
    "done"
}

#[cors(policy = "limited")]
#[get("/limited")]
async fn limited() -> impl Responder {
    "[]"
}

fn limited_lookup() -> OriginLookup {
    OriginLookup::builder(|origin: String| async move {
        Ok::<_, std::convert::Infallible>(origin.ends_with(".partner.example"))
    })
    .max_lookups_per_second(1)
    .timeout(Duration::from_millis(100))
    .allowed_ttl(Duration::from_millis(1))
    .stale_ttl(Duration::from_secs(60))
    .build()
}

fn limited_policy() -> Policy {
    Policy::builder()
        .allow_origin(APP)
        .allow_dynamic_origins()
        .build()
        .expect("a valid policy")
}

#[actix_rt::test]
async fn a_scrape_after_a_scripted_mix_counts_every_decision() {
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .expect("the only recorder of this test binary");

    // The example's app.
    let (tenants, partners) = (metrics_example::tenants(), metrics_example::partners());
    let scrape_handle = handle.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(scrape_handle.clone()))
            .configure(metrics_example::routes)
            .wrap(metrics_example::cors(tenants.clone(), partners.clone()))
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .expect("a loopback port");
    let addr = server.addrs()[0];
    let server = server.run();
    let example = server.handle();
    actix_web::rt::spawn(server);

    // Report-only, a rewrite inside `Cors`, a lookup with a budget of one a second.
    let lookup = limited_lookup();
    let held = lookup.clone();
    let server = HttpServer::new(move || {
        App::new()
            .service(limited)
            .service(
                web::scope("/api")
                    .configure(scope_policy(cors_policy!(
                        origins = ["https://app.example.com"]
                    )))
                    .route("/transfer", web::post().to(transfer)),
            )
            .wrap(from_fn(alias))
            .wrap(Cors::new().report_only().dynamic_policy(
                "limited",
                limited_policy(),
                held.clone(),
            ))
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .expect("a loopback port");
    let reporting = server.addrs()[0];
    let server = server.run();
    let report_only = server.handle();
    actix_web::rt::spawn(server);

    // The script, on the example's app.
    for _ in 0..3 {
        assert_eq!(
            call(addr, "GET", "/items", vec![("Origin", APP)]).await,
            200
        );
    }
    for _ in 0..2 {
        assert_eq!(
            call(addr, "GET", "/items", vec![("Origin", EVIL)]).await,
            403
        );
    }
    let preflight = |headers: &'static str| {
        vec![
            ("Origin", APP),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", headers),
        ]
    };
    assert_eq!(
        call(addr, "OPTIONS", "/items", preflight("content-type")).await,
        204
    );
    assert_eq!(
        call(addr, "OPTIONS", "/items", preflight("x-secret")).await,
        403
    );
    for _ in 0..4 {
        assert_eq!(call(addr, "GET", "/items", vec![]).await, 200);
    }
    let tenant = vec![("Origin", "https://one.tenant.example")];
    assert_eq!(call(addr, "GET", "/tenant/profile", tenant).await, 200);
    let stranger = vec![("Origin", "https://stranger.example")];
    assert_eq!(call(addr, "GET", "/tenant/profile", stranger).await, 403);
    let partner = || vec![("Origin", "https://acme.partner.example")];
    assert_eq!(call(addr, "GET", "/partner/feed", partner()).await, 200);
    // Answered from the cache: no second lookup.
    assert_eq!(call(addr, "GET", "/partner/feed", partner()).await, 200);
    let nobody = vec![("Origin", "https://nobody.example")];
    assert_eq!(call(addr, "GET", "/partner/feed", nobody).await, 403);
    let broken = vec![("Origin", "https://broken.partner.example")];
    assert_eq!(call(addr, "GET", "/partner/feed", broken).await, 403);

    // The script, on the report-only server.
    let evil_post = vec![("Origin", EVIL)];
    assert_eq!(
        call(reporting, "POST", "/api/transfer", evil_post).await,
        200
    );
    let rewritten = vec![("Origin", APP)];
    assert_eq!(
        call(reporting, "POST", "/v1/transfer", rewritten).await,
        403
    );
    let first = || vec![("Origin", "https://a.partner.example")];
    assert_eq!(call(reporting, "GET", "/limited", first()).await, 200);
    // A second new origin within the second: no budget left, refused (would be), throttled.
    let second = vec![("Origin", "https://b.partner.example")];
    assert_eq!(call(reporting, "GET", "/limited", second).await, 200);
    // The first origin's answer is past its 1 ms: served stale while refreshed.
    actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(call(reporting, "GET", "/limited", first()).await, 200);
    // Its refresh (a lookup of its own budget) is done in the background: wait for it.
    for _ in 0..500 {
        if lookup.stats().lookups == 2 && lookup.stats().refreshes == 1 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(lookup.stats().refreshes, 1, "{:?}", lookup.stats());

    let (status, scrape) =
        actix_web::rt::task::spawn_blocking(move || send(addr, "GET", "/metrics", &[]))
            .await
            .unwrap();
    assert_eq!(status, 200);
    example.stop(true).await;
    report_only.stop(true).await;

    let got = series(&scrape);
    let mut want = BTreeMap::new();
    let mut expect = |key: String, value: f64| {
        want.insert(key, value);
    };
    expect(decision("/items", "request", "allowed", "none"), 3.0);
    expect(
        decision("/items", "request", "refused", "origin not allowed"),
        2.0,
    );
    expect(decision("/items", "preflight", "allowed", "none"), 1.0);
    expect(
        decision(
            "/items",
            "preflight",
            "refused",
            "request header not allowed",
        ),
        1.0,
    );
    expect(
        decision("/items", "request", "passed", "no Origin header"),
        4.0,
    );
    expect(
        decision("/tenant/profile", "request", "allowed", "none"),
        1.0,
    );
    expect(
        decision(
            "/tenant/profile",
            "request",
            "refused",
            "origin not allowed",
        ),
        1.0,
    );
    expect(decision("/partner/feed", "request", "allowed", "none"), 2.0);
    expect(
        decision("/partner/feed", "request", "refused", "origin not allowed"),
        2.0,
    );
    expect(
        decision("/api", "request", "would_refuse", "origin not allowed"),
        1.0,
    );
    expect(
        decision(
            "/api",
            "request",
            "failed_closed",
            "not decided by the door",
        ),
        1.0,
    );
    // a.partner allowed twice (the second time stale), b.partner would be refused.
    expect(decision("/limited", "request", "allowed", "none"), 2.0);
    expect(
        decision("/limited", "request", "would_refuse", "origin not allowed"),
        1.0,
    );
    // Lookups: acme, nobody and broken on the example's app; a.partner and its refresh on the
    // other (b.partner found no budget).
    expect("cors_origin_lookups_total{outcome=\"allowed\"}".into(), 3.0);
    expect("cors_origin_lookups_total{outcome=\"refused\"}".into(), 1.0);
    expect("cors_origin_lookups_total{outcome=\"failed\"}".into(), 1.0);
    expect("cors_origin_lookups_throttled_total".into(), 1.0);
    expect("cors_origin_lookups_stale_total".into(), 1.0);
    // The example's tenants.
    expect("cors_origin_set_origins".into(), 2.0);
    assert_eq!(got, want, "the scrape:\n{scrape}");
    // No label holds an origin.
    assert!(!scrape.contains("example\""), "{scrape}");
}
