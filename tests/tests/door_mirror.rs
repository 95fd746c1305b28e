//! Differential test of the door against actix-web's router, over generated apps that mix
//! declared and plain routes: `#[cors]` routes, plain resources (before and after the
//! declared ones), builder-style resources under a `resource_policy` (registered before them),
//! scopes with and without a `scope_policy` (equal and overlapping prefixes, `web::scope("")`,
//! one level nested), `guard::Host` on scopes (whose requests for the other host fall through),
//! scopes with a default service of their own, the app's default service, a default policy,
//! path-rewriting middleware (`NormalizePath`, a `from_fn` alias of `/x/..` onto `/api/..`)
//! inside or outside `Cors`, and an authentication-like middleware answering `401` early, at
//! app or scope level.
//!
//! Every handler and default service answers its id (a default service also the scope
//! actix-web routed the request into); every policy allows only its own origin. For each request
//! (method, path, host), the request without `Origin` tells what actix-web runs. Then, from
//! every origin of the app and a stranger:
//! - the door never changes what runs: a handler that answers is that one;
//! - `Access-Control-Allow-Origin`, when present, is the request's origin and that origin is
//!   the one of the policy covering what ran (the route's own, its `resource_policy`, the
//!   innermost `scope_policy` around it, or the default policy), or of what stood in front of
//!   it (the early `401`): never another's;
//! - a handler of a declared route, scope or resource never runs for an origin its policy
//!   refuses;
//! - a preflight is allowed only for an origin some policy of the app names;
//! - `Cors::explain` answers what the request got (status when the door answers, CORS headers
//!   otherwise), unless its explanation says that routing may change it (guards it cannot
//!   evaluate), or paths are rewritten (which it cannot know).
//!
//! What the door cannot see may make it fail closed (a 403, or no CORS headers): allowed by
//! the property, and counted, so that the test also shows how often the door is right.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

#[allow(unused_imports)]
use actix_service as _;
use actix_service::{IntoServiceFactory, Service, ServiceFactory};
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Condition, Next, NormalizePath, TrailingSlash};
use actix_web::test::{self as atest};
use actix_web::{delete, get, guard, post, web, App, Error, HttpRequest, HttpResponse, Responder};
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
    "/x/items",
    "/x/v2/items/7",
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
    /// A scope: prefix, `guard::Host`, whether it has a `scope_policy`, a default service of
    /// its own, an early `401` of its own, its items.
    Scope(Scope),
}

#[derive(Clone, Debug)]
struct Scope {
    prefix: usize,
    host: Option<usize>,
    policy: bool,
    default: bool,
    deny: bool,
    items: Vec<Item>,
}

/// Where a path-rewriting middleware is wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Inside,
    Outside,
}

/// A generated app.
#[derive(Clone, Debug)]
struct Case {
    items: Vec<Item>,
    default_policy: bool,
    normalize: Option<Place>,
    alias: Option<Place>,
    /// An early `401` at the app's level (inside `Cors`).
    deny: bool,
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
        proptest::bool::weighted(0.3),
        proptest::bool::weighted(0.2),
        proptest::collection::vec(children, 1..4),
    )
        .prop_map(|(prefix, host, policy, default, deny, items)| {
            Item::Scope(Scope {
                prefix,
                host,
                policy,
                default,
                deny,
                items,
            })
        })
}

fn place() -> impl Strategy<Value = Option<Place>> {
    proptest::option::weighted(0.25, prop_oneof![Just(Place::Inside), Just(Place::Outside)])
}

fn case() -> impl Strategy<Value = Case> {
    let item = prop_oneof![3 => leaf(), 2 => scope(prop_oneof![4 => leaf(), 1 => scope(leaf())])];
    (
        proptest::collection::vec(item, 1..6),
        proptest::bool::weighted(0.3),
        place(),
        place(),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(mut items, default_policy, normalize, alias, deny)| {
            dead_twins(&mut items, false);
            Case {
                items,
                default_policy,
                normalize,
                alias,
                deny,
            }
        })
}

