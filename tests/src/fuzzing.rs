//! The bodies of the fuzz targets (`fuzz/fuzz_targets/*.rs` call these), also run over the
//! committed corpora by `tests/tests/security_fuzz_corpus.rs` on stable Rust. Each function
//! panics when an invariant does not hold.
//!
//! Input format of [`decision`] and [`http`] (text-like, so that seeds are readable):
//!
//! ```text
//! <selector><method>                   first line: policy / path and method choice, as
//!                                      digits: `decision` uses policy `selector - '0'`
//!                                      (mod 5); `http` uses path `selector - '0'` (mod 8,
//!                                      `8`..`?` with the default policy) and method
//!                                      `method - '0'` (see [`PATHS`] and [`METHODS`])
//! o<Origin value>                      one line per header occurrence; the first byte says
//! m<Access-Control-Request-Method>     which header, the rest of the line is the value
//! h<Access-Control-Request-Headers>    (one leading space is skipped, so `o https://a.b`
//! p<Access-Control-Request-Private-Network>   works too)
//! s<Sec-Fetch-Site>
//! H<Host>, f<X-Forwarded-Host>, F<Forwarded>, P<X-Forwarded-Proto>   (`http` only)
//! ```
//!
//! A header given twice is sent twice. Other first bytes are ignored.

use std::cell::RefCell;
use std::sync::OnceLock;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::test::TestRequest;
use actix_web::HttpMessage;
use cors_core::{HeaderInput, Origin, Policy, PreflightRequest};

use crate::fixtures::{self, Harness, PATHS};
use crate::invariants::{
    check_actual_decision, check_exchange, check_preflight_decision, Exchange, REQUEST_HEADER_NAMES,
};
use crate::oracle::{self, Model};

/// The body of a fuzz target.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name (the directory names under `fuzz/corpus/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("origin", origin),
    ("request_headers", request_headers),
    ("decision", decision),
    ("http", http),
];

fn policies() -> &'static [(Model, Policy)] {
    static POLICIES: OnceLock<Vec<(Model, Policy)>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        fixtures::models()
            .into_iter()
            .map(|m| {
                let p = m
                    .build()
                    .unwrap_or_else(|e| panic!("fixture model does not validate: {e}"));
                (m, p)
            })
            .collect()
    })
}

fn fail(what: &str, data: &[u8], error: String) -> ! {
    panic!(
        "{what}: invariant violated for input {:?}: {error}",
        String::from_utf8_lossy(data)
    )
}

/// Fuzz target `origin`: the whole input is one `Origin` header value.
pub fn origin(data: &[u8]) {
    let parsed = Origin::parse(data);
    let text = std::str::from_utf8(data).ok();
    if let Ok(o) = &parsed {
        let rebuilt = if o.is_null() {
            "null".to_string()
        } else {
            match o.port() {
                Some(p) => format!("{}://{}:{p}", o.scheme(), o.host()),
                None => format!("{}://{}", o.scheme(), o.host()),
            }
        };
        if rebuilt.as_bytes() != data || o.as_str().as_bytes() != data {
            fail("origin", data, format!("components rebuild {rebuilt:?}"));
        }
        if o.without_port().len() > data.len() {
            fail("origin", data, "without_port longer than the origin".into());
        }
        if let Some(t) = text {
            if oracle::definitely_malformed(t) {
                fail("origin", data, "accepted a malformed origin".into());
            }
        }
    } else if let Some(t) = text {
        if oracle::simple_canonical_origin(t) && data.len() <= 512 {
            fail(
                "origin",
                data,
                format!("rejected a canonical origin: {parsed:?}"),
            );
        }
    }
    for (model, policy) in policies() {
        if let Err(e) = check_actual_decision(model, policy, HeaderInput::One(data)) {
            fail("origin", data, e);
        }
    }
}

/// Fuzz target `request_headers`: the whole input is one `Access-Control-Request-Headers`.
pub fn request_headers(data: &[u8]) {
    for (model, policy) in policies() {
        let allowed = policy.allowed_headers().check(data).is_ok();
        let verdict = model.request_headers_verdict(data);
        if !verdict.accepts(allowed) {
            fail(
                "request_headers",
                data,
                format!("oracle says {verdict:?}, allowed: {allowed} (model {model:?})"),
            );
        }
    }
}

