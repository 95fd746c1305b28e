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
    /// Every listed name is a token (true of every validated policy): a requested name equal
    /// to one needs no check of its bytes.
    listed_are_tokens: bool,
}

impl AllowedHeaders {
    /// No request header beyond the safelisted ones.
    pub const NONE: AllowedHeaders = AllowedHeaders {
        any: false,
        names: Cow::Borrowed(&[]),
        listed_are_tokens: true,
    };

    /// Any header name except `Authorization`, which `*` never covers.
    pub const ANY: AllowedHeaders = AllowedHeaders {
        any: true,
        names: Cow::Borrowed(&[]),
        listed_are_tokens: true,
    };

    /// Static parts (from [`StaticPolicy`](crate::StaticPolicy)); `names` must be lowercase
    /// tokens (validated by the macro).
    pub(crate) const fn from_static(
        any: bool,
        names: &'static [Cow<'static, str>],
    ) -> AllowedHeaders {
        AllowedHeaders {
            any,
            names: Cow::Borrowed(names),
            listed_are_tokens: true,
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
        let names: Vec<Cow<'static, str>> = names
            .into_iter()
            .map(|n| Cow::Owned(n.as_ref().to_ascii_lowercase()))
            .collect();
        AllowedHeaders {
            any,
            listed_are_tokens: names.iter().all(|n| is_token(n.as_bytes())),
            names: Cow::Owned(names),
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
        let listed = self
            .names
            .iter()
            .any(|listed| eq_lowercase(listed.as_bytes(), name));
        listed || (self.any && !eq_lowercase(b"authorization", name))
    }

    /// The length of the listed name `rest` starts with, exactly, up to a comma or its end.
    #[inline]
    fn listed_at_start(&self, rest: &[u8]) -> Option<usize> {
        if !self.listed_are_tokens {
            return None;
        }
        self.names.iter().find_map(|listed| {
            let listed = listed.as_bytes();
            let len = listed.len();
            let whole = rest.first() == listed.first()
                && rest.get(..len) == Some(listed)
                && matches!(rest.get(len), None | Some(b','));
            whole.then_some(len)
        })
    }

    /// Checks an `Access-Control-Request-Headers` value: every listed name must be allowed.
    /// Linear in the length of `value`, which is bounded by [`MAX_REQUEST_HEADERS_LEN`].
    pub fn check<'r>(&self, value: &'r [u8]) -> Result<(), Reason<'r>> {
        if value.len() > MAX_REQUEST_HEADERS_LEN {
            return Err(Reason::RequestHeadersTooLong);
        }
        // Hand-written, every preflight with custom headers comes here: an element that is
        // exactly a listed name (a token) needs no check of its own bytes; any other is checked
        // byte by byte, then against the names.
        let mut empty = 0;
        let mut rest = value;
        loop {
            // Browsers send lowercase names separated by bare commas: a listed name at the
            // start of the rest, followed by a comma or the end, is the element.
            if let Some(len) = self.listed_at_start(rest) {
                match rest.get(len) {
                    None => return Ok(()),
                    Some(_) => {
                        rest = &rest[len + 1..];
                        continue;
                    }
                }
            }
            let (element, next) = match rest.iter().position(|&b| b == b',') {
                Some(comma) => (&rest[..comma], Some(&rest[comma + 1..])),
                None => (rest, None),
            };
            let name = trim_ows(element);
            if name.is_empty() {
                empty += 1;
                if empty > MAX_EMPTY_ELEMENTS {
                    return Err(Reason::MalformedRequestHeaders);
                }
            } else if !is_token(name) {
                return Err(Reason::MalformedRequestHeaders);
            } else if !self.allows(name) {
                // A token, hence ASCII.
                let name = std::str::from_utf8(name).unwrap_or("");
                return Err(if self.any && name.eq_ignore_ascii_case("authorization") {
                    Reason::AuthorizationNotCovered
                } else {
                    Reason::HeaderNotAllowed(name)
                });
            }
            match next {
                Some(next) => rest = next,
                None => return Ok(()),
            }
        }
    }
}

/// `bytes` without the optional whitespace (spaces and tabs) around it.
#[inline]
fn trim_ows(bytes: &[u8]) -> &[u8] {
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !ows(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// Whether `bytes` is a non-empty run of `tchar`s.
fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_tchar(b))
}

/// Whether `name` equals `lower` (lowercase) ignoring ASCII case.
#[inline]
fn eq_lowercase(lower: &[u8], name: &[u8]) -> bool {
    if lower.len() != name.len() {
        return false;
    }
    // Browsers send lowercase names: a plain comparison decides most cases (the first byte
    // before `memcmp`: most listed names of the same length differ there).
    if lower.first() != name.first().map(u8::to_ascii_lowercase).as_ref() {
        return false;
    }
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
        assert_eq!(h.check(b" \t, x-a\t"), Ok(()));
        assert_eq!(
            h.check(b"x-a,x-b,x c"),
            Err(Reason::HeaderNotAllowed("x-b"))
        );
        assert_eq!(h.check(b"x c,x-b"), Err(Reason::MalformedRequestHeaders));
        assert_eq!(h.check(b"x-a\n"), Err(Reason::MalformedRequestHeaders));
    }

    #[test]
    fn a_listed_name_that_is_no_token_never_lets_a_malformed_one_in() {
        // `list` takes any text; a requested name equal to a listed non-token is still
        // malformed.
        let h = AllowedHeaders::list(["x a", "x-b"]);
        assert_eq!(h.check(b"x a"), Err(Reason::MalformedRequestHeaders));
        assert_eq!(h.check(b"X-B"), Ok(()));
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
