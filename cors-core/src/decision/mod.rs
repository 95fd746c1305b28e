//! The outcome of a decision: the CORS response headers to add, or why the request is refused.

pub(crate) mod reason;
pub(crate) mod vary;

use crate::decision::reason::Reason;

/// The value of `Access-Control-Allow-Origin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllowOrigin {
    /// `*` (a credential-free policy allowing any origin).
    Any,
    /// The request's `Origin`, verbatim.
    Echo,
}

/// The CORS headers granted to an allowed request.
///
/// For an actual request: `Access-Control-Allow-Origin`, `Access-Control-Allow-Credentials`
/// and `Access-Control-Expose-Headers`. For a preflight: `Access-Control-Allow-Origin`,
/// `Access-Control-Allow-Credentials`, `Access-Control-Allow-Methods` (the requested method,
/// echoed), `Access-Control-Allow-Headers` (the requested headers, echoed, when present),
/// `Access-Control-Max-Age` and `Access-Control-Allow-Private-Network`. Both: `Vary`. Echoed
/// values are taken from the request, so a decision never allocates: an adapter writes the
/// grant's fields and the request's echoed values, and needs nothing else from the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Grant<'p> {
    /// `Access-Control-Allow-Origin`.
    pub allow_origin: AllowOrigin,
    /// `Access-Control-Allow-Credentials: true`.
    pub allow_credentials: bool,
    /// `Access-Control-Expose-Headers` (actual requests only).
    pub expose_headers: Option<&'p str>,
    /// `Access-Control-Max-Age` (preflights only).
    pub max_age: Option<&'p str>,
    /// `Access-Control-Allow-Private-Network: true` (preflights that asked for it).
    pub allow_private_network: bool,
    /// The names to list in `Vary` (appended to the response's own for an actual request; the
    /// whole header of a preflight answer). `None`: the response does not depend on the
    /// request's CORS headers (`*` without credentials, actual requests).
    pub vary: Option<&'static str>,
}

/// A decision on one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision<'p, 'r> {
    /// No `Origin` header: not a CORS request; nothing to add (but `Vary`, see
    /// [`Policy::actual_vary`](crate::Policy::actual_vary)).
    NotCors,
    /// Allowed, with these headers.
    Allowed(Grant<'p>),
    /// Refused, for this reason.
    Refused(Reason<'r>),
}
