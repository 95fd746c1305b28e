//! The app shapes in which the door once gave another route's policy (issue "The door chooses
//! exactly the route actix-web runs, in every app shape, or fails closed"), each over
//! `actix_web::test` and over a real `HttpServer`: which handler ran, and which CORS headers
//! came back. Every handler records its id; every policy names its own origin, so that a
//! response carrying another route's headers is seen.

use std::sync::{Arc, Mutex};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{NormalizePath, TrailingSlash};
use actix_web::{get, guard, post, test, web, App, Error, Responder};
use cors_actix::{cors, cors_policy, scope_policy, Cors};
use tests::wire;

/// The ids of the handlers that ran.
#[derive(Clone, Default)]
struct Ran(Arc<Mutex<Vec<&'static str>>>);

impl Ran {
    fn push(&self, id: &'static str) {
        self.0.lock().unwrap().push(id);
    }

    fn take(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A plain (undeclared) GET route answering `id`.
fn plain(id: &'static str) -> actix_web::Route {
    web::get().to(move |ran: web::Data<Ran>| async move {
        ran.push(id);
        id
    })
}

/// A plain POST route answering `id`.
fn plain_post(id: &'static str) -> actix_web::Route {
    web::post().to(move |ran: web::Data<Ran>| async move {
        ran.push(id);
        id
    })
}

const API: &str = "https://api-front.example";
const WWW: &str = "https://www-front.example";
const ADMIN: &str = "https://admin-front.example";
const BANK: &str = "https://bank.example";
const EVIL: &str = "https://evil.example";

#[cors(origins = ["https://www-front.example"], credentials)]
#[get("/profile")]
async fn www_profile(ran: web::Data<Ran>) -> impl Responder {
    ran.push("www_profile");
    "www_profile"
}

#[cors(origins = ["https://admin-front.example"], credentials)]
#[get("/profile")]
async fn admin_profile(ran: web::Data<Ran>) -> impl Responder {
    ran.push("admin_profile");
    "admin_profile"
}

#[cors(origins = ["https://bank.example"], credentials)]
#[post("/transfer")]
async fn transfer(ran: web::Data<Ran>) -> impl Responder {
    ran.push("transfer");
    "transfer"
}

#[cors(origins = ["https://bank.example"], credentials)]
#[get("/me")]
async fn me(ran: web::Data<Ran>) -> impl Responder {
    ran.push("me");
    "me"
}

#[cors(origins = ["https://admin-front.example"], credentials)]
#[get("/orders")]
async fn admin_orders(ran: web::Data<Ran>) -> impl Responder {
    ran.push("admin_orders");
    "admin_orders"
}

/// One request of a case: method, path, `Host`, `Origin`.
struct Req {
    method: &'static str,
    path: &'static str,
    host: &'static str,
    origin: Option<&'static str>,
    preflight: bool,
}

fn get(path: &'static str, origin: Option<&'static str>) -> Req {
    Req {
        method: "GET",
        path,
        host: "api.test",
        origin,
        preflight: false,
    }
}

fn post_(path: &'static str, origin: Option<&'static str>) -> Req {
    Req {
        method: "POST",
        ..get(path, origin)
    }
}

fn preflight(path: &'static str, origin: &'static str, method: &'static str) -> Req {
    Req {
        method,
        preflight: true,
        ..get(path, Some(origin))
    }
}

impl Req {
    fn host(self, host: &'static str) -> Req {
        Req { host, ..self }
    }
}

/// What a case expects: the status, the `Access-Control-Allow-Origin` (or none), the handler
/// that ran (or none).
struct Expect(u16, Option<&'static str>, Option<&'static str>);

/// What came back.
#[derive(Debug, PartialEq)]
struct Seen {
    status: u16,
    allow_origin: Option<String>,
    ran: Vec<&'static str>,
}

impl Expect {
    fn check(&self, what: &str, seen: Seen) {
        let expected = Seen {
            status: self.0,
            allow_origin: self.1.map(str::to_owned),
            ran: self.2.into_iter().collect(),
        };
        assert_eq!(seen, expected, "{what}");
    }
}

/// Runs every case of a shape in process and over a real server.
macro_rules! shape {
    ($name:ident, $app:expr, [$(($req:expr, $expect:expr)),* $(,)?]) => {
        #[actix_rt::test]
        async fn $name() {
            let ran = Ran::default();
            let make = {
                let ran = ran.clone();
                move || $app(ran.clone())
            };
            let cases: Vec<(Req, Expect)> = vec![$(($req, $expect)),*];
            // In process.
            let app = test::init_service(make()).await;
            for (req, expect) in &cases {
                let mut built = test::TestRequest::default()
                    .method(if req.preflight { Method::OPTIONS } else { req.method.parse().unwrap() })
                    .uri(&format!("http://{}{}", req.host, req.path))
                    .insert_header(("Host", req.host));
                if let Some(origin) = req.origin {
                    built = built.insert_header(("Origin", origin));
                }
                if req.preflight {
                    built = built.insert_header(("Access-Control-Request-Method", req.method));
                }
                let res = tests::reply(&app, built.to_request()).await;
                let seen = Seen {
                    status: res.status.as_u16(),
                    allow_origin: res.header("access-control-allow-origin").map(str::to_owned),
                    ran: ran.take(),
                };
                expect.check(&format!("in process: {} {} (Host {}, Origin {:?})", req.method, req.path, req.host, req.origin), seen);
            }
            // Over a real server.
            let (addr, handle) = wire::serve(make);
            for (req, expect) in cases {
                let ran_now = ran.clone();
                let seen = actix_web::rt::task::spawn_blocking(move || {
                    let mut headers = Vec::new();
                    if let Some(origin) = req.origin {
                        headers.push(("Origin", origin));
                    }
                    if req.preflight {
                        headers.push(("Access-Control-Request-Method", req.method));
                    }
                    let method = if req.preflight { "OPTIONS" } else { req.method };
                    let res = wire::send_to(addr, req.host, method, req.path, &headers);
                    let what = format!("over the wire: {method} {} (Host {}, Origin {:?})", req.path, req.host, req.origin);
                    (what, Seen {
                        status: res.status,
                        allow_origin: res.header("access-control-allow-origin").map(str::to_owned),
                        ran: ran_now.take(),
                    })
                })
                .await
                .unwrap();
                expect.check(&seen.0, seen.1);
            }
            handle.stop(false).await;
        }
    };
}

/// The app type every shape returns.
macro_rules! Shape {
    () => {
        App<
            impl ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<impl MessageBody>,
                Error = Error,
                InitError = (),
            >,
        >
    };
}

// A credentialed `scope_policy` on `/api`, and a sibling `web::scope("/api/v2")` registered
// before it with a plain route: actix-web runs `/api/v2/export` in the sibling, which has no
// policy. Its response must never carry `/api`'s headers.
fn sibling_scope(ran: Ran) -> Shape!() {
    App::new()
        .app_data(web::Data::new(ran))
        .service(web::scope("/api/v2").route("/export", plain("v2_export")))
        .service(
            web::scope("/api")
                .configure(scope_policy(cors_policy!(
                    origins = ["https://api-front.example"],
                    credentials
                )))
                .route("/items", plain("api_items")),
        )
        .wrap(Cors::new())
}

shape!(
    a_sibling_scope_never_gets_the_scope_policy_of_a_shorter_prefix,
    sibling_scope,
    [
        (
            get("/api/items", Some(API)),
            Expect(200, Some(API), Some("api_items"))
        ),
        (get("/api/items", Some(EVIL)), Expect(403, None, None)),
        (
            get("/api/v2/export", Some(API)),
            Expect(200, None, Some("v2_export"))
        ),
        (
            get("/api/v2/export", None),
            Expect(200, None, Some("v2_export"))
        ),
    ]
);

// `/account`'s scope policy, and a root resource `/account/keys` registered before the scope.
fn root_resource_before_scope(ran: Ran) -> Shape!() {
    App::new()
        .app_data(web::Data::new(ran))
        .service(web::resource("/account/keys").route(plain("keys")))
        .service(
            web::scope("/account")
                .configure(scope_policy(cors_policy!(
                    origins = ["https://api-front.example"],
                    credentials
                )))
                .route("/settings", plain("settings")),
        )
        .wrap(Cors::new())
}

shape!(
    a_root_resource_before_a_scope_never_gets_its_policy,
    root_resource_before_scope,
    [
        (
            get("/account/settings", Some(API)),
            Expect(200, Some(API), Some("settings"))
        ),
        (
            get("/account/keys", Some(API)),
            Expect(200, None, Some("keys"))
        ),
    ]
);

// A `web::scope("")` policy, and a root route registered before it.
fn empty_scope(ran: Ran) -> Shape!() {
    App::new()
        .app_data(web::Data::new(ran))
        .route("/health", plain("health"))
        .service(
            web::scope("")
                .configure(scope_policy(cors_policy!(
                    origins = ["https://api-front.example"]
                )))
                .route("/catalog", plain("catalog")),
        )
        .wrap(Cors::new())
}

shape!(
    an_empty_scope_policy_never_reaches_a_root_route_registered_before_it,
    empty_scope,
    [
        (
            get("/catalog", Some(API)),
            Expect(200, Some(API), Some("catalog"))
        ),
        (get("/health", Some(API)), Expect(200, None, Some("health"))),
    ]
);

// Two `configure` modules that each add `web::scope("/m")`: actix-web only ever runs the
// first. The first's admin route keeps its own policy; the second's `origins = "*"` policy
// never reaches it.
fn orders_module(cfg: &mut web::ServiceConfig) {
    cfg.service(web::scope("/m").service(admin_orders));
}

fn export_module(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/m")
            .configure(scope_policy(cors_policy!(origins = "*")))
            .route("/export", plain("export")),
    );
}

fn two_modules(ran: Ran) -> Shape!() {
    App::new()
        .app_data(web::Data::new(ran))
        .configure(orders_module)
        .configure(export_module)
        .wrap(Cors::new())
}

shape!(
    a_second_scope_of_the_same_prefix_never_lends_its_policy,
    two_modules,
    [
        (
            get("/m/orders", Some(ADMIN)),
            Expect(200, Some(ADMIN), Some("admin_orders"))
        ),
        (get("/m/orders", Some(EVIL)), Expect(403, None, None)),
        // actix-web never enters the second `/m`: 404 from the first, without the second's `*`
        // (the door's headers stand only where actix-web's map leads the path into the scope).
        (get("/m/export", Some(EVIL)), Expect(404, None, None)),
    ]
);

// Two `web::scope("/g")` split by `guard::Host`: the admin host's plain route, the www host's
// declared one.
fn host_split_plain(ran: Ran) -> Shape!() {
    App::new()
        .app_data(web::Data::new(ran))
        .service(
            web::scope("/g")
                .guard(guard::Host("admin.test"))
                .route("/profile", plain("admin_plain")),
        )
        .service(
            web::scope("/g")
                .guard(guard::Host("www.test"))
                .service(www_profile),
        )
        .wrap(Cors::new())
}

shape!(
    a_host_split_plain_route_never_gets_the_other_hosts_policy,
    host_split_plain,
    [
        (
            get("/g/profile", Some(WWW)).host("www.test"),
            Expect(200, Some(WWW), Some("www_profile"))
        ),
        (
            get("/g/profile", Some(WWW)).host("admin.test"),
            Expect(200, None, Some("admin_plain"))
        ),
        (
            get("/g/profile", Some(EVIL)).host("www.test"),
            Expect(403, None, None)
        ),
    ]
);

// Two host-split scopes that each declare `GET /g/profile`: the app starts, and each host gets
// its own policy, preflights included.
fn host_split_declared(ran: Ran) -> Shape!() {
    App::new()
        .app_data(web::Data::new(ran))
        .service(
            web::scope("/g")
                .guard(guard::Host("admin.test"))
                .service(admin_profile),
        )
        .service(
            web::scope("/g")
                .guard(guard::Host("www.test"))
                .service(www_profile),
        )
        .wrap(Cors::new())
}

shape!(
    host_split_scopes_each_declaring_a_route_get_their_own_policy,
    host_split_declared,
    [
        (
            get("/g/profile", Some(WWW)).host("www.test"),
            Expect(200, Some(WWW), Some("www_profile"))
        ),
        (
            get("/g/profile", Some(ADMIN)).host("admin.test"),
            Expect(200, Some(ADMIN), Some("admin_profile"))
        ),
        // The other host's front end is refused by the route actix-web runs, before its handler.
        (
            get("/g/profile", Some(WWW)).host("admin.test"),
            Expect(403, None, None)
        ),
        (
            get("/g/profile", Some(ADMIN)).host("www.test"),
            Expect(403, None, None)
        ),
        (
            preflight("/g/profile", WWW, "GET").host("www.test"),
            Expect(204, Some(WWW), None)
        ),
        (
            preflight("/g/profile", ADMIN, "GET").host("admin.test"),
            Expect(204, Some(ADMIN), None)
        ),
        (
            preflight("/g/profile", EVIL, "GET").host("www.test"),
            Expect(403, None, None)
        ),
        (
            get("/g/profile", None).host("www.test"),
            Expect(200, None, Some("www_profile"))
        ),
    ]
);

// `NormalizePath::trim()` inside `Cors`: the door sees `/transfer/`, actix-web runs
// `/transfer`. The declared route fails closed.
fn normalize_inside(ran: Ran) -> Shape!() {
    App::new()
        .app_data(web::Data::new(ran))
        .service(transfer)
        .service(me)
        .wrap(NormalizePath::new(TrailingSlash::Trim))
        .wrap(Cors::new())
}

shape!(
    normalize_path_inside_cors_fails_closed,
    normalize_inside,
    [
        (post_("/transfer/", Some(EVIL)), Expect(403, None, None)),
        (post_("//transfer", Some(EVIL)), Expect(403, None, None)),
        (post_("/transfer", Some(EVIL)), Expect(403, None, None)),
        (
            post_("/transfer", Some(BANK)),
            Expect(200, Some(BANK), Some("transfer"))
        ),
        // Rewritten inside `Cors`: refused, never served with a guess.
        (get("/me/", Some(BANK)), Expect(403, None, None)),
        (get("/me/", None), Expect(200, None, Some("me"))),
    ]
);

// `NormalizePath` outside `Cors`, as the docs ask: every spelling works.
fn normalize_outside(ran: Ran) -> Shape!() {
    App::new()
        .app_data(web::Data::new(ran))
        .service(transfer)
        .service(me)
        .wrap(Cors::new())
        .wrap(NormalizePath::new(TrailingSlash::Trim))
}

shape!(
    normalize_path_outside_cors_works,
    normalize_outside,
    [
        (post_("/transfer/", Some(EVIL)), Expect(403, None, None)),
        (
            post_("/transfer/", Some(BANK)),
            Expect(200, Some(BANK), Some("transfer"))
        ),
        (get("/me/", Some(BANK)), Expect(200, Some(BANK), Some("me"))),
        (
            preflight("/transfer/", BANK, "POST"),
            Expect(204, Some(BANK), None)
        ),
    ]
);

// No `Cors` at all: a `#[cors]` route refuses a cross-site form post (no door decided it).
fn no_cors(ran: Ran) -> Shape!() {
    App::new()
        .app_data(web::Data::new(ran))
        .service(transfer)
        .route("/plain", plain_post("plain"))
}

shape!(
    without_cors_a_declared_route_refuses_cross_origin_requests,
    no_cors,
    [
        (post_("/transfer", Some(EVIL)), Expect(403, None, None)),
        (post_("/transfer", Some(BANK)), Expect(403, None, None)),
        (
            post_("/transfer", None),
            Expect(200, None, Some("transfer"))
        ),
        (
            post_("/plain", Some(EVIL)),
            Expect(200, None, Some("plain"))
        ),
    ]
);
