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
#![doc = include_str!("../docs/dsl.md")]
//!
#![doc = include_str!("../docs/policies.md")]
//!
#![doc = include_str!("../docs/dynamic-origins.md")]
//!
#![doc = include_str!("../docs/refused-requests.md")]
//!
#![doc = include_str!("../docs/diagnostics.md")]
//!
#![doc = include_str!("../docs/authentication.md")]
//!
#![doc = include_str!("../docs/performance.md")]
//!
#![doc = include_str!("../docs/limitations.md")]
//!
#![doc = include_str!("../docs/from-actix-cors.md")]
//!
#![doc = include_str!("../docs/msrv.md")]
//!
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Before requests: how routes declare policies (`declare`), how `Cors` holds them (`policy`),
// the builder that builds the door when the app starts (`middleware`). Then every request goes
// through the door in one direction: read -> choose (route table) -> decide -> write headers.
mod cors;
mod cross_origin;
mod door;
mod explain;
mod policy;
mod report;
mod routes;
mod settings;
mod startup;
pub mod test;

pub use cors::Cors;
#[cfg(feature = "serde")]
pub use cors_core::{BuiltConfig, ConfigError, ConfigProblem, CorsConfig, PolicyConfig};
pub use cors_core::{
    Origin, OriginError, Policy, PolicyBuilder, PolicyError, Problem, ProblemKind,
};
pub use cors_macros::{cors, cors_policy};
pub use cross_origin::CrossOriginProtection;
pub use door::read::{is_preflight, AsRequestHead};
pub use door::refusal::REFUSAL_HEADER;
pub use explain::Explanation;
pub use policy::dynamic::DynamicOrigins;
pub use policy::live::LivePolicy;
pub use policy::lookup::{LookupStats, OriginLookup, OriginLookupBuilder};
pub use policy::policy_ref::{PolicyRef, RuntimePolicy};
pub use policy::slot::PolicySlot;
pub use report::{ReportedRoute, RouteReport};
pub use routes::path_policy::{resource_policy, scope_policy, PathPolicy};
pub use settings::{OnRefusal, PreflightStatus};

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
    pub use crate::door::route_door::RouteDoor;
    pub use crate::routes::registry::register_route;
    pub use crate::routes::route_cors::{GuardFn, PolicySource, RouteCors};
    pub use actix_web;
    pub use cors_core as core;
    pub use std::borrow::Cow;
}
