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

// Layers, each importing only those above it: `origin` (parsing and matching origins),
// `request` (what a decision reads), `decision` (what it answers), `policy` (the validated
// policy, its matchers and its two decisions), `declare` (declarations, their validation, the
// builder).
mod decision;
mod declare;
mod origin;
mod policy;
mod request;

pub use decision::reason::Reason;
pub use decision::vary::{vary_lists, PREFLIGHT_VARY, PREFLIGHT_VARY_PRIVATE_NETWORK};
pub use decision::{AllowOrigin, Decision, Grant};
pub use declare::builder::{PolicyBuilder, PolicyError};
#[cfg(feature = "serde")]
pub use declare::config::{BuiltConfig, ConfigError, ConfigProblem, CorsConfig, PolicyConfig};
pub use declare::keys::{Key, KeyKind, KeySite, KeySpec, KEYS};
pub use declare::parts::{PolicyParts, SubdomainParts};
pub use declare::problem::{Location, Problem, ProblemKind};
pub use declare::spec::{OriginEntry, PolicySpec, Wording};
pub use declare::validate::{did_you_mean, validate, validate_method, MAX_AGE_LIMIT};
pub use origin::allowed::{AllowedOrigins, OriginMatch, PortRule, SubdomainRule};
pub use origin::host::{HostKind, MAX_HOST_LEN};
pub use origin::regex::{RegexOrigin, RegexRef};
pub use origin::{default_port, Origin, OriginError, MAX_ORIGIN_LEN};
pub use policy::allow_headers::{AllowedHeaders, MAX_EMPTY_ELEMENTS};
pub use policy::allow_methods::{
    is_forbidden_method, AllowedMethods, FORBIDDEN_METHODS, MAX_METHOD_LEN,
};
/// What the Fetch Standard says about header names: tokens, forbidden and safelisted names.
pub use policy::header_name;
pub use policy::Policy;
#[doc(hidden)]
pub use policy::StaticPolicy;
pub use request::same_origin::{is_same_origin, is_same_origin_fetch};
pub use request::{HeaderInput, PreflightRequest, MAX_REQUEST_HEADERS_LEN};

/// The origin tables the macros lay out at compile time. Not a public API.
#[doc(hidden)]
pub use origin::table;

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
