//! Criterion benchmarks of the decision path (no framework): what a request costs in cors-core.
//!
//! Run with `cargo bench -p cors-actix-core --bench decision`; compare cases within one run
//! (see docs/BENCHMARKS.md).

use std::hint::black_box;

use cors_core::{HeaderInput, Policy, PreflightRequest};
use criterion::{criterion_group, criterion_main, Criterion};

fn one_origin() -> Policy {
    Policy::builder()
        .allow_origin("https://app.example.com")
        .allow_credentials()
        .allow_headers(["Authorization", "X-Request-Id", "Content-Type"])
        .expose_headers(["X-Total-Count"])
        .max_age(600)
        .build()
        .unwrap()
}

fn wildcard() -> Policy {
    Policy::builder()
        .allow_origin("https://*.preview.example.com")
        .build()
        .unwrap()
}

fn regex() -> Policy {
    Policy::builder()
        .allow_origin_regex(r"^https://[a-z0-9-]+\.partner\.example$")
        .build()
        .unwrap()
}

/// 10,000 exact origins and 1,000 subdomain wildcards.
fn large() -> Policy {
    let exact = (0..10_000).map(|i| format!("https://app{i}.customers.example.com"));
    let wildcards = (0..1_000).map(|i| format!("https://*.tenant{i}.example.net"));
    Policy::builder()
        .allow_origins(exact.chain(wildcards))
        .allow_origin("https://app.example.com")
        .build()
        .unwrap()
}

fn preflight<'a>(origin: &'a [u8], headers: &'a [u8]) -> PreflightRequest<'a> {
    PreflightRequest::new(HeaderInput::One(origin), HeaderInput::One(b"DELETE"))
        .headers(HeaderInput::One(headers))
}

fn decisions(c: &mut Criterion) {
    let one = one_origin();
    let wildcard = wildcard();
    let regex = regex();
    let large = large();
    let mut g = c.benchmark_group("actual");
    g.bench_function("allowed_exact", |b| {
        b.iter(|| black_box(&one).actual(HeaderInput::One(black_box(b"https://app.example.com"))))
    });
    g.bench_function("refused", |b| {
        b.iter(|| black_box(&one).actual(HeaderInput::One(black_box(b"https://evil.example.com"))))
    });
    g.bench_function("allowed_subdomain_wildcard", |b| {
        b.iter(|| {
            black_box(&wildcard).actual(HeaderInput::One(black_box(
                b"https://pr-1234.preview.example.com",
            )))
        })
    });
    g.bench_function("allowed_regex", |b| {
        b.iter(|| {
            black_box(&regex).actual(HeaderInput::One(black_box(b"https://acme.partner.example")))
        })
    });
    g.bench_function("large_policy_allowed_exact", |b| {
        b.iter(|| black_box(&large).actual(HeaderInput::One(black_box(b"https://app.example.com"))))
    });
    g.bench_function("large_policy_allowed_wildcard", |b| {
        b.iter(|| {
            black_box(&large).actual(HeaderInput::One(black_box(
                b"https://x.tenant999.example.net",
            )))
        })
    });
    g.bench_function("large_policy_refused", |b| {
        b.iter(|| {
            black_box(&large).actual(HeaderInput::One(black_box(b"https://evil.example.com")))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("preflight");
    let p = preflight(
        b"https://app.example.com",
        b"authorization,content-type,x-request-id",
    );
    g.bench_function("three_headers", |b| {
        b.iter(|| black_box(&one).preflight(black_box(&p)))
    });
    let huge = vec![b'a'; 1 << 20];
    let p = preflight(b"https://app.example.com", &huge);
    g.bench_function("request_headers_1mib", |b| {
        b.iter(|| black_box(&one).preflight(black_box(&p)))
    });
    let commas = vec![b','; 10_000];
    let p = preflight(b"https://app.example.com", &commas);
    g.bench_function("request_headers_10k_commas", |b| {
        b.iter(|| black_box(&one).preflight(black_box(&p)))
    });
    g.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
