//! Property tests: random policies and random (often hostile) requests, every decision and every
//! response checked against the independent oracle of `tests::oracle` (see SECURITY.md).
//!
//! Invariants (each enforced by `tests::invariants`):
//! 1. `Access-Control-Allow-Origin` only for an origin the policy allows (echoed verbatim, or
//!    `*` for a credential-free any-origin policy), and only with exactly one `Origin` header.
//! 2. Never ACAO `*` together with `Access-Control-Allow-Credentials`.
//! 3. `Vary: Origin` on every response of a route whose ACAO depends on the origin (and the
//!    three preflight names on every preflight answer), never listed twice.
//! 4. A preflight is allowed only for the route's methods, the allowed headers (`*` never
//!    covering Authorization), and private network access only if granted.
//! 5. Refused cross-origin actual requests never reach the handler.
//! 6. Output header values are valid; no 5xx; no panic.

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use actix_web::{delete, get, post, route, web, App, HttpMessage, HttpResponse};
use cors_actix::{cors, Cors, OnRefusal};
use cors_core::{HeaderInput, Key, Location, PreflightRequest, ProblemKind};
use proptest::prelude::*;
use proptest::sample::select;
use tests::fixtures::{self, Harness};
use tests::invariants::{
    check_actual_decision, check_exchange, check_preflight_decision, AppSpec, Exchange,
    RoutePolicy, RouteSpec, HANDLER_MARK,
};
use tests::oracle::{Model, ModelPort};

const HOSTS: &[&str] = &[
    "example.com",
    "app.example.com",
    "a.example.com",
    "preview.example.com",
    "b.preview.example.com",
    "evil.com",
    "example.com.evil.com",
    "partner.example",
    "acme.partner.example",
    "apps.example.org",
    "localhost",
    "127.0.0.1",
    "[::1]",
];
const SUFFIXES: &[&str] = &[
    "example.com",
    "preview.example.com",
    "partner.example",
    "apps.example.org",
    "evil.com",
];
const SCHEMES: &[&str] = &["https", "http"];
const PORTS: &[Option<u16>] = &[None, None, Some(8080), Some(3000), Some(8443)];
const HEADER_POOL: &[&str] = &[
    "Authorization",
    "X-Request-Id",
    "Content-Type",
    "x-custom",
    "X-Total-Count",
];
const METHOD_POOL: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH"];

fn origin_text(scheme: &str, host: &str, port: Option<u16>) -> String {
    match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    }
}

fn exact_origin() -> impl Strategy<Value = String> {
    (select(SCHEMES), select(HOSTS), select(PORTS)).prop_map(|(s, h, p)| origin_text(s, h, p))
}

fn model_port() -> impl Strategy<Value = ModelPort> {
    prop_oneof![
        3 => Just(ModelPort::Default),
        1 => Just(ModelPort::Exact(8443)),
        1 => Just(ModelPort::Any),
    ]
}

fn subset(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(pool, 0..=pool.len())
        .prop_map(|v| v.into_iter().map(str::to_string).collect())
}

