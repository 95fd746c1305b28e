//! The DSL, judged by a real browser: pages on `http://app.test`, `http://sub.app.test`,
//! `http://evil.test` ... call the API on `http://api.test` (all on one ephemeral port of
//! 127.0.0.1) with `fetch()` in headless Chromium. Each case asserts
//! - what the page's JavaScript could do: read the response, or get a `TypeError`;
//! - whether Chromium sent a preflight (DevTools, cross-checked with the server's journal);
//! - for blocked requests, Chromium's own reason (`corsErrorStatus.corsError`);
//! - on the server, whether the handler ran.
//!
//! Every case runs in Chromium, Firefox and WebKit, as a trial of its own (`chromium::case`,
//! ...): checked against the server's journal in every engine, and against DevTools (the
//! preflight, Chromium's own reason for a block) in Chromium. An engine that is not installed
//! makes its trials *ignored*, with the reason after the summary (failures with `CI=true`).
//! `cargo test -p browser-tests --test cors -- --nocapture` prints one line per case and engine.

use std::collections::HashMap;
use std::future::{ready, Ready};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::body::MessageBody;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::error::ErrorUnauthorized;
use actix_web::middleware::{from_fn, Next};
use actix_web::{delete, get, patch, post, put, web, Error, HttpRequest, HttpResponse, Responder};
use browser_tests::harness::{self, Case};
use browser_tests::{chromium, firefox, ran, webkit, Engine, TestServer};
use cors_actix::{cors, is_preflight, Cors, CrossOriginProtection, LivePolicy, Policy};
use cors_actix_test::ThirdPartyCookies;
use futures_util::future::LocalBoxFuture;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// The API under test. Page origins carry the server's ephemeral port, hence `:*` (any port).

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"])]
#[get("/simple")]
async fn simple(req: HttpRequest) -> impl Responder {
    ran(&req);
    "simple"
}

#[cors(origins = ["http://*.app.test:*", "http://*.app.localhost:*"])]
#[get("/subdomains")]
async fn subdomains(req: HttpRequest) -> impl Responder {
    ran(&req);
    "subdomains"
}

#[cors(origins = [regex(r"^http://[a-z]+\.app\.(test|localhost):[0-9]+$")])]
#[get("/regex")]
async fn regex_origin(req: HttpRequest) -> impl Responder {
    ran(&req);
    "regex"
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"])]
#[delete("/things/{id}")]
async fn delete_thing(req: HttpRequest, id: web::Path<u32>) -> impl Responder {
    ran(&req);
    format!("deleted {id}")
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], headers = ["Content-Type"])]
#[put("/users/{id}")]
async fn put_user(req: HttpRequest, id: web::Path<u32>, body: String) -> impl Responder {
    ran(&req);
    format!("user {id} = {body}")
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], headers = ["X-Request-Id"])]
#[get("/custom")]
async fn custom(req: HttpRequest) -> impl Responder {
    ran(&req);
    header(&req, "x-request-id")
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], headers = ["Authorization"])]
#[get("/bearer")]
async fn bearer(req: HttpRequest) -> impl Responder {
    ran(&req);
    header(&req, "authorization")
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], headers = "*")]
#[get("/any-header")]
async fn any_header(req: HttpRequest) -> impl Responder {
    ran(&req);
    header(&req, "x-anything")
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], credentials, allow_insecure_origins)]
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

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], expose = ["X-Total-Count"])]
#[get("/expose")]
async fn expose(req: HttpRequest) -> impl Responder {
    ran(&req);
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "7"))
        .insert_header(("X-Internal", "secret"))
        .body("expose")
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], expose = "*")]
#[get("/expose-all")]
async fn expose_all(req: HttpRequest) -> impl Responder {
    ran(&req);
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "7"))
        .insert_header(("X-Internal", "secret"))
        .body("expose-all")
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], headers = ["Content-Type"])]
#[post("/json")]
async fn json_post(req: HttpRequest, body: String) -> impl Responder {
    ran(&req);
    format!("stored {body}")
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"])]
#[post("/form")]
async fn form_post(req: HttpRequest, body: String) -> impl Responder {
    ran(&req);
    format!("stored {body}")
}

#[cors(origins = ["http://app.test:*", "http://*.app.test:*", "http://app.localhost:*", "http://*.app.localhost:*"])]
#[get("/doc")]
async fn get_doc(req: HttpRequest) -> impl Responder {
    ran(&req);
    "doc"
}

#[cors(origins = ["http://sub.app.test:*", "http://sub.app.localhost:*"], headers = ["Content-Type"])]
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

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], headers = ["X-Request-Id"], max_age = 600)]
#[get("/cached")]
async fn cached(req: HttpRequest) -> impl Responder {
    ran(&req);
    "cached"
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], headers = ["X-Request-Id"], max_age = 0)]
#[get("/uncached")]
async fn uncached(req: HttpRequest) -> impl Responder {
    ran(&req);
    "uncached"
}

/// Behind a scope's auth middleware that knows nothing of CORS (`naive_auth`): it would refuse
/// the preflight, but `Cors` answers it at the door, and puts this route's headers on the 401.
#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], headers = ["Authorization"])]
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

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], headers = ["Authorization"])]
#[get("/me", wrap = "BearerAuth")]
async fn me(req: HttpRequest) -> impl Responder {
    ran(&req);
    "me"
}

/// The first hop of a redirect: answered with this route's CORS headers, to the same path on
/// `other.test` (another origin than the API's), where the page's request goes on.
#[cors(origins = ["http://app.test:*", "http://app.localhost:*"])]
#[get("/hop/{to}")]
async fn hop(req: HttpRequest, to: web::Path<String>) -> HttpResponse {
    ran(&req);
    let host = req.connection_info().host().replacen("api.", "other.", 1);
    let location = format!("http://{host}/landing/{to}?{}", req.query_string());
    HttpResponse::TemporaryRedirect()
        .insert_header(("Location", location))
        .finish()
}