/// A parsed fuzz input of the line format.
pub struct Lines<'a> {
    /// First byte of the first line.
    pub selector: u8,
    /// Second byte of the first line.
    pub method: u8,
    /// `(code, value)` per following line.
    pub fields: Vec<(u8, &'a [u8])>,
}

/// Parses the line format (never fails).
pub fn lines(data: &[u8]) -> Lines<'_> {
    let mut it = data.split(|&b| b == b'\n');
    let head = it.next().unwrap_or_default();
    let fields = it
        .filter_map(|line| {
            let (&code, rest) = line.split_first()?;
            Some((code, rest.strip_prefix(b" ").unwrap_or(rest)))
        })
        .collect();
    Lines {
        selector: head.first().copied().unwrap_or(0),
        method: head.get(1).copied().unwrap_or(0),
        fields,
    }
}

fn header_of(code: u8) -> Option<HeaderName> {
    let i = match code {
        b'o' => 0,
        b'm' => 1,
        b'h' => 2,
        b'p' => 3,
        b's' => 4,
        // What the server believes its own origin is (same-origin detection).
        b'H' => return Some(HeaderName::from_static("host")),
        b'f' => return Some(HeaderName::from_static("x-forwarded-host")),
        b'F' => return Some(HeaderName::from_static("forwarded")),
        b'P' => return Some(HeaderName::from_static("x-forwarded-proto")),
        _ => return None,
    };
    REQUEST_HEADER_NAMES
        .get(i)
        .map(|n| HeaderName::from_static(n))
}

fn field<'a>(lines: &Lines<'a>, code: u8) -> HeaderInput<'a> {
    HeaderInput::from_values(
        lines
            .fields
            .iter()
            .filter(|(c, _)| *c == code)
            .map(|(_, v)| *v),
    )
}

/// Fuzz target `decision`: the preflight and actual decisions of a fixed policy over arbitrary
/// header bytes and counts.
pub fn decision(data: &[u8]) {
    let lines = lines(data);
    let all = policies();
    let (model, policy) = &all[usize::from(lines.selector.wrapping_sub(b'0')) % all.len()];
    let origin = field(&lines, b'o');
    if let Err(e) = check_actual_decision(model, policy, origin) {
        fail("decision", data, e);
    }
    let request = PreflightRequest::new(origin, field(&lines, b'm'))
        .headers(field(&lines, b'h'))
        .private_network(field(&lines, b'p'));
    if let Err(e) = check_preflight_decision(model, policy, &request) {
        fail("decision", data, e);
    }
}

/// Request methods of the `http` target.
pub const METHODS: &[&str] = &["GET", "OPTIONS", "PUT", "DELETE", "POST", "PATCH", "HEAD"];

thread_local! {
    static HARNESSES: RefCell<Option<[Harness; 2]>> = const { RefCell::new(None) };
}

/// Fuzz target `http`: a whole request through the fixed actix-web app (with and without a
/// default policy), checked on the response headers it really gets.
pub fn http(data: &[u8]) {
    let lines = lines(data);
    let selector = usize::from(lines.selector.wrapping_sub(b'0'));
    let path = PATHS[selector % PATHS.len()];
    let with_default = (selector / PATHS.len()) % 2 == 1;
    let method = METHODS[usize::from(lines.method.wrapping_sub(b'0')) % METHODS.len()];
    let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
    let mut req = TestRequest::default().method(method.clone()).uri(path);
    for (code, value) in &lines.fields {
        let (Some(name), Ok(value)) = (header_of(*code), HeaderValue::from_bytes(value)) else {
            continue;
        };
        req = req.append_header((name, value));
    }
    let req = req.to_request();
    let request_headers = req.headers().clone();
    let answer = HARNESSES.with(|h| {
        let mut h = h.borrow_mut();
        let harnesses = h.get_or_insert_with(|| [Harness::fixed(false), Harness::fixed(true)]);
        harnesses[usize::from(with_default)].call(req)
    });
    let spec = fixtures::app_spec(with_default);
    let exchange = Exchange {
        method: &method,
        path,
        request: &request_headers,
        status: answer.status,
        response: &answer.headers,
    };
    if let Err(e) = check_exchange(&spec, &exchange) {
        fail("http", data, format!("{e}\n  response: {answer:?}"));
    }
}
