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
//! let preflight = PreflightRequest::new(
//!     HeaderInput::One(b"https://pr-7.preview.example.com"),
//!     HeaderInput::One(b"DELETE"),
//! )
//! .headers(HeaderInput::One(b"authorization"));
//! assert!(matches!(policy.preflight(&preflight), Decision::Allowed(_)));
//! assert!(matches!(policy.actual(HeaderInput::One(b"https://evil.example")), Decision::Refused(_)));
//! # Ok::<(), cors_core::PolicyError>(())
//! ```
//!
//! One validation checks policies declared with the `#[cors]` macro at compile time and
//! policies built at run time with [`Policy::builder`]: every problem of a declaration
//! is reported at once, as a [`Problem`] with its [`Location`] and, where one exists, a
//! suggestion. Origins from configuration go through
//! [`PolicyBuilder::allow_origins_list`].
//!
//! Most users want [`cors-actix`](https://docs.rs/cors-actix), which builds on this crate; use
//! `cors-core` directly to add CORS to another framework or to check a configuration.
//!
//! - [`Policy`]: a validated policy; [`Policy::preflight`] and [`Policy::actual`] decide
//!   requests without allocating and return a [`Decision`] (with a [`Reason`] when refused).
//! - [`PolicyBuilder`] / [`PolicyError`]: building at run time, every [`Problem`] at once.
//! - [`PreflightRequest`] and [`HeaderInput`]: what a decision reads from a request.
//! - [`Origin`]: strict parsing of a serialized origin; [`AllowedOrigins`]: the matching.
//! - [`limits`]: the bounds on what the engine reads.
//!
//! The hidden `__private` module is the macros' plumbing: not a stable API.
//!
//! Minimum supported Rust version: 1.89.
#![forbid(unsafe_code)]
// docs.rs builds with `--cfg docsrs`: items behind a feature carry an "Available on crate
// feature ... only" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
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

// The engine's contract: a policy, how it is built and what refuses a build, what it decides,
// from which inputs, and the origin it parses. Everything the macros need besides is in
// `__private`.
pub use decision::reason::Reason;
pub use decision::{AllowOrigin, Decision, Grant};
pub use declare::builder::{PolicyBuilder, PolicyError};
#[cfg(feature = "serde")]
pub use declare::config::{BuiltConfig, ConfigError, ConfigProblem, CorsConfig, PolicyConfig};
pub use declare::keys::Key;
pub use declare::problem::{Location, Problem, ProblemKind};
pub use origin::allowed::{AllowedOrigins, OriginMatch};
pub use origin::host::HostKind;
pub use origin::{Origin, OriginError};
pub use policy::allow_headers::AllowedHeaders;
pub use policy::allow_methods::AllowedMethods;
pub use policy::dynamic_check::{DynamicCheck, KnownOrigin};
pub use policy::Policy;
pub use request::same_origin::{is_same_origin, is_same_origin_fetch};
pub use request::{HeaderInput, PreflightRequest};

/// The bounds the engine puts on what it reads and accepts.
///
/// ```
/// assert_eq!(cors_core::limits::MAX_AGE_LIMIT, 86_400);
/// ```
pub mod limits {
    pub use crate::declare::validate::MAX_AGE_LIMIT;
    pub use crate::origin::host::MAX_HOST_LEN;
    pub use crate::origin::MAX_ORIGIN_LEN;
    pub use crate::policy::allow_headers::MAX_EMPTY_ELEMENTS;
    pub use crate::policy::allow_methods::MAX_METHOD_LEN;
    pub use crate::request::MAX_REQUEST_HEADERS_LEN;
}

/// What `cors-macros`, `cors-actix` and `cors-actix-test` build on, outside the engine's
/// contract: the declaration and its validation, the keys' table, the static forms of policies
/// and origin tables the macros emit, the `Vary` lists the middleware writes, and the Fetch
/// standard's facts about methods and header names that the test kit's model of a browser
/// shares with validation.
///
/// **Not a stable API**: it changes with the macros, in any release. Depend on the names at the
/// crate root.
#[doc(hidden)]
pub mod __private {
    pub use crate::decision::reason::as_parsed;
    pub use crate::decision::vary::{vary_lists, PREFLIGHT_VARY, PREFLIGHT_VARY_PRIVATE_NETWORK};
    pub use crate::declare::keys::{KeyKind, KeySite, KeySpec, KEYS};
    pub use crate::declare::parts::{PolicyParts, SubdomainParts};
    pub use crate::declare::spec::{OriginEntry, PolicySpec, Wording};
    pub use crate::declare::validate::{did_you_mean, validate, validate_method};
    pub use crate::origin::allowed::{PortRule, SubdomainRule};
    pub use crate::origin::default_port;
    pub use crate::origin::regex::{RegexOrigin, RegexRef};
    pub use crate::origin::table;
    pub use crate::policy::allow_methods::{is_forbidden_method, FORBIDDEN_METHODS};
    pub use crate::policy::header_name;
    pub use crate::policy::StaticPolicy;
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
