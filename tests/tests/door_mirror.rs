//! Differential test of the door against actix-web's router, over generated apps that mix
//! declared and plain routes: `#[cors]` routes, plain resources (before and after the
//! declared ones), `resource_policy`, scopes with and without a `scope_policy` (equal and
//! overlapping prefixes, `web::scope("")`, one level nested), `guard::Host` on scopes,
//! `configure`, a default service, a default policy, `NormalizePath` inside or outside `Cors`.
//!
//! Every handler answers its id; every policy allows only its own origin. For each request
//! (method, path, host), the request without `Origin` tells which handler actix-web runs.
//! Then, from every origin of the app and a stranger:
//! - the door never changes what runs: a handler that answers is that one;
//! - `Access-Control-Allow-Origin`, when present, is the request's origin and that origin is
//!   the one of the policy covering what ran (the route's own, its `resource_policy`, the
//!   innermost `scope_policy` around it, or the default policy): never another route's;
//! - a declared handler never runs for an origin its policy refuses;
//! - a preflight is allowed only for an origin some policy of the app names.
//!
//! A response no handler produced (a 404) may carry the headers of the route the door chose:
//! the door cannot tell it from an inner middleware's early answer (a 401), which must carry
//! them; it holds no route's data.
//!
//! What the door cannot see may make it fail closed (a 403, or no CORS headers): allowed by
//! the property, and counted, so that the test also shows how often the door is right.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