/// Splits sibling scopes of one prefix by host, as the door supports them (twins split by
/// `guard::Host`): actix-web never enters a later scope of a prefix that an earlier unguarded
/// scope, or one guarded for the same host, takes, and the door cannot tell such a dead scope
/// from a live one (see the crate's Limitations). The first of a prefix keeps what it has (or
/// gets the first host when a later one follows), the second gets the other host, later ones
/// get another prefix when one is free.
fn dead_twins(items: &mut [Item], nested: bool) {
    let mut count: HashMap<usize, usize> = HashMap::new();
    for item in items.iter() {
        if let Item::Scope(scope) = item {
            *count.entry(scope.prefix).or_default() += 1;
        }
    }
    let mut used: Vec<usize> = count.keys().copied().collect();
    // The host the first scope of each prefix took (`None` once two took theirs).
    let mut taken: HashMap<usize, Option<usize>> = HashMap::new();
    for item in items.iter_mut() {
        let Item::Scope(scope) = item else { continue };
        if count[&scope.prefix] > 1 {
            match taken.get(&scope.prefix).copied() {
                None => {
                    let host = scope.host.unwrap_or(0);
                    scope.host = Some(host);
                    taken.insert(scope.prefix, Some(host));
                }
                Some(Some(host)) => {
                    scope.host = Some(1 - host);
                    taken.insert(scope.prefix, None);
                }
                Some(None) => {
                    if let Some(free) = (0..PREFIXES.len()).find(|p| !used.contains(p)) {
                        used.push(free);
                        scope.prefix = free;
                    }
                }
            }
        }
        dead_twins(&mut scope.items, true);
    }
    // A `web::scope("")` takes every path of its parent (a guarded one, every path of the
    // requests its guards pass): what is registered after it is dead, or reached only when
    // its guards fail, and the door cannot tell it from what is inside (see the crate's
    // Limitations): last.
    let plain_empty = |item: &Item| matches!(item, Item::Scope(s) if PREFIXES[s.prefix].is_empty());
    let mut ordered: Vec<Item> = items.iter().filter(|i| !plain_empty(i)).cloned().collect();
    ordered.extend(items.iter().filter(|i| plain_empty(i)).cloned());
    // A plain scope registered before a sibling scope with a policy, of a prefix under the
    // sibling's: an answer from in front of routing for a path of its cannot be told from one
    // for the sibling's scope (see the crate's Limitations): it gets a policy of its own.
    let policies: Vec<(usize, usize)> = ordered
        .iter()
        .enumerate()
        .filter_map(|(i, item)| match item {
            Item::Scope(s) if s.policy => Some((i, s.prefix)),
            _ => None,
        })
        .collect();
    for (i, item) in ordered.iter_mut().enumerate() {
        if let Item::Scope(s) = item {
            let own = PREFIXES[s.prefix];
            let under = |outer: &str| {
                own.len() > outer.len()
                    && own.starts_with(outer)
                    && own[outer.len()..].starts_with('/')
            };
            if policies.iter().any(|&(j, p)| j > i && under(PREFIXES[p])) {
                s.policy = true;
            }
        }
    }
    // A plain resource registered between two declared routes of its path: an answer from in
    // front of routing cannot be told from the later declared route's (see the crate's
    // Limitations): plain resources come before every declared route of their list, or after.
    if let Some(first) = ordered.iter().position(|i| matches!(i, Item::Declared(_))) {
        let (head, tail) = ordered.split_at(first);
        let mut moved: Vec<Item> = head.to_vec();
        moved.extend(
            tail.iter()
                .filter(|i| !matches!(i, Item::Plain(..)))
                .cloned(),
        );
        moved.extend(
            tail.iter()
                .filter(|i| matches!(i, Item::Plain(..)))
                .cloned(),
        );
        ordered = moved;
    }
    // Inside a scope, a plain resource before a `web::scope("")` with a policy has a full
    // path under the policy's scope's prefix: an answer from in front of routing for it cannot
    // be told from one for the scope (see the crate's Limitations): registered after it (where
    // actix-web never reaches it).
    let policy_empty = |item: &Item| matches!(item, Item::Scope(s) if PREFIXES[s.prefix].is_empty() && s.host.is_none() && s.policy);
    if nested && ordered.iter().any(policy_empty) {
        let plain: Vec<Item> = ordered
            .iter()
            .filter(|i| matches!(i, Item::Plain(..) | Item::WithPolicy(_)))
            .cloned()
            .collect();
        ordered.retain(|i| !matches!(i, Item::Plain(..) | Item::WithPolicy(_)));
        ordered.extend(plain);
    }
    ordered.truncate(items.len());
    items.clone_from_slice(&ordered);
}

