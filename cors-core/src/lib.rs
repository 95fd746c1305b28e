//! # cors-core
//!
//! Published as `cors-actix-core` (the name `cors-core` is taken on crates.io); the library is
//! `cors_core`.
//!
//! The framework-free CORS engine behind `cors-actix`: strict origin parsing, origin matching
//! (exact, subdomain wildcard, any port, anchored regex), policy validation, and the Fetch
//! Standard decisions for preflights and actual requests.
//!
//! ```
//! use cors_core::{Decision, HeaderInput, Policy, PreflightRequest};
//!
//! let policy = Policy::builder()
//!     .allow_origins(["https://app.example.com", "https://*.preview.example.com"])
//!     .allow_credentials()
//!     .allow_headers(["Authorization"])
//!     .allow_methods(["GET", "DELETE"])
//!     .build()?;
//!
//! let preflight = PreflightRequest {
//!     origin: HeaderInput::One(b"https://pr-7.preview.example.com"),
//!     method: HeaderInput::One(b"DELETE"),
//!     headers: HeaderInput::One(b"authorization"),
//!     private_network: HeaderInput::Missing,
//! };
//! assert!(matches!(policy.preflight(&preflight), Decision::Allowed(_)));
//! assert!(matches!(policy.actual(HeaderInput::One(b"https://evil.example")), Decision::Refused(_)));
//! # Ok::<(), cors_core::PolicyError>(())
//! ```
//!
//! The same [`validate`] function checks policies declared with the `#[cors]` macro at compile
//! time and policies built at run time with [`Policy::builder`]: every problem of a declaration
//! is reported at once, as a [`Problem`] with its [`Location`] and, where one exists, a
//! suggestion. Origins from configuration go through
//! [`PolicyBuilder::allow_origins_list`].
//!
//! Most users want [`cors-actix`](https://docs.rs/cors-actix), which builds on this crate; use
//! `cors-core` directly to add CORS to another framework or to check a configuration.
//!
//! - [`Policy`]: a validated policy; [`Policy::preflight`] and [`Policy::actual`] decide
//!   requests without allocating and return a [`Decision`] (with a [`Reason`] when refused).
//! - [`PolicyBuilder`] / [`PolicyError`]: building at run time; [`PolicySpec`] and
//!   [`validate`]: the declaration and the rules, shared with the macros.
//! - [`Origin`]: strict parsing of a serialized origin; [`AllowedOrigins`]: the matching.
//!
//! Minimum supported Rust version: 1.89.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod actual;
pub mod allow_headers;
pub mod allow_methods;
pub mod allow_origin;
mod builder;
mod decision;
pub mod header_name;
pub mod host;
pub mod origin;
mod origin_error;
mod parts;
mod policy;
mod preflight;
mod problem;
mod reason;
mod regex_origin;
mod request;
mod same_origin;
mod spec;
pub mod table;
mod validate;
mod vary;

pub use allow_headers::AllowedHeaders;
pub use allow_methods::AllowedMethods;
pub use allow_origin::{AllowedOrigins, OriginMatch, PortRule, SubdomainRule};
pub use builder::{PolicyBuilder, PolicyError};
pub use decision::{AllowOrigin, Decision, Grant};
pub use origin::{Origin, OriginError};
pub use parts::{PolicyParts, SubdomainParts};
pub use policy::Policy;
pub use problem::{Key, Location, Problem, ProblemKind};
pub use reason::Reason;
pub use regex_origin::{RegexOrigin, RegexRef};
pub use request::{HeaderInput, PreflightRequest};
pub use same_origin::{is_same_origin, is_same_origin_fetch};
pub use spec::{OriginEntry, PolicySpec, Wording};
pub use validate::{check_method, did_you_mean, validate, MAX_AGE_LIMIT};
pub use vary::{vary_lists, PREFLIGHT_VARY, PREFLIGHT_VARY_PRIVATE_NETWORK};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