#[allow(unused_imports)]
use actix_service as _;
use actix_service::{IntoServiceFactory, Service, ServiceFactory};
use actix_web::dev::{AppConfig, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{NormalizePath, TrailingSlash};
use actix_web::test::{self as atest};
use actix_web::{delete, get, guard, post, web, App, Error, Responder};
use cors_actix::{cors, cors_policy, resource_policy, scope_policy, Cors, Policy};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

macro_rules! handlers {
    ($($name:ident $id:literal $origin:literal $method:ident $path:literal;)*) => {
        $(
            #[cors(origins = [$origin])]
            #[$method($path)]
            async fn $name() -> impl Responder {
                stringify!($id)
            }
        )*

        /// Registers declared handler `id` in `config`.
        fn register(config: &mut web::ServiceConfig, id: usize) {
            match id {
                $($id => { config.service($name); })*
                _ => unreachable!(),
            }
        }
    };
}

handlers! {
    h0 0 "https://h0.example" get "/items";
    h1 1 "https://h1.example" post "/items";
    h2 2 "https://h2.example" get "/items/{id}";
    h3 3 "https://h3.example" get "/items/new";
    h4 4 "https://h4.example" delete "/items/{id}";
    h5 5 "https://h5.example" get "/files/{tail}*";
    h6 6 "https://h6.example" get "/{name}";
    h7 7 "https://h7.example" get "";
}

const DECLARED: usize = 8;
const PREFIXES: &[&str] = &["/v1", "/api", "/api/v2", "/m", "", "/v1/{t}"];
const PLAIN_PATHS: &[&str] = &[
    "/items",
    "/items/{id}",
    "/x",
    "/files/{tail}*",
    "",
    "/export",
];
const HOSTS: &[&str] = &["a.test", "b.test"];
const METHODS: &[&str] = &["GET", "POST", "DELETE"];
const PATHS: &[&str] = &[
    "/",
    "/items",
    "/items/7",
    "/items/new",
    "/items/new/",
    "/x",
    "/export",
    "/files/a/b",
    "/v1",
    "/v1/items",
    "/v1/items/7",
    "/v1/acme/items",
    "/v1/acme/x",
    "/api",
    "/api/items",
    "/api/x",
    "/api/v2/x",
    "/api/v2/items/7",
    "/m/export",
    "/m/items",
    "//items",
];

/// One registration of a generated app.
#[derive(Clone, Debug)]
enum Item {
    /// A `#[cors]` handler.
    Declared(usize),
    /// A plain resource: its path, and whether it takes every method (else GET).
    Plain(usize, bool),
    /// A plain resource with a `resource_policy`.
    WithPolicy(usize),
    /// A scope: prefix, `guard::Host`, whether it has a `scope_policy`, its items.
    Scope(usize, Option<usize>, bool, Vec<Item>),
}

/// A generated app.
#[derive(Clone, Debug)]
struct Case {
    items: Vec<Item>,
    default_service: bool,
    default_policy: bool,
    /// `None`, or `NormalizePath::trim()` inside (`true`) or outside (`false`) `Cors`.
    normalize: Option<bool>,
}

fn leaf() -> impl Strategy<Value = Item> {
    prop_oneof![
        3 => (0..DECLARED).prop_map(Item::Declared),
        2 => (0..PLAIN_PATHS.len(), any::<bool>()).prop_map(|(p, any)| Item::Plain(p, any)),
        1 => (0..PLAIN_PATHS.len()).prop_map(Item::WithPolicy),
    ]
}

fn scope(children: impl Strategy<Value = Item>) -> impl Strategy<Value = Item> {
    (
        0..PREFIXES.len(),
        proptest::option::weighted(0.3, 0..HOSTS.len()),
        proptest::bool::weighted(0.5),
        proptest::collection::vec(children, 1..4),
    )
        .prop_map(|(prefix, host, policy, items)| Item::Scope(prefix, host, policy, items))
}

fn case() -> impl Strategy<Value = Case> {
    let item = prop_oneof![3 => leaf(), 2 => scope(prop_oneof![4 => leaf(), 1 => scope(leaf())])];
    (
        proptest::collection::vec(item, 1..6),
        any::<bool>(),
        proptest::bool::weighted(0.3),
        proptest::option::weighted(0.3, any::<bool>()),
    )
        .prop_map(|(items, default_service, default_policy, normalize)| Case {
            items,
            default_service,
            default_policy,
            normalize,
        })
}

const DEFAULT_ORIGIN: &str = "https://d.example";
const STRANGER: &str = "https://stranger.example";

/// What the built app knows: the origin of the policy covering each handler id, and every
/// policy origin of the app.
#[derive(Default)]
struct Model {
    covering: HashMap<String, Option<String>>,
    origins: Vec<String>,
    /// The scope policies (origin, prefix pattern) the default service may answer under.
    scopes: Vec<(String, String)>,
    /// The full pattern of every plain resource, by id.
    patterns: HashMap<String, String>,
    /// The `resource_policy`s: full pattern, origin.
    resource_policies: Vec<(String, String)>,
    next: usize,
}

fn register_items(
    config: &mut web::ServiceConfig,
    items: &[Item],
    model: &mut Model,
    covering: Option<String>,
    prefix: &str,
) {
    for item in items {
        match item {
            Item::Declared(id) => {
                register(config, *id);
                let origin = format!("https://h{id}.example");
                model.covering.insert(id.to_string(), Some(origin.clone()));
                model.origins.push(origin);
            }
            Item::Plain(path, any_method) => {
                model.next += 1;
                let id = format!("p{}", model.next);
                model.covering.insert(id.clone(), covering.clone());
                model
                    .patterns
                    .insert(id.clone(), format!("{prefix}{}", PLAIN_PATHS[*path]));
                let route = if *any_method {
                    web::route()
                } else {
                    web::get()
                };
                config.service(web::resource(PLAIN_PATHS[*path]).route(route.to(move || {
                    let id = id.clone();
                    async move { id }
                })));
            }
            Item::WithPolicy(path) => {
                model.next += 1;
                let id = format!("rp{}", model.next);
                let origin = format!("https://r{}.example", model.next);
                model.covering.insert(id.clone(), Some(origin.clone()));
                model.origins.push(origin.clone());
                let full = format!("{prefix}{}", PLAIN_PATHS[*path]);
                model.patterns.insert(id.clone(), full.clone());
                model.resource_policies.push((full, origin.clone()));
                let policy = Policy::builder()
                    .allow_origin(&origin)
                    .build()
                    .expect("valid");
                config.service(web::resource(PLAIN_PATHS[*path]).route(web::route().to(
                    move || {
                        let id = id.clone();
                        async move { id }
                    },
                )));
                config.service(resource_policy(PLAIN_PATHS[*path], policy));
            }
            Item::Scope(p, host, policy, children) => {
                model.next += 1;
                // actix-web refuses two segments of one name in a path (`/v1/{t}/v1/{t}`).
                let own = if prefix.contains("{t}") && PREFIXES[*p].contains("{t}") {
                    "/w/{u}"
                } else {
                    PREFIXES[*p]
                };
                let pattern = format!("{prefix}{own}");
                let mut inner = covering.clone();
                let mut scope = web::scope(own);
                if let Some(h) = host {
                    scope = scope.guard(guard::Host(HOSTS[*h]));
                }
                if *policy {
                    let origin = format!("https://s{}.example", model.next);
                    model.origins.push(origin.clone());
                    model.scopes.push((origin.clone(), pattern.clone()));
                    let built = Policy::builder()
                        .allow_origin(&origin)
                        .build()
                        .expect("valid");
                    scope = scope.configure(scope_policy(built));
                    inner = Some(origin);
                }
                scope =
                    scope.configure(|cfg| register_items(cfg, children, model, inner, &pattern));
                config.service(scope);
            }
        }
    }
}

async fn call<S, B>(app: &S, req: atest::TestRequest) -> (u16, Option<String>, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: actix_web::body::MessageBody,
{
    let res = match app.call(req.to_request()).await {
        Ok(res) => res,
        Err(err) => {
            let res = err.error_response();
            let acao = res
                .headers()
                .get("access-control-allow-origin")
                .map(|v| v.to_str().unwrap_or("").to_owned());
            return (res.status().as_u16(), acao, String::new());
        }
    };
    let status = res.status().as_u16();
    let acao = res
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let body = String::from_utf8_lossy(&atest::read_body(res).await).into_owned();
    (status, acao, body)
}

#[derive(Default)]
struct Counts {
    started: AtomicUsize,
    refused_to_start: AtomicUsize,
    requests: AtomicUsize,
    /// Requests from the origin of the policy covering what ran...
    covered: AtomicUsize,
    /// ...that got its `Access-Control-Allow-Origin`.
    readable: AtomicUsize,
    failed_closed: AtomicUsize,
}

static COUNTS: Counts = Counts {
    started: AtomicUsize::new(0),
    refused_to_start: AtomicUsize::new(0),
    requests: AtomicUsize::new(0),
    covered: AtomicUsize::new(0),
    readable: AtomicUsize::new(0),
    failed_closed: AtomicUsize::new(0),
};

fn is_refusal(status: u16, body: &str) -> bool {
    (status == 403 || status == 400) && body.starts_with("CORS request refused")
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    actix_web::rt::System::new().block_on(async {
        let mut model = Model::default();
        if case.default_policy {
            model.origins.push(DEFAULT_ORIGIN.to_owned());
        }
        let default_origin = case.default_policy.then(|| DEFAULT_ORIGIN.to_owned());
        let items = case.items.clone();
        let mut cors = Cors::new();
        if case.default_policy {
            cors = cors.default_policy(cors_policy!(origins = ["https://d.example"]));
        }
        let mut app = App::new().configure(|config| {
            register_items(config, &items, &mut model, default_origin.clone(), "");
        });
        if case.default_service {
            app = app.default_service(web::to(|| async { "default" }));
        }
        let started = match case.normalize {
            None => app.wrap(cors).into_factory().new_service(AppConfig::default()).await.map(AnyApp::A),
            Some(true) => app
                .wrap(NormalizePath::new(TrailingSlash::Trim))
                .wrap(cors)
                .into_factory()
                .new_service(AppConfig::default())
                .await
                .map(AnyApp::B),
            Some(false) => app
                .wrap(cors)
                .wrap(NormalizePath::new(TrailingSlash::Trim))
                .into_factory()
                .new_service(AppConfig::default())
                .await
                .map(AnyApp::C),
        };
        let Ok(app) = started else {
            COUNTS.refused_to_start.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        };
        COUNTS.started.fetch_add(1, Ordering::Relaxed);
        let mut origins = model.origins.clone();
        origins.sort();
        origins.dedup();
        origins.push(STRANGER.to_owned());
        for method in METHODS {
            let m = Method::from_bytes(method.as_bytes()).expect("method");
            for path in PATHS {
                for host in HOSTS {
                    let request = |origin: Option<&str>| {
                        let req = atest::TestRequest::default()
                            .method(m.clone())
                            .uri(&format!("http://{host}{path}"))
                            .insert_header(("host", *host));
                        match origin {
                            Some(origin) => req.insert_header(("origin", origin.to_owned())),
                            None => req,
                        }
                    };
                    let (_, _, truth) = app.call(request(None)).await;
                    // Who covers what ran: a handler's policy; for the default service or a
                    // 404, the default policy or a scope policy whose scope takes the path.
                    let covering: Vec<String> = match model.covering.get(&truth) {
                        // A `resource_policy` covers every resource of its full pattern.
                        Some(covering) => covering
                            .iter()
                            .cloned()
                            .chain(
                                model
                                    .resource_policies
                                    .iter()
                                    .filter(|(full, _)| model.patterns.get(&truth) == Some(full))
                                    .map(|(_, origin)| origin.clone()),
                            )
                            .collect(),
                        // No handler ran (a 404 of the default service, or of a scope that took
                        // the path): no route's data is in the answer. The door keeps the
                        // headers of the route it chose, as for an inner middleware's early
                        // answer (a 401), which it cannot tell apart: any policy of the app.
                        None => model.origins.clone(),
                    };
                    let declared = truth.parse::<usize>().ok();
                    for origin in &origins {
                        COUNTS.requests.fetch_add(1, Ordering::Relaxed);
                        let (status, acao, body) = app.call(request(Some(origin))).await;
                        let what = format!("{method} {path} (Host {host}) from {origin}, ran {truth:?} in {case:?}");
                        if is_refusal(status, &body) {
                            COUNTS.failed_closed.fetch_add(1, Ordering::Relaxed);
                        } else {
                            prop_assert_eq!(&body, &truth, "the door changed what ran: {}", what);
                        }
                        if let Some(acao) = &acao {
                            prop_assert_eq!(acao, origin, "{}", what);
                            prop_assert!(
                                covering.contains(origin),
                                "another route's policy: {} covers {:?}",
                                what,
                                covering
                            );
                        }
                        if let Some(id) = declared {
                            if *origin != format!("https://h{id}.example") {
                                prop_assert!(
                                    body != truth,
                                    "a declared handler ran for an origin its policy refuses: {}",
                                    what
                                );
                            }
                        }
                        if covering.first() == Some(origin) && model.covering.contains_key(&truth) {
                            COUNTS.covered.fetch_add(1, Ordering::Relaxed);
                            if acao.is_some() {
                                COUNTS.readable.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        // Preflights: allowed only for an origin some policy names.
                        let preflight = atest::TestRequest::default()
                            .method(Method::OPTIONS)
                            .uri(&format!("http://{host}{path}"))
                            .insert_header(("host", *host))
                            .insert_header(("origin", origin.clone()))
                            .insert_header(("access-control-request-method", *method));
                        let (status, acao, _) = app.call(preflight).await;
                        if status == 204 {
                            prop_assert_eq!(acao.as_deref(), Some(origin.as_str()), "preflight {}", what);
                            prop_assert!(origin != STRANGER, "preflight allowed for a stranger: {}", what);
                        }
                    }
                }
            }
        }
        Ok(())
    })
}

/// The three app types (without, inside, outside `NormalizePath`), called alike.
enum AnyApp<A, B, C> {
    A(A),
    B(B),
    C(C),
}

impl<A, B, C, BA, BB, BC> AnyApp<A, B, C>
where
    A: Service<actix_http::Request, Response = ServiceResponse<BA>, Error = Error>,
    B: Service<actix_http::Request, Response = ServiceResponse<BB>, Error = Error>,
    C: Service<actix_http::Request, Response = ServiceResponse<BC>, Error = Error>,
    BA: actix_web::body::MessageBody,
    BB: actix_web::body::MessageBody,
    BC: actix_web::body::MessageBody,
{
    async fn call(&self, req: atest::TestRequest) -> (u16, Option<String>, String) {
        match self {
            AnyApp::A(app) => call(app, req).await,
            AnyApp::B(app) => call(app, req).await,
            AnyApp::C(app) => call(app, req).await,
        }
    }
}

#[test]
fn the_door_mirrors_the_router_or_fails_closed() {
    let cases = std::env::var("CORS_MIRROR_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    runner
        .run(&case(), |case| check(&case))
        .unwrap_or_else(|e| panic!("{e}"));
    let load = |c: &AtomicUsize| c.load(Ordering::Relaxed);
    let (started, refused) = (load(&COUNTS.started), load(&COUNTS.refused_to_start));
    let (covered, readable) = (load(&COUNTS.covered), load(&COUNTS.readable));
    println!(
        "{started} apps started, {refused} refused to start; {} requests, {} failed closed; \
         {readable} of {covered} requests from the covering policy's origin readable",
        load(&COUNTS.requests),
        load(&COUNTS.failed_closed),
    );
    // The property must be exercised on apps that start, and the door must be right, not only
    // closed, for most requests its policies cover.
    assert!(
        started >= cases as usize / 2,
        "only {started} generated apps started"
    );
    assert!(
        readable * 10 >= covered * 7,
        "only {readable} of {covered} covered requests were readable"
    );
}