const DEFAULT_ORIGIN: &str = "https://d.example";
const STRANGER: &str = "https://stranger.example";

/// What the built app knows: the origin of the policy covering what each id stands for, and
/// every policy origin of the app.
#[derive(Default)]
struct Model {
    /// A handler's or scope's id: the origin of the policy covering it (a scope's: what covers
    /// its default service), and whether that policy checks after routing (a declaration's:
    /// its handler never runs for another origin).
    covering: HashMap<String, (Option<String>, bool)>,
    origins: Vec<String>,
    /// The full pattern of each plain resource, by id.
    patterns: HashMap<String, String>,
    /// The `resource_policy`s, by full pattern: a resource_policy covers every resource of its
    /// full pattern, registered before it or after.
    resource_policies: Vec<(String, String)>,
    next: usize,
}

/// The scope a request entered, as the app's default service reports it.
#[derive(Clone, Copy)]
struct ScopeId(usize);

/// Answers `401` for requests with `x-deny`, as an authentication middleware does.
async fn deny(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, Error> {
    if req.headers().contains_key("x-deny") {
        return Ok(req.into_response(HttpResponse::Unauthorized().body("deny")));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Maps the alias prefix `/x/` onto `/api/`.
async fn alias(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(rest) = req.path().strip_prefix("/x/") {
        let uri: actix_web::http::Uri = format!("/api/{rest}").parse().expect("a path");
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
    next.call(req).await
}

fn policy(origin: &str) -> Policy {
    Policy::builder()
        .allow_origin(origin)
        .build()
        .expect("valid")
}

fn register_items(
    config: &mut web::ServiceConfig,
    items: &[Item],
    model: &mut Model,
    covering: Option<String>,
    prefix: &str,
) {
    // A scope policy covers what is under it, checked; the default policy, unchecked.
    let checked = |covering: &Option<String>| {
        covering
            .as_deref()
            .is_some_and(|origin| origin != DEFAULT_ORIGIN)
    };
    for item in items {
        match item {
            Item::Declared(id) => {
                register(config, *id);
                let origin = format!("https://h{id}.example");
                model
                    .covering
                    .insert(id.to_string(), (Some(origin.clone()), true));
                model.origins.push(origin);
            }
            Item::Plain(path, any_method) => {
                model.next += 1;
                let id = format!("p{}", model.next);
                model
                    .covering
                    .insert(id.clone(), (covering.clone(), checked(&covering)));
                model
                    .patterns
                    .insert(id.clone(), format!("{prefix}{}", PLAIN_PATHS[*path]));
                let route = if *any_method {
                    web::route()
                } else {
                    web::get()
                };
                // Its own 405 (another method) answers its id too: it is this resource.
                let other = id.clone();
                config.service(
                    web::resource(PLAIN_PATHS[*path])
                        .route(route.to(move || {
                            let id = id.clone();
                            async move { id }
                        }))
                        .default_service(web::to(move || {
                            let id = other.clone();
                            async move { id }
                        })),
                );
            }
            Item::WithPolicy(path) => {
                model.next += 1;
                let id = format!("rp{}", model.next);
                let origin = format!("https://r{}.example", model.next);
                model
                    .covering
                    .insert(id.clone(), (Some(origin.clone()), true));
                model.origins.push(origin.clone());
                model
                    .resource_policies
                    .push((format!("{prefix}{}", PLAIN_PATHS[*path]), origin.clone()));
                // The policy first: its check comes before the resource (see resource_policy).
                config.service(resource_policy(PLAIN_PATHS[*path], policy(&origin)));
                config.service(web::resource(PLAIN_PATHS[*path]).route(web::route().to(
                    move || {
                        let id = id.clone();
                        async move { id }
                    },
                )));
            }
            Item::Scope(s) => {
                model.next += 1;
                let number = model.next;
                // actix-web refuses two segments of one name in a path (`/v1/{t}/v1/{t}`).
                let own = if prefix.contains("{t}") && PREFIXES[s.prefix].contains("{t}") {
                    "/w/{u}"
                } else {
                    PREFIXES[s.prefix]
                };
                let pattern = format!("{prefix}{own}");
                let mut inner = covering.clone();
                let mut scope = web::scope(own).app_data(ScopeId(number));
                if let Some(h) = s.host {
                    scope = scope.guard(guard::Host(HOSTS[h]));
                }
                if s.policy {
                    let origin = format!("https://s{number}.example");
                    model.origins.push(origin.clone());
                    scope = scope.configure(scope_policy(policy(&origin)));
                    inner = Some(origin);
                }
                // What covers the scope's default service (its own, or the app's): the same
                // as what covers a plain resource of the scope.
                model
                    .covering
                    .insert(format!("scope{number}"), (inner.clone(), checked(&inner)));
                if s.default {
                    scope = scope.default_service(web::to(move || async move {
                        format!("default@scope{number}")
                    }));
                }
                let scope = scope
                    .configure(|cfg| register_items(cfg, &s.items, model, inner, &pattern))
                    .wrap(Condition::new(s.deny, from_fn(deny)));
                config.service(scope);
            }
        }
    }
}

/// What a response says: status, `Access-Control-Allow-Origin`, body, and its CORS headers.
struct Answer {
    status: u16,
    acao: Option<String>,
    body: String,
    cors: Vec<(String, String)>,
}

async fn call<S, B>(app: &S, req: atest::TestRequest) -> Answer
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: actix_web::body::MessageBody + 'static,
{
    let res = match app.call(req.to_request()).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(err) => {
            let res = err.error_response();
            let req = atest::TestRequest::default().to_http_request();
            ServiceResponse::new(req, res)
        }
    };
    let status = res.status().as_u16();
    let cors: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("access-control-"))
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let acao = res
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let body = String::from_utf8_lossy(&atest::read_body(res).await).into_owned();
    Answer {
        status,
        acao,
        body,
        cors,
    }
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
    /// Early `401`s for the covering policy's origin...
    early: AtomicUsize,
    /// ...that the page can read.
    early_readable: AtomicUsize,
    failed_closed: AtomicUsize,
    /// Early `401`s that carried the headers of a policy not covering what would have run,
    /// in apps with `guard::Host` scopes.
    early_foreign: AtomicUsize,
    explained: AtomicUsize,
    explained_maybe: AtomicUsize,
}

static COUNTS: Counts = Counts {
    started: AtomicUsize::new(0),
    refused_to_start: AtomicUsize::new(0),
    requests: AtomicUsize::new(0),
    covered: AtomicUsize::new(0),
    readable: AtomicUsize::new(0),
    early: AtomicUsize::new(0),
    early_readable: AtomicUsize::new(0),
    failed_closed: AtomicUsize::new(0),
    early_foreign: AtomicUsize::new(0),
    explained: AtomicUsize::new(0),
    explained_maybe: AtomicUsize::new(0),
};

fn is_refusal(status: u16, body: &str) -> bool {
    (status == 403 || status == 400) && body.starts_with("CORS request refused")
}

/// The id of what ran, from what answered: a handler's id, or `scopeN` / `root` for a default
/// service (the app's reports the scope actix-web routed the request into).
fn ran(body: &str) -> String {
    match body.strip_prefix("default@") {
        Some(scope) => scope.to_owned(),
        None => body.to_owned(),
    }
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    actix_web::rt::System::new().block_on(async {
        let mut model = Model::default();
        let default_origin = case.default_policy.then(|| DEFAULT_ORIGIN.to_owned());
        if case.default_policy {
            model.origins.push(DEFAULT_ORIGIN.to_owned());
        }
        model
            .covering
            .insert("root".to_owned(), (default_origin.clone(), false));
        let items = case.items.clone();
        let mut cors = Cors::new();
        if case.default_policy {
            cors = cors.default_policy(cors_policy!(origins = ["https://d.example"]));
        }
        let inside = |place: Option<Place>| place == Some(Place::Inside);
        let outside = |place: Option<Place>| place == Some(Place::Outside);
        let app = App::new()
            .configure(|config| {
                register_items(config, &items, &mut model, default_origin.clone(), "");
            })
            .default_service(web::to(|req: HttpRequest| async move {
                match req.app_data::<ScopeId>() {
                    Some(ScopeId(n)) => format!("default@scope{n}"),
                    None => "default@root".to_owned(),
                }
            }))
            .wrap(Condition::new(case.deny, from_fn(deny)))
            .wrap(Condition::new(inside(case.alias), from_fn(alias)))
            .wrap(Condition::new(
                inside(case.normalize),
                NormalizePath::new(TrailingSlash::Trim),
            ))
            .wrap(cors.clone())
            .wrap(Condition::new(
                outside(case.normalize),
                NormalizePath::new(TrailingSlash::Trim),
            ))
            .wrap(Condition::new(outside(case.alias), from_fn(alias)));
        let Ok(app) = app.into_factory().new_service(AppConfig::default()).await else {
            COUNTS.refused_to_start.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        };
        COUNTS.started.fetch_add(1, Ordering::Relaxed);
        // `explain` takes the path as the door sees it: it cannot know rewrites, inside or
        // outside `Cors`.
        let explainable = case.normalize.is_none() && case.alias.is_none();
        // `guard::Host` scopes: what the door knows of them is learnt at the first request, and
        // an explanation cannot evaluate them for the request at hand.
        let hosts = has_host(case);
        let mut origins = model.origins.clone();
        origins.sort();
        origins.dedup();
        origins.push(STRANGER.to_owned());
        for method in METHODS {
            let m = Method::from_bytes(method.as_bytes()).expect("method");
            for path in PATHS {
                for host in HOSTS {
                    let request = |origin: Option<&str>, deny: bool| {
                        let mut req = atest::TestRequest::default()
                            .method(m.clone())
                            .uri(&format!("http://{host}{path}"))
                            .insert_header(("host", *host));
                        if deny {
                            req = req.insert_header(("x-deny", "1"));
                        }
                        match origin {
                            Some(origin) => req.insert_header(("origin", origin.to_owned())),
                            None => req,
                        }
                    };
                    let truth = ran(&call(&app, request(None, false)).await.body);
                    // Who covers what ran: its policy; unknown ids (actix-web's own 404 or 405
                    // of a resource) are covered by nothing this test knows: no headers.
                    let (covering, checked) =
                        model.covering.get(&truth).cloned().unwrap_or((None, false));
                    // Every policy that may answer for what ran: its own, and a
                    // `resource_policy` of the same full pattern.
                    let allowed: Vec<&String> = covering
                        .iter()
                        .chain(
                            model
                                .resource_policies
                                .iter()
                                .filter(|(full, _)| model.patterns.get(&truth) == Some(full))
                                .map(|(_, origin)| origin),
                        )
                        .collect();
                    for origin in &origins {
                        COUNTS.requests.fetch_add(1, Ordering::Relaxed);
                        let answer = call(&app, request(Some(origin), false)).await;
                        let what = format!(
                            "{method} {path} (Host {host}) from {origin}, ran {truth:?} in {case:?}"
                        );
                        if is_refusal(answer.status, &answer.body) {
                            COUNTS.failed_closed.fetch_add(1, Ordering::Relaxed);
                        } else {
                            prop_assert_eq!(
                                ran(&answer.body),
                                truth.clone(),
                                "the door changed what ran: {}",
                                what
                            );
                        }
                        if let Some(acao) = &answer.acao {
                            prop_assert_eq!(acao, origin, "{}", what);
                            prop_assert!(
                                allowed.contains(&origin),
                                "another policy's headers: {} allows {:?}",
                                what,
                                allowed
                            );
                        }
                        if checked && covering.as_ref() != Some(origin) {
                            prop_assert!(
                                ran(&answer.body) != truth,
                                "a declared handler ran for an origin its policy refuses: {}",
                                what
                            );
                        }
                        if covering.as_ref() == Some(origin) {
                            COUNTS.covered.fetch_add(1, Ordering::Relaxed);
                            if answer.acao.is_some() {
                                COUNTS.readable.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        if explainable && !hosts {
                            let explanation = cors
                                .explain(method, path, Some(origin), &[("host", host)])
                                .expect("the app started");
                            // Certain when it names what actix-web runs instead.
                            let certain = explanation
                                .after_routing
                                .as_deref()
                                .is_none_or(|a| a.starts_with("actix-web runs"));
                            if !certain {
                                COUNTS.explained_maybe.fetch_add(1, Ordering::Relaxed);
                            } else {
                                COUNTS.explained.fetch_add(1, Ordering::Relaxed);
                                match explanation.status {
                                    Some(status) => prop_assert_eq!(
                                        status,
                                        answer.status,
                                        "explain's status: {} explained {}",
                                        what,
                                        explanation
                                    ),
                                    None => {
                                        let mut cors = answer.cors.clone();
                                        cors.sort();
                                        let explained: Vec<(String, String)> = explanation
                                            .headers
                                            .iter()
                                            .filter(|(n, _)| n.starts_with("access-control-"))
                                            .cloned()
                                            .collect();
                                        prop_assert_eq!(
                                            explained,
                                            cors,
                                            "explain's headers: {} explained {}",
                                            what,
                                            explanation
                                        );
                                    }
                                }
                            }
                        }
                        // The same request stopped early by a middleware in front of what runs:
                        // readable only by what covers it.
                        if case.deny || has_deny(case) {
                            let answer = call(&app, request(Some(origin), true)).await;
                            if answer.status == 401 {
                                if let Some(acao) = &answer.acao {
                                    prop_assert_eq!(acao, origin, "401: {}", what);
                                    // A path rewritten inside `Cors` was decided as the door
                                    // saw it: a 401 in front of what the rewrite reaches holds
                                    // no data, and may carry the door's choice.
                                    // Nor with `guard::Host` scopes, which the door
                                    // evaluates only as far as it knows them (see the
                                    // crate's Limitations): counted.
                                    let foreign = !allowed.contains(&origin);
                                    if foreign && hosts {
                                        COUNTS.early_foreign.fetch_add(1, Ordering::Relaxed);
                                    } else if !inside(case.normalize) && !inside(case.alias) {
                                        prop_assert!(
                                            allowed.contains(&origin),
                                            "another policy's headers on a 401: {} allows {:?}",
                                            what,
                                            allowed
                                        );
                                    }
                                }
                                if covering.as_ref() == Some(origin) {
                                    COUNTS.early.fetch_add(1, Ordering::Relaxed);
                                    if answer.acao.is_some() {
                                        COUNTS.early_readable.fetch_add(1, Ordering::Relaxed);
                                    }
                                }
                            }
                        }
                        // Preflights: allowed only for an origin some policy names.
                        let preflight = atest::TestRequest::default()
                            .method(Method::OPTIONS)
                            .uri(&format!("http://{host}{path}"))
                            .insert_header(("host", *host))
                            .insert_header(("origin", origin.clone()))
                            .insert_header(("access-control-request-method", *method));
                        let answer = call(&app, preflight).await;
                        if answer.status == 204 {
                            prop_assert_eq!(
                                answer.acao.as_deref(),
                                Some(origin.as_str()),
                                "preflight {}",
                                what
                            );
                            prop_assert!(
                                origin != STRANGER,
                                "preflight allowed for a stranger: {}",
                                what
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    })
}

/// Whether some scope of the case has a `guard::Host`.
fn has_host(case: &Case) -> bool {
    fn any(items: &[Item]) -> bool {
        items.iter().any(|item| match item {
            Item::Scope(s) => s.host.is_some() || any(&s.items),
            _ => false,
        })
    }
    any(&case.items)
}

/// Whether some scope of the case answers early.
fn has_deny(case: &Case) -> bool {
    fn any(items: &[Item]) -> bool {
        items.iter().any(|item| match item {
            Item::Scope(s) => s.deny || any(&s.items),
            _ => false,
        })
    }
    any(&case.items)
}

#[test]
fn the_door_mirrors_the_router_or_fails_closed() {
    let cases = std::env::var("CORS_MIRROR_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
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
    let (early, early_readable) = (load(&COUNTS.early), load(&COUNTS.early_readable));
    println!(
        "{started} apps started, {refused} refused to start; {} requests, {} failed closed; \
         {readable} of {covered} requests from the covering policy's origin readable; \
         {early_readable} of {early} early 401s for it readable, {} early 401s with another \
         policy's headers (apps with host-guarded scopes); {} explanations equal to the \
         request, {} saying routing may change it",
        load(&COUNTS.requests),
        load(&COUNTS.failed_closed),
        load(&COUNTS.early_foreign),
        load(&COUNTS.explained),
        load(&COUNTS.explained_maybe),
    );
    // The property must be exercised on apps that start, and the door must be right, not only
    // closed, for most requests its policies cover, and most early answers.
    assert!(
        started >= cases as usize / 2,
        "only {started} generated apps started"
    );
    assert!(
        readable * 10 >= covered * 7,
        "only {readable} of {covered} covered requests were readable"
    );
    assert!(
        early_readable * 2 >= early,
        "only {early_readable} of {early} early 401s were readable"
    );
    assert!(
        load(&COUNTS.explained) * 2 >= load(&COUNTS.explained_maybe),
        "explanations mostly say routing may change them"
    );
}