prop_compose! {
    fn raw_model()(
        any_origin in prop::bool::weighted(0.2),
        null in prop::bool::weighted(0.15),
        exact in prop::collection::vec(exact_origin(), 0..3),
        any_port in prop::collection::vec((select(SCHEMES), select(HOSTS)), 0..2),
        subdomains in prop::collection::vec((select(SCHEMES), select(SUFFIXES), model_port()), 0..3),
        regexes in prop::collection::vec((select(SCHEMES), select(SUFFIXES)), 0..2),
        credentials in any::<bool>(),
        any_header in prop::bool::weighted(0.2),
        headers in subset(&HEADER_POOL[..4]),
        methods in subset(METHOD_POOL),
        expose in subset(&["X-Total-Count", "X-Request-Id"]),
        max_age in prop::option::of(0u32..=86_400),
        private_network in any::<bool>(),
    ) -> Model {
        let mut m = Model {
            any_origin,
            exact,
            any_port: any_port.into_iter().map(|(s, h)| (s.to_string(), h.to_string())).collect(),
            subdomains: subdomains.into_iter().map(|(s, x, p)| (s.to_string(), x.to_string(), p)).collect(),
            regexes: regexes.into_iter().map(|(s, x)| (s.to_string(), x.to_string())).collect(),
            credentials: credentials && !any_origin && !any_header,
            any_header,
            headers,
            methods,
            expose,
            max_age,
            private_network,
        };
        if any_header {
            // `*` already covers every listed name but Authorization.
            m.headers.retain(|h| h == "Authorization");
        }
        if null {
            m.exact.push("null".into());
        }
        if any_origin {
            m.exact.clear();
            m.any_port.clear();
            m.subdomains.clear();
            m.regexes.clear();
        } else if m.exact.is_empty() && m.any_port.is_empty() && m.subdomains.is_empty() && m.regexes.is_empty() {
            m.exact.push("https://app.example.com".into());
        }
        m
    }
}

/// Removes duplicate and shadowed origin entries, which validation rightly rejects.
fn normalize(mut m: Model) -> Model {
    for _ in 0..8 {
        let problems = match m.build() {
            Ok(_) => return m,
            Err(e) => e.into_problems(),
        };
        let mut drop: Vec<usize> = Vec::new();
        for p in &problems {
            match (p.kind, &p.location) {
                (
                    ProblemKind::DuplicateOrigin
                    | ProblemKind::ShadowedOrigin
                    | ProblemKind::RedundantEntry,
                    Location::Item(Key::Origins, i),
                ) => drop.push(*i),
                _ => panic!("generated an invalid model {m:?}: {p}"),
            }
        }
        drop.sort_unstable();
        drop.dedup();
        for i in drop.into_iter().rev() {
            let (e, a, s) = (m.exact.len(), m.any_port.len(), m.subdomains.len());
            if i < e {
                m.exact.remove(i);
            } else if i < e + a {
                m.any_port.remove(i - e);
            } else if i < e + a + s {
                m.subdomains.remove(i - e - a);
            } else {
                m.regexes.remove(i - e - a - s);
            }
        }
    }
    panic!("could not normalize {m:?}");
}

fn model() -> impl Strategy<Value = Model> {
    raw_model().prop_map(normalize)
}

/// Origins a request may carry: the policy's own origins, every trick on them, and noise.
fn request_origin(m: &Model) -> BoxedStrategy<Vec<u8>> {
    let mut own: Vec<String> = m.exact.clone();
    for (s, h) in &m.any_port {
        own.push(format!("{s}://{h}"));
        own.push(format!("{s}://{h}:5173"));
    }
    for (s, x, p) in &m.subdomains {
        let port = match p {
            ModelPort::Default => String::new(),
            ModelPort::Exact(p) => format!(":{p}"),
            ModelPort::Any => ":9000".into(),
        };
        own.push(format!("{s}://pr-1.{x}{port}"));
        own.push(format!("{s}://a.b.{x}{port}"));
    }
    for (s, x) in &m.regexes {
        own.push(format!("{s}://acme.{x}"));
    }
    own.push("https://app.example.com".into());
    let own = select(own);
    prop_oneof![
        4 => own.clone().prop_map(String::into_bytes),
        4 => (own, 0usize..TRICKS.len()).prop_map(|(o, t)| TRICKS[t](&o).into_bytes()),
        2 => exact_origin().prop_map(String::into_bytes),
        1 => Just(b"null".to_vec()),
        1 => "[a-zA-Z0-9:/.@_`\\[\\]%-]{0,40}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..48),
    ]
    .boxed()
}

type Trick = fn(&str) -> String;