#[cors(origins = "*")]
#[get("/landing/any")]
async fn landing_any(req: HttpRequest) -> impl Responder {
    ran(&req);
    "landed (any origin)"
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*"])]
#[get("/landing/named")]
async fn landing_named(req: HttpRequest) -> impl Responder {
    ran(&req);
    "landed (named origins)"
}

#[cors(origins = ["http://app.test:*", "http://app.localhost:*", "null"], allow_null_origin)]
#[get("/landing/null")]
async fn landing_null(req: HttpRequest) -> impl Responder {
    ran(&req);
    "landed (null allowed)"
}

/// A cookie session (actix-session) of a credentialed SPA on another site: the cookie must be
/// `SameSite=None` to be sent cross-site, which takes `Secure`, which browsers accept over
/// plain HTTP only from `localhost` names: this case runs on `app.localhost` and
/// `api.localhost` in every engine.
#[cors(origins = ["http://app.localhost:*"], credentials, allow_insecure_origins)]
#[post("/login")]
async fn cookie_login(req: HttpRequest, session: Session) -> Result<HttpResponse, Error> {
    ran(&req);
    session.insert("user", "ada")?;
    Ok(HttpResponse::Ok().body("logged in"))
}

#[cors(origins = ["http://app.localhost:*"], credentials, allow_insecure_origins)]
#[get("/whoami")]
async fn cookie_whoami(req: HttpRequest, session: Session) -> Result<String, Error> {
    ran(&req);
    Ok(session
        .get::<String>("user")?
        .unwrap_or_else(|| "nobody".into()))
}

/// The session middleware of `/cookie`: one key for the process.
fn sessions() -> SessionMiddleware<CookieSessionStore> {
    static KEY: OnceLock<Key> = OnceLock::new();
    let key = KEY.get_or_init(Key::generate).clone();
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name("sid".into())
        .cookie_same_site(SameSite::None)
        .cookie_secure(true)
        .build()
}

/// actix-web-httpauth on a scope: a bearer token or its 401.
#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], headers = ["Authorization"])]
#[get("/me")]
async fn crates_me(req: HttpRequest) -> impl Responder {
    ran(&req);
    "crates me"
}

async fn bearer_validator(
    req: ServiceRequest,
    credentials: actix_web_httpauth::extractors::bearer::BearerAuth,
) -> Result<ServiceRequest, (Error, ServiceRequest)> {
    if credentials.token() == "letmein" {
        Ok(req)
    } else {
        Err((ErrorUnauthorized("wrong token"), req))
    }
}

/// actix-governor on a scope: one request per minute, then its 429. Budgets are per case (the
/// `case` query parameter), so that trials running at once do not share one.
#[cors(origins = ["http://app.test:*", "http://app.localhost:*"], expose = ["Retry-After"])]
#[get("/search")]
async fn crates_search(req: HttpRequest) -> impl Responder {
    ran(&req);
    "[]"
}

#[derive(Clone)]
struct PerCase;

impl actix_governor::KeyExtractor for PerCase {
    type Key = String;
    type KeyExtractionError = actix_governor::SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<String, Self::KeyExtractionError> {
        Ok(browser_tests::case_of(req.query_string()).unwrap_or_default())
    }
}

type Limiter =
    actix_governor::GovernorConfig<PerCase, actix_governor::governor::middleware::NoOpMiddleware>;

fn limiter(
) -> actix_governor::Governor<PerCase, actix_governor::governor::middleware::NoOpMiddleware> {
    // One configuration (and so one rate limiter) for every worker, as an app shares it.
    static CONFIG: OnceLock<Limiter> = OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        actix_governor::GovernorConfigBuilder::default()
            .seconds_per_request(60)
            .burst_size(1)
            .key_extractor(PerCase)
            .finish()
            .expect("a valid governor configuration")
    });
    actix_governor::Governor::new(config)
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
        .service(hop)
        .service(
            web::scope("/cookie")
                .wrap(sessions())
                .service(cookie_login)
                .service(cookie_whoami),
        )
        .service(
            web::scope("/crates/auth")
                .wrap(actix_web_httpauth::middleware::HttpAuthentication::bearer(
                    bearer_validator,
                ))
                .service(crates_me),
        )
        .service(
            web::scope("/crates/limited")
                .wrap(limiter())
                .service(crates_search),
        )
        .service(landing_any)
        .service(landing_named)
        .service(landing_null)
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

/// A case's requests through the test kit (cors-actix-test), against the same server as the
/// engine's, on a journal key of their own (`CASE-kit`), from one page (whose preflight cache
/// its fetches share).
struct Kit {
    /// The journal key of the kit's requests.
    case: String,
    url: String,
    page: cors_actix_test::Page,
    addr: std::net::SocketAddr,
}

impl Kit {
    /// The kit's page on `page_host` (written with `.test`: see [`Engine::host`]), fetching
    /// `path` on the API, for `case`.
    fn new(server: &TestServer, e: Engine, page_host: &str, case: &str, path: &str) -> Kit {
        let case = format!("{case}-kit");
        Kit {
            url: server.url(&e.host("api.test"), &format!("{path}?case={case}")),
            page: cors_actix_test::page(&server.url(&e.host(page_host), "")),
            addr: ([127, 0, 0, 1], server.port).into(),
            case,
        }
    }

    /// The fetch of a case's `init` (method, headers, body, credentials), sent.
    async fn send(&self, init: &Value) -> cors_actix_test::Seen {
        let mut page = self.page.clone();
        if init["credentials"] == "include" {
            page = page.credentials();
        }
        let mut fetch = page.fetch(init["method"].as_str().unwrap_or("GET"), &self.url);
        if let Some(headers) = init["headers"].as_object() {
            for (name, value) in headers {
                fetch = fetch.header(name, value.as_str().unwrap_or_default());
            }
        }
        if let Some(body) = init["body"].as_str() {
            fetch = fetch.body(body);
        }
        fetch.send_to(self.addr).await
    }
}

/// What one case observed, in one engine.
struct Observed {
    /// Its body, when readable.
    body: String,
    /// The response headers the page could read (lowercase names).
    headers: HashMap<String, String>,
    /// Requests of the case that reached the server.
    requests: Vec<browser_tests::Seen>,
}

