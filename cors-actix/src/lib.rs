//! # cors-actix
//!
//! Declarative, per-route CORS for [actix-web](https://actix.rs), checked at compile time.
//! Write one attribute above a handler's route attribute and wrap the app in [`Cors`]:
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
//! Mistakes are compile errors that point at the offending token, e.g. `origins = "*"` together
//! with `credentials`, an origin with a trailing slash, or `#[cors]` placed below `#[get]`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod decorate;
mod middleware;
mod policy_ref;
mod preflight;
mod refusal;
mod route_cors;
mod route_middleware;
mod settings;
mod startup;

pub use cors_core::{Policy, PolicyBuilder, PolicyError, Problem, ProblemKind};
pub use cors_macros::{cors, cors_policy};
pub use middleware::Cors;
pub use policy_ref::{PolicyRef, RuntimePolicy};
pub use preflight::{is_preflight, AsRequestHead};
pub use refusal::REFUSAL_HEADER;
pub use settings::OnRefusal;

/// Support for the code the macros generate. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::preflight::register_preflight;
    pub use crate::route_cors::{PolicySource, RouteCors};
    pub use crate::route_middleware::RouteMiddleware;
    pub use actix_web;
    pub use cors_core as core;
    pub use std::borrow::Cow;
}
