//! Adversarial origins: each trick is refused by every policy that does not mean it, both by
//! the decision (`cors-core`) and on the wire (`cors-actix`: no `Access-Control-Allow-Origin`,
//! the handler does not run, the preflight is refused). See SECURITY.md.
//!
//! Policies under attack (tests::fixtures):
//! - `/items` (GET): `https://app.example.com`, `http://localhost:3000`,
//!   `https://*.preview.example.com`, credentials;
//! - `/mixed/7` (PUT): `http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`,
//!   `https://*.example.com:8443`, `https://*.apps.example.org:*`,
//!   `regex(r"^https://[a-z0-9-]+\.partner\.example$")`;
//! - `/null` (POST): `null` (explicitly allowed) and `https://a.example.com`.

use std::time::{Duration, Instant};

use actix_web::http::header::HeaderValue;
use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use actix_web::HttpMessage;
use cors_core::{Decision, HeaderInput, PreflightRequest};
use tests::fixtures::{self, Harness};
use tests::invariants::{check_exchange, Exchange, HANDLER_MARK};
use tests::oracle::Model;

struct Target {
    path: &'static str,
    method: Method,
    model: Model,
}

fn items() -> Target {
    Target {
        path: "/items",
        method: Method::GET,
        model: fixtures::credentialed(),
    }
}

fn mixed() -> Target {
    Target {
        path: "/mixed/7",
        method: Method::PUT,
        model: fixtures::mixed(),
    }
}

fn null_route() -> Target {
    Target {
        path: "/null",
        method: Method::POST,
        model: fixtures::with_null(),
    }
}