/// Ways to forge an origin that looks like an allowed one.
const TRICKS: &[Trick] = &[
    |o| format!("{o}.evil.com"),
    |o| o.replacen("://", "://evil", 1),
    |o| o.replacen("://", "://evil.", 1),
    |o| format!("{o}@evil.com"),
    |o| format!("{o}`.evil.com"),
    |o| format!("{o}_.evil.com"),
    |o| format!("{o}."),
    |o| o.to_ascii_uppercase(),
    |o| o.replacen("https", "HTTPS", 1),
    |o| format!("{o}:443"),
    |o| format!("{o}:80"),
    |o| format!("{o}/"),
    |o| format!(" {o}"),
    |o| format!("{o} "),
    |o| format!("{o}\t"),
    |o| format!("{o}\u{0}"),
    |o| format!("{o}, https://evil.com"),
    |o| format!("https://evil.com,{o}"),
    |o| o.replacen("https://", "http://", 1),
    |o| o.replacen("http://", "https://", 1),
    |o| format!("{o}:1"),
    |o| o.replacen('.', "", 1),
    |o| o.replacen('.', "x", 1),
    |o| o.replacen("://", "://.", 1),
    |o| o.replacen("://", ":///", 1),
    |o| o.replacen("://", "://evil.com\\@", 1),
    |o| o.replacen("://", "://%61", 1),
    |o| format!("{o}\u{e9}"),
    |o| o.trim_end_matches(char::is_alphanumeric).to_string(),
];

fn request_method() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => select(METHOD_POOL).prop_map(|m| m.as_bytes().to_vec()),
        1 => select(&["get", "TRACE", "CONNECT", "TRACK", "trace", "OPTIONS", "X-CUSTOM", "", "GE T", "GET,PUT"][..])
            .prop_map(|m| m.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..12),
    ]
}

fn request_headers() -> impl Strategy<Value = Vec<u8>> {
    let names = prop::collection::vec(
        prop_oneof![
            6 => select(HEADER_POOL).prop_map(str::to_string),
            2 => select(HEADER_POOL).prop_map(|h| h.to_ascii_lowercase()),
            1 => select(&["authorization", "AUTHORIZATION", "x-other", "cookie", "x a", "x-\u{e9}", ""][..]).prop_map(str::to_string),
        ],
        0..4,
    );
    let sep = select(&[",", ", ", " , ", ",,", ",\t"][..]);
    prop_oneof![
        8 => (names, sep).prop_map(|(n, s)| n.join(s).into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..24),
        1 => (1usize..400).prop_map(|n| vec!["x-request-id"; n].join(",").into_bytes()),
    ]
}

fn private_network() -> impl Strategy<Value = Vec<u8>> {
    select(&["true", "TRUE", "false", "1", ""][..]).prop_map(|v| v.as_bytes().to_vec())
}

/// How many times a header is sent.
fn count() -> impl Strategy<Value = usize> {
    prop_oneof![2 => Just(0usize), 8 => Just(1usize), 1 => Just(2usize)]
}

#[derive(Clone, Debug)]
struct Request {
    origin: (usize, Vec<u8>),
    method: (usize, Vec<u8>),
    headers: (usize, Vec<u8>),
    private_network: (usize, Vec<u8>),
    sec_fetch_site: Option<&'static str>,
}

fn request(m: &Model) -> impl Strategy<Value = Request> {
    (
        (count(), request_origin(m)),
        (count(), request_method()),
        (count(), request_headers()),
        (count(), private_network()),
        prop::option::weighted(
            0.1,
            select(&["same-origin", "cross-site", "same-site", "none"][..]),
        ),
    )
        .prop_map(|(origin, method, headers, pna, sfs)| Request {
            origin,
            method,
            headers,
            private_network: pna,
            sec_fetch_site: sfs,
        })
}

fn input((n, v): &(usize, Vec<u8>)) -> HeaderInput<'_> {
    match n {
        0 => HeaderInput::Missing,
        1 => HeaderInput::One(v),
        _ => HeaderInput::Many,
    }
}

