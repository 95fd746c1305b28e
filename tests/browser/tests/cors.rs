//! The DSL, judged by a real browser: pages on `http://app.test`, `http://sub.app.test`,
//! `http://evil.test` ... call the API on `http://api.test` (all on one ephemeral port of
//! 127.0.0.1) with `fetch()` in headless Chromium. Each case asserts
//! - what the page's JavaScript could do: read the response, or get a `TypeError`;
//! - whether Chromium sent a preflight (DevTools, cross-checked with the server's journal);
//! - for blocked requests, Chromium's own reason (`corsErrorStatus.corsError`);
//! - on the server, whether the handler ran.
//!
//! Without Chromium the cases return early after a loud message (a failure with `CI=true`).
//! `cargo test -p browser-tests --test cors -- --nocapture` prints one line per case.

use std::future::{ready, Ready};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::error::ErrorUnauthorized;
use actix_web::middleware::{from_fn, Next};
use actix_web::{delete, get, patch, post, put, web, Error, HttpRequest, HttpResponse, Responder};
use browser_tests::{chromium, firefox, ran, Fetched, FirefoxFetched, TestServer};
use cors_actix::{cors, is_preflight};
use futures_util::future::LocalBoxFuture;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// The API under test. Page origins carry the server's ephemeral port, hence `:*` (any port).

#[cors(origins = ["http://app.test:*"])]
#[get("/simple")]
async fn simple(req: HttpRequest) -> impl Responder {
    ran(&req);
    "simple"
}

#[cors(origins = ["http://*.app.test:*"])]
#[get("/subdomains")]
async fn subdomains(req: HttpRequest) -> impl Responder {
    ran(&req);
    "subdomains"
}

#[cors(origins = [regex(r"^http://[a-z]+\.app\.test:[0-9]+$")])]
#[get("/regex")]
async fn regex_origin(req: HttpRequest) -> impl Responder {
    ran(&req);
    "regex"
}

#[cors(origins = ["http://app.test:*"])]
#[delete("/things/{id}")]
async fn delete_thing(req: HttpRequest, id: web::Path<u32>) -> impl Responder {
    ran(&req);
    format!("deleted {id}")
}

#[cors(origins = ["http://app.test:*"], headers = ["Content-Type"])]
#[put("/users/{id}")]
async fn put_user(req: HttpRequest, id: web::Path<u32>, body: String) -> impl Responder {
    ran(&req);
    format!("user {id} = {body}")
}

#[cors(origins = ["http://app.test:*"], headers = ["X-Request-Id"])]
#[get("/custom")]
async fn custom(req: HttpRequest) -> impl Responder {
    ran(&req);
    header(&req, "x-request-id")
}

#[cors(origins = ["http://app.test:*"], headers = ["Authorization"])]
#[get("/bearer")]
async fn bearer(req: HttpRequest) -> impl Responder {
    ran(&req);
    header(&req, "authorization")
}

#[cors(origins = ["http://app.test:*"], headers = "*")]
#[get("/any-header")]
async fn any_header(req: HttpRequest) -> impl Responder {
    ran(&req);
    header(&req, "x-anything")
}

#[cors(origins = ["http://app.test:*"], credentials, allow_insecure_origins)]
#[get("/credentialed")]
async fn credentialed(req: HttpRequest) -> impl Responder {
    ran(&req);
    "credentialed"
}

#[cors(origins = "*")]
#[get("/public")]
async fn public(req: HttpRequest) -> impl Responder {
    ran(&req);
    "public"
}

#[cors(origins = ["http://app.test:*"], expose = ["X-Total-Count"])]
#[get("/expose")]
async fn expose(req: HttpRequest) -> impl Responder {
    ran(&req);
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "7"))
        .insert_header(("X-Internal", "secret"))
        .body("expose")
}

#[cors(origins = ["http://app.test:*"], expose = "*")]
#[get("/expose-all")]
async fn expose_all(req: HttpRequest) -> impl Responder {
    ran(&req);
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "7"))
        .insert_header(("X-Internal", "secret"))
        .body("expose-all")
}

#[cors(origins = ["http://app.test:*"], headers = ["Content-Type"])]
#[post("/json")]
async fn json_post(req: HttpRequest, body: String) -> impl Responder {
    ran(&req);
    format!("stored {body}")
}

