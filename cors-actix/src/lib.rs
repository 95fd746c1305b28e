//! # cors-actix
//!
//! Declarative, per-route CORS for [actix-web](https://actix.rs), checked at compile time.
//! Write one `#[cors(...)]` attribute above a handler's route attribute and wrap the app in
//! [`Cors`]; preflights, actual requests, `Vary` and error responses are handled for you, and a
//! policy a browser would reject does not compile.
//!
//! ```
//! use actix_web::{get, test, App, Responder};
//! use cors_actix::{cors, Cors};
//!
//! #[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
//! #[get("/items")]
//! async fn items() -> impl Responder {
//!     "[]"
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(App::new().service(items).wrap(Cors::new())).await;
//!
//! // The browser's preflight is answered from the route's policy...
//! let preflight = test::TestRequest::default()
//!     .method(actix_web::http::Method::OPTIONS)
//!     .uri("/items")
//!     .insert_header(("Origin", "https://app.example.com"))
//!     .insert_header(("Access-Control-Request-Method", "GET"))
//!     .insert_header(("Access-Control-Request-Headers", "authorization"))
//!     .to_request();
//! let res = test::call_service(&app, preflight).await;
//! assert_eq!(res.status(), 204);
//! assert_eq!(res.headers().get("access-control-allow-origin").unwrap(), "https://app.example.com");
//!
//! // ...and a request from another origin never reaches the handler.
//! let evil = test::TestRequest::get()
//!     .uri("/items")
//!     .insert_header(("Origin", "https://evil.example"))
//!     .to_request();
//! assert_eq!(test::call_service(&app, evil).await.status(), 403);
//! # });
//! ```
//!
//! In a server, `Cors` is registered last, so that it is the outermost middleware:
//!
//! ```no_run
//! # use actix_web::{get, web, App, HttpServer, Responder};
//! # use cors_actix::{cors, Cors};
//! # #[cors(origins = ["https://app.example.com"])]
//! # #[get("/items")]
//! # async fn items() -> impl Responder { "[]" }
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     HttpServer::new(|| {
//!         App::new()
//!             .service(web::scope("/v1").service(items)) // `.service(handler)` as usual
//!             .wrap(Cors::new()) // outermost: registered last
//!     })
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await
//! }
//! ```
//!
//! Contents: [how it works](#how-it-works-decided-at-the-door) · [the DSL, key by key](#the-dsl) ·
//! [default policy, named policies, precedence](#default-policy-named-policies-and-precedence) ·
//! [origins that change while the server runs](#origins-that-change-while-the-server-runs) ·
//! [origins from a database](#origins-from-a-database) ·
//! [refused requests](#refused-requests) · [diagnostics](#diagnostics) ·
//! [authentication middleware](#authentication-middleware-and-is_preflight) ·
//! [limitations](#limitations) · [coming from actix-cors](#coming-from-actix-cors) ·
//! [MSRV](#minimum-supported-rust-version).
//!
#![doc = include_str!("../docs/door.md")]
//!
//! [`Cors`] carries the app-wide settings: the default policy, named policies, [`OnRefusal`]
//! and debug mode. A policy is one of: a route's `#[cors(...)]`, [`cors_policy!`] (a
//! `&'static Policy` checked at compile time), or a [`Policy`] built at run time with
//! [`Policy::builder`], which applies the same validation and returns every problem.
//!
//! # The DSL
//!
//! | key | value | meaning |
//! |---|---|---|
//! | [`origins`](#origins) | `"*"`, or a list of exact origins, subdomain wildcards, any-port origins, `regex(r"^...$")` | who may read responses |
//! | [`credentials`](#credentials) | flag | `Access-Control-Allow-Credentials: true`: cookies and `Authorization` |
//! | [`headers`](#headers) | list of request header names, or `"*"` | non-safelisted request headers allowed in preflights |
//! | [`expose`](#expose) | list of response header names, or `"*"` | response headers the page may read |
//! | [`max_age`](#max_age) | seconds, `0..=86400` | how long browsers cache a preflight |
//! | [`private_network`](#private_network) | flag | answer Private Network Access preflights |
//! | [`allow_null_origin`](#allow_null_origin) | flag | opt-in: allow listing the `null` origin |
//! | [`allow_insecure_origins`](#allow_insecure_origins) | flag | opt-in: plain-`http` origins with `credentials` |
//! | [`policy`](#policy) | `"name"` | a policy registered at run time on [`Cors`] |
//! | [`disable`](#disable) | flag | no CORS headers on this route, even under a default policy |
//!
//! [`cors_policy!`] takes the same keys but `policy` and `disable`, plus `methods = [...]`
//! (default: every method but `CONNECT`, `TRACE` and `TRACK`). Unknown, repeated and mistyped
//! keys are compile errors ("did you mean ...?"), and so is every rule below: all the
//! problems of a declaration are reported at once, each at its token.
//!
//! ```compile_fail
//! # use actix_web::{get, Responder};
//! # use cors_actix::cors;
//! // error: `origins = "*"` cannot be combined with `credentials`
//! #[cors(origins = "*", credentials)]
//! #[get("/me")]
//! async fn me() -> impl Responder { "me" }
//! ```
//!
//! The examples below share these hidden helpers:
//! `get(path, origin)` and `preflight(path, origin, method, headers)` build requests, and
//! `header(&res, name)` reads a response header.
//!
//! ## `origins`
//!
//! Who may read responses: `"*"` (anyone; then `Access-Control-Allow-Origin: *`, and
//! `credentials` is refused), or a list of:
//!
//! - exact origins, as browsers send them: `"https://app.example.com"`, `"http://localhost:3000"`
//!   (scheme, host, port if not the default; lowercase; no path, not even a trailing slash);
//! - subdomain wildcards: `"https://*.preview.example.com"` matches one or more labels
//!   (`a.preview.example.com`, `a.b.preview.example.com`) but never the apex
//!   `preview.example.com`; a wildcard over a public suffix (`*.com`, `*.github.io`) is refused;
//! - any port: `"http://localhost:*"`;
//! - `regex(r"^https://[a-z0-9-]+\.partner\.example$")`: anchored, with every `.` of the host
//!   escaped.
//!
//! ```
//! # use actix_web::{get, http::Method, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, Cors};
//! # fn get(path: &str, origin: &str) -> actix_http::Request { TestRequest::get().uri(path).insert_header(("Origin", origin)).to_request() }
//! # fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> { res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()) }
//! #[cors(origins = "*")]
//! #[get("/status")]
//! async fn status() -> impl Responder { "ok" }
//!
//! #[cors(origins = [
//!     "https://app.example.com",
//!     "https://*.preview.example.com",
//!     "http://localhost:*",
//!     regex(r"^https://[a-z0-9-]+\.partner\.example$"),
//! ])]
//! #[get("/items")]
//! async fn items() -> impl Responder { "[]" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(App::new().service(status).service(items).wrap(Cors::new())).await;
//! let res = test::call_service(&app, get("/status", "https://anyone.example")).await;
//! assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some("*"));
//!
//! for allowed in [
//!     "https://app.example.com",
//!     "https://pr-7.preview.example.com",
//!     "http://localhost:5173",
//!     "https://acme.partner.example",
//! ] {
//!     let res = test::call_service(&app, get("/items", allowed)).await;
//!     assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some(allowed));
//!     assert_eq!(header(&res, "vary").as_deref(), Some("Origin"));
//! }
//! for refused in [
//!     "https://preview.example.com",      // the apex is not covered by `*.`
//!     "https://app.example.com.evil.example",
//!     "https://acme-partner.example",     // the regex's `\.` is a real dot
//! ] {
//!     assert_eq!(test::call_service(&app, get("/items", refused)).await.status(), 403);
//! }
//! # });
//! ```
//!
//! ## `credentials`
//!
//! Sends `Access-Control-Allow-Credentials: true`, so that pages may send cookies or
//! `Authorization` (`fetch(url, { credentials: "include" })`) and read the answer. It cannot be
//! combined with `"*"` in `origins`, `headers` or `expose` (browsers reject or ignore that),
//! and plain-`http` origins other than loopback need
//! [`allow_insecure_origins`](#allow_insecure_origins).
//!
//! ```
//! # use actix_web::{post, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, Cors};
//! # fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> { res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()) }
//! #[cors(origins = ["https://app.example.com", "http://localhost:5173"], credentials)]
//! #[post("/logout")]
//! async fn logout() -> impl Responder { "bye" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(App::new().service(logout).wrap(Cors::new())).await;
//! let req = TestRequest::post().uri("/logout").insert_header(("Origin", "http://localhost:5173"));
//! let res = test::call_service(&app, req.to_request()).await;
//! assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some("http://localhost:5173"));
//! assert_eq!(header(&res, "access-control-allow-credentials").as_deref(), Some("true"));
//! # });
//! ```
//!
//! ## `headers`
//!
//! The request headers a page may send beyond the CORS-safelisted ones, checked in preflights
//! (case-insensitive). `Content-Type` belongs here for JSON bodies: it is safelisted only for
//! form and plain-text values. `"*"` allows any header *but* `Authorization`, which must always
//! be listed; it cannot be combined with `credentials`. Forbidden names (`Cookie`, `Host`,
//! `Sec-*`, `Proxy-*` ...) and `Access-Control-*` names are compile errors.
//!
//! ```
//! # use actix_web::{put, http::Method, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, Cors};
//! # fn preflight(path: &str, origin: &str, method: &str, headers: &str) -> actix_http::Request { TestRequest::default().method(Method::OPTIONS).uri(path).insert_header(("Origin", origin)).insert_header(("Access-Control-Request-Method", method)).insert_header(("Access-Control-Request-Headers", headers)).to_request() }
//! # fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> { res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()) }
//! #[cors(origins = ["https://app.example.com"], headers = ["Content-Type", "X-Request-Id"])]
//! #[put("/items")]
//! async fn put_items() -> impl Responder { "" }
//!
//! #[cors(origins = "*", headers = "*")]
//! #[put("/public")]
//! async fn put_public() -> impl Responder { "" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(
//!     App::new().service(put_items).service(put_public).wrap(Cors::new()),
//! )
//! .await;
//! let ok = preflight("/items", "https://app.example.com", "PUT", "content-type,x-request-id");
//! let res = test::call_service(&app, ok).await;
//! assert_eq!(res.status(), 204);
//! assert_eq!(header(&res, "access-control-allow-methods").as_deref(), Some("PUT"));
//! assert_eq!(header(&res, "access-control-allow-headers").as_deref(), Some("content-type,x-request-id"));
//!
//! let not_listed = preflight("/items", "https://app.example.com", "PUT", "x-secret");
//! assert_eq!(test::call_service(&app, not_listed).await.status(), 403);
//!
//! // "*" echoes any header, never Authorization.
//! let any = preflight("/public", "https://anyone.example", "PUT", "x-anything");
//! assert_eq!(test::call_service(&app, any).await.status(), 204);
//! let auth = preflight("/public", "https://anyone.example", "PUT", "authorization");
//! assert_eq!(test::call_service(&app, auth).await.status(), 403);
//! # });
//! ```
//!
//! ## `expose`
//!
//! Response headers the page may read besides the always-readable ones (`Cache-Control`,
//! `Content-Language`, `Content-Length`, `Content-Type`, `Expires`, `Last-Modified`, `Pragma`:
//! listing those is an error, and so is `Set-Cookie`, which is never exposed). `"*"` exposes
//! every header, for credential-free policies only.
//!
//! ```
//! # use actix_web::{get, test::{self, TestRequest}, App, HttpResponse, Responder};
//! # use cors_actix::{cors, Cors};
//! # fn get(path: &str, origin: &str) -> actix_http::Request { TestRequest::get().uri(path).insert_header(("Origin", origin)).to_request() }
//! # fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> { res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()) }
//! #[cors(origins = ["https://app.example.com"], expose = ["X-Total-Count"])]
//! #[get("/items")]
//! async fn items() -> impl Responder {
//!     HttpResponse::Ok().insert_header(("X-Total-Count", "2")).body("[]")
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(App::new().service(items).wrap(Cors::new())).await;
//! let res = test::call_service(&app, get("/items", "https://app.example.com")).await;
//! assert_eq!(header(&res, "access-control-expose-headers").as_deref(), Some("X-Total-Count"));
//! # });
//! ```
//!
//! ## `max_age`
//!
//! How many seconds browsers may cache a preflight's answer (`Access-Control-Max-Age`), from 0
//! to 86400 (Firefox's cap; Chromium caps at 7200). Without it browsers cache for 5 seconds.
//!
//! ```
//! # use actix_web::{delete, http::Method, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, Cors};
//! # fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> { res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()) }
//! #[cors(origins = ["https://admin.example.com"], max_age = 600)]
//! #[delete("/items")]
//! async fn delete_items() -> impl Responder { "" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(App::new().service(delete_items).wrap(Cors::new())).await;
//! let req = TestRequest::default()
//!     .method(Method::OPTIONS)
//!     .uri("/items")
//!     .insert_header(("Origin", "https://admin.example.com"))
//!     .insert_header(("Access-Control-Request-Method", "DELETE"));
//! let res = test::call_service(&app, req.to_request()).await;
//! assert_eq!(header(&res, "access-control-max-age").as_deref(), Some("600"));
//! # });
//! ```
//!
//! ## `private_network`
//!
//! Answers [Private Network Access](https://wicg.github.io/private-network-access/) preflights
//! (a public page calling a device or service on a private network sends
//! `Access-Control-Request-Private-Network: true`) with
//! `Access-Control-Allow-Private-Network: true`, and adds
//! `Access-Control-Request-Private-Network` to the preflight's `Vary`.
//!
//! Browsers moved on: since Chrome 142, *Local Network Access* replaced these preflights with
//! a permission prompt. The user grants the page access to the local network; the server has
//! nothing to send for it, and its CORS answer is what it always was. `private_network` still
//! matters for older Chromium-based browsers that send the header. A preflight that carries it
//! to a route *without* `private_network` is answered as if the header were absent: no
//! `Access-Control-Allow-Private-Network`, and never a refusal for that reason.
//!
//! ```
//! # use actix_web::{get, http::Method, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, Cors};
//! # fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> { res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()) }
//! #[cors(origins = ["https://setup.example.com"], private_network)]
//! #[get("/device/info")]
//! async fn info() -> impl Responder { "router v2" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(App::new().service(info).wrap(Cors::new())).await;
//! let req = TestRequest::default()
//!     .method(Method::OPTIONS)
//!     .uri("/device/info")
//!     .insert_header(("Origin", "https://setup.example.com"))
//!     .insert_header(("Access-Control-Request-Method", "GET"))
//!     .insert_header(("Access-Control-Request-Private-Network", "true"));
//! let res = test::call_service(&app, req.to_request()).await;
//! assert_eq!(res.status(), 204);
//! assert_eq!(header(&res, "access-control-allow-private-network").as_deref(), Some("true"));
//! assert!(header(&res, "vary").unwrap().ends_with("Access-Control-Request-Private-Network"));
//! # });
//! ```
//!
//! ## `allow_null_origin`
//!
//! Browsers send `Origin: null` from sandboxed iframes, `data:` URLs and local files, so
//! anyone can send it: listing `"null"` is a compile error unless this loudly named opt-in is
//! present. (`file://` origins are always refused: browsers send `null` for them.)
//!
//! ```
//! # use actix_web::{get, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, Cors};
//! # fn get(path: &str, origin: &str) -> actix_http::Request { TestRequest::get().uri(path).insert_header(("Origin", origin)).to_request() }
//! # fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> { res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()) }
//! #[cors(origins = ["https://app.example.com", "null"], allow_null_origin)]
//! #[get("/embed")]
//! async fn embed() -> impl Responder { "widget" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(App::new().service(embed).wrap(Cors::new())).await;
//! let res = test::call_service(&app, get("/embed", "null")).await;
//! assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some("null"));
//! # });
//! ```
//!
//! ## `allow_insecure_origins`
//!
//! With `credentials`, a plain-`http` origin other than loopback (`localhost`, `127.0.0.1`,
//! `[::1]`) is a compile error: anyone on the network path can forge its pages and ride the
//! user's cookies. This opt-in accepts them (an intranet without TLS, say).
//!
//! ```
//! # use actix_web::{get, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, Cors};
//! # fn get(path: &str, origin: &str) -> actix_http::Request { TestRequest::get().uri(path).insert_header(("Origin", origin)).to_request() }
//! # fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> { res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()) }
//! #[cors(origins = ["http://intranet.corp.example"], credentials, allow_insecure_origins)]
//! #[get("/me")]
//! async fn me() -> impl Responder { "me" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(App::new().service(me).wrap(Cors::new())).await;
//! let res = test::call_service(&app, get("/me", "http://intranet.corp.example")).await;
//! assert_eq!(header(&res, "access-control-allow-credentials").as_deref(), Some("true"));
//! # });
//! ```
//!
//! ## `policy`
//!
//! `policy = "name"` uses a policy registered on the middleware with [`Cors::policy`],
//! typically built at start-up from configuration (origins per environment) with
//! [`Policy::builder`] and [`PolicyBuilder::allow_origins_list`]. Runtime policies go through
//! the same validation as the macros and return a [`PolicyError`] listing every problem. It
//! cannot be mixed with inline keys.
//!
//! A name a route uses but the middleware does not register is caught when the app starts:
//! `Cors` refuses to be created, with a message naming each handler and policy (on stderr and
//! as an `error` event with target `cors`), so `HttpServer::run()` returns an error and a
//! `main` that propagates it exits with status 1, before serving any request.
//!
//! ```
//! # use actix_web::{get, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, Cors, Policy};
//! # fn get(path: &str, origin: &str) -> actix_http::Request { TestRequest::get().uri(path).insert_header(("Origin", origin)).to_request() }
//! # fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> { res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()) }
//! #[cors(policy = "partners")]
//! #[get("/stock")]
//! async fn stock() -> impl Responder { "12" }
//!
//! # fn main() -> Result<(), cors_actix::PolicyError> {
//! // e.g. std::env::var("PARTNER_ORIGINS"), validated once at start-up.
//! let configured = "https://acme.partner.example, https://*.beta.partner.example";
//! let partners = Policy::builder().allow_origins_list(configured).build()?;
//! let cors = Cors::new().policy("partners", partners);
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(App::new().service(stock).wrap(cors)).await;
//! let res = test::call_service(&app, get("/stock", "https://x.beta.partner.example")).await;
//! assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some("https://x.beta.partner.example"));
//!
//! // Forgetting `.policy("partners", ..)`: the app refuses to start.
//! use actix_service::IntoServiceFactory;
//! use actix_web::dev::{AppConfig, ServiceFactory};
//! let factory = App::new().service(stock).wrap(Cors::new()).into_factory();
//! assert!(factory.new_service(AppConfig::default()).await.is_err());
//! # });
//! # Ok(())
//! # }
//! ```
//!
//! ## `disable`
//!
//! `#[cors(disable)]` keeps a route free of CORS headers even under a
//! [default policy](Cors::default_policy): its responses are never readable by other origins
//! and its preflights are refused.
//!
//! ```
//! # use actix_web::{get, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, cors_policy, Cors};
//! # fn get(path: &str, origin: &str) -> actix_http::Request { TestRequest::get().uri(path).insert_header(("Origin", origin)).to_request() }
//! #[cors(disable)]
//! #[get("/internal/metrics")]
//! async fn metrics() -> impl Responder { "requests_total 42" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let cors = Cors::new().default_policy(cors_policy!(origins = "*"));
//! let app = test::init_service(App::new().service(metrics).wrap(cors)).await;
//! let res = test::call_service(&app, get("/internal/metrics", "https://anyone.example")).await;
//! assert_eq!(res.status(), 200);
//! assert!(res.headers().get("access-control-allow-origin").is_none());
//! # });
//! ```
//!
//! # Default policy, named policies and precedence
//!
//! [`Cors::default_policy`] covers every request no declared route serves (plain
//! `.route(..)`s, resources, other crates' services, 404s), with a [`cors_policy!`] or a
//! runtime [`Policy`]. For each request, the first of these that applies decides:
//!
//! 1. the route's own `#[cors(...)]` (or `#[cors(disable)]`, or its [`resource_policy`]);
//! 2. the named policy the route refers to with `#[cors(policy = "name")]`;
//! 3. the [`scope_policy`] of the innermost scope around it;
//! 4. the default policy;
//! 5. none: the request passes untouched.
//!
//! ```
//! # use actix_web::{get, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, cors_policy, Cors};
//! # fn get(path: &str, origin: &str) -> actix_http::Request { TestRequest::get().uri(path).insert_header(("Origin", origin)).to_request() }
//! # fn header<B>(res: &actix_web::dev::ServiceResponse<B>, name: &str) -> Option<String> { res.headers().get(name).map(|v| v.to_str().unwrap().to_owned()) }
//! #[get("/plain")]
//! async fn plain() -> impl Responder { "covered by the default" }
//!
//! #[cors(origins = ["https://admin.example.com"])]
//! #[get("/admin")]
//! async fn admin() -> impl Responder { "its own policy" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let cors = Cors::new().default_policy(cors_policy!(origins = ["https://app.example.com"]));
//! let app = test::init_service(App::new().service(plain).service(admin).wrap(cors)).await;
//! let res = test::call_service(&app, get("/plain", "https://app.example.com")).await;
//! assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some("https://app.example.com"));
//! // The route's own policy wins over the default.
//! let res = test::call_service(&app, get("/admin", "https://app.example.com")).await;
//! assert_eq!(res.status(), 403);
//! # });
//! ```
//!
#![doc = include_str!("../docs/dynamic-origins.md")]
//!
//! # Refused requests
//!
//! A refused preflight always gets `403` (`400` if malformed). For an actual request from a
//! refused origin, [`Cors::on_refusal`] chooses: [`OnRefusal::Block`] (the default) answers
//! `403` without running the handler, which stops the side effects of the cross-site requests
//! browsers send without a preflight (form posts, simple `fetch`es);
//! [`OnRefusal::HeadersOnly`] runs the handler and sends its response without CORS headers
//! (the browser hides it from the page), for APIs that non-browser clients call with arbitrary
//! `Origin` headers. Same-origin requests (`Sec-Fetch-Site: same-origin`, or an `Origin` equal
//! to the request's own scheme and host) are never refused.
//!
//! ```
//! # use actix_web::{post, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, Cors, OnRefusal};
//! #[cors(origins = ["https://app.example.com"])]
//! #[post("/webhook")]
//! async fn webhook() -> impl Responder { "received" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let cors = Cors::new().on_refusal(OnRefusal::HeadersOnly);
//! let app = test::init_service(App::new().service(webhook).wrap(cors)).await;
//! let req = TestRequest::post().uri("/webhook").insert_header(("Origin", "https://other.example"));
//! let res = test::call_service(&app, req.to_request()).await;
//! assert_eq!(res.status(), 200); // the handler ran...
//! assert!(res.headers().get("access-control-allow-origin").is_none()); // ...unreadable by the page
//! # });
//! ```
//!
//! # Diagnostics
//!
//! Every decision is a [`tracing`](https://docs.rs/tracing) event with target `cors` and
//! fields `handler` (the handler's name, or `<default policy>`), `method`, `path`, `request`
//! (`preflight` or `request`) and, for refusals, `reason` and `action`:
//!
//! - `debug`: refusals, with the reason (``origin `https://evil.example` is not allowed ...``,
//!   ``request header `x-secret` is not allowed ...``) and what was done;
//! - `trace`: allowed requests, and requests no policy had to decide, with why (no `Origin`,
//!   same-origin, `#[cors(disable)]`, a preflight answered by the app's own `OPTIONS` handler);
//! - `error`: a named policy that is not registered (at start-up, or at request time if the app
//!   has no `Cors`).
//!
//! With `tracing-subscriber`, `RUST_LOG=cors=debug` shows every refusal and its reason.
//!
//! Responses only say `CORS request refused: origin not allowed` (a static summary that never
//! echoes the request). [`Cors::debug`]`(true)` adds the detailed reason to the body and to
//! the [`X-Cors-Refusal`](REFUSAL_HEADER) header, for development: it is off by default
//! because the reasons reveal the policy to anyone.
//!
//! ```
//! # use actix_web::{get, test::{self, TestRequest}, App, Responder};
//! # use cors_actix::{cors, Cors};
//! # fn get(path: &str, origin: &str) -> actix_http::Request { TestRequest::get().uri(path).insert_header(("Origin", origin)).to_request() }
//! #[cors(origins = ["https://app.example.com"])]
//! #[get("/items")]
//! async fn items() -> impl Responder { "[]" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let debug = cfg!(debug_assertions); // e.g. only in development builds
//! let app = test::init_service(App::new().service(items).wrap(Cors::new().debug(debug))).await;
//! let res = test::call_service(&app, get("/items", "https://app.example.org")).await;
//! assert_eq!(res.status(), 403);
//! # if debug {
//! assert_eq!(
//!     res.headers().get(cors_actix::REFUSAL_HEADER).unwrap(),
//!     "origin `https://app.example.org` is not allowed by this route's CORS policy",
//! );
//! # }
//! # });
//! ```
//!
//! # Authentication middleware and `is_preflight`
//!
//! Authentication needs no knowledge of CORS: `Cors` answers the preflights of every route
//! that has a policy before any middleware inside it runs, and puts the route's CORS headers on
//! the `401` your middleware sends, so the page can read it and send the user to log in. This
//! holds for middleware on the app, on a scope or on the route.
//!
//! ```
//! use actix_web::body::MessageBody;
//! use actix_web::dev::{ServiceRequest, ServiceResponse};
//! use actix_web::middleware::{from_fn, Next};
//! use actix_web::{error::ErrorUnauthorized, get, test, web, App, Error, Responder};
//! use cors_actix::{cors, Cors};
//!
//! // Written without any knowledge of CORS.
//! async fn require_token(
//!     req: ServiceRequest,
//!     next: Next<impl MessageBody>,
//! ) -> Result<ServiceResponse<impl MessageBody>, Error> {
//!     if req.headers().contains_key("authorization") {
//!         next.call(req).await
//!     } else {
//!         Err(ErrorUnauthorized("log in first"))
//!     }
//! }
//!
//! #[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
//! #[get("/me")]
//! async fn me() -> impl Responder { "alice" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(
//!     App::new()
//!         .service(web::scope("/api").wrap(from_fn(require_token)).service(me))
//!         .wrap(Cors::new()),
//! )
//! .await;
//! let preflight = test::TestRequest::default()
//!     .method(actix_web::http::Method::OPTIONS)
//!     .uri("/api/me")
//!     .insert_header(("Origin", "https://app.example.com"))
//!     .insert_header(("Access-Control-Request-Method", "GET"))
//!     .insert_header(("Access-Control-Request-Headers", "authorization"));
//! assert_eq!(test::call_service(&app, preflight.to_request()).await.status(), 204);
//! let unauthorized = test::TestRequest::get()
//!     .uri("/api/me")
//!     .insert_header(("Origin", "https://app.example.com"));
//! // The auth layer's error, rendered as actix-web renders it for the client:
//! let err = test::try_call_service(&app, unauthorized.to_request()).await.unwrap_err();
//! let res = err.error_response();
//! assert_eq!(res.status(), 401);
//! let header = |name| res.headers().get(name).and_then(|v| v.to_str().ok());
//! assert_eq!(header("access-control-allow-origin"), Some("https://app.example.com"));
//! assert_eq!(header("access-control-allow-credentials"), Some("true"));
//! # });
//! ```
//!
//! [`is_preflight`] remains for your own code that handles the preflights no policy covers.
//! See `examples/auth_beside_cors.rs` in the repository for the whole story.
//!
//! # Performance
//!
//! Deciding a request allocates nothing (allocation-counting tests run in CI): the header values
//! are computed when the policy is (at compile time for `#[cors]`), origins are looked up in hash
//! tables the macro emits as constants, and request values are borrowed or shared, never copied.
//! The door's cost does not grow with the app: a route is found by one hash lookup for paths
//! without dynamic segments, otherwise by walking the path's static segments (a preflight costs
//! the same instructions with 10 routes and with 1,000). Measured side by side with callgrind:
//! an allowed request costs 1-2 % fewer instructions than with actix-cors, a preflight about
//! 20 % fewer, a request without `Origin` 1.10x the same app without CORS at 10 routes and
//! 1.05x at 100 (mostly the `Vary: Origin` it must add); a refused request about 8 % more than
//! actix-cors, which refuses before looking at routes. Figures, method and commands:
//! [`docs/BENCHMARKS.md`](https://github.com/cors-actix/cors-actix/blob/main/docs/BENCHMARKS.md).
//!
//! # Limitations
//!
//! Each is pinned by a test (`tests/tests/limitations.rs`).
//!
//! - **`Cors` decides every CORS request.** Without it (or with it on a scope instead of the
//!   `App`), `#[cors]` routes are plain actix-web routes: no CORS headers, so browsers block
//!   every cross-origin read (the failure is closed, not open). Use one `Cors`, wrapping the
//!   `App`.
//! - **The door sees declarations, not every service.** A scope or resource *without* any CORS
//!   declaration is invisible to it: a plain `web::scope("/api")` registered before a declared
//!   root route `/api/status` takes `/api/status` in actix-web (404), while the door still
//!   answers its preflights with the route's policy. Likewise a scope level that holds no
//!   declared route of its own (`scope("/v1")` around `scope("/{tenant}")`) is seen as part of
//!   the inner one, and sibling scopes whose prefixes extend one another (`/v1`, then `/v1/{t}`
//!   beside it) are taken for nested. Guards on a `web::scope` are not evaluated at the door.
//!   Register declared routes before catch-all scopes, or give such a scope a
//!   [`scope_policy`].
//! - **Guards that need the actual request's headers** do not match its preflight (see
//!   [guards](#guards-and-the-default-service)).
//!
//! # Coming from actix-cors
//!
//! Each `actix_cors::Cors` builder call has its equivalent (or the reason there is none) in the
//! guide
//! [`docs/coming-from-actix-cors.md`](https://github.com/cors-actix/cors-actix/blob/main/docs/coming-from-actix-cors.md).
//! In short: `Cors::default().allowed_origin(..)...` becomes `#[cors(origins = [..], ...)]` on
//! each route or `Cors::new().default_policy(cors_policy!(..))` for the whole app.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.89, the MSRV of actix-web 4.18. Raising it is a minor-version change.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Before requests: how routes declare policies (`declare`), how `Cors` holds them (`policy`),
// the builder that builds the door when the app starts (`middleware`). Then every request goes
// through the door in one direction: read -> choose (route table) -> decide -> write headers.
mod declare;
mod door;
mod middleware;
mod policy;
mod report;
mod settings;

pub use cors_core::{Origin, Policy, PolicyBuilder, PolicyError, Problem, ProblemKind};
pub use cors_macros::{cors, cors_policy};
pub use declare::path_policy::{resource_policy, scope_policy, PathPolicy};
pub use door::read::{is_preflight, AsRequestHead};
pub use door::refusal::REFUSAL_HEADER;
pub use middleware::Cors;
pub use policy::dynamic::DynamicOrigins;
pub use policy::live::LivePolicy;
pub use policy::lookup::{LookupStats, OriginLookup, OriginLookupBuilder};
pub use policy::policy_ref::{PolicyRef, RuntimePolicy};
pub use policy::slot::PolicySlot;
pub use report::{ReportedRoute, RouteReport};
pub use settings::{OnRefusal, PreflightStatus};

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Support for the code the macros generate. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::declare::registry::register_route;
    pub use crate::declare::route_cors::{GuardFn, PolicySource, RouteCors};
    pub use actix_web;
    pub use cors_core as core;
    pub use std::borrow::Cow;
}
