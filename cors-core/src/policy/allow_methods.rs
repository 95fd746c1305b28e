//! Methods a policy allows in preflights, and the check of `Access-Control-Request-Method`.

use std::borrow::Cow;

use crate::decision::reason::Reason;
use crate::policy::header_name::is_tchar;

/// Longest `Access-Control-Request-Method` value examined.
pub const MAX_METHOD_LEN: usize = 64;

/// Methods no policy can allow (Fetch "forbidden method"; byte-case-insensitive).
pub const FORBIDDEN_METHODS: &[&str] = &["CONNECT", "TRACE", "TRACK"];

/// Whether `method` is a forbidden method, in any case.
///
/// ```
/// assert!(cors_core::__private::is_forbidden_method("trace"));
/// assert!(!cors_core::__private::is_forbidden_method("DELETE"));
/// ```
pub fn is_forbidden_method(method: &str) -> bool {
    is_forbidden_method_bytes(method.as_bytes())
}

/// [`is_forbidden_method`] on a request's bytes: the one test, for declarations and requests.
fn is_forbidden_method_bytes(method: &[u8]) -> bool {
    FORBIDDEN_METHODS
        .iter()
        .any(|m| m.as_bytes().eq_ignore_ascii_case(method))
}

/// The methods a policy allows. For `#[cors]` routes these are the route's methods.
///
/// ```
/// use cors_core::AllowedMethods;
///
/// let m = AllowedMethods::list(["GET", "DELETE"]);
/// assert!(m.check(b"DELETE").is_ok());
/// assert!(m.check(b"PUT").is_err());
/// assert!(m.check(b"delete").is_err()); // methods are case-sensitive
/// assert!(AllowedMethods::ANY.check(b"PATCH").is_ok());
/// assert!(AllowedMethods::ANY.check(b"TRACE").is_err());
/// ```
#[derive(Clone, Debug)]
pub struct AllowedMethods {
    any: bool,
    names: Cow<'static, [Cow<'static, str>]>,
}

impl AllowedMethods {
    /// Any method but the forbidden ones (the default for policies not attached to a route:
    /// the router answers 404/405 for methods no route serves).
    pub const ANY: AllowedMethods = AllowedMethods {
        any: true,
        names: Cow::Borrowed(&[]),
    };

    /// Static parts (from [`StaticPolicy`](crate::StaticPolicy)).
    pub(crate) const fn from_static(names: &'static [Cow<'static, str>]) -> AllowedMethods {
        AllowedMethods {
            any: false,
            names: Cow::Borrowed(names),
        }
    }

    /// Exactly these methods (case-sensitive, as HTTP methods are).
    pub fn list<I, S>(names: I) -> AllowedMethods
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        AllowedMethods {
            any: false,
            names: Cow::Owned(names.into_iter().map(|n| Cow::Owned(n.into())).collect()),
        }
    }

    /// Whether any non-forbidden method is allowed.
    pub fn is_any(&self) -> bool {
        self.any
    }

    /// The listed methods.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| n.as_ref())
    }

    /// Checks an `Access-Control-Request-Method` value.
    pub fn check<'r>(&self, value: &'r [u8]) -> Result<(), Reason<'r>> {
        if value.is_empty() || value.len() > MAX_METHOD_LEN || !value.iter().all(|&b| is_tchar(b)) {
            return Err(Reason::MalformedMethod);
        }
        if !is_forbidden_method_bytes(value)
            && (self.any || self.names.iter().any(|n| n.as_bytes() == value))
        {
            return Ok(());
        }
        // Only tchars, hence ASCII.
        Err(Reason::MethodNotAllowed(
            std::str::from_utf8(value).unwrap_or(""),
        ))
    }
}
