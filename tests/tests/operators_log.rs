//! Refusals reach the operators' log at the usual level (info), once per distinct (route,
//! reason, origin), their repeats at the 2nd, 4th, 8th ... occurrence; a flood of random
//! origins writes at most N lines a second and one line saying how many were not logged; the
//! level is configurable, off included; declarations browsers cap get a warning at start-up;
//! and report-only mode refuses nothing while the log says what it would refuse. Over real
//! `HttpServer`s on loopback sockets, with a subscriber at info as operators run one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use actix_web::{get, post, web, App, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, scope_policy, Cors, RefusalLog};
use tests::wire::{send, serve, serve_on_workers, WireResponse};

/// Everything the `cors` target logs at info and above, for the whole test binary (the
/// servers' workers run on threads of their own: the subscriber is global). Each test uses
/// origins and handlers of its own and reads only its lines.
fn log() -> &'static Mutex<Vec<u8>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let writer = Captured(Arc::clone(&log));
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        log
    })
}

#[derive(Clone)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The lines logged so far that contain `needle`.
fn lines_with(needle: &str) -> Vec<String> {
    let log = log().lock().unwrap();
    String::from_utf8_lossy(&log)
        .lines()
        .filter(|line| line.contains(needle))
        .map(str::to_owned)
        .collect()
}

async fn get_from(addr: std::net::SocketAddr, path: &'static str, origin: String) -> WireResponse {
    actix_web::rt::task::spawn_blocking(move || send(addr, "GET", path, &[("Origin", &origin)]))
        .await
        .unwrap()
}

#[cors(origins = ["https://app.example.com"])]
#[get("/ledger/items")]
async fn list_items() -> impl Responder {
    "[]"
}

#[actix_rt::test]
async fn a_refusal_is_logged_at_warn_once_then_at_powers_of_two_across_workers() {
    log();
    // Two workers, each building its own `Cors`, as `HttpServer::new(|| ..)` does.
    let (addr, server) = serve_on_workers(2, || App::new().service(list_items).wrap(Cors::new()));
    for _ in 0..9 {
        let res = get_from(addr, "/ledger/items", "https://stranger.example".into()).await;
        assert_eq!(res.status, 403);
    }
    // The allowed origin logs nothing at info.
    let res = get_from(addr, "/ledger/items", "https://app.example.com".into()).await;
    assert_eq!(res.status, 200);
    server.stop(true).await;

    let lines = lines_with("https://stranger.example");
    let counts: Vec<&str> = ["(first time)", "(2 times)", "(4 times)", "(8 times)"].to_vec();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    for (line, count) in lines.iter().zip(&counts) {
        assert!(line.contains(" WARN "), "{line}");
        assert!(line.contains(count), "{count}: {line}");
        assert!(line.contains("`list_items` (/ledger/items)"), "{line}");
        assert!(
            line.contains("origin `https://stranger.example` is not allowed"),
            "{line}"
        );
        assert!(
            line.contains("Fix: if `https://stranger.example` is a site of yours, add it to `origins` of `list_items`"),
            "{line}"
        );
        assert!(line.contains("blocked"), "{line}");
    }
    assert!(lines_with("refused for https://app.example.com").is_empty());
}

#[cors(origins = ["https://app.example.com"])]
#[post("/flood/items")]
async fn flooded() -> impl Responder {
    "ok"
}

#[actix_rt::test]
async fn a_flood_of_random_origins_writes_a_bounded_number_of_lines() {
    log();
    const PER_SECOND: u32 = 7;
    let (addr, server) = serve(|| {
        App::new()
            .service(flooded)
            .wrap(Cors::new().refusal_log(RefusalLog::new().lines_per_second(PER_SECOND)))
    });
    let started = Instant::now();
    let sent = actix_web::rt::task::spawn_blocking(move || {
        // One connection, pipelined requests: a flood as fast as one client sends.
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        let mut requests = Vec::new();
        for i in 0..2000 {
            requests.extend_from_slice(
                format!("POST /flood/items HTTP/1.1\r\nHost: api.test\r\nOrigin: https://{i}.flood.example\r\nContent-Length: 0\r\n\r\n").as_bytes(),
            );
        }
        requests.extend_from_slice(
            b"POST /flood/items HTTP/1.1\r\nHost: api.test\r\nOrigin: https://last.flood.example\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        );
        stream.write_all(&requests).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        String::from_utf8_lossy(&raw).matches("HTTP/1.1 403").count()
    })
    .await
    .unwrap();
    assert_eq!(sent, 2001);
    // One more refusal in a later second tells how many lines were not written.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = actix_web::rt::task::spawn_blocking(move || {
        send(
            addr,
            "POST",
            "/flood/items",
            &[("Origin", "https://after.flood.example")],
        )
    })
    .await
    .unwrap();
    assert_eq!(res.status, 403);
    let seconds = started.elapsed().as_secs() + 1;
    server.stop(true).await;

    let refusals = lines_with(".flood.example");
    let not_logged = lines_with("more CORS refusals not logged");
    // At most PER_SECOND lines in each second the flood lasted.
    assert!(
        refusals.len() as u64 <= u64::from(PER_SECOND) * seconds,
        "{} lines in {seconds} s",
        refusals.len()
    );
    assert!(refusals.len() >= PER_SECOND as usize, "{refusals:#?}");
    let told: u64 = not_logged
        .iter()
        .filter_map(|line| line.split("not_logged=").nth(1))
        .filter_map(|n| n.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    // Every line not written is counted: the written and the told make up the refusals
    // (the after-flood request's line is written, it is its own second's first).
    assert_eq!(told + refusals.len() as u64, 2002, "{not_logged:#?}");
}