#[cors(origins = ["http://app.test:*"])]
#[post("/form")]
async fn form_post(req: HttpRequest, body: String) -> impl Responder {
    ran(&req);
    format!("stored {body}")
}

#[cors(origins = ["http://app.test:*", "http://*.app.test:*"])]
#[get("/doc")]
async fn get_doc(req: HttpRequest) -> impl Responder {
    ran(&req);
    "doc"
}

#[cors(origins = ["http://sub.app.test:*"], headers = ["Content-Type"])]
#[patch("/doc")]
async fn patch_doc(req: HttpRequest, body: String) -> impl Responder {
    ran(&req);
    format!("patched {body}")
}

#[get("/no-policy")]
async fn no_policy(req: HttpRequest) -> impl Responder {
    ran(&req);
    "no policy"
}

#[cors(origins = ["http://app.test:*"], headers = ["X-Request-Id"], max_age = 600)]
#[get("/cached")]
async fn cached(req: HttpRequest) -> impl Responder {
    ran(&req);
    "cached"
}

#[cors(origins = ["http://app.test:*"], headers = ["X-Request-Id"], max_age = 0)]
#[get("/uncached")]
async fn uncached(req: HttpRequest) -> impl Responder {
    ran(&req);
    "uncached"
}

/// Behind a scope's auth middleware that knows nothing of CORS (`naive_auth`): it would refuse
/// the preflight, but `Cors` answers it at the door, and puts this route's headers on the 401.
#[cors(origins = ["http://app.test:*"], headers = ["Authorization"])]
#[get("/me")]
async fn scoped_me(req: HttpRequest) -> impl Responder {
    ran(&req);
    "scoped me"
}

/// A scope-level auth layer written without any knowledge of CORS: no token, no entry.
async fn naive_auth(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.headers().get("authorization").map(|v| v.as_bytes()) == Some(b"Bearer letmein") {
        next.call(req).await
    } else {
        Err(ErrorUnauthorized("missing or wrong token"))
    }
}

#[cors(origins = ["http://app.test:*"], headers = ["Authorization"])]
#[get("/me", wrap = "BearerAuth")]
async fn me(req: HttpRequest) -> impl Responder {
    ran(&req);
    "me"
}

fn header(req: &HttpRequest, name: &str) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned()
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(simple)
        .service(subdomains)
        .service(regex_origin)
        .service(delete_thing)
        .service(web::scope("/v1").service(put_user))
        .service(custom)
        .service(bearer)
        .service(any_header)
        .service(credentialed)
        .service(public)
        .service(expose)
        .service(expose_all)
        .service(json_post)
        .service(form_post)
        .service(get_doc)
        .service(patch_doc)
        .service(no_policy)
        .service(cached)
        .service(uncached)
        .service(me)
        .service(
            web::scope("/scoped")
                .wrap(from_fn(naive_auth))
                .service(scoped_me),
        );
}

/// Route-level authentication: `Authorization: Bearer letmein` or a 401 *error* (as most auth
/// crates do). It lets preflights through, as CORS-aware auth layers do (`Cors` answers them at
/// the door anyway).
struct BearerAuth;

impl<S, B> Transform<S, ServiceRequest> for BearerAuth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = BearerAuthService<S>;
    type InitError = ();
    type Future = Ready<Result<BearerAuthService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(BearerAuthService { service }))
    }
}

struct BearerAuthService<S> {
    service: S,
}

impl<S, B> Service<ServiceRequest> for BearerAuthService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Error>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let token = req.headers().get("authorization").map(|v| v.as_bytes());
        if is_preflight(req.head()) || token == Some(b"Bearer letmein") {
            let response = self.service.call(req);
            Box::pin(response)
        } else {
            Box::pin(async { Err(ErrorUnauthorized("missing or wrong token")) })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The harness of this file.

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start(routes))
}

/// A `fetch()` to make: method, path on the API, and `init` (headers, body, credentials).
struct Req {
    path: &'static str,
    init: Value,
}

fn req(method: &str, path: &'static str) -> Req {
    Req {
        path,
        init: json!({ "method": method }),
    }
}

fn get(path: &'static str) -> Req {
    req("GET", path)
}

impl Req {
    fn header(mut self, name: &str, value: &str) -> Req {
        self.init["headers"][name] = value.into();
        self
    }

    fn body(mut self, content_type: &str, body: &str) -> Req {
        self.init["body"] = body.into();
        self.header("Content-Type", content_type)
    }

