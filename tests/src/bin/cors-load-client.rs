//! Load-test client: many concurrent keep-alive connections to 127.0.0.1 sending a mix of
//! allowed, refused and malformed CORS requests to `cors-load-server`, bounded in count and
//! time. Checks every answer (status class and `Access-Control-Allow-Origin`) and exits
//! non-zero on any server error, unexpected answer or I/O error.
//!
//! Usage: `cors-load-client PORT REQUESTS CONCURRENCY MAX_SECONDS`.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a request of the mix must get.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Expect {
    /// 2xx with ACAO.
    Granted,
    /// 403 or 400, no ACAO.
    Refused,
    /// 2xx without ACAO (no Origin, or a default-policy route).
    Plain,
    /// 400 from the HTTP parser; the server closes the connection.
    BadHttp,
}

struct Case {
    name: &'static str,
    raw: Vec<u8>,
    expect: Expect,
}

fn req(method: &str, path: &str, headers: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if method == "POST" || method == "PUT" {
        out.extend_from_slice(b"content-length: 0\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn cases() -> Vec<Case> {
    let big_acrh = vec!["x-request-id"; 400].join(",");
    let c = |name, raw, expect| Case { name, raw, expect };
    vec![
        c(
            "allowed-get",
            req("GET", "/items", &[("origin", b"https://app.example.com")]),
            Expect::Granted,
        ),
        c(
            "allowed-wildcard",
            req(
                "GET",
                "/items",
                &[("origin", b"https://pr-9.preview.example.com")],
            ),
            Expect::Granted,
        ),
        c(
            "allowed-any-port",
            req("PUT", "/mixed/7", &[("origin", b"http://localhost:5173")]),
            Expect::Granted,
        ),
        c(
            "allowed-public",
            req("PATCH", "/public", &[("origin", b"https://anyone.example")]),
            Expect::Granted,
        ),
        c(
            "allowed-preflight",
            req(
                "OPTIONS",
                "/items",
                &[
                    ("origin", b"https://app.example.com"),
                    ("access-control-request-method", b"GET"),
                    (
                        "access-control-request-headers",
                        b"authorization,x-request-id",
                    ),
                ],
            ),
            Expect::Granted,
        ),
        c(
            "allowed-preflight-delete",
            req(
                "OPTIONS",
                "/items",
                &[
                    ("origin", b"https://admin.example.com"),
                    ("access-control-request-method", b"DELETE"),
                ],
            ),
            Expect::Granted,
        ),
        c(
            "refused-suffix",
            req(
                "GET",
                "/items",
                &[("origin", b"https://app.example.com.evil.com")],
            ),
            Expect::Refused,
        ),
        c(
            "refused-post",
            req("POST", "/null", &[("origin", b"https://evil.example")]),
            Expect::Refused,
        ),
        c(
            "refused-preflight-header",
            req(
                "OPTIONS",
                "/items",
                &[
                    ("origin", b"https://app.example.com"),
                    ("access-control-request-method", b"GET"),
                    ("access-control-request-headers", b"x-evil"),
                ],
            ),
            Expect::Refused,
        ),
        c(
            "refused-preflight-origin",
            req(
                "OPTIONS",
                "/mixed/7",
                &[
                    ("origin", b"https://evil.example"),
                    ("access-control-request-method", b"PUT"),
                ],
            ),
            Expect::Refused,
        ),
        c(
            "refused-preflight-method",
            req(
                "OPTIONS",
                "/nowhere",
                &[
                    ("origin", b"https://evil.example"),
                    ("access-control-request-method", b"PUT"),
                ],
            ),
            Expect::Refused,
        ),
        c(
            "malformed-two-origins",
            req(
                "GET",
                "/items",
                &[
                    ("origin", b"https://app.example.com"),
                    ("origin", b"https://app.example.com"),
                ],
            ),
            Expect::Refused,
        ),
        c(
            "malformed-non-utf8",
            req(
                "GET",
                "/items",
                &[("origin", b"https://app.example.com\xff\xfe")],
            ),
            Expect::Refused,
        ),
        c(
            "malformed-comma",
            req(
                "GET",
                "/items",
                &[("origin", b"https://app.example.com, https://evil.com")],
            ),
            Expect::Refused,
        ),
        c(
            "malformed-long-origin",
            req(
                "GET",
                "/items",
                &[("origin", "https://a".repeat(300).as_bytes())],
            ),
            Expect::Refused,
        ),
        c(
            "malformed-huge-acrh",
            req(
                "OPTIONS",
                "/items",
                &[
                    ("origin", b"https://app.example.com"),
                    ("access-control-request-method", b"GET"),
                    ("access-control-request-headers", big_acrh.as_bytes()),
                ],
            ),
            Expect::Refused,
        ),
        c("no-origin", req("GET", "/items", &[]), Expect::Plain),
        c(
            "default-policy-refused",
            req("GET", "/plain", &[("origin", b"https://evil.example")]),
            Expect::Plain,
        ),
        c(
            "bad-http-control-byte",
            req(
                "GET",
                "/items",
                &[("origin", b"https://app.example.com\x01")],
            ),
            Expect::BadHttp,
        ),
    ]
}

#[derive(Default)]
struct Stats {
    by_case: BTreeMap<(&'static str, u16), usize>,
    by_status: BTreeMap<u16, usize>,
    mismatches: Vec<String>,
    io_errors: usize,
    server_errors: usize,
}

/// Reads one response: (status, has ACAO). Returns None on EOF.
fn read_response(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<(u16, bool)>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    let mut acao = false;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 {
            return Ok(None);
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("access-control-allow-origin:") {
            acao = true;
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    Ok(Some((status, acao)))
}

fn ok(expect: Expect, status: u16, acao: bool) -> bool {
    match expect {
        Expect::Granted => (200..300).contains(&status) && acao,
        Expect::Refused => (status == 403 || status == 400) && !acao,
        Expect::Plain => (200..300).contains(&status) && !acao,
        Expect::BadHttp => status == 400 && !acao,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let port = arg(1, 18080) as u16;
    let total = arg(2, 100_000) as usize;
    let concurrency = arg(3, 64) as usize;
    let max = Duration::from_secs(arg(4, 60));

    let cases = Arc::new(cases());
    let next = Arc::new(AtomicUsize::new(0));
    let stats = Arc::new(Mutex::new(Stats::default()));
    let start = Instant::now();
    let threads: Vec<_> = (0..concurrency)
        .map(|t| {
            let (cases, next, stats) = (cases.clone(), next.clone(), stats.clone());
            std::thread::spawn(move || {
                let mut local = Stats::default();
                let mut conn: Option<(TcpStream, BufReader<TcpStream>)> = None;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= total || start.elapsed() > max {
                        break;
                    }
                    let case = &cases[(n + t) % cases.len()];
                    if conn.is_none() {
                        match TcpStream::connect(("127.0.0.1", port)) {
                            Ok(s) => {
                                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                                let r = BufReader::new(s.try_clone().expect("clone"));
                                conn = Some((s, r));
                            }
                            Err(_) => {
                                local.io_errors += 1;
                                std::thread::sleep(Duration::from_millis(10));
                                continue;
                            }
                        }
                    }
                    let Some((stream, reader)) = conn.as_mut() else {
                        continue;
                    };
                    let answer = stream
                        .write_all(&case.raw)
                        .and_then(|()| read_response(reader));
                    match answer {
                        Ok(Some((status, acao))) => {
                            *local.by_case.entry((case.name, status)).or_default() += 1;
                            *local.by_status.entry(status).or_default() += 1;
                            if status >= 500 {
                                local.server_errors += 1;
                            }
                            if !ok(case.expect, status, acao) && local.mismatches.len() < 20 {
                                local
                                    .mismatches
                                    .push(format!("{}: {status} acao={acao}", case.name));
                            }
                            if case.expect == Expect::BadHttp {
                                conn = None;
                            }
                        }
                        Ok(None) | Err(_) => {
                            local.io_errors += 1;
                            conn = None;
                        }
                    }
                }
                let mut s = stats.lock().expect("stats");
                for (k, v) in local.by_case {
                    *s.by_case.entry(k).or_default() += v;
                }
                for (k, v) in local.by_status {
                    *s.by_status.entry(k).or_default() += v;
                }
                s.mismatches.extend(local.mismatches);
                s.io_errors += local.io_errors;
                s.server_errors += local.server_errors;
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    let elapsed = start.elapsed();
    let s = stats.lock().expect("stats");
    let done: usize = s.by_status.values().sum();
    println!(
        "requests: {done} in {:.2}s ({:.0} req/s), concurrency {concurrency}",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64()
    );
    println!("status counts: {:?}", s.by_status);
    for ((name, status), count) in &s.by_case {
        println!("  {name:<28} {status} x{count}");
    }
    println!(
        "server errors (5xx): {}  unexpected answers: {}  i/o errors: {}",
        s.server_errors,
        s.mismatches.len(),
        s.io_errors
    );
    for m in &s.mismatches {
        println!("  unexpected: {m}");
    }
    if s.server_errors > 0 || !s.mismatches.is_empty() || s.io_errors > 0 || done == 0 {
        std::process::exit(1);
    }
}
