//! Problems found by validation.

use std::fmt;

use crate::declare::keys::Key;

/// Where a problem is: a whole key, or one entry of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// The policy as a whole (e.g. a missing key).
    Policy,
    /// A key and its value.
    Key(Key),
    /// Entry `index` (0-based) of a list-valued key.
    Item(Key, usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Policy => f.write_str("policy"),
            Location::Key(k) => f.write_str(k.as_str()),
            Location::Item(k, i) => write!(f, "{}[{}]", k.as_str(), i),
        }
    }
}

/// What kind of rule a declaration breaks. See `docs/validation.md` for each rule and its reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// No `origins` key.
    MissingOrigins,
    /// `origins = []`.
    EmptyOrigins,
    /// `"*"` in `origins`, `headers` or `expose` together with `credentials`.
    WildcardWithCredentials,
    /// Not an origin as browsers serialize it.
    InvalidOrigin,
    /// A `*` somewhere other than a leading `*.` label or a `:*` port.
    InvalidWildcard,
    /// `"null"` without `allow_null_origin`.
    NullOrigin,
    /// A `file://` origin (browsers send `null` for them).
    FileOrigin,
    /// A plain-`http` origin other than loopback, with `credentials`, without
    /// `allow_insecure_origins`.
    InsecureOrigin,
    /// A subdomain wildcard directly over a public suffix (`https://*.com`).
    PublicSuffixWildcard,
    /// A regex that does not compile.
    InvalidRegex,
    /// A regex not anchored with `^` and `$`.
    UnanchoredRegex,
    /// A regex with an unescaped `.` that matches any character.
    UnescapedDotInRegex,
    /// The same origin twice.
    DuplicateOrigin,
    /// An origin already allowed by a wildcard or regex of the same list.
    ShadowedOrigin,
    /// Entries next to `"*"`, which already allows every origin / header.
    RedundantEntry,
    /// Not an HTTP token.
    InvalidHeaderName,
    /// A header a page can never set (`Cookie`, `Host`, `Sec-*`, `Proxy-*` ...).
    ForbiddenRequestHeader,
    /// An `Access-Control-*` header in `headers`.
    CorsProtocolHeader,
    /// The same header twice (case-insensitive).
    DuplicateHeader,
    /// `Set-Cookie` in `expose`: browsers never expose it.
    ForbiddenExposedHeader,
    /// A response header pages can always read, listed in `expose`.
    SafelistedExposedHeader,
    /// A negative `max_age`.
    MaxAgeNegative,
    /// `max_age` above 86400 seconds.
    MaxAgeTooLarge,
    /// CONNECT, TRACE or TRACK.
    ForbiddenMethod,
    /// Not a method token.
    InvalidMethod,
    /// A standard method not in uppercase (methods are case-sensitive).
    NonCanonicalMethod,
    /// The same method twice.
    DuplicateMethod,
    /// `"*"` in `methods`: not a method name (a policy without `methods` allows every method).
    WildcardMethod,
    /// A request-only header (`Access-Control-Request-Method`, ...) in `expose`: it never
    /// appears on a response.
    RequestOnlyExposedHeader,
}

/// One problem of a declaration: what, where, why, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The rule broken.
    pub kind: ProblemKind,
    /// Where.
    pub location: Location,
    /// What is wrong and why it matters.
    pub message: String,
    /// A corrected spelling or the change to make, when there is one.
    pub suggestion: Option<String>,
}

impl Problem {
    pub(crate) fn new(
        kind: ProblemKind,
        location: Location,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            kind,
            location,
            message: message.into(),
            suggestion: None,
        }
    }

    pub(crate) fn suggest(mut self, suggestion: impl Into<String>) -> Problem {
        self.suggestion = Some(suggestion.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_problem(f, &self.location, &self.message, self.suggestion.as_deref())
    }
}

/// A problem as every error writes it: `where: what` and its suggestion, if any.
pub(crate) fn write_problem(
    f: &mut fmt::Formatter<'_>,
    at: &dyn fmt::Display,
    message: &str,
    suggestion: Option<&str>,
) -> fmt::Result {
    write!(f, "{at}: {message}")?;
    if let Some(s) = suggestion {
        write!(f, " (help: {s})")?;
    }
    Ok(())
}

/// An error made of problems: `invalid WHAT (N problems):`, then one line per problem.
pub(crate) fn write_problems<P: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    problems: &[P],
) -> fmt::Result {
    let n = problems.len();
    write!(
        f,
        "invalid {what} ({n} problem{}):",
        if n == 1 { "" } else { "s" }
    )?;
    for p in problems {
        write!(f, "\n  - {p}")?;
    }
    Ok(())
}
