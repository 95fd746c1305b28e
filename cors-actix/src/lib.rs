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
//! How it works, in a paragraph: when the app starts, `Cors` learns every declared route (its
//! full path, methods, guards and policy) and builds a route table; for each request it finds
//! the route actix-web will run, answers preflights and refuses disallowed origins before
//! anything inside it runs, and writes the policy's headers on what the app answers. After
//! routing, actix-web has the last word: each `#[cors]` route refuses a cross-origin request
//! the door did not decide for it, and a response only gets the headers of the policy
//! covering what actix-web ran.
//!
//! Where to read on:
//! - [`cors`]: the DSL, key by key, with a tested example for each;
//! - [`Cors`]: how the door works, default and named policies, precedence, configuration
//!   files, performance, limitations;
//! - [`DynamicOrigins`]: origins that change while the server runs ([`LivePolicy`]), origins
//!   from a database ([`OriginLookup`]);
//! - [`OnRefusal`]: refused requests; [`CrossOriginProtection`]: for routes without a policy;
//! - [`RouteReport`]: diagnostics, logs, debug mode, [`Cors::explain`];
//! - [`is_preflight`]: authentication middleware beside `Cors`;
//! - [`cors-actix-test`](https://docs.rs/cors-actix-test), a crate of its own (a
//!   dev-dependency): a test kit that behaves like a browser.
//!
//! Features: `public-suffix-list` (default): runtime-built policies check subdomain wildcards
//! against the Public Suffix List (without it, a runtime-built subdomain wildcard is refused;
//! the macros always check); `serde`: policies from configuration files ([`Cors`]'s
//! "Policies from configuration files").
//!
#![doc = include_str!("../docs/from-actix-cors.md")]
//!
#![doc = include_str!("../docs/msrv.md")]
//!
#![forbid(unsafe_code)]
// docs.rs builds with `--cfg docsrs`: items behind a feature carry an "Available on crate
// feature ... only" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

// Before requests: how routes declare policies (`declare`), how `Cors` holds them (`policy`),
// the builder that builds the door when the app starts (`middleware`). Then every request goes
// through the door in one direction: read -> choose (route table) -> decide -> write headers.
mod cors;
mod counters;
mod cross_origin;
mod door;
mod explain;
#[cfg(test)]
mod fast_path;
mod on_refusal;
mod policy;
mod preflight_status;
mod refusal_log;
mod report;
mod routes;
mod settings;
mod startup;

pub use cors::Cors;
#[cfg(feature = "serde")]
pub use cors_core::{BuiltConfig, ConfigError, ConfigProblem, CorsConfig, PolicyConfig};
pub use cors_core::{
    Origin, OriginError, Policy, PolicyBuilder, PolicyError, Problem, ProblemKind,
};
#[doc = include_str!("../docs/dsl.md")]
///
#[doc = include_str!("../docs/links.md")]
pub use cors_macros::cors;
pub use cors_macros::cors_policy;
pub use cross_origin::CrossOriginProtection;
pub use door::read::{is_preflight, AsRequestHead};
pub use door::refusal::REFUSAL_HEADER;
pub use explain::Explanation;
pub use on_refusal::OnRefusal;
pub use policy::dynamic::DynamicOrigins;
pub use policy::live::LivePolicy;
pub use policy::lookup::client::{ForwardedHeader, TrustedProxies, TrustedProxiesError};
pub use policy::lookup::{LookupStats, OriginLookup, OriginLookupBuilder};
pub use policy::origin_set::{OriginSet, OriginSetError, OriginSetStats, RefusedOrigin};
pub use policy::policy_ref::PolicyRef;
pub use policy::slot::PolicySlot;
pub use preflight_status::PreflightStatus;
pub use refusal_log::RefusalLog;
pub use report::{ReportedRoute, RouteReport};
pub use routes::path_policy::{
    resource_policy, scope_policy, ConfigureScope, GiveScopePolicyToConfigure, PathPolicy,
    ScopePolicy, ScopePolicyMisplaced,
};

/// Helpers for the documentation's examples. Not a public API.
#[doc(hidden)]
#[path = "doctest.rs"]
pub mod __doctest;

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Support for the code the macros generate. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::door::after::route_cors::{DeclaredPolicy, GuardFn, RouteCors, RouteMark};
    pub use crate::door::after::route_door::{RouteDoor, RouteDoorBoxing};
    pub use crate::routes::registry::register_route;
    pub use actix_web;
    pub use cors_core as core;
    pub use std::borrow::Cow;
}