    fn json(self, body: &str) -> Req {
        self.body("application/json", body)
    }

    fn form(self, body: &str) -> Req {
        self.body("application/x-www-form-urlencoded", body)
    }

    fn credentials(mut self) -> Req {
        self.init["credentials"] = "include".into();
        self
    }

    fn method(&self) -> &str {
        self.init["method"].as_str().unwrap_or("GET")
    }
}

/// What the page's JavaScript gets.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    /// The response, with this status.
    Readable(u16),
    /// A `TypeError`; Chromium's `corsError` is this.
    Blocked(&'static str),
}
use Outcome::{Blocked, Readable};

const PREFLIGHT: bool = true;
const NO_PREFLIGHT: bool = false;
const HANDLER_RAN: bool = true;
const HANDLER_NOT_RUN: bool = false;

/// A unique `case=` token: the journal's key, and a unique URL (no cache can answer for it).
fn token(name: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{name}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// What one case observed.
struct Observed {
    fetched: Fetched,
    /// Requests of the case that reached the server.
    requests: Vec<browser_tests::Seen>,
}

/// Runs one `fetch()` from a page on `page_host` in Chromium (in a fresh browser context) and
/// in Firefox, and checks both; `None` if Chromium is absent (the Chromium-only checks of the
/// caller are then skipped).
async fn case(
    name: &str,
    page_host: &str,
    req: Req,
    outcome: Outcome,
    preflight: bool,
    handler_ran: bool,
) -> Option<Observed> {
    let in_firefox = tokio::task::spawn_blocking({
        let (name, page_host, path, init) = (
            name.to_owned(),
            page_host.to_owned(),
            req.path,
            req.init.clone(),
        );
        move || {
            firefox_case(
                &name,
                &page_host,
                path,
                &init,
                outcome,
                preflight,
                handler_ran,
            )
        }
    });
    let observed = chromium_case(name, page_host, req, outcome, preflight, handler_ran).await;
    let firefox = in_firefox.await.expect("the Firefox case");
    if let (Some(chromium), Some(firefox)) = (&observed, &firefox) {
        if chromium.fetched.readable {
            assert_eq!(
                firefox.body, chromium.fetched.body,
                "case {name}: both engines read the same body"
            );
        }
    }
    observed
}

/// The Firefox half of [`case`]: what the page read, and what reached the server. Firefox does
/// not say why it blocked a response (the page gets a `NetworkError`, and WebDriver has no
/// network events), so a blocked case checks the block, the preflight and the handler, not the
/// reason.
fn firefox_case(
    name: &str,
    page_host: &str,
    path: &str,
    init: &Value,
    outcome: Outcome,
    preflight: bool,
    handler_ran: bool,
) -> Option<FirefoxFetched> {
    let firefox = firefox()?;
    let started = Instant::now();
    let server = server();
    let case = token(name);
    let url = server.url("api.test", &format!("{path}?case={case}"));
    let fetched = firefox
        .fetch(&server.url(page_host, "/page"), &url, init, 1)
        .remove(0);
    let journal = &server.journal;
    let requests = journal.requests(&case);
    let runs = journal.handler_runs(&case);
    let seen: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.status))
        .collect();
    println!(
        "CASE {name:<46} {page_host:<19} {:<7} {path:<16} => {:<45} preflight: {} handler ran: {} server saw: [{}] ({} ms) [Firefox]",
        init["method"].as_str().unwrap_or("GET"),
        match fetched.readable {
            true => format!("readable {}", fetched.status.unwrap_or_default()),
            false => format!("blocked {:?}", fetched.error.as_deref().unwrap_or_default()),
        },
        if journal.preflights(&case) > 0 { "yes" } else { "no" },
        if runs > 0 { "yes" } else { "no" },
        seen.join(", "),
        started.elapsed().as_millis(),
    );
    let context = format!("Firefox, case {name}: {fetched:#?}\nserver saw {requests:#?}");
    match outcome {
        Readable(status) => {
            assert!(
                fetched.readable,
                "expected readable, was blocked; {context}"
            );
            assert_eq!(fetched.status, Some(status), "{context}");
        }
        Blocked(_) => {
            assert!(
                !fetched.readable,
                "expected blocked, was readable; {context}"
            );
            assert_eq!(
                fetched.error.as_deref(),
                Some("TypeError: NetworkError when attempting to fetch resource."),
                "{context}"
            );
        }
    }
    assert_eq!(
        journal.preflights(&case) > 0,
        preflight,
        "preflight reached the server; {context}"
    );
    assert_eq!(runs > 0, handler_ran, "handler ran; {context}");
    Some(fetched)
}