fn model_and_requests(n: usize) -> impl Strategy<Value = (Model, Vec<Request>)> {
    model().prop_flat_map(move |m| {
        let reqs = prop::collection::vec(request(&m), 1..n);
        (Just(m), reqs)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Invariants 1, 2 at the decision level: `Policy::actual`.
    #[test]
    fn core_actual_decisions_match_oracle((m, reqs) in model_and_requests(24)) {
        let policy = m.build().expect("normalized models validate");
        for r in &reqs {
            if let Err(e) = check_actual_decision(&m, &policy, input(&r.origin)) {
                prop_assert!(false, "{e}\nmodel: {m:?}");
            }
        }
    }

    /// Invariants 1, 2, 4 at the decision level: `Policy::preflight`.
    #[test]
    fn core_preflight_decisions_match_oracle((m, reqs) in model_and_requests(24)) {
        let policy = m.build().expect("normalized models validate");
        for r in &reqs {
            let request = PreflightRequest::new(input(&r.origin), input(&r.method)).headers(input(&r.headers)).private_network(input(&r.private_network));
            if let Err(e) = check_preflight_decision(&m, &policy, &request) {
                prop_assert!(false, "{e}\nmodel: {m:?}");
            }
        }
    }

    /// The oracle is not vacuous: over random policies, it sees both allowed and refused
    /// origins (so a policy that allowed everything, or nothing, would fail the tests above).
    #[test]
    fn core_every_origin_a_policy_lists_is_allowed(m in model()) {
        let policy = m.build().expect("normalized models validate");
        for o in m.exact.iter().filter(|o| *o != "null") {
            prop_assert!(matches!(policy.actual(HeaderInput::One(o.as_bytes())), cors_core::Decision::Allowed(_)), "{o}");
        }
        prop_assert!(matches!(
            policy.actual(HeaderInput::One(b"https://never-listed.invalid")),
            cors_core::Decision::Refused(_)
        ) || m.any_origin);
    }
}

// ---------------------------------------------------------------------------------------------
// The same invariants on real actix-web responses: named policies built from random models.

#[cors(policy = "a")]
#[get("/a")]
async fn route_a() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((HANDLER_MARK, "ran"))
        .finish()
}

#[cors(policy = "b")]
#[route("/b", method = "PUT", method = "DELETE")]
async fn route_b() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((HANDLER_MARK, "ran"))
        .insert_header(("vary", "Accept-Encoding"))
        .finish()
}

#[cors(policy = "c")]
#[post("/c/{id}")]
async fn route_c(_id: web::Path<String>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((HANDLER_MARK, "ran"))
        .finish()
}

#[cors(disable)]
#[delete("/a")]
async fn route_a_disabled() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((HANDLER_MARK, "ran"))
        .finish()
}

#[get("/plain")]
async fn route_plain() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((HANDLER_MARK, "ran"))
        .finish()
}

const PATHS: &[&str] = &["/a", "/b", "/c/x1", "/plain", "/nowhere"];
const METHODS: &[&str] = &[
    "GET", "OPTIONS", "OPTIONS", "PUT", "DELETE", "POST", "PATCH",
];

fn with_methods(mut m: Model, methods: &[&str]) -> Model {
    // A named policy may restrict methods further than its route; keep a non-empty overlap.
    m.methods.retain(|x| methods.contains(&x.as_str()));
    if m.methods.is_empty() {
        m.methods = methods.iter().map(|x| x.to_string()).collect();
    }
    m
}

#[derive(Clone, Debug)]
struct HttpCase {
    a: Model,
    b: Model,
    c: Model,
    default: Option<Model>,
    headers_only: bool,
    debug: bool,
    requests: Vec<(usize, usize, Request)>,
}

