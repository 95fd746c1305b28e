//! Request headers a policy allows, and the check of `Access-Control-Request-Headers`.

use std::borrow::Cow;

use crate::decision::reason::Reason;
use crate::policy::header_name::is_tchar;

pub use crate::request::MAX_REQUEST_HEADERS_LEN;

/// Empty list elements tolerated in `Access-Control-Request-Headers` (RFC 9110 5.6.1 asks
/// recipients to ignore "a reasonable number" of them).
pub const MAX_EMPTY_ELEMENTS: usize = 16;

/// The request headers a policy allows in preflights.
///
/// ```
/// use cors_core::AllowedHeaders;
///
/// let h = AllowedHeaders::list(["Authorization", "X-Request-Id"]);
/// assert!(h.check(b"authorization,x-request-id").is_ok());
/// assert!(h.check(b"x-other").is_err());
/// assert!(AllowedHeaders::ANY.check(b"x-anything").is_ok());
/// assert!(AllowedHeaders::ANY.check(b"authorization").is_err());
/// ```
#[derive(Clone, Debug)]
pub struct AllowedHeaders {
    any: bool,
    names: Cow<'static, [Cow<'static, str>]>,
}

impl AllowedHeaders {
    /// No request header beyond the safelisted ones.
    pub const NONE: AllowedHeaders = AllowedHeaders {
        any: false,
        names: Cow::Borrowed(&[]),
    };

    /// Any header name except `Authorization`, which `*` never covers.
    pub const ANY: AllowedHeaders = AllowedHeaders {
        any: true,
        names: Cow::Borrowed(&[]),
    };

    /// Static parts (from [`StaticPolicy`](crate::StaticPolicy)); `names` must be lowercase.
    pub(crate) const fn from_static(
        any: bool,
        names: &'static [Cow<'static, str>],
    ) -> AllowedHeaders {
        AllowedHeaders {
            any,
            names: Cow::Borrowed(names),
        }
    }

    /// Exactly these names (case-insensitive).
    pub fn list<I, S>(names: I) -> AllowedHeaders
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        AllowedHeaders::new(false, names)
    }

    pub(crate) fn new<I, S>(any: bool, names: I) -> AllowedHeaders
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        AllowedHeaders {
            any,
            names: Cow::Owned(
                names
                    .into_iter()
                    .map(|n| Cow::Owned(n.as_ref().to_ascii_lowercase()))
                    .collect(),
            ),
        }
    }

    /// Whether `*` was declared.
    pub fn is_any(&self) -> bool {
        self.any
    }

    /// The names listed explicitly, lowercase.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| n.as_ref())
    }

    /// Whether one header name is allowed.
    #[inline]
    pub fn allows(&self, name: &[u8]) -> bool {
        for listed in self.names.iter() {
            if eq_lowercase(listed.as_bytes(), name) {
                return true;
            }
        }
        self.any && !eq_lowercase(b"authorization", name)
    }

    /// Checks an `Access-Control-Request-Headers` value: every listed name must be allowed.
    /// Linear in the length of `value`, which is bounded by [`MAX_REQUEST_HEADERS_LEN`].
    pub fn check<'r>(&self, value: &'r [u8]) -> Result<(), Reason<'r>> {
        if value.len() > MAX_REQUEST_HEADERS_LEN {
            return Err(Reason::RequestHeadersTooLong);
        }
        // One hand-written pass over the bytes: every preflight with custom headers comes here.
        let ows = |b: u8| b == b' ' || b == b'\t';
        let mut empty = 0;
        let mut i = 0;
        loop {
            while i < value.len() && ows(value[i]) {
                i += 1;
            }
            let start = i;
            while i < value.len() && is_tchar(value[i]) {
                i += 1;
            }
            let name = &value[start..i];
            while i < value.len() && ows(value[i]) {
                i += 1;
            }
            if i < value.len() && value[i] != b',' {
                return Err(Reason::MalformedRequestHeaders);
            }
            if name.is_empty() {
                empty += 1;
                if empty > MAX_EMPTY_ELEMENTS {
                    return Err(Reason::MalformedRequestHeaders);
                }
            } else if !self.allows(name) {
                // Only tchars, hence ASCII.
                let name = std::str::from_utf8(name).unwrap_or("");
                return Err(if self.any && name.eq_ignore_ascii_case("authorization") {
                    Reason::AuthorizationNotCovered
                } else {
                    Reason::HeaderNotAllowed(name)
                });
            }
            if i >= value.len() {
                break;
            }
            i += 1;
        }
        Ok(())
    }
}

/// Whether `name` equals `lower` (lowercase) ignoring ASCII case.
#[inline]
fn eq_lowercase(lower: &[u8], name: &[u8]) -> bool {
    if lower.len() != name.len() {
        return false;
    }
    // Browsers send lowercase names: a plain comparison (memcmp) decides most cases.
    if lower == name {
        return true;
    }
    let mut i = 0;
    while i < lower.len() {
        if lower[i] != name[i].to_ascii_lowercase() {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_each_element() {
        let h = AllowedHeaders::list(["X-A", "content-type"]);
        assert_eq!(h.check(b""), Ok(()));
        assert_eq!(h.check(b"x-a"), Ok(()));
        assert_eq!(h.check(b"X-A , Content-Type"), Ok(()));
        assert_eq!(h.check(b"x-a,,x-a"), Ok(()));
        assert_eq!(h.check(b"x-a,x-b"), Err(Reason::HeaderNotAllowed("x-b")));
        assert_eq!(h.check(b"x-a,x b"), Err(Reason::MalformedRequestHeaders));
        assert_eq!(h.check(b"x-a,\xff"), Err(Reason::MalformedRequestHeaders));
    }

    #[test]
    fn bounded_on_hostile_input() {
        let h = AllowedHeaders::list(["x-a"]);
        let huge = vec![b'a'; 1 << 20];
        assert_eq!(h.check(&huge), Err(Reason::RequestHeadersTooLong));
        let commas = vec![b','; 10_000];
        assert_eq!(h.check(&commas), Err(Reason::RequestHeadersTooLong));
        let some_commas = vec![b','; 100];
        assert_eq!(h.check(&some_commas), Err(Reason::MalformedRequestHeaders));
    }

    #[test]
    fn star_never_covers_authorization() {
        assert_eq!(
            AllowedHeaders::ANY.check(b"x-a,Authorization"),
            Err(Reason::AuthorizationNotCovered)
        );
        let h = AllowedHeaders::new(true, ["authorization"]);
        assert_eq!(h.check(b"x-a,authorization"), Ok(()));
    }
}