/// Runs one `fetch()` from a page on `page_host` (written with `.test`: see [`Engine::host`])
/// in engine `e`, and checks what the page got, whether a preflight reached the server (and,
/// in Chromium, whether DevTools saw one, and Chromium's reason for a block), whether the
/// handler ran.
async fn case(
    e: Engine,
    name: &str,
    page_host: &str,
    req: Req,
    outcome: Outcome,
    preflight: bool,
    handler_ran: bool,
) -> Observed {
    let started = Instant::now();
    let server = server();
    let case = token(name);
    let page_host_written = page_host;
    let page_host = e.host(page_host);
    let page = server.url(&page_host, "/page");
    let url = server.url(&e.host("api.test"), &format!("{}?case={case}", req.path));
    let (readable, status, body, headers, error, devtools) = match e {
        Engine::Chromium => {
            let chromium = chromium().unwrap_or_else(|why| panic!("{why}"));
            let mut tab = chromium.open(&page).await;
            let fetched = tab.fetch(&url, &req.init).await;
            tab.close().await;
            let cors = fetched
                .network
                .cors
                .as_ref()
                .map(|c| (c.error.clone(), c.failed_parameter.clone()));
            (
                fetched.readable,
                fetched.status,
                fetched.body.clone(),
                fetched.headers.clone().into_iter().collect(),
                fetched.error.clone(),
                Some((fetched.network.preflights, cors)),
            )
        }
        Engine::Firefox | Engine::WebKit => {
            let init = req.init.clone();
            let url = url.clone();
            let fetched = tokio::task::spawn_blocking(move || {
                let driver = match e {
                    Engine::Firefox => firefox(),
                    _ => webkit(),
                }
                .unwrap_or_else(|why| panic!("{why}"));
                driver.fetch(&page, &url, &init, 1).remove(0)
            })
            .await
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic()));
            (
                fetched.readable,
                fetched.status,
                fetched.body,
                fetched.headers,
                fetched.error,
                None,
            )
        }
    };
    let journal = &server.journal;
    let requests = journal.requests(&case);
    let runs = journal.handler_runs(&case);
    let seen: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.status))
        .collect();
    let reason = devtools.as_ref().and_then(|(_, cors)| cors.clone());
    println!(
        "CASE {e:<8} {name:<46} {page_host:<24} {:<7} {:<16} => {:<45} preflight: {} handler ran: {} server saw: [{}] ({} ms)",
        req.method(),
        req.path,
        match (readable, &reason) {
            (true, _) => format!("readable {}", status.unwrap_or_default()),
            (false, Some((error, p))) if p.is_empty() => format!("blocked {error}"),
            (false, Some((error, p))) => format!("blocked {error} ({p})"),
            (false, None) => format!("blocked {:?}", error.as_deref().unwrap_or_default()),
        },
        if journal.preflights(&case) > 0 { "yes" } else { "no" },
        if runs > 0 { "yes" } else { "no" },
        seen.join(", "),
        started.elapsed().as_millis(),
    );
    let context = format!(
        "{e}, case {name}: readable {readable}, status {status:?}, error {error:?}, Chromium's reason {reason:?}, body {body:?}\nserver saw {requests:#?}"
    );
    match outcome {
        Readable(expected) => {
            assert!(readable, "expected readable, was blocked; {context}");
            assert_eq!(status, Some(expected), "{context}");
            assert_eq!(reason, None, "{context}");
        }
        Blocked(chromium_reason) => {
            assert!(!readable, "expected blocked, was readable; {context}");
            assert_eq!(error.as_deref(), Some(e.blocked_error()), "{context}");
            if e == Engine::Chromium {
                assert_eq!(
                    reason.as_ref().map(|(error, _)| error.as_str()),
                    Some(chromium_reason),
                    "{context}"
                );
            }
        }
    }
    if let Some((preflights, _)) = &devtools {
        assert_eq!(
            *preflights > 0,
            preflight,
            "preflight sent (DevTools); {context}"
        );
    }
    assert_eq!(
        journal.preflights(&case) > 0,
        preflight,
        "preflight reached the server; {context}"
    );
    assert_eq!(runs > 0, handler_ran, "handler ran; {context}");

    // The same fetch through the test kit (cors-actix-test), against the same server: it must
    // see what the engine saw, and name the block as Chromium does.
    let through_kit = Kit::new(server, e, page_host_written, &case, req.path);
    let kit = through_kit.send(&req.init).await;
    let kit_context = format!("{e}, case {name}, through the test kit: {kit:#?}");
    match outcome {
        Readable(expected) => {
            assert!(
                kit.readable,
                "the kit blocked what {e} let through; {kit_context}"
            );
            assert_eq!(kit.status, Some(expected), "{kit_context}");
            assert_eq!(kit.body, body, "{kit_context}");
        }
        Blocked(chromium_reason) => {
            assert!(
                !kit.readable,
                "the kit let through what {e} blocked; {kit_context}"
            );
            assert_eq!(
                kit.blocked.map(|why| format!("{why:?}")).as_deref(),
                Some(chromium_reason),
                "{kit_context}"
            );
        }
    }
    assert_eq!(kit.preflighted, preflight, "{kit_context}");
    assert_eq!(
        journal.handler_runs(&through_kit.case) > 0,
        handler_ran,
        "handler ran for the kit's request; {kit_context}"
    );
    if readable {
        // What the page can read of the response: the same non-safelisted headers.
        let non_safelisted = |names: Vec<&String>| -> Vec<String> {
            let mut names: Vec<String> = names
                .into_iter()
                .filter(|n| n.starts_with("x-"))
                .cloned()
                .collect();
            names.sort();
            names
        };
        assert_eq!(
            non_safelisted(kit.headers.iter().map(|(n, _)| n).collect()),
            non_safelisted(headers.keys().collect()),
            "readable headers; {kit_context}"
        );
    }
    Observed {
        body,
        headers,
        requests,
    }
}

// ---------------------------------------------------------------------------------------------
// Simple requests: the browser sends them; the policy decides whether the page may read.