fn http_case() -> impl Strategy<Value = HttpCase> {
    (
        model(),
        model(),
        model(),
        prop::option::weighted(0.4, model()),
    )
        .prop_flat_map(|(a, b, c, default)| {
            let a = with_methods(a, &["GET"]);
            let b = with_methods(b, &["PUT", "DELETE"]);
            let c = with_methods(c, &["POST"]);
            // Requests carry origins drawn from every policy of the app.
            let mut union = a.clone();
            for other in [&b, &c].into_iter().chain(default.as_ref()) {
                union.exact.extend(other.exact.iter().cloned());
                union.any_port.extend(other.any_port.iter().cloned());
                union.subdomains.extend(other.subdomains.iter().cloned());
                union.regexes.extend(other.regexes.iter().cloned());
            }
            let reqs =
                prop::collection::vec((0..PATHS.len(), 0..METHODS.len(), request(&union)), 1..12);
            (
                Just(a),
                Just(b),
                Just(c),
                Just(default),
                prop::bool::weighted(0.2),
                prop::bool::weighted(0.3),
                reqs,
            )
                .prop_map(|(a, b, c, default, headers_only, debug, requests)| {
                    HttpCase {
                        a,
                        b,
                        c,
                        default,
                        headers_only,
                        debug,
                        requests,
                    }
                })
        })
}

fn http_spec(case: &HttpCase) -> AppSpec {
    let route = |path, methods, policy| RouteSpec {
        path,
        methods,
        policy,
        rejects: false,
    };
    AppSpec {
        routes: vec![
            route("/a", &["GET"], RoutePolicy::Cors(case.a.clone())),
            route("/a", &["DELETE"], RoutePolicy::Disabled),
            route("/b", &["PUT", "DELETE"], RoutePolicy::Cors(case.b.clone())),
            route("/c/x1", &["POST"], RoutePolicy::Cors(case.c.clone())),
        ],
        default: case.default.clone(),
        headers_only: case.headers_only,
    }
}

