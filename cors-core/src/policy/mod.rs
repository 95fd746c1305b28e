//! The validated CORS policy.

mod actual;
pub(crate) mod allow_headers;
pub(crate) mod allow_methods;
pub(crate) mod dynamic_check;
pub mod header_name;
mod preflight;

use std::borrow::Cow;
use std::fmt;

use crate::decision::vary::{PREFLIGHT_VARY, PREFLIGHT_VARY_PRIVATE_NETWORK};
use crate::origin::allowed::{AllowedOrigins, SubdomainRule};
use crate::origin::regex::RegexRef;
use crate::origin::table::{StaticTable, Table};
use crate::policy::allow_headers::AllowedHeaders;
use crate::policy::allow_methods::AllowedMethods;

/// The content of a policy validated at compile time, as the macros emit it: one struct literal
/// of `'static` data (every field `Copy`, so that a `const fn` can take it apart). Not a stable
/// API: use the macros.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct StaticPolicy {
    pub any_origin: bool,
    pub exact_origins: StaticTable,
    pub any_port_origins: StaticTable,
    pub subdomain_origins: StaticTable,
    pub subdomain_rules: &'static [SubdomainRule],
    pub regex_origins: &'static [RegexRef],
    pub credentials: bool,
    pub any_header: bool,
    pub headers: &'static [Cow<'static, str>],
    pub methods: Option<&'static [Cow<'static, str>]>,
    pub expose: Option<&'static str>,
    pub max_age: Option<&'static str>,
    pub private_network: bool,
    pub insecure_origins: bool,
}

/// A validated CORS policy, ready to decide requests.
///
/// A `Policy` can only be made from a declaration that passed the one validation:
/// at compile time by the `#[cors]`/`cors_policy!` macros (which emit it as a `static`: no
/// allocation at startup, regexes compiled on first use), or at run time by
/// [`Policy::builder`]. Deciding a request never allocates.
///
/// ```
/// use cors_core::{Decision, HeaderInput, Policy};
///
/// let policy = Policy::builder()
///     .allow_origin("https://app.example.com")
///     .allow_credentials()
///     .build()
///     .unwrap();
/// let d = policy.actual(HeaderInput::One(b"https://app.example.com"));
/// assert!(matches!(d, Decision::Allowed(g) if g.allow_credentials));
/// let d = policy.actual(HeaderInput::One(b"https://evil.example"));
/// assert!(matches!(d, Decision::Refused(_)));
/// ```
#[derive(Clone)]
pub struct Policy {
    pub(crate) origins: AllowedOrigins,
    pub(crate) credentials: bool,
    pub(crate) headers: AllowedHeaders,
    pub(crate) methods: AllowedMethods,
    pub(crate) expose: Option<Cow<'static, str>>,
    pub(crate) max_age: Option<Cow<'static, str>>,
    pub(crate) private_network: bool,
    pub(crate) insecure_origins: bool,
    pub(crate) dynamic_origins: bool,
}

impl Policy {
    /// A policy over static data: what the macros emit, after validating it at compile time.
    /// Not a stable API: use the macros.
    #[doc(hidden)]
    pub const fn from_static(parts: StaticPolicy) -> Policy {
        Policy {
            origins: if parts.any_origin {
                AllowedOrigins::ANY
            } else {
                AllowedOrigins::from_static(
                    Table::from_static(parts.exact_origins.slots, parts.exact_origins.keys),
                    Table::from_static(parts.any_port_origins.slots, parts.any_port_origins.keys),
                    Table::from_static(parts.subdomain_origins.slots, parts.subdomain_origins.keys),
                    parts.subdomain_rules,
                    parts.regex_origins,
                )
            },
            credentials: parts.credentials,
            headers: AllowedHeaders::from_static(parts.any_header, parts.headers),
            methods: match parts.methods {
                Some(methods) => AllowedMethods::from_static(methods),
                None => AllowedMethods::ANY,
            },
            expose: match parts.expose {
                Some(e) => Some(Cow::Borrowed(e)),
                None => None,
            },
            max_age: match parts.max_age {
                Some(a) => Some(Cow::Borrowed(a)),
                None => None,
            },
            private_network: parts.private_network,
            insecure_origins: parts.insecure_origins,
            dynamic_origins: false,
        }
    }