/// Sends `origins` (one header line each) as an actual request and as a preflight to the
/// target route and asserts that nothing is granted. Also checks every invariant.
fn assert_refused_http(target: &Target, origins: &[&[u8]]) {
    let harness = Harness::fixed(false);
    let spec = fixtures::app_spec(false);
    for preflight in [false, true] {
        let method = if preflight {
            Method::OPTIONS
        } else {
            target.method.clone()
        };
        let mut req = TestRequest::default()
            .method(method.clone())
            .uri(target.path);
        for o in origins {
            let value = HeaderValue::from_bytes(o).expect("representable header value");
            req = req.append_header(("origin", value));
        }
        if preflight {
            req = req.insert_header(("access-control-request-method", target.method.as_str()));
        }
        let req = req.to_request();
        let headers = req.headers().clone();
        let answer = harness.call(req);
        let what = format!(
            "{} {} with Origin {:?}",
            method,
            target.path,
            origins
                .iter()
                .map(|o| String::from_utf8_lossy(o).into_owned())
                .collect::<Vec<_>>()
        );
        assert!(
            answer.status == StatusCode::FORBIDDEN || answer.status == StatusCode::BAD_REQUEST,
            "{what}: expected 403/400, got {answer:?}"
        );
        assert!(
            !answer.headers.contains_key("access-control-allow-origin"),
            "{what}: ACAO granted: {answer:?}"
        );
        assert!(
            !answer.headers.contains_key(HANDLER_MARK),
            "{what}: the handler ran"
        );
        check_exchange(
            &spec,
            &Exchange {
                method: &method,
                path: target.path,
                request: &headers,
                status: answer.status,
                response: &answer.headers,
            },
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}

/// Asserts that the target's policy refuses `origin` as an actual request and as a preflight,
/// and that the oracle agrees.
fn assert_refused_core(target: &Target, origin: &[u8]) {
    let policy = target.model.build().expect("fixture policy");
    let shown = String::from_utf8_lossy(origin);
    assert!(
        matches!(
            policy.actual(HeaderInput::One(origin)),
            Decision::Refused(_)
        ),
        "{} allowed {shown:?}",
        target.path
    );
    let preflight = PreflightRequest::new(
        HeaderInput::One(origin),
        HeaderInput::One(target.method.as_str().as_bytes()),
    );
    assert!(
        matches!(policy.preflight(&preflight), Decision::Refused(_)),
        "{} allowed the preflight of {shown:?}",
        target.path
    );
    assert_eq!(
        target.model.origin_verdict(origin),
        tests::oracle::Verdict::Refuse,
        "the oracle disagrees on {shown:?}"
    );
}

fn assert_refused(target: &Target, origin: &str) {
    assert_refused_core(target, origin.as_bytes());
    assert_refused_http(target, &[origin.as_bytes()]);
}

/// The genuine origins are allowed (so the refusals below are not vacuous).
#[test]
fn control_genuine_origins_are_allowed() {
    let harness = Harness::fixed(false);
    for (target, origin) in [
        (items(), "https://app.example.com"),
        (items(), "https://pr-7.preview.example.com"),
        (items(), "http://localhost:3000"),
        (mixed(), "http://localhost:5173"),
        (mixed(), "http://[::1]:8080"),
        (mixed(), "https://api.example.com:8443"),
        (mixed(), "https://x.apps.example.org"),
        (mixed(), "https://acme.partner.example"),
        (null_route(), "null"),
    ] {
        let req = TestRequest::default()
            .method(target.method.clone())
            .uri(target.path)
            .insert_header(("origin", origin))
            .to_request();
        let answer = harness.call(req);
        assert_eq!(
            answer
                .headers
                .get("access-control-allow-origin")
                .map(|v| v.as_bytes()),
            Some(origin.as_bytes()),
            "{} {origin}: {answer:?}",
            target.path
        );
    }
}

#[test]
fn suffix_trick_allowed_origin_followed_by_attacker_domain() {
    assert_refused(&items(), "https://app.example.com.evil.com");
    assert_refused(&items(), "https://pr-1.preview.example.com.evil.com");
    assert_refused(&mixed(), "https://acme.partner.example.evil.com");
    assert_refused(&mixed(), "http://localhost.evil.com:3000");
    assert_refused(&mixed(), "https://api.example.com.evil.com:8443");
}

#[test]
fn prefix_trick_attacker_label_glued_to_allowed_host() {
    assert_refused(&items(), "https://evilapp.example.com");
    assert_refused(&items(), "https://evilpreview.example.com");
    assert_refused(&items(), "https://evil-preview.example.com");
    assert_refused(&mixed(), "https://evilpartner.example");
    assert_refused(&mixed(), "https://acme.evilpartner.example");
    assert_refused(&mixed(), "http://evillocalhost:3000");
}

#[test]
fn subdomain_wildcard_never_matches_the_apex_or_a_sibling() {
    assert_refused(&items(), "https://preview.example.com");
    assert_refused(&items(), "https://example.com");
    assert_refused(&mixed(), "https://example.com:8443");
    assert_refused(&mixed(), "https://apps.example.org");
    assert_refused(&mixed(), "https://partner.example");
    assert_refused(&mixed(), "https://a.b.partner.example");
}

#[test]
fn userinfo_trick() {
    assert_refused(&items(), "https://app.example.com@evil.com");
    assert_refused(&items(), "https://evil.com@app.example.com");
    assert_refused(&items(), "https://app.example.com:pass@evil.com");
    assert_refused(&mixed(), "http://localhost:3000@evil.com");
}

#[test]
fn backtick_trick() {
    assert_refused(&items(), "https://app.example.com`.evil.com");
    assert_refused(&items(), "https://pr-1.preview.example.com`.evil.com");
    assert_refused(&mixed(), "https://acme`.partner.example");
}

#[test]
fn underscore_trick() {
    assert_refused(&items(), "https://app.example.com_.evil.com");
    assert_refused(&items(), "https://app_example.com");
    assert_refused(&items(), "https://pr_1.preview_example.com");
    // The regex allows `[a-z0-9-]+` only.
    assert_refused(&mixed(), "https://ac_me.partner.example");
}

#[test]
fn backslash_percent_and_path_tricks() {
    assert_refused(&items(), "https://app.example.com\\.evil.com");
    assert_refused(&items(), "https://evil.com\\@app.example.com");
    assert_refused(&items(), "https://app%2eexample.com");
    assert_refused(&items(), "https://app.example.com/");
    assert_refused(&items(), "https://app.example.com/.evil.com");
    assert_refused(&items(), "https://app.example.com?.evil.com");
    assert_refused(&items(), "https://app.example.com#.evil.com");
    assert_refused(&items(), "https://app.example.com:");
}

#[test]
fn trailing_dot() {
    assert_refused(&items(), "https://app.example.com.");
    assert_refused(&items(), "https://pr-1.preview.example.com.");
    assert_refused(&mixed(), "http://localhost.:3000");
    assert_refused(&mixed(), "https://acme.partner.example.");
}

#[test]
fn uppercase() {
    assert_refused(&items(), "https://APP.example.com");
    assert_refused(&items(), "https://app.example.COM");
    assert_refused(&items(), "HTTPS://app.example.com");
    assert_refused(&items(), "Https://app.example.com");
    assert_refused(&items(), "https://PR-1.preview.example.com");
    assert_refused(&mixed(), "https://ACME.partner.example");
    assert_refused(&mixed(), "http://LOCALHOST:3000");
}

#[test]
fn explicit_default_port() {
    assert_refused(&items(), "https://app.example.com:443");
    assert_refused(&items(), "https://pr-1.preview.example.com:443");
    assert_refused(&mixed(), "http://localhost:80");
    assert_refused(&mixed(), "http://127.0.0.1:80");
    assert_refused(&mixed(), "https://x.apps.example.org:443");
    // Leading zeros and out-of-range ports too.
    assert_refused(&items(), "http://localhost:03000");
    assert_refused(&mixed(), "http://localhost:0");
    assert_refused(&mixed(), "http://localhost:65536");
}

#[test]
fn scheme_and_port_downgrades() {
    assert_refused(&items(), "http://app.example.com");
    assert_refused(&items(), "wss://app.example.com");
    assert_refused(&items(), "https://app.example.com:8443");
    assert_refused(&items(), "http://localhost:3001");
    assert_refused(&items(), "https://localhost:3000");
    assert_refused(&mixed(), "https://localhost:3000");
    assert_refused(&mixed(), "https://api.example.com");
    assert_refused(&mixed(), "https://api.example.com:8444");
    assert_refused(&mixed(), "http://acme.partner.example");
}

#[test]
fn alternative_ip_address_forms() {
    assert_refused(&mixed(), "http://127.1:3000");
    assert_refused(&mixed(), "http://0x7f.0.0.1:3000");
    assert_refused(&mixed(), "http://2130706433:3000");
    assert_refused(&mixed(), "http://127.0.0.01:3000");
    assert_refused(&mixed(), "http://[0:0:0:0:0:0:0:1]:3000");
    assert_refused(&mixed(), "http://[::0001]:3000");
    assert_refused(&mixed(), "http://[::ffff:127.0.0.1]:3000");
}

#[test]
fn null_origin() {
    // Not listed: refused.
    assert_refused(&items(), "null");
    assert_refused(&mixed(), "null");
    // Listed: only the exact lowercase `null`.
    for variant in [
        "Null",
        "NULL",
        "null ",
        " null",
        "null,null",
        "nul",
        "null.",
    ] {
        assert_refused(&null_route(), variant);
    }
}

#[test]
fn whitespace_and_control_bytes() {
    let allowed = "https://app.example.com";
    // Representable in an HTTP header (actix accepts them): refused by us.
    for o in [
        format!(" {allowed}"),
        format!("{allowed} "),
        format!("{allowed}\t"),
        format!("\t{allowed}"),
        "https://app .example.com".to_string(),
        format!("{allowed}\u{7f}"),
    ] {
        // Leading/trailing whitespace is stripped by HTTP parsers; TestRequest keeps it.
        assert_refused_core(&items(), o.as_bytes());
        if HeaderValue::from_bytes(o.as_bytes()).is_ok() {
            assert_refused_http(&items(), &[o.as_bytes()]);
        }
    }
    // Not representable in a header value (the HTTP parser rejects the request first): the
    // decision refuses them anyway.
    for o in [
        format!("{allowed}\0"),
        format!("{allowed}\r\n"),
        format!("{allowed}\n.evil.com"),
        format!("{allowed}\u{b}"),
        format!("\0{allowed}"),
    ] {
        assert_refused_core(&items(), o.as_bytes());
    }
}

#[test]
fn several_origin_headers() {
    let a: &[u8] = b"https://app.example.com";
    assert_refused_http(&items(), &[a, a]);
    assert_refused_http(&items(), &[a, b"https://evil.com"]);
    assert_refused_http(&items(), &[b"https://evil.com", a]);
    let policy = fixtures::credentialed().build().unwrap();
    assert!(matches!(
        policy.actual(HeaderInput::Many),
        Decision::Refused(_)
    ));
}

#[test]
fn comma_joined_origins() {
    assert_refused(&items(), "https://app.example.com, https://evil.com");
    assert_refused(&items(), "https://app.example.com,https://evil.com");
    assert_refused(&items(), "https://evil.com, https://app.example.com");
    assert_refused(&items(), "https://app.example.com,https://app.example.com");
    assert_refused(&items(), "https://app.example.com https://evil.com");
    assert_refused(&null_route(), "null, https://evil.com");
}

#[test]
fn non_utf8_and_non_ascii_bytes() {
    for o in [
        &b"https://app.example.com\xff"[..],
        b"https://b\xfccher.example",
        b"\xef\xbb\xbfhttps://app.example.com",
        b"https://app.example.com\xc0\xae",
        "https://\u{430}pp.example.com".as_bytes(), // Cyrillic a
        "https://app.example.com\u{3002}evil.com".as_bytes(), // ideographic full stop
        "https://pr-1.preview\u{ff0e}example.com".as_bytes(), // fullwidth full stop
    ] {
        assert_refused_core(&items(), o);
        assert_refused_http(&items(), &[o]);
    }
}

#[test]
fn very_long_origins_are_refused_in_bounded_time() {
    // Over MAX_ORIGIN_LEN, with an allowed suffix.
    let long = format!("https://{}preview.example.com", "a.".repeat(300));
    assert_refused(&items(), &long);
    // A label over 63 bytes under an allowed wildcard and regex.
    let label = "a".repeat(64);
    assert_refused(&items(), &format!("https://{label}.preview.example.com"));
    assert_refused(&mixed(), &format!("https://{label}.partner.example"));
    // A host over 253 bytes made of valid labels.
    let host = format!("{}preview.example.com", "abcdefghi.".repeat(25));
    assert_refused(&items(), &format!("https://{host}"));
    // One MiB: refused, quickly (generous bound: debug build, shared machine).
    let huge = format!("https://{}.example.com", "a".repeat(1 << 20));
    let start = Instant::now();
    assert_refused(&items(), &huge);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn regex_dot_is_not_a_wildcard() {
    assert_refused(&mixed(), "https://acme.partnerXexample");
    assert_refused(&mixed(), "https://acme-partner.example");
    assert_refused(&mixed(), "https://acmeXpartner.example");
}

#[test]
fn huge_request_headers_are_refused_in_bounded_time() {
    let harness = Harness::fixed(false);
    let acrh = vec!["x-request-id"; 100_000].join(",");
    let start = Instant::now();
    let req = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/items")
        .insert_header(("origin", "https://app.example.com"))
        .insert_header(("access-control-request-method", "GET"))
        .insert_header(("access-control-request-headers", acrh))
        .to_request();
    let answer = harness.call(req);
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:?}");
    assert!(!answer.headers.contains_key("access-control-allow-origin"));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}