fn to_test_request(path: &str, method: &Method, r: &Request) -> TestRequest {
    let mut req = TestRequest::default().method(method.clone()).uri(path);
    let mut add = |name: &'static str, (n, v): &(usize, Vec<u8>)| {
        let Ok(value) = actix_web::http::header::HeaderValue::from_bytes(v) else {
            return;
        };
        for _ in 0..*n {
            req = std::mem::take(&mut req).append_header((name, value.clone()));
        }
    };
    add("origin", &r.origin);
    add("access-control-request-method", &r.method);
    add("access-control-request-headers", &r.headers);
    add("access-control-request-private-network", &r.private_network);
    if let Some(sfs) = r.sec_fetch_site {
        req = req.insert_header(("sec-fetch-site", sfs));
    }
    req
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    /// Invariants 1-6 on real responses of an actix-web app whose `#[cors(policy = ..)]`
    /// routes use random runtime policies (and, sometimes, a random default policy,
    /// `OnRefusal::HeadersOnly`, debug mode with its reflected `X-Cors-Refusal` header).
    #[test]
    fn actix_responses_match_oracle(case in http_case()) {
        let build = |m: &Model| m.build().expect("normalized models validate");
        let on_refusal = if case.headers_only { OnRefusal::HeadersOnly } else { OnRefusal::Block };
        let cors = Cors::new()
            .on_refusal(on_refusal)
            .debug(case.debug)
            .policy("a", build(&case.a))
            .policy("b", build(&case.b))
            .policy("c", build(&case.c));
        let routes = |config: &mut actix_web::web::ServiceConfig| {
            config
                .service(route_a)
                .service(route_a_disabled)
                .service(route_b)
                .service(route_c)
                .service(route_plain);
        };
        // Both middleware types: without a default policy, and with one.
        let harness = match &case.default {
            Some(d) => {
                let cors = cors.default_policy(build(d));
                Harness::new(move || App::new().configure(routes).wrap(cors))
            }
            None => Harness::new(move || App::new().configure(routes).wrap(cors)),
        };
        let spec = http_spec(&case);
        for (p, m, r) in &case.requests {
            let method = Method::from_bytes(METHODS[*m].as_bytes()).expect("valid method");
            let req = to_test_request(PATHS[*p], &method, r).to_request();
            let headers = req.headers().clone();
            let answer = harness.call(req);
            let ex = Exchange {
                method: &method,
                path: PATHS[*p],
                request: &headers,
                status: answer.status,
                response: &answer.headers,
            };
            if let Err(e) = check_exchange(&spec, &ex) {
                prop_assert!(false, "{e}\n{} {} {headers:?}\n-> {answer:?}", method, PATHS[*p]);
            }
        }
    }

    /// Invariants 1-6 on the fixed app (static `#[cors(...)]` policies emitted by the macro,
    /// named policies, a 401 from an inner middleware, a disabled route, a default policy).
    #[test]
    fn actix_fixed_app_matches_oracle(
        reqs in prop::collection::vec(
            (0..fixtures::PATHS.len(), 0..tests::fuzzing::METHODS.len(), any::<bool>(), {
                let mut union = fixtures::credentialed();
                for m in fixtures::models().into_iter().chain([fixtures::guarded_model(), fixtures::default_model()]) {
                    union.exact.extend(m.exact);
                    union.any_port.extend(m.any_port);
                    union.subdomains.extend(m.subdomains);
                    union.regexes.extend(m.regexes);
                }
                request(&union)
            }),
            1..24,
        )
    ) {
        let harnesses = [Harness::fixed(false), Harness::fixed(true)];
        for (p, m, with_default, r) in &reqs {
            let path = fixtures::PATHS[*p];
            let method = Method::from_bytes(tests::fuzzing::METHODS[*m].as_bytes()).expect("valid method");
            let req = to_test_request(path, &method, r).to_request();
            let headers = req.headers().clone();
            let answer = harnesses[usize::from(*with_default)].call(req);
            let spec = fixtures::app_spec(*with_default);
            let ex = Exchange { method: &method, path, request: &headers, status: answer.status, response: &answer.headers };
            if let Err(e) = check_exchange(&spec, &ex) {
                prop_assert!(false, "{e}\n{method} {path} {headers:?}\n-> {answer:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The checks can fail: each one rejects a deliberately wrong decision or response.

#[test]
fn oracle_catches_a_policy_broader_than_declared() {
    let declared = Model {
        exact: vec!["https://app.example.com".into()],
        ..Model::default()
    };
    let broader = Model {
        subdomains: vec![("https".into(), "example.com".into(), ModelPort::Default)],
        ..Model::default()
    }
    .build()
    .unwrap();
    let err = check_actual_decision(
        &declared,
        &broader,
        HeaderInput::One(b"https://evil.example.com"),
    )
    .unwrap_err();
    assert!(err.contains("oracle says Refuse"), "{err}");
}

/// A header map of static names and values, for the exchange checks below.
fn header_map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for &(name, value) in pairs {
        map.append(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    map
}

#[test]
fn exchange_check_rejects_wildcard_with_credentials_and_missing_vary() {
    let spec = fixtures::app_spec(false);
    let request = header_map(&[("origin", "https://app.example.com")]);
    let response = header_map(&[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
    ]);
    let ex = Exchange {
        method: &Method::GET,
        path: "/items",
        request: &request,
        status: StatusCode::OK,
        response: &response,
    };
    let err = check_exchange(&spec, &ex).unwrap_err();
    assert!(err.contains("ACAO * together with ACAC"), "{err}");

    let response = header_map(&[
        ("access-control-allow-origin", "https://app.example.com"),
        (HANDLER_MARK, "ran"),
    ]);
    let ex = Exchange {
        response: &response,
        ..ex
    };
    let err = check_exchange(&spec, &ex).unwrap_err();
    assert!(err.contains("no Vary: Origin"), "{err}");
}

#[test]
fn exchange_check_rejects_an_unblocked_refused_request() {
    let spec = fixtures::app_spec(false);
    let request = header_map(&[("origin", "https://evil.example")]);
    let response = header_map(&[(HANDLER_MARK, "ran"), ("vary", "Origin")]);
    let ex = Exchange {
        method: &Method::GET,
        path: "/items",
        request: &request,
        status: StatusCode::OK,
        response: &response,
    };
    let err = check_exchange(&spec, &ex).unwrap_err();
    assert!(err.contains("was not blocked"), "{err}");
}