    /// The allowed origins.
    pub fn origins(&self) -> &AllowedOrigins {
        &self.origins
    }

    /// Whether responses carry `Access-Control-Allow-Credentials: true`.
    pub fn allows_credentials(&self) -> bool {
        self.credentials
    }

    /// The allowed request headers.
    pub fn allowed_headers(&self) -> &AllowedHeaders {
        &self.headers
    }

    /// The allowed methods.
    pub fn allowed_methods(&self) -> &AllowedMethods {
        &self.methods
    }

    /// The `Access-Control-Expose-Headers` value, if any.
    pub fn expose_headers(&self) -> Option<&str> {
        self.expose.as_deref()
    }

    /// The `Access-Control-Max-Age` value, if any.
    pub fn max_age(&self) -> Option<&str> {
        self.max_age.as_deref()
    }

    /// Whether preflights asking for private network access are granted.
    pub fn allows_private_network(&self) -> bool {
        self.private_network
    }

    /// Whether `Access-Control-Allow-Origin` depends on the request's `Origin`, so that every
    /// response must carry `Vary: Origin` for caches. False only for `origins = "*"` without
    /// credentials (the header is then always `*`).
    ///
    /// ```
    /// let p = cors_core::Policy::builder().allow_any_origin().build().unwrap();
    /// assert!(!p.varies_by_origin());
    /// ```
    #[inline]
    pub fn varies_by_origin(&self) -> bool {
        !self.origins.is_any() || self.credentials || self.dynamic_origins
    }

    /// What an actual response decided by this policy lists in `Vary` when the request goes on
    /// to the handler (allowed, refused with the handler still running, or without `Origin`):
    /// `Origin` when [`varies_by_origin`](Policy::varies_by_origin). A refusal answered before
    /// the handler (a `403`, or a `400` for a malformed `Origin`) depends on the request's
    /// origin whatever the policy, so an adapter lists `Origin` in its `Vary` even for an
    /// any-origin policy, whose `actual_vary` is `None`.
    ///
    /// ```
    /// use cors_core::Policy;
    ///
    /// let listed = Policy::builder().allow_origin("https://app.example.com").build()?;
    /// assert_eq!(listed.actual_vary(), Some("Origin"));
    /// let any = Policy::builder().allow_any_origin().build()?;
    /// assert_eq!(any.actual_vary(), None);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    #[inline]
    pub fn actual_vary(&self) -> Option<&'static str> {
        self.varies_by_origin().then_some("Origin")
    }

    /// The `Vary` of every preflight answer of this policy, allowed or refused:
    /// [`PREFLIGHT_VARY`], or [`PREFLIGHT_VARY_PRIVATE_NETWORK`] for a policy with
    /// `private_network`.
    ///
    /// ```
    /// use cors_core::Policy;
    /// use cors_core::__private::PREFLIGHT_VARY;
    ///
    /// let policy = Policy::builder().allow_origin("https://app.example.com").build()?;
    /// assert_eq!(policy.preflight_vary(), PREFLIGHT_VARY);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    #[inline]
    pub fn preflight_vary(&self) -> &'static str {
        if self.allows_private_network() {
            PREFLIGHT_VARY_PRIVATE_NETWORK
        } else {
            PREFLIGHT_VARY
        }
    }

    /// Whether origins besides the list are decided per request (see
    /// [`PolicyBuilder::allow_dynamic_origins`](crate::PolicyBuilder::allow_dynamic_origins)).
    pub fn allows_dynamic_origins(&self) -> bool {
        self.dynamic_origins
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("origins", &self.origins)
            .field("credentials", &self.credentials)
            .field("headers", &self.headers)
            .field("methods", &self.methods)
            .field("expose", &self.expose)
            .field("max_age", &self.max_age)
            .field("private_network", &self.private_network)
            .field("insecure_origins", &self.insecure_origins)
            .field("dynamic_origins", &self.dynamic_origins)
            .finish()
    }
}