/// The Chromium half of [`case`], with what DevTools saw: the preflight and Chromium's reason
/// for a block.
async fn chromium_case(
    name: &str,
    page_host: &str,
    req: Req,
    outcome: Outcome,
    preflight: bool,
    handler_ran: bool,
) -> Option<Observed> {
    let chromium = chromium()?;
    let started = Instant::now();
    let server = server();
    let case = token(name);
    let mut tab = chromium.open(&server.url(page_host, "/page")).await;
    let url = server.url("api.test", &format!("{}?case={case}", req.path));
    let fetched = tab.fetch(&url, &req.init).await;
    tab.close().await;
    let journal = &server.journal;
    let requests = journal.requests(&case);
    let runs = journal.handler_runs(&case);
    let seen: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.status))
        .collect();
    let cors = fetched.network.cors.as_ref();
    println!(
        "CASE {name:<46} {page_host:<19} {:<7} {:<16} => {:<45} preflight: {} handler ran: {} server saw: [{}] ({} ms)",
        req.method(),
        req.path,
        match (fetched.readable, cors) {
            (true, _) => format!("readable {}", fetched.status.unwrap_or_default()),
            (false, Some(c)) if c.failed_parameter.is_empty() => format!("blocked {}", c.error),
            (false, Some(c)) => format!("blocked {} ({})", c.error, c.failed_parameter),
            (false, None) => format!("blocked (no corsErrorStatus) {:?}", fetched.error),
        },
        if fetched.network.preflights > 0 { "yes" } else { "no" },
        if runs > 0 { "yes" } else { "no" },
        seen.join(", "),
        started.elapsed().as_millis(),
    );

    let context = format!("case {name}: {fetched:#?}\nserver saw {requests:#?}");
    match outcome {
        Readable(status) => {
            assert!(
                fetched.readable,
                "expected readable, was blocked; {context}"
            );
            assert_eq!(fetched.status, Some(status), "{context}");
            assert_eq!(cors, None, "{context}");
        }
        Blocked(error) => {
            assert!(
                !fetched.readable,
                "expected blocked, was readable; {context}"
            );
            assert_eq!(
                fetched.error.as_deref(),
                Some("TypeError: Failed to fetch"),
                "{context}"
            );
            assert_eq!(cors.map(|c| c.error.as_str()), Some(error), "{context}");
        }
    }
    assert_eq!(
        fetched.network.preflights > 0,
        preflight,
        "preflight sent (DevTools); {context}"
    );
    assert_eq!(
        journal.preflights(&case) > 0,
        preflight,
        "preflight reached the server; {context}"
    );
    assert_eq!(runs > 0, handler_ran, "handler ran; {context}");
    Some(Observed { fetched, requests })
}

// ---------------------------------------------------------------------------------------------
// Simple requests: the browser sends them; the policy decides whether the page may read.