#[cors(origins = ["https://app.example.com"], max_age = 86400)]
#[get("/levels/items")]
async fn levels() -> impl Responder {
    "[]"
}

#[actix_rt::test]
async fn the_level_is_configurable_off_included_and_capped_max_age_is_a_start_up_warning() {
    log();
    let (addr, server) = serve(|| {
        App::new()
            .service(levels)
            .wrap(Cors::new().refusal_log(RefusalLog::off()))
    });
    let res = get_from(addr, "/levels/items", "https://quiet.example".into()).await;
    assert_eq!(res.status, 403);
    server.stop(true).await;
    assert!(lines_with("https://quiet.example").is_empty());

    // At debug, below the subscriber's info: not written either.
    let (addr, server) = serve(|| {
        App::new()
            .service(levels)
            .wrap(Cors::new().refusal_log(RefusalLog::new().level(tracing::Level::DEBUG)))
    });
    let res = get_from(addr, "/levels/items", "https://debug.example".into()).await;
    assert_eq!(res.status, 403);
    server.stop(true).await;
    assert!(lines_with("https://debug.example").is_empty());

    let (addr, server) = serve(|| {
        App::new()
            .service(levels)
            .wrap(Cors::new().refusal_log(RefusalLog::new().level(tracing::Level::ERROR)))
    });
    let res = get_from(addr, "/levels/items", "https://loud.example".into()).await;
    assert_eq!(res.status, 403);
    server.stop(true).await;
    let lines = lines_with("https://loud.example");
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains(" ERROR "), "{}", lines[0]);

    // The declaration's max_age is above what Chromium and WebKit cache: one warning (per
    // start, beside the route table).
    let warnings = lines_with("`levels` (/levels/items): `max_age = 86400`");
    assert!(!warnings.is_empty());
    assert!(warnings[0].contains(" WARN "), "{}", warnings[0]);
    assert!(warnings[0].contains("Chromium caches a preflight answer for at most 7200 s and WebKit (Safari) for at most 600 s"), "{}", warnings[0]);
}

static RAN: AtomicUsize = AtomicUsize::new(0);

#[cors(origins = ["https://app.example.com"])]
#[post("/report/items")]
async fn report_items() -> impl Responder {
    RAN.fetch_add(1, Ordering::SeqCst);
    "created"
}

async fn in_scope() -> HttpResponse {
    RAN.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().body("scoped")
}

#[actix_rt::test]
async fn report_only_refuses_nothing_and_says_what_it_would_refuse() {
    log();
    let app = || {
        App::new()
            .service(report_items)
            .service(
                web::scope("/report/scope")
                    .configure(scope_policy(cors_policy!(
                        origins = ["https://app.example.com"]
                    )))
                    .route("/thing", web::post().to(in_scope)),
            )
            .wrap(Cors::new().report_only())
    };
    let (addr, server) = serve(app);
    let before = RAN.load(Ordering::SeqCst);
    let post = |path: &'static str, origin: &'static str| {
        actix_web::rt::task::spawn_blocking(move || send(addr, "POST", path, &[("Origin", origin)]))
    };
    // A refused origin: the handler runs, the response has no CORS headers.
    for path in ["/report/items", "/report/scope/thing"] {
        let res = post(path, "https://would.example").await.unwrap();
        assert_eq!(res.status, 200, "{path}: {res:?}");
        assert_eq!(res.header("access-control-allow-origin"), None, "{path}");
    }
    assert_eq!(RAN.load(Ordering::SeqCst), before + 2);
    // The allowed origin gets its headers as when enforcing.
    let res = post("/report/items", "https://app.example.com")
        .await
        .unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    // A refused preflight goes on to the app (which has no OPTIONS handler here): no CORS
    // headers, the browser blocks.
    let res = actix_web::rt::task::spawn_blocking(move || {
        send(
            addr,
            "OPTIONS",
            "/report/items",
            &[
                ("Origin", "https://would-preflight.example"),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "x-custom"),
            ],
        )
    })
    .await
    .unwrap();
    assert_ne!(res.status, 204, "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), None, "{res:?}");
    server.stop(true).await;

    let lines = lines_with("https://would.example");
    assert_eq!(lines.len(), 2, "{lines:#?}");
    for line in &lines {
        assert!(line.contains("report-only: would be refused"), "{line}");
    }
    let lines = lines_with("https://would-preflight.example");
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(lines[0].contains("CORS preflight refused"), "{}", lines[0]);
    assert!(
        lines[0].contains("report-only: would be refused"),
        "{}",
        lines[0]
    );
}
