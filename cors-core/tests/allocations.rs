//! Heap allocations per decision, counted exactly with dhat's testing mode: deciding a request
//! must not allocate. Deterministic, so it runs in CI (unlike the timing benchmarks).

use cors_core::{Decision, HeaderInput, Policy, PreflightRequest};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The origins of the first policy. Without the Public Suffix List a runtime policy cannot
/// verify a subdomain wildcard and refuses it, so that build checks the other matchers only.
fn origins() -> &'static [&'static str] {
    if cfg!(feature = "public-suffix-list") {
        &[
            "https://app.example.com",
            "https://*.preview.example.com",
            "http://localhost:*",
        ]
    } else {
        &["https://app.example.com", "http://localhost:*"]
    }
}

fn policies() -> Vec<Policy> {
    vec![
        Policy::builder()
            .allow_origins(origins().iter().copied())
            .allow_origin_regex(r"^https://[a-z0-9-]+\.partner\.example$")
            .allow_credentials()
            .allow_headers(["Authorization", "X-Request-Id"])
            .expose_headers(["X-Total-Count"])
            .max_age(600)
            .build()
            .unwrap(),
        Policy::builder()
            .allow_any_origin()
            .allow_any_header()
            .build()
            .unwrap(),
    ]
}

#[test]
fn decisions_do_not_allocate() {
    let policies = policies();
    let huge = vec![b'a'; 1 << 20];
    let origins: [&[u8]; 8] = [
        b"https://app.example.com",
        b"https://pr-1.preview.example.com",
        b"http://localhost:3000",
        b"https://acme.partner.example",
        b"https://evil.example",
        b"https://app.example.com/",
        b"null",
        &huge,
    ];
    let request_headers: [&[u8]; 3] = [b"authorization,x-request-id", b"x-other", &huge];
    // Warm up: regexes compile lazily on first use (allowed to allocate, once).
    for p in &policies {
        for o in origins {
            let _ = p.actual(HeaderInput::One(o));
        }
    }

    let _profiler = dhat::Profiler::builder()
        .testing()
        // The heap profile goes to the target directory, never into the source tree.
        .file_name(concat!(env!("CARGO_TARGET_TMPDIR"), "/dhat-heap.json"))
        .build();
    let before = dhat::HeapStats::get();
    let mut allowed = 0;
    let mut refused = 0;
    for p in &policies {
        for o in origins {
            match p.actual(HeaderInput::One(o)) {
                Decision::Allowed(_) => allowed += 1,
                Decision::Refused(_) => refused += 1,
                Decision::NotCors => {}
            }
            for h in request_headers {
                let request = PreflightRequest::new(HeaderInput::One(o), HeaderInput::One(b"GET"))
                    .headers(HeaderInput::One(h));
                match p.preflight(&request) {
                    Decision::Allowed(_) => allowed += 1,
                    Decision::Refused(_) => refused += 1,
                    Decision::NotCors => {}
                }
            }
            let _ = p.actual(HeaderInput::Many);
            let _ = p.actual(HeaderInput::Missing);
        }
    }
    let after = dhat::HeapStats::get();
    // The loop really decided allowed and refused requests of every kind.
    assert!(
        allowed >= 10 && refused >= 10,
        "allowed {allowed}, refused {refused}"
    );
    dhat::assert_eq!(after.total_blocks - before.total_blocks, 0);
}
