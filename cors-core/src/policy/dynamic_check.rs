//! How a decision asks about origins besides a policy's list: before parsing, for origins
//! validated in advance ([`KnownOrigin`]), then after parsing, for any other well-formed one.

use crate::origin::host::is_loopback_host;
use crate::origin::Origin;
use crate::policy::Policy;

/// An origin validated in advance as a dynamic origin (exact, canonical, never `null`), with
/// what the policy's rules need to know about it to admit it without parsing it again: whether
/// it is `https` or loopback `http` (the origins a policy with credentials admits unless it
/// allows insecure origins).
///
/// Made by [`KnownOrigin::of`] from a parsed origin, or by
/// [`Policy::validate_dynamic_origin`], which also reports why an origin is not one.
///
/// ```
/// use cors_core::{KnownOrigin, Origin};
///
/// let https = KnownOrigin::of(&Origin::parse(b"https://acme.example")?).unwrap();
/// let http = KnownOrigin::of(&Origin::parse(b"http://acme.example")?).unwrap();
/// let loopback = KnownOrigin::of(&Origin::parse(b"http://localhost:3000")?).unwrap();
/// assert!(https.is_secure() && !http.is_secure() && loopback.is_secure());
/// assert!(KnownOrigin::of(&Origin::parse(b"null")?).is_none());
/// # Ok::<(), cors_core::OriginError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KnownOrigin {
    secure: bool,
}

impl KnownOrigin {
    /// What the rules need to know about `origin`; `None` for `null`, which is never a dynamic
    /// origin.
    #[inline]
    pub fn of(origin: &Origin<'_>) -> Option<KnownOrigin> {
        if origin.is_null() {
            return None;
        }
        let secure = match origin.scheme() {
            "https" => true,
            "http" => is_loopback_host(origin.host()),
            _ => false,
        };
        Some(KnownOrigin { secure })
    }

    /// Whether the origin is `https`, or `http` on a loopback host.
    #[inline]
    pub fn is_secure(self) -> bool {
        self.secure
    }
}

/// What a decision asks about an origin that a policy with dynamic origins does not list:
/// given to [`Policy::actual_dynamic`] and [`Policy::preflight_dynamic`] ([`Policy::actual_with`]
/// and [`Policy::preflight_with`] take a closure). A closure `|origin| -> bool` is one (it
/// answers after parsing); a set of origins validated in advance also answers
/// [`known`](DynamicCheck::known), before parsing.
///
/// ```
/// use cors_core::{Decision, DynamicCheck, HeaderInput, KnownOrigin, Origin, Policy};
///
/// /// Two tenants, validated when they were added.
/// struct Tenants(Vec<(&'static str, KnownOrigin)>);
///
/// impl<'r> DynamicCheck<'r> for &Tenants {
///     fn known(&mut self, raw: &'r [u8]) -> Option<KnownOrigin> {
///         self.0.iter().find(|(origin, _)| origin.as_bytes() == raw).map(|(_, known)| *known)
///     }
///     fn check(self, origin: &Origin<'r>) -> bool {
///         self.0.iter().any(|(listed, _)| *listed == origin.as_str())
///     }
/// }
///
/// let policy = Policy::builder().allow_credentials().allow_dynamic_origins().build()?;
/// let tenants = Tenants(vec![
///     ("https://acme.example", policy.validate_dynamic_origin("https://acme.example").unwrap()),
///     ("https://globex.example", policy.validate_dynamic_origin("https://globex.example").unwrap()),
/// ]);
/// assert!(matches!(policy.actual_dynamic(HeaderInput::One(b"https://acme.example"), &tenants), Decision::Allowed(_)));
/// assert!(matches!(policy.actual_dynamic(HeaderInput::One(b"https://evil.example"), &tenants), Decision::Refused(_)));
/// // A closure answers after parsing.
/// let d = policy.actual_with(HeaderInput::One(b"https://acme.example"), |o: &Origin<'_>| o.host() == "acme.example");
/// assert!(matches!(d, Decision::Allowed(_)));
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
pub trait DynamicCheck<'r> {
    /// Asked first, with the `Origin` header's bytes before they are parsed (and only for a
    /// policy with dynamic origins): `Some` if `raw` is, byte for byte, an origin validated in
    /// advance (by [`Policy::validate_dynamic_origin`] or [`KnownOrigin::of`] on its parse),
    /// with what was learnt then. The origin is then allowed without being parsed if the
    /// policy's rules admit it ([`Policy::admits_known_origin`]). `None` (the default): the
    /// origin is parsed and decided as usual. Answering `Some` for anything else would let a
    /// malformed origin through: only sets of validated origins implement it.
    #[inline]
    fn known(&mut self, raw: &'r [u8]) -> Option<KnownOrigin> {
        let _ = raw;
        None
    }

    /// Whether `origin`, well-formed, not in the list, and admitted by the policy's rules
    /// ([`Policy::admits_dynamic_origin`]), is allowed. Not asked otherwise.
    fn check(self, origin: &Origin<'r>) -> bool;
}

impl<'r, F: FnOnce(&Origin<'r>) -> bool> DynamicCheck<'r> for F {
    #[inline]
    fn check(self, origin: &Origin<'r>) -> bool {
        self(origin)
    }
}

impl Policy {
    /// Whether this policy's rules let a per-request decision allow `origin`: only for a policy
    /// with dynamic origins, never `null`, and with credentials only `https` or loopback `http`
    /// origins unless `allow_insecure_origins` was set (the rules the list is validated with).
    ///
    /// ```
    /// use cors_core::{Origin, Policy};
    ///
    /// let policy = Policy::builder().allow_credentials().allow_dynamic_origins().build()?;
    /// let admits = |o: &str| policy.admits_dynamic_origin(&Origin::parse(o.as_bytes()).unwrap());
    /// assert!(admits("https://acme.example"));
    /// assert!(admits("http://localhost:3000"));
    /// assert!(!admits("http://acme.example"));
    /// assert!(!admits("null"));
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    #[inline]
    pub fn admits_dynamic_origin(&self, origin: &Origin<'_>) -> bool {
        self.dynamic_origins && KnownOrigin::of(origin).is_some_and(|k| self.admits_known_origin(k))
    }

    /// [`admits_dynamic_origin`](Policy::admits_dynamic_origin) for an origin validated in
    /// advance: the same answer, without parsing.
    ///
    /// ```
    /// use cors_core::Policy;
    ///
    /// let policy = Policy::builder().allow_credentials().allow_dynamic_origins().build()?;
    /// let open = Policy::builder().allow_dynamic_origins().build()?;
    /// let http = open.validate_dynamic_origin("http://acme.example").unwrap();
    /// assert!(open.admits_known_origin(http));
    /// assert!(!policy.admits_known_origin(http));
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    #[inline]
    pub fn admits_known_origin(&self, origin: KnownOrigin) -> bool {
        self.dynamic_origins && (!self.credentials || self.insecure_origins || origin.secure)
    }
}