#[tokio::test]
async fn simple_get_from_an_allowed_origin_is_readable() {
    let Some(o) = case(
        "simple_get_allowed",
        "app.test",
        get("/simple"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "simple");
}

#[tokio::test]
async fn simple_get_from_a_refused_origin_is_blocked_before_the_handler() {
    let Some(o) = case(
        "simple_get_refused",
        "evil.test",
        get("/simple"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await
    else {
        return;
    };
    // The browser did send it (a simple request): the server refused it with a 403.
    assert_eq!(o.requests.len(), 1);
    assert_eq!(o.requests[0].status, 403);
}

#[tokio::test]
async fn subdomain_wildcard_allows_a_subdomain() {
    case(
        "wildcard_subdomain",
        "sub.app.test",
        get("/subdomains"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

#[tokio::test]
async fn subdomain_wildcard_refuses_the_apex() {
    case(
        "wildcard_apex",
        "app.test",
        get("/subdomains"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

#[tokio::test]
async fn regex_origin_allows_a_matching_origin() {
    case(
        "regex_allowed",
        "sub.app.test",
        get("/regex"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

#[tokio::test]
async fn anchored_regex_refuses_a_lookalike_suffix() {
    // `http://sub.app.test.evil.test:PORT` contains a match, but the regex is anchored.
    case(
        "regex_lookalike",
        "sub.app.test.evil.test",
        get("/regex"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

#[tokio::test]
async fn any_origin_policy_is_readable_from_anywhere() {
    case(
        "public_any_origin",
        "evil.test",
        get("/public"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

#[tokio::test]
async fn route_without_policy_is_not_readable_cross_origin_but_its_handler_runs() {
    // No `#[cors]`, no default policy: the app answers without CORS headers, so the browser
    // hides the response. The handler runs (documented: annotate routes with side effects).
    case(
        "no_policy_get",
        "app.test",
        get("/no-policy"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

#[tokio::test]
async fn preflight_for_a_route_without_policy_fails() {
    // The preflight is passed to the app unchanged: no OPTIONS route, no CORS headers.
    let Some(o) = case(
        "no_policy_delete",
        "app.test",
        req("DELETE", "/no-policy"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.requests.len(), 1, "only the preflight reached the server");
}

#[tokio::test]
async fn same_origin_post_is_never_blocked() {
    // A page on the API's own origin: Chromium sends `Origin` on a POST even same-origin, and
    // `api.test` is not in the policy; CORS never applies to same-origin requests.
    let Some(o) = case(
        "same_origin_post",
        "api.test",
        req("POST", "/form").form("a=1"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    let origin = o.requests[0].origin.as_deref().unwrap_or_default();
    assert!(origin.starts_with("http://api.test:"), "{origin}");
}

// ---------------------------------------------------------------------------------------------
// Methods that need a preflight.

#[tokio::test]
async fn delete_is_preflighted_and_allowed() {
    let Some(o) = case(
        "delete_allowed",
        "app.test",
        req("DELETE", "/things/9"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "deleted 9");
}

#[tokio::test]
async fn delete_from_a_refused_origin_stops_at_the_preflight() {
    let Some(o) = case(
        "delete_refused",
        "evil.test",
        req("DELETE", "/things/9"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await
    else {
        return;
    };
    // The browser never sent the DELETE.
    assert_eq!(o.requests.len(), 1);
    assert_eq!(
        (o.requests[0].method.as_str(), o.requests[0].status),
        ("OPTIONS", 403)
    );
}

#[tokio::test]
async fn put_on_a_scoped_route_with_a_path_parameter() {
    let Some(o) = case(
        "put_scoped_allowed",
        "app.test",
        req("PUT", "/v1/users/42").json(r#"{"name":"ada"}"#),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, r#"user 42 = {"name":"ada"}"#);
}

#[tokio::test]
async fn put_on_a_scoped_route_from_a_refused_origin() {
    case(
        "put_scoped_refused",
        "sub.app.test",
        req("PUT", "/v1/users/42").json("{}"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Request headers.

#[tokio::test]
async fn listed_custom_header_is_allowed() {
    let Some(o) = case(
        "custom_header_allowed",
        "app.test",
        get("/custom").header("X-Request-Id", "abc"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "abc", "the header reached the handler");
}

#[tokio::test]
async fn unlisted_custom_header_is_refused() {
    case(
        "custom_header_refused",
        "app.test",
        get("/custom").header("X-Debug", "1"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

#[tokio::test]
async fn listed_authorization_is_allowed() {
    let Some(o) = case(
        "authorization_allowed",
        "app.test",
        get("/bearer").header("Authorization", "Bearer abc"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "Bearer abc");
}

#[tokio::test]
async fn star_headers_allow_any_custom_header() {
    let Some(o) = case(
        "star_headers_custom",
        "app.test",
        get("/any-header").header("X-Anything", "yes"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "yes");
}

#[tokio::test]
async fn star_headers_never_cover_authorization() {
    case(
        "star_headers_authorization",
        "app.test",
        get("/any-header").header("Authorization", "Bearer abc"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Credentials.

#[tokio::test]
async fn credentialed_fetch_with_credentials_in_the_policy() {
    case(
        "credentials_allowed",
        "app.test",
        get("/credentialed").credentials(),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

#[tokio::test]
async fn credentialed_fetch_without_credentials_in_the_policy() {
    // The origin is allowed (so the handler runs) but without
    // `Access-Control-Allow-Credentials: true` the browser hides the response.
    case(
        "credentials_not_in_policy",
        "app.test",
        get("/simple").credentials(),
        Blocked("InvalidAllowCredentials"),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

#[tokio::test]
async fn credentialed_fetch_to_an_any_origin_policy() {
    // `Access-Control-Allow-Origin: *` is never valid for a credentialed request (and the DSL
    // refuses `origins = "*"` with `credentials` at compile time).
    case(
        "credentials_any_origin",
        "app.test",
        get("/public").credentials(),
        Blocked("WildcardOriginNotAllowed"),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Response headers.

#[tokio::test]
async fn only_exposed_response_headers_are_readable() {
    let Some(o) = case(
        "expose_listed",
        "app.test",
        get("/expose"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    let headers = &o.fetched.headers;
    assert_eq!(headers.get("x-total-count").map(String::as_str), Some("7"));
    assert_eq!(headers.get("x-internal"), None, "{headers:?}");
    // Safelisted response headers are always readable.
    assert!(headers.contains_key("content-length"), "{headers:?}");
}

#[tokio::test]
async fn expose_star_makes_every_response_header_readable() {
    let Some(o) = case(
        "expose_star",
        "app.test",
        get("/expose-all"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    let headers = &o.fetched.headers;
    assert_eq!(headers.get("x-total-count").map(String::as_str), Some("7"));
    assert_eq!(
        headers.get("x-internal").map(String::as_str),
        Some("secret")
    );
}

// ---------------------------------------------------------------------------------------------
// POST bodies: JSON needs a preflight, a form post does not.

#[tokio::test]
async fn json_post_is_preflighted_and_allowed() {
    let Some(o) = case(
        "json_post_allowed",
        "app.test",
        req("POST", "/json").json(r#"{"a":1}"#),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, r#"stored {"a":1}"#);
}

#[tokio::test]
async fn json_post_from_a_refused_origin_stops_at_the_preflight() {
    case(
        "json_post_refused",
        "evil.test",
        req("POST", "/json").json(r#"{"a":1}"#),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

#[tokio::test]
async fn json_content_type_needs_permission() {
    // `/form` does not list `Content-Type`: `application/json` is not a safelisted value.
    case(
        "json_post_without_content_type",
        "app.test",
        req("POST", "/form").json(r#"{"a":1}"#),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

#[tokio::test]
async fn form_post_from_an_allowed_origin() {
    let Some(o) = case(
        "form_post_allowed",
        "app.test",
        req("POST", "/form").form("a=1"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "stored a=1");
}

#[tokio::test]
async fn form_post_from_a_refused_origin_never_reaches_the_handler() {
    // No preflight protects a form post: the browser sends it. The middleware refuses it before
    // the handler, so no side effect happens.
    let Some(o) = case(
        "form_post_refused",
        "evil.test",
        req("POST", "/form").form("a=1"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.requests.len(), 1);
    assert_eq!(
        (o.requests[0].method.as_str(), o.requests[0].status),
        ("POST", 403)
    );
}

// ---------------------------------------------------------------------------------------------
// Two methods on one path, two policies.

#[tokio::test]
async fn two_policies_on_one_path_get() {
    case(
        "two_methods_get",
        "app.test",
        get("/doc"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

#[tokio::test]
async fn two_policies_on_one_path_patch_refused_for_the_get_origin() {
    case(
        "two_methods_patch_refused",
        "app.test",
        req("PATCH", "/doc").json("{}"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

#[tokio::test]
async fn two_policies_on_one_path_patch_allowed_for_its_origin() {
    let Some(o) = case(
        "two_methods_patch_allowed",
        "sub.app.test",
        req("PATCH", "/doc").json("{}"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "patched {}");
}

// ---------------------------------------------------------------------------------------------
// An error from an auth middleware stays readable.

#[tokio::test]
async fn unauthorized_error_is_readable_by_an_allowed_origin() {
    let Some(o) = case(
        "auth_401",
        "app.test",
        get("/me").header("Authorization", "Bearer wrong"),
        Readable(401),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "missing or wrong token");
}

#[tokio::test]
async fn authorized_request_reaches_the_handler() {
    let Some(o) = case(
        "auth_ok",
        "app.test",
        get("/me").header("Authorization", "Bearer letmein"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "me");
}

#[tokio::test]
async fn scoped_auth_unaware_of_cors_lets_the_preflight_pass_and_its_401_is_readable() {
    let Some(o) = case(
        "scoped_auth_401",
        "app.test",
        get("/scoped/me").header("Authorization", "Bearer wrong"),
        Readable(401),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "missing or wrong token");
}

#[tokio::test]
async fn scoped_auth_unaware_of_cors_lets_an_authorized_request_through() {
    let Some(o) = case(
        "scoped_auth_ok",
        "app.test",
        get("/scoped/me").header("Authorization", "Bearer letmein"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await
    else {
        return;
    };
    assert_eq!(o.fetched.body, "scoped me");
}

// ---------------------------------------------------------------------------------------------
// The preflight cache.

/// Two identical fetches in one page (one browser context): (preflights DevTools saw for each,
/// preflights that reached the server, handler runs).
async fn twice(name: &str, path: &'static str) -> Option<([usize; 2], usize, usize)> {
    let chromium = chromium()?;
    let server = server();
    let case = token(name);
    let mut tab = chromium.open(&server.url("app.test", "/page")).await;
    let url = server.url("api.test", &format!("{path}?case={case}"));
    let init = get(path).header("X-Request-Id", "1").init;
    let first = tab.fetch(&url, &init).await;
    let second = tab.fetch(&url, &init).await;
    tab.close().await;
    for fetched in [&first, &second] {
        assert!(fetched.readable, "{fetched:#?}");
    }
    let preflights = [first.network.preflights, second.network.preflights];
    let journal = &server.journal;
    let (on_server, runs) = (journal.preflights(&case), journal.handler_runs(&case));
    println!(
        "CASE {name:<46} app.test            GET     {path:<16} => readable 200 twice                         preflights: {preflights:?} (server: {on_server}) handler runs: {runs}"
    );
    Some((preflights, on_server, runs))
}

/// The same two fetches in Firefox: (preflights that reached the server, handler runs).
fn firefox_twice(name: &str, path: &'static str) -> Option<(usize, usize)> {
    let firefox = firefox()?;
    let server = server();
    let case = token(name);
    let url = server.url("api.test", &format!("{path}?case={case}"));
    let init = get(path).header("X-Request-Id", "1").init;
    let fetched = firefox.fetch(&server.url("app.test", "/page"), &url, &init, 2);
    for one in &fetched {
        assert!(one.readable, "Firefox: {one:#?}");
    }
    let journal = &server.journal;
    let (on_server, runs) = (journal.preflights(&case), journal.handler_runs(&case));
    println!(
        "CASE {name:<46} app.test            GET     {path:<16} => readable 200 twice                         preflights on the server: {on_server} handler runs: {runs} [Firefox]"
    );
    Some((on_server, runs))
}

// Per engine: Chromium honours `max_age` (capped at 7200 s) and skips the second preflight.
// Firefox ESR (capped at 86400 s) sent a preflight for each fetch in every run of this suite,
// with `max_age = 600` as with `max_age = 0`: under WebDriver, in its fresh automation
// profile, its preflight cache did not answer the second fetch (observed with Firefox 153 ESR
// on 2026-11-29; pinned, so that a change of behaviour is noticed).

#[tokio::test]
async fn max_age_lets_the_browser_skip_the_second_preflight() {
    let in_firefox = tokio::task::spawn_blocking(|| firefox_twice("max_age_600", "/cached"));
    if let Some((preflights, on_server, runs)) = twice("max_age_600", "/cached").await {
        assert_eq!(preflights, [1, 0]);
        assert_eq!((on_server, runs), (1, 2));
    }
    if let Some((on_server, runs)) = in_firefox.await.expect("the Firefox case") {
        assert_eq!((on_server, runs), (2, 2), "Firefox");
    }
}

#[tokio::test]
async fn max_age_zero_preflights_every_time() {
    // Without Access-Control-Max-Age Chromium would cache for 5 s (Firefox too); `max_age = 0`
    // disables it.
    let in_firefox = tokio::task::spawn_blocking(|| firefox_twice("max_age_0", "/uncached"));
    if let Some((preflights, on_server, runs)) = twice("max_age_0", "/uncached").await {
        assert_eq!(preflights, [1, 1]);
        assert_eq!((on_server, runs), (2, 2));
    }
    if let Some((on_server, runs)) = in_firefox.await.expect("the Firefox case") {
        assert_eq!((on_server, runs), (2, 2), "Firefox");
    }
}