async fn simple_get_from_an_allowed_origin_is_readable(e: Engine) {
    let o = case(
        e,
        "simple_get_allowed",
        "app.test",
        get("/simple"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "simple");
}

async fn simple_get_from_a_refused_origin_is_blocked_before_the_handler(e: Engine) {
    let o = case(
        e,
        "simple_get_refused",
        "evil.test",
        get("/simple"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
    // The browser did send it (a simple request): the server refused it with a 403.
    assert_eq!(o.requests.len(), 1);
    assert_eq!(o.requests[0].status, 403);
}

async fn subdomain_wildcard_allows_a_subdomain(e: Engine) {
    case(
        e,
        "wildcard_subdomain",
        "sub.app.test",
        get("/subdomains"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

async fn subdomain_wildcard_refuses_the_apex(e: Engine) {
    case(
        e,
        "wildcard_apex",
        "app.test",
        get("/subdomains"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

async fn regex_origin_allows_a_matching_origin(e: Engine) {
    case(
        e,
        "regex_allowed",
        "sub.app.test",
        get("/regex"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

async fn anchored_regex_refuses_a_lookalike_suffix(e: Engine) {
    // `http://sub.app.test.evil.test:PORT` contains a match, but the regex is anchored.
    case(
        e,
        "regex_lookalike",
        "sub.app.test.evil.test",
        get("/regex"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

async fn any_origin_policy_is_readable_from_anywhere(e: Engine) {
    case(
        e,
        "public_any_origin",
        "evil.test",
        get("/public"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

async fn route_without_policy_is_not_readable_cross_origin_but_its_handler_runs(e: Engine) {
    // No `#[cors]`, no default policy: the app answers without CORS headers, so the browser
    // hides the response. The handler runs (documented: annotate routes with side effects).
    case(
        e,
        "no_policy_get",
        "app.test",
        get("/no-policy"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

async fn preflight_for_a_route_without_policy_fails(e: Engine) {
    // The preflight is passed to the app unchanged: no OPTIONS route, no CORS headers.
    let o = case(
        e,
        "no_policy_delete",
        "app.test",
        req("DELETE", "/no-policy"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
    assert_eq!(o.requests.len(), 1, "only the preflight reached the server");
}

async fn same_origin_post_is_never_blocked(e: Engine) {
    // A page on the API's own origin: every engine sends `Origin` on a POST even same-origin,
    // and `api.test` is not in the policy; CORS never applies to same-origin requests.
    let o = case(
        e,
        "same_origin_post",
        "api.test",
        req("POST", "/form").form("a=1"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    let origin = o.requests[0].origin.as_deref().unwrap_or_default();
    let own = format!("http://{}:", e.host("api.test"));
    assert!(origin.starts_with(&own), "{e}: {origin}");
}

// ---------------------------------------------------------------------------------------------
// Methods that need a preflight.

async fn delete_is_preflighted_and_allowed(e: Engine) {
    let o = case(
        e,
        "delete_allowed",
        "app.test",
        req("DELETE", "/things/9"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "deleted 9");
}

async fn delete_from_a_refused_origin_stops_at_the_preflight(e: Engine) {
    let o = case(
        e,
        "delete_refused",
        "evil.test",
        req("DELETE", "/things/9"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
    // The browser never sent the DELETE.
    assert_eq!(o.requests.len(), 1);
    assert_eq!(
        (o.requests[0].method.as_str(), o.requests[0].status),
        ("OPTIONS", 403)
    );
}

async fn put_on_a_scoped_route_with_a_path_parameter(e: Engine) {
    let o = case(
        e,
        "put_scoped_allowed",
        "app.test",
        req("PUT", "/v1/users/42").json(r#"{"name":"ada"}"#),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, r#"user 42 = {"name":"ada"}"#);
}

async fn put_on_a_scoped_route_from_a_refused_origin(e: Engine) {
    case(
        e,
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

async fn listed_custom_header_is_allowed(e: Engine) {
    let o = case(
        e,
        "custom_header_allowed",
        "app.test",
        get("/custom").header("X-Request-Id", "abc"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "abc", "the header reached the handler");
}

async fn unlisted_custom_header_is_refused(e: Engine) {
    case(
        e,
        "custom_header_refused",
        "app.test",
        get("/custom").header("X-Debug", "1"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

async fn listed_authorization_is_allowed(e: Engine) {
    let o = case(
        e,
        "authorization_allowed",
        "app.test",
        get("/bearer").header("Authorization", "Bearer abc"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "Bearer abc");
}

async fn star_headers_allow_any_custom_header(e: Engine) {
    let o = case(
        e,
        "star_headers_custom",
        "app.test",
        get("/any-header").header("X-Anything", "yes"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "yes");
}

async fn star_headers_never_cover_authorization(e: Engine) {
    case(
        e,
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

async fn credentialed_fetch_with_credentials_in_the_policy(e: Engine) {
    case(
        e,
        "credentials_allowed",
        "app.test",
        get("/credentialed").credentials(),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

async fn credentialed_fetch_without_credentials_in_the_policy(e: Engine) {
    // The origin is allowed (so the handler runs) but without
    // `Access-Control-Allow-Credentials: true` the browser hides the response.
    case(
        e,
        "credentials_not_in_policy",
        "app.test",
        get("/simple").credentials(),
        Blocked("InvalidAllowCredentials"),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

async fn credentialed_fetch_to_an_any_origin_policy(e: Engine) {
    // `Access-Control-Allow-Origin: *` is never valid for a credentialed request (and the DSL
    // refuses `origins = "*"` with `credentials` at compile time).
    case(
        e,
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

async fn only_exposed_response_headers_are_readable(e: Engine) {
    let o = case(
        e,
        "expose_listed",
        "app.test",
        get("/expose"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    let headers = &o.headers;
    assert_eq!(headers.get("x-total-count").map(String::as_str), Some("7"));
    assert_eq!(headers.get("x-internal"), None, "{headers:?}");
    // Safelisted response headers are always readable.
    assert!(headers.contains_key("content-length"), "{headers:?}");
}

async fn expose_star_makes_every_response_header_readable(e: Engine) {
    let o = case(
        e,
        "expose_star",
        "app.test",
        get("/expose-all"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    let headers = &o.headers;
    assert_eq!(headers.get("x-total-count").map(String::as_str), Some("7"));
    assert_eq!(
        headers.get("x-internal").map(String::as_str),
        Some("secret")
    );
}

// ---------------------------------------------------------------------------------------------
// POST bodies: JSON needs a preflight, a form post does not.

async fn json_post_is_preflighted_and_allowed(e: Engine) {
    let o = case(
        e,
        "json_post_allowed",
        "app.test",
        req("POST", "/json").json(r#"{"a":1}"#),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, r#"stored {"a":1}"#);
}

async fn json_post_from_a_refused_origin_stops_at_the_preflight(e: Engine) {
    case(
        e,
        "json_post_refused",
        "evil.test",
        req("POST", "/json").json(r#"{"a":1}"#),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

async fn json_content_type_needs_permission(e: Engine) {
    // `/form` does not list `Content-Type`: `application/json` is not a safelisted value.
    case(
        e,
        "json_post_without_content_type",
        "app.test",
        req("POST", "/form").json(r#"{"a":1}"#),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

async fn form_post_from_an_allowed_origin(e: Engine) {
    let o = case(
        e,
        "form_post_allowed",
        "app.test",
        req("POST", "/form").form("a=1"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "stored a=1");
}

async fn form_post_from_a_refused_origin_never_reaches_the_handler(e: Engine) {
    // No preflight protects a form post: the browser sends it. The middleware refuses it before
    // the handler, so no side effect happens.
    let o = case(
        e,
        "form_post_refused",
        "evil.test",
        req("POST", "/form").form("a=1"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
    assert_eq!(o.requests.len(), 1);
    assert_eq!(
        (o.requests[0].method.as_str(), o.requests[0].status),
        ("POST", 403)
    );
}

// ---------------------------------------------------------------------------------------------
// Two methods on one path, two policies.

async fn two_policies_on_one_path_get(e: Engine) {
    case(
        e,
        "two_methods_get",
        "app.test",
        get("/doc"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
}

async fn two_policies_on_one_path_patch_refused_for_the_get_origin(e: Engine) {
    case(
        e,
        "two_methods_patch_refused",
        "app.test",
        req("PATCH", "/doc").json("{}"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

async fn two_policies_on_one_path_patch_allowed_for_its_origin(e: Engine) {
    let o = case(
        e,
        "two_methods_patch_allowed",
        "sub.app.test",
        req("PATCH", "/doc").json("{}"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "patched {}");
}

// ---------------------------------------------------------------------------------------------
// An error from an auth middleware stays readable.

async fn unauthorized_error_is_readable_by_an_allowed_origin(e: Engine) {
    let o = case(
        e,
        "auth_401",
        "app.test",
        get("/me").header("Authorization", "Bearer wrong"),
        Readable(401),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
    assert_eq!(o.body, "missing or wrong token");
}

async fn authorized_request_reaches_the_handler(e: Engine) {
    let o = case(
        e,
        "auth_ok",
        "app.test",
        get("/me").header("Authorization", "Bearer letmein"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "me");
}

async fn scoped_auth_unaware_of_cors_lets_the_preflight_pass_and_its_401_is_readable(e: Engine) {
    let o = case(
        e,
        "scoped_auth_401",
        "app.test",
        get("/scoped/me").header("Authorization", "Bearer wrong"),
        Readable(401),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
    assert_eq!(o.body, "missing or wrong token");
}

async fn scoped_auth_unaware_of_cors_lets_an_authorized_request_through(e: Engine) {
    let o = case(
        e,
        "scoped_auth_ok",
        "app.test",
        get("/scoped/me").header("Authorization", "Bearer letmein"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "scoped me");
}

// ---------------------------------------------------------------------------------------------
// The preflight cache.

/// Two identical fetches in one page: (preflights that reached the server, handler runs).
async fn twice(e: Engine, name: &str, path: &'static str) -> (usize, usize) {
    let server = server();
    let case = token(name);
    let page = server.url(&e.host("app.test"), "/page");
    let url = server.url(&e.host("api.test"), &format!("{path}?case={case}"));
    let init = get(path).header("X-Request-Id", "1").init;
    match e {
        Engine::Chromium => {
            let chromium = chromium().unwrap_or_else(|why| panic!("{why}"));
            let mut tab = chromium.open(&page).await;
            let first = tab.fetch(&url, &init).await;
            let second = tab.fetch(&url, &init).await;
            tab.close().await;
            for fetched in [&first, &second] {
                assert!(fetched.readable, "{fetched:#?}");
            }
            let devtools = [first.network.preflights, second.network.preflights];
            let on_server = server.journal.preflights(&case);
            assert_eq!(
                devtools.iter().sum::<usize>(),
                on_server,
                "DevTools and the server agree"
            );
        }
        Engine::Firefox | Engine::WebKit => {
            let fetched = tokio::task::spawn_blocking(move || {
                let driver = match e {
                    Engine::Firefox => firefox(),
                    _ => webkit(),
                }
                .unwrap_or_else(|why| panic!("{why}"));
                driver.fetch(&page, &url, &init, 2)
            })
            .await
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic()));
            for one in &fetched {
                assert!(one.readable, "{e}: {one:#?}");
            }
        }
    }
    let journal = &server.journal;
    let (on_server, runs) = (journal.preflights(&case), journal.handler_runs(&case));
    println!(
        "CASE {e:<8} {name:<46} app.test                 GET     {path:<16} => readable 200 twice                         preflights on the server: {on_server} handler runs: {runs}"
    );
    // The test kit, which models the standard's preflight cache: one preflight with a
    // `max_age`, one per fetch with `max_age = 0` (Firefox under WebDriver differs: above).
    let kit = Kit::new(server, e, "app.test", &case, path);
    for _ in 0..2 {
        let seen = kit.send(&get(path).header("X-Request-Id", "1").init).await;
        assert_eq!(seen.status, Some(200), "{seen:#?}");
    }
    let kit_preflights = journal.preflights(&kit.case);
    assert_eq!(
        kit_preflights,
        if path == "/cached" { 1 } else { 2 },
        "the kit's preflight cache"
    );
    (on_server, runs)
}

// Per engine: Chromium honours `max_age` (capped at 7200 s) and skips the second preflight.
// Firefox ESR (capped at 86400 s) sent a preflight for each fetch in every run of this suite,
// with `max_age = 600` as with `max_age = 0`: under WebDriver, in its fresh automation
// profile, its preflight cache did not answer the second fetch (observed with Firefox 153 ESR
// on 2026-11-29; pinned, so that a change of behaviour is noticed). WebKit caps at 600 s.

async fn max_age_lets_the_browser_skip_the_second_preflight(e: Engine) {
    let (on_server, runs) = twice(e, "max_age_600", "/cached").await;
    let expected = match e {
        Engine::Firefox => 2,
        Engine::Chromium | Engine::WebKit => 1,
    };
    assert_eq!((on_server, runs), (expected, 2), "{e}");
}

async fn max_age_zero_preflights_every_time(e: Engine) {
    // Without Access-Control-Max-Age the engines cache for 5 s; `max_age = 0` disables it.
    let (on_server, runs) = twice(e, "max_age_0", "/uncached").await;
    assert_eq!((on_server, runs), (2, 2), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Method names: the Fetch standard upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT;
// any other method goes out as written, and methods compare case-sensitively. Every engine
// does both (pinned: a page writing `"patch"` sends `patch`, which a `PATCH` route does not
// serve).

async fn lowercase_delete_is_normalized_by_the_browser(e: Engine) {
    let o = case(
        e,
        "lowercase_delete",
        "app.test",
        req("delete", "/things/8"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    let methods: Vec<&str> = o.requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["OPTIONS", "DELETE"], "{e}");
}

async fn lowercase_patch_goes_out_as_written_and_is_refused(e: Engine) {
    let o = case(
        e,
        "lowercase_patch",
        "sub.app.test",
        req("patch", "/doc").json("{}"),
        Blocked("PreflightMissingAllowOriginHeader"),
        PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
    let methods: Vec<&str> = o.requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["OPTIONS"], "{e}: only the preflight, refused");
    // No route serves `patch` at /doc: the door has nothing to answer for, and actix-web's
    // router answers the preflight (404, no CORS headers).
    assert_eq!(o.requests[0].status, 404, "{e}");
}

// ---------------------------------------------------------------------------------------------
// Redirects: a CORS request redirected to another origin goes on with `Origin: null` (the
// Fetch standard's tainted origin), so the landing route's policy decides for `null`.

/// `(methods and Origins the server saw)` of a redirected case.
fn hops(o: &Observed) -> Vec<(String, u16, Option<String>)> {
    o.requests
        .iter()
        .map(|r| (r.path.clone(), r.status, r.origin.clone()))
        .collect()
}

async fn redirect_to_another_origin_goes_on_with_origin_null(e: Engine) {
    let o = case(
        e,
        "redirect_any",
        "app.test",
        get("/hop/any"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "landed (any origin)", "{e}");
    let page = format!("http://{}:{}", e.host("app.test"), server().port);
    assert_eq!(
        hops(&o),
        [
            ("/hop/any".to_owned(), 307, Some(page)),
            ("/landing/any".to_owned(), 200, Some("null".to_owned())),
        ],
        "{e}"
    );
}

async fn redirect_to_a_route_naming_the_page_is_blocked(e: Engine) {
    let o = case(
        e,
        "redirect_named",
        "app.test",
        get("/hop/named"),
        Blocked("MissingAllowOriginHeader"),
        NO_PREFLIGHT,
        HANDLER_RAN, // the first hop's handler; the landing one never runs
    )
    .await;
    let landing = &o.requests[1];
    assert_eq!(
        (
            landing.path.as_str(),
            landing.status,
            landing.origin.as_deref()
        ),
        ("/landing/named", 403, Some("null")),
        "{e}: the page's own origin is gone after the redirect"
    );
}

async fn redirect_to_a_route_allowing_null_is_readable(e: Engine) {
    let o = case(
        e,
        "redirect_null",
        "app.test",
        get("/hop/null"),
        Readable(200),
        NO_PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "landed (null allowed)", "{e}");
    assert_eq!(o.requests[1].origin.as_deref(), Some("null"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Cookies across sites: a credentialed login sets `SameSite=None; Secure`, the next credentialed
// fetch from the same page shows whether the engine kept and sent it.

async fn third_party_session_cookie(e: Engine) {
    let server = server();
    let case = token("third_party_cookie");
    let page = server.url("app.localhost", "/page");
    let login = server.url("api.localhost", &format!("/cookie/login?case={case}"));
    let whoami = server.url("api.localhost", &format!("/cookie/whoami?case={case}"));
    let post = req("POST", "/cookie/login").credentials().init;
    let get_ = get("/cookie/whoami").credentials().init;
    let (logged_in, who) = match e {
        Engine::Chromium => {
            let chromium = chromium().unwrap_or_else(|why| panic!("{why}"));
            let mut tab = chromium.open(&page).await;
            let first = tab.fetch(&login, &post).await;
            let second = tab.fetch(&whoami, &get_).await;
            tab.close().await;
            (
                (first.readable, first.status),
                (second.readable, second.body),
            )
        }
        Engine::Firefox | Engine::WebKit => {
            let first = fetch_once(e, page.clone(), login, post).await;
            let second = fetch_once(e, page, whoami, get_).await;
            ((first.0, first.1), (second.0, second.2))
        }
    };
    println!(
        "CASE {e:<8} {:<46} app.localhost            POST+GET /cookie/*       => login {logged_in:?}, whoami {who:?}",
        "third_party_cookie"
    );
    assert_eq!(logged_in, (true, Some(200)), "{e}: the login is readable");
    assert!(who.0, "{e}: whoami is readable");
    let expected = match e {
        // Firefox keeps third-party cookies partitioned under the page's site (Total Cookie
        // Protection): the same page gets its session back.
        Engine::Firefox => "ada",
        // The suite runs each Chromium case in a fresh browser context, an off-the-record
        // profile like Incognito, which blocks third-party cookies by default.
        Engine::Chromium => "nobody",
        // WebKit blocks third-party cookies by default, as Safari does.
        Engine::WebKit => "nobody",
    };
    assert_eq!(who.1, expected, "{e}");
    assert_eq!(server.journal.handler_runs(&case), 2, "{e}");
    // The kit, with the engine's treatment of third-party cookies, must see the same.
    let treatment = match e {
        Engine::Firefox => ThirdPartyCookies::Partitioned,
        Engine::Chromium | Engine::WebKit => ThirdPartyCookies::Blocked,
    };
    let kit = cors_actix_test::page(&server.url("app.localhost", ""))
        .credentials()
        .third_party_cookies(treatment);
    let addr = ([127, 0, 0, 1], server.port).into();
    let kit_case = format!("{case}-kit");
    let login = server.url("api.localhost", &format!("/cookie/login?case={kit_case}"));
    let whoami = server.url("api.localhost", &format!("/cookie/whoami?case={kit_case}"));
    let first = kit.fetch("POST", &login).send_to(addr).await;
    let second = kit.fetch("GET", &whoami).send_to(addr).await;
    assert_eq!(
        (first.status, second.status, second.body.as_str()),
        (Some(200), Some(200), expected),
        "{e}: the kit with {treatment:?}: {first:#?} {second:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The middleware crates users put beside Cors, unaware of CORS.

async fn httpauth_401_without_a_token_is_readable(e: Engine) {
    case(
        e,
        "httpauth_401",
        "app.test",
        get("/crates/auth/me"),
        Readable(401),
        NO_PREFLIGHT,
        HANDLER_NOT_RUN,
    )
    .await;
}

async fn httpauth_bearer_token_passes_after_the_preflight(e: Engine) {
    let o = case(
        e,
        "httpauth_token",
        "app.test",
        get("/crates/auth/me").header("Authorization", "Bearer letmein"),
        Readable(200),
        PREFLIGHT,
        HANDLER_RAN,
    )
    .await;
    assert_eq!(o.body, "crates me");
}

async fn governor_429_is_readable_with_its_retry_after(e: Engine) {
    let server = server();
    let case = token("governor");
    let page = server.url(&e.host("app.test"), "/page");
    let url = server.url(
        &e.host("api.test"),
        &format!("/crates/limited/search?case={case}"),
    );
    let init = get("/crates/limited/search").init;
    let first = fetch_once(e, page.clone(), url.clone(), init.clone()).await;
    let second = fetch_once(e, page, url.clone(), init).await;
    println!(
        "CASE {e:<8} {:<46} app.test                 GET     /crates/limited/search => {first:?} then {second:?}",
        "governor_429"
    );
    assert_eq!((first.0, first.1), (true, Some(200)), "{e}");
    assert_eq!(
        (second.0, second.1),
        (true, Some(429)),
        "{e}: the 429 is readable"
    );
    assert!(second.2.starts_with("Too many requests"), "{e}: {second:?}");
    assert_eq!(server.journal.handler_runs(&case), 1, "{e}");
    // The kit, on a budget of its own: the same, and the page may read Retry-After.
    let kit = Kit::new(server, e, "app.test", &case, "/crates/limited/search");
    let _ = kit.send(&get("/crates/limited/search").init).await;
    let limited = kit.send(&get("/crates/limited/search").init).await;
    assert_eq!(limited.status, Some(429), "{limited:#?}");
    assert!(limited.header("retry-after").is_some(), "{limited:#?}");
}

// ---------------------------------------------------------------------------------------------
// Cross-origin protection (opt-in) for routes without a policy: a cross-site form post is
// refused before the handler, a same-origin one passes.

#[post("/protected/transfer")]
async fn protected_transfer(req: HttpRequest) -> impl Responder {
    ran(&req);
    "transferred"
}

fn protected_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(protected_transfer);
}

fn protected_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        TestServer::start_with(protected_routes, || {
            Some(Cors::new().cross_origin_protection(CrossOriginProtection::new()))
        })
    })
}

/// A form-encoded POST to the protected route from a page on `page_host`: (readable, status,
/// handler runs, statuses the server answered).
async fn protected_post(e: Engine, page_host: &str) -> (bool, Option<u16>, usize, Vec<u16>) {
    let server = protected_server();
    let case = token("protected");
    let page = server.url(&e.host(page_host), "/page");
    let url = server.url(
        &e.host("api.test"),
        &format!("/protected/transfer?case={case}"),
    );
    let init = req("POST", "/protected/transfer").form("amount=100").init;
    let (readable, status, _) = fetch_once(e, page, url, init.clone()).await;
    let statuses: Vec<u16> = server
        .journal
        .requests(&case)
        .iter()
        .map(|r| r.status)
        .collect();
    let runs = server.journal.handler_runs(&case);
    // The kit sees the same: what the page reads, what the server answered, whether the
    // handler ran.
    let kit = Kit::new(server, e, page_host, &case, "/protected/transfer");
    let seen = kit.send(&init).await;
    let kit_statuses: Vec<u16> = seen.requests.iter().map(|r| r.2).collect();
    assert_eq!(
        (
            seen.readable,
            seen.status.filter(|_| seen.readable),
            &kit_statuses
        ),
        (readable, status.filter(|_| readable), &statuses),
        "{e}: the kit: {seen:#?}"
    );
    assert_eq!(server.journal.handler_runs(&kit.case), runs, "{e}: the kit");
    (readable, status, runs, statuses)
}

async fn cross_origin_protection_refuses_a_cross_site_form_post(e: Engine) {
    let (readable, _, runs, statuses) = protected_post(e, "evil.test").await;
    println!(
        "CASE {e:<8} {:<46} evil.test                POST    /protected/transfer => readable {readable}, server answered {statuses:?}, handler runs {runs}",
        "cross_origin_protection_cross_site"
    );
    assert!(
        !readable,
        "{e}: no CORS policy, never readable cross-origin"
    );
    assert_eq!(
        statuses,
        [403],
        "{e}: sent without a preflight, refused at the door"
    );
    assert_eq!(runs, 0, "{e}: the handler never ran");
}

async fn cross_origin_protection_lets_a_same_origin_form_post_through(e: Engine) {
    let (readable, status, runs, statuses) = protected_post(e, "api.test").await;
    println!(
        "CASE {e:<8} {:<46} api.test                 POST    /protected/transfer => readable {readable}, server answered {statuses:?}, handler runs {runs}",
        "cross_origin_protection_same_origin"
    );
    assert_eq!((readable, status, runs), (true, Some(200), 1), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Report-only mode: the door refuses nothing; a request it would refuse runs its handler and
// goes back without CORS headers, so the browser still blocks the page from reading it, and the
// door counts it as `would_refuse`. One route per engine: each engine's count is its own.

macro_rules! report_route {
    ($name:ident, $path:literal) => {
        #[cors(origins = ["http://app.test:*", "http://app.localhost:*"])]
        #[post($path)]
        async fn $name(req: HttpRequest) -> impl Responder {
            ran(&req);
            "reported"
        }
    };
}
report_route!(report_chromium, "/report/chromium");
report_route!(report_firefox, "/report/firefox");
report_route!(report_webkit, "/report/webkit");

fn report_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(report_chromium)
        .service(report_firefox)
        .service(report_webkit);
}

/// The Prometheus recorder of this process (the door's counts, feature `metrics`).
fn recorder() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: OnceLock<metrics_exporter_prometheus::PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .expect("the only recorder of this process")
    })
}

/// The `would_refuse` count of request `route`, as scraped.
fn would_refuse(route: &str) -> u64 {
    let wanted = format!("route=\"{route}\"");
    recorder()
        .render()
        .lines()
        .filter(|l| l.starts_with("cors_decisions_total{") && l.contains(&wanted))
        .filter(|l| l.contains("outcome=\"would_refuse\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

fn report_only_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    recorder();
    SERVER.get_or_init(|| TestServer::start_with(report_routes, || Some(Cors::new().report_only())))
}

async fn report_only_runs_the_handler_and_the_browser_still_blocks(e: Engine) {
    let server = report_only_server();
    let route: &'static str = match e {
        Engine::Chromium => "/report/chromium",
        Engine::Firefox => "/report/firefox",
        Engine::WebKit => "/report/webkit",
    };
    let case = token("report_only");
    let page = server.url(&e.host("evil.test"), "/page");
    let url = server.url(&e.host("api.test"), &format!("{route}?case={case}"));
    let init = req("POST", route).form("amount=100").init;
    let before = would_refuse(route);
    let (readable, _, _) = fetch_once(e, page, url, init.clone()).await;
    let counted = would_refuse(route) - before;
    let statuses: Vec<u16> = server
        .journal
        .requests(&case)
        .iter()
        .map(|r| r.status)
        .collect();
    let runs = server.journal.handler_runs(&case);
    println!(
        "CASE {e:<8} {:<46} evil.test                POST    {route:<16} => readable {readable}, server answered {statuses:?}, handler runs {runs}, counted would_refuse {counted}",
        "report_only_refused_form_post"
    );
    assert!(
        !readable,
        "{e}: no CORS headers, the browser blocks the page"
    );
    assert_eq!(statuses, [200], "{e}: nothing refused at the door");
    assert_eq!(runs, 1, "{e}: the handler ran");
    assert_eq!(counted, 1, "{e}: counted as would_refuse");
    // The kit sees the same.
    let kit = Kit::new(server, e, "evil.test", &case, route);
    let seen = kit.send(&init).await;
    assert!(!seen.readable, "{e}: the kit: {seen:#?}");
    assert_eq!(server.journal.handler_runs(&kit.case), 1, "{e}: the kit");
}

// ---------------------------------------------------------------------------------------------
// What the engines do with headers this library never writes, from a server that writes its
// CORS headers by hand: `Access-Control-Allow-Headers: *` on a preflight that asks for
// `Authorization`.

async fn by_hand_preflight(req: HttpRequest) -> HttpResponse {
    let origin = header(&req, "origin");
    HttpResponse::NoContent()
        .insert_header(("Access-Control-Allow-Origin", origin))
        .insert_header(("Access-Control-Allow-Methods", "PUT"))
        .insert_header(("Access-Control-Allow-Headers", "*"))
        .insert_header(("Access-Control-Max-Age", "0"))
        .insert_header(("Vary", "Origin"))
        .finish()
}

async fn by_hand_put(req: HttpRequest) -> HttpResponse {
    ran(&req);
    let origin = header(&req, "origin");
    HttpResponse::Ok()
        .insert_header(("Access-Control-Allow-Origin", origin))
        .insert_header(("Vary", "Origin"))
        .body(header(&req, "authorization"))
}

fn by_hand_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/by-hand")
            .route(web::method(actix_web::http::Method::OPTIONS).to(by_hand_preflight))
            .route(web::put().to(by_hand_put)),
    );
}

fn by_hand_server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| TestServer::start_without_cors(by_hand_routes))
}

/// One `fetch()` from a fresh page: whether it was readable, its status and body.
async fn fetch_once(
    e: Engine,
    page: String,
    url: String,
    init: Value,
) -> (bool, Option<u16>, String) {
    match e {
        Engine::Chromium => {
            let chromium = chromium().unwrap_or_else(|why| panic!("{why}"));
            let mut tab = chromium.open(&page).await;
            let fetched = tab.fetch(&url, &init).await;
            tab.close().await;
            (fetched.readable, fetched.status, fetched.body)
        }
        Engine::Firefox | Engine::WebKit => {
            let fetched = tokio::task::spawn_blocking(move || {
                let driver = match e {
                    Engine::Firefox => firefox(),
                    _ => webkit(),
                }
                .unwrap_or_else(|why| panic!("{why}"));
                driver.fetch(&page, &url, &init, 1).remove(0)
            })
            .await
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic()));
            (fetched.readable, fetched.status, fetched.body)
        }
    }
}

// The Fetch standard says `*` never covers `Authorization` (a "CORS non-wildcard request-header
// name"); none of the three engines enforces it (Chromium 156, Firefox 153 ESR and WebKitGTK 2.50
// all let the request through, pinned here so that the day one starts enforcing it is noticed).
// `headers = "*"` follows the standard, not the engines: it never echoes `Authorization`.
async fn star_allow_headers_written_by_hand_and_authorization(e: Engine) {
    let server = by_hand_server();
    let case = token("by_hand_star_authorization");
    let page = server.url(&e.host("app.test"), "/page");
    let url = server.url(&e.host("api.test"), &format!("/by-hand?case={case}"));
    let init = req("PUT", "/by-hand")
        .header("Authorization", "Bearer abc")
        .init;
    let (readable, status, body) = fetch_once(e, page, url, init).await;
    let runs = server.journal.handler_runs(&case);
    println!(
        "CASE {e:<8} {:<46} app.test                 PUT     /by-hand         => readable {readable} {status:?} handler runs: {runs}",
        "by_hand_star_authorization"
    );
    assert!(
        readable,
        "{e} blocked it: the engine now enforces the standard (update docs/browsers.md)"
    );
    assert_eq!(
        (status, body.as_str(), runs),
        (Some(200), "Bearer abc", 1),
        "{e}: the PUT went out with Authorization"
    );
    assert_eq!(
        server.journal.preflights(&case),
        1,
        "{e}: one preflight either way"
    );
    // The test kit models the standard, not the engines: it blocks.
    let through_kit = Kit::new(server, e, "app.test", &case, "/by-hand");
    let kit = through_kit
        .send(
            &req("PUT", "/by-hand")
                .header("Authorization", "Bearer abc")
                .init,
        )
        .await;
    assert_eq!(
        kit.blocked,
        Some(cors_actix_test::CorsError::HeaderDisallowedByPreflightResponse),
        "{kit:#?}"
    );
    assert_eq!(server.journal.handler_runs(&through_kit.case), 0);
}

// ---------------------------------------------------------------------------------------------
// A preflight cached by `max_age`, then the policy changed (`LivePolicy::replace`): the engines
// that cache send the next request without asking, and the door refuses it anyway.

#[cors(policy = "live-chromium")]
#[get("/live/chromium")]
async fn live_chromium(req: HttpRequest) -> impl Responder {
    ran(&req);
    "live"
}

#[cors(policy = "live-firefox")]
#[get("/live/firefox")]
async fn live_firefox(req: HttpRequest) -> impl Responder {
    ran(&req);
    "live"
}

#[cors(policy = "live-webkit")]
#[get("/live/webkit")]
async fn live_webkit(req: HttpRequest) -> impl Responder {
    ran(&req);
    "live"
}

fn live_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(live_chromium)
        .service(live_firefox)
        .service(live_webkit);
}

fn live_policy(origins: &[&str]) -> cors_actix::PolicyBuilder {
    Policy::builder()
        .allow_origins(origins.iter().copied())
        .allow_headers(["X-Request-Id"])
        .max_age(600)
}

/// The live-policy server and one policy per engine (trials run in parallel).
fn live_server() -> &'static (TestServer, [LivePolicy; 3]) {
    static SERVER: OnceLock<(TestServer, [LivePolicy; 3])> = OnceLock::new();
    SERVER.get_or_init(|| {
        let page = ["http://app.test:*", "http://app.localhost:*"];
        let live = std::array::from_fn(|_| {
            LivePolicy::new(live_policy(&page).build().expect("a valid policy"))
        });
        let policies = live.clone();
        let server = TestServer::start_with(live_routes, move || {
            let [c, f, w] = policies.clone();
            Some(
                Cors::new()
                    .policy("live-chromium", c)
                    .policy("live-firefox", f)
                    .policy("live-webkit", w),
            )
        });
        (server, live)
    })
}

async fn live_policy_change_after_a_cached_preflight_is_refused_at_the_door(e: Engine) {
    let (server, live) = live_server();
    let index = browser_tests::ENGINES.iter().position(|&x| x == e).unwrap();
    let case = token("live_after_cache");
    let path = format!("/live/{e}");
    let page = server.url(&e.host("app.test"), "/page");
    let url = server.url(&e.host("api.test"), &format!("{path}?case={case}"));
    let init = get("/live").header("X-Request-Id", "1").init;
    let change = move || {
        live[index]
            .replace(live_policy(&["http://partner.test:*"]))
            .expect("a valid replacement")
    };
    // The test kit too: its first fetch now, its second after the change.
    let kit = Kit::new(server, e, "app.test", &case, &path);
    let kit_first = kit.send(&init).await;
    assert_eq!(kit_first.status, Some(200), "{kit_first:#?}");
    let (first, second) = match e {
        // One tab for both: Chromium's preflight cache is per tab under DevTools.
        Engine::Chromium => {
            let chromium = chromium().unwrap_or_else(|why| panic!("{why}"));
            let mut tab = chromium.open(&page).await;
            let first = tab.fetch(&url, &init).await;
            change();
            let second = tab.fetch(&url, &init).await;
            tab.close().await;
            (
                (first.readable, first.status, first.body),
                (second.readable, second.status, second.body),
            )
        }
        Engine::Firefox | Engine::WebKit => {
            let first = fetch_once(e, page.clone(), url.clone(), init.clone()).await;
            change();
            (first, fetch_once(e, page, url, init.clone()).await)
        }
    };
    assert_eq!(
        (first.0, first.1),
        (true, Some(200)),
        "{e}: allowed before the change"
    );
    let seen: Vec<(String, u16)> = server
        .journal
        .requests(&case)
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    println!(
        "CASE {e:<8} {:<46} app.test                 GET     {path:<16} => readable {} then {}, server saw {seen:?}",
        "live_after_cache", first.0, second.0
    );
    // The kit sends its second request on its cached preflight, as Chromium and WebKit do.
    let kit_second = kit.send(&init).await;
    assert_eq!(
        kit_second.blocked,
        Some(cors_actix_test::CorsError::MissingAllowOriginHeader),
        "{kit_second:#?}"
    );
    let kit_seen: Vec<(String, u16)> = server
        .journal
        .requests(&kit.case)
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        kit_seen,
        [
            ("OPTIONS".to_owned(), 204),
            ("GET".to_owned(), 200),
            ("GET".to_owned(), 403)
        ]
    );
    assert!(!second.0, "{e}: blocked after the change");
    assert_eq!(
        server.journal.handler_runs(&case),
        1,
        "{e}: the handler ran only before the change"
    );
    let from_cache: Vec<(String, u16)> = vec![
        ("OPTIONS".into(), 204),
        ("GET".into(), 200),
        ("GET".into(), 403),
    ];
    let asked_again: Vec<(String, u16)> = vec![
        ("OPTIONS".into(), 204),
        ("GET".into(), 200),
        ("OPTIONS".into(), 403),
    ];
    match e {
        // The cached preflight answers for the second request: only the door stands between
        // the page and the handler.
        Engine::Chromium | Engine::WebKit => assert_eq!(seen, from_cache, "{e}"),
        // Firefox under WebDriver sometimes uses its preflight cache across a page load and
        // sometimes asks again (both seen with 153 ESR): refused at the door either way.
        Engine::Firefox => assert!(seen == from_cache || seen == asked_again, "{e}: {seen:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The cases, each a trial per engine.

macro_rules! case {
    ($name:ident) => {
        Case::all(stringify!($name), |e| Box::pin($name(e)))
    };
}

fn main() {
    harness::run(vec![
        case!(simple_get_from_an_allowed_origin_is_readable),
        case!(simple_get_from_a_refused_origin_is_blocked_before_the_handler),
        case!(subdomain_wildcard_allows_a_subdomain),
        case!(subdomain_wildcard_refuses_the_apex),
        case!(regex_origin_allows_a_matching_origin),
        case!(anchored_regex_refuses_a_lookalike_suffix),
        case!(any_origin_policy_is_readable_from_anywhere),
        case!(route_without_policy_is_not_readable_cross_origin_but_its_handler_runs),
        case!(preflight_for_a_route_without_policy_fails),
        case!(same_origin_post_is_never_blocked),
        case!(delete_is_preflighted_and_allowed),
        case!(delete_from_a_refused_origin_stops_at_the_preflight),
        case!(put_on_a_scoped_route_with_a_path_parameter),
        case!(put_on_a_scoped_route_from_a_refused_origin),
        case!(listed_custom_header_is_allowed),
        case!(unlisted_custom_header_is_refused),
        case!(listed_authorization_is_allowed),
        case!(star_headers_allow_any_custom_header),
        case!(star_headers_never_cover_authorization),
        case!(credentialed_fetch_with_credentials_in_the_policy),
        case!(credentialed_fetch_without_credentials_in_the_policy),
        case!(credentialed_fetch_to_an_any_origin_policy),
        case!(only_exposed_response_headers_are_readable),
        case!(expose_star_makes_every_response_header_readable),
        case!(json_post_is_preflighted_and_allowed),
        case!(json_post_from_a_refused_origin_stops_at_the_preflight),
        case!(json_content_type_needs_permission),
        case!(form_post_from_an_allowed_origin),
        case!(form_post_from_a_refused_origin_never_reaches_the_handler),
        case!(two_policies_on_one_path_get),
        case!(two_policies_on_one_path_patch_refused_for_the_get_origin),
        case!(two_policies_on_one_path_patch_allowed_for_its_origin),
        case!(unauthorized_error_is_readable_by_an_allowed_origin),
        case!(authorized_request_reaches_the_handler),
        case!(scoped_auth_unaware_of_cors_lets_the_preflight_pass_and_its_401_is_readable),
        case!(scoped_auth_unaware_of_cors_lets_an_authorized_request_through),
        case!(max_age_lets_the_browser_skip_the_second_preflight),
        case!(max_age_zero_preflights_every_time),
        case!(lowercase_delete_is_normalized_by_the_browser),
        case!(lowercase_patch_goes_out_as_written_and_is_refused),
        case!(redirect_to_another_origin_goes_on_with_origin_null),
        case!(redirect_to_a_route_naming_the_page_is_blocked),
        case!(redirect_to_a_route_allowing_null_is_readable),
        case!(star_allow_headers_written_by_hand_and_authorization),
        case!(live_policy_change_after_a_cached_preflight_is_refused_at_the_door),
        case!(third_party_session_cookie),
        case!(httpauth_401_without_a_token_is_readable),
        case!(httpauth_bearer_token_passes_after_the_preflight),
        case!(governor_429_is_readable_with_its_retry_after),
        case!(cross_origin_protection_refuses_a_cross_site_form_post),
        case!(report_only_runs_the_handler_and_the_browser_still_blocks),
        case!(cross_origin_protection_lets_a_same_origin_form_post_through),
    ]);
}
