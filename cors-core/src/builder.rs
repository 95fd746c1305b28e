//! Building a policy at run time (from configuration, environment variables ...), validated by
//! the same rules as the macros.

use std::fmt;

use crate::policy::Policy;
use crate::problem::Problem;
use crate::spec::{OriginEntry, PolicySpec};
use crate::validate::validate;

/// A runtime builder for [`Policy`]. Every method records part of the declaration;
/// [`build`](PolicyBuilder::build) validates it and reports every problem at once.
///
/// ```
/// use cors_core::{Policy, ProblemKind};
///
/// // Origins from configuration, e.g. a comma-separated environment variable.
/// let from_env = "https://app.example.com, https://*.preview.example.com";
/// let policy = Policy::builder()
///     .allow_origins(from_env.split(',').map(str::trim))
///     .allow_credentials()
///     .allow_headers(["Authorization"])
///     .build()
///     .unwrap();
/// assert!(policy.allows_credentials());
///
/// let err = Policy::builder()
///     .allow_origins(["https://app.example.com/", "*"])
///     .allow_credentials()
///     .build()
///     .unwrap_err();
/// // Every problem at once, in declaration order: a trailing slash, then "*" with credentials.
/// let kinds: Vec<_> = err.problems().iter().map(|p| p.kind).collect();
/// assert_eq!(kinds, [ProblemKind::InvalidOrigin, ProblemKind::WildcardWithCredentials]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct PolicyBuilder {
    spec: PolicySpec,
}

impl PolicyBuilder {
    /// Allows one origin: exact (`https://app.example.com`), subdomain wildcard
    /// (`https://*.example.com`), any port (`http://localhost:*`), `null` (needs
    /// [`allow_null_origin`](Self::allow_null_origin)) or `*`.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.origins().push(OriginEntry::Literal(origin.into()));
        self
    }

    /// Allows several origins (see [`allow_origin`](Self::allow_origin)).
    pub fn allow_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = self.origins();
        list.extend(origins.into_iter().map(|o| OriginEntry::Literal(o.into())));
        self
    }

    /// Allows the origins matching an anchored regex (`^...$`).
    pub fn allow_origin_regex(mut self, regex: impl Into<String>) -> Self {
        self.origins().push(OriginEntry::Regex(regex.into()));
        self
    }

    /// Allows any origin (`*`); incompatible with credentials.
    pub fn allow_any_origin(self) -> Self {
        self.allow_origin("*")
    }

    /// Sends `Access-Control-Allow-Credentials: true`.
    pub fn allow_credentials(mut self) -> Self {
        self.spec.credentials = true;
        self
    }

    /// Allows these request headers in preflights.
    pub fn allow_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = self.spec.headers.get_or_insert_with(Vec::new);
        list.extend(names.into_iter().map(Into::into));
        self
    }

    /// Allows any request header but `Authorization` (`*`); incompatible with credentials.
    pub fn allow_any_header(self) -> Self {
        self.allow_headers(["*"])
    }

    /// Lets pages read these response headers.
    pub fn expose_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = self.spec.expose.get_or_insert_with(Vec::new);
        list.extend(names.into_iter().map(Into::into));
        self
    }

    /// Lets pages read any response header (`*`); incompatible with credentials.
    pub fn expose_any_header(self) -> Self {
        self.expose_headers(["*"])
    }

    /// Lets browsers cache preflight results for `seconds` (0 to 86400).
    pub fn max_age(mut self, seconds: i64) -> Self {
        self.spec.max_age = Some(seconds);
        self
    }

    /// Grants private network access to preflights that ask for it.
    pub fn allow_private_network(mut self) -> Self {
        self.spec.private_network = true;
        self
    }

    /// Opt-in: allows listing the `null` origin.
    pub fn allow_null_origin(mut self) -> Self {
        self.spec.allow_null_origin = true;
        self
    }

    /// Opt-in: allows plain-http non-loopback origins together with credentials.
    pub fn allow_insecure_origins(mut self) -> Self {
        self.spec.allow_insecure_origins = true;
        self
    }

    /// Restricts the methods allowed in preflights (default: any but CONNECT, TRACE, TRACK).
    /// Route policies take their methods from the route instead.
    pub fn allow_methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = self.spec.methods.get_or_insert_with(Vec::new);
        list.extend(methods.into_iter().map(Into::into));
        self
    }

    /// The declaration recorded so far.
    pub fn spec(&self) -> &PolicySpec {
        &self.spec
    }

    /// Validates the declaration and builds the policy, or returns every problem.
    pub fn build(self) -> Result<Policy, PolicyError> {
        validate(&self.spec)
            .map(Policy::from_parts)
            .map_err(|problems| PolicyError { problems })
    }

    fn origins(&mut self) -> &mut Vec<OriginEntry> {
        self.spec.origins.get_or_insert_with(Vec::new)
    }
}

impl From<PolicySpec> for PolicyBuilder {
    fn from(spec: PolicySpec) -> Self {
        PolicyBuilder { spec }
    }
}

/// Every problem of an invalid policy declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    problems: Vec<Problem>,
}

impl PolicyError {
    /// The problems, in declaration order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Consumes the error, returning the problems.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "invalid CORS policy ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}
