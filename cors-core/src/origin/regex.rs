//! Origins matched by a regular expression, compiled lazily on first use.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use regex::Regex;

/// An anchored regular expression over serialized origins, compiled on first use.
///
/// Static policies emitted by the `#[cors]` macro hold these in `static`s, so a server compiles
/// only the regexes that requests actually reach, once. The pattern was validated (compiled,
/// anchored, dots escaped) when the policy was declared.
///
/// ```
/// use cors_core::__private::RegexOrigin;
///
/// let r = RegexOrigin::new(r"^https://[a-z0-9-]+\.partner\.example$").unwrap();
/// assert!(r.is_match("https://acme.partner.example"));
/// assert!(!r.is_match("https://acme.partner.example.evil.com"));
/// ```
pub struct RegexOrigin {
    pattern: Cow<'static, str>,
    compiled: OnceLock<Option<Regex>>,
}

impl RegexOrigin {
    /// A regex over a static pattern, compiled on first use (what the macro emits).
    #[doc(hidden)]
    pub const fn from_static(pattern: &'static str) -> RegexOrigin {
        RegexOrigin {
            pattern: Cow::Borrowed(pattern),
            compiled: OnceLock::new(),
        }
    }

    /// Compiles `pattern` now.
    pub fn new(pattern: impl Into<String>) -> Result<RegexOrigin, regex::Error> {
        let pattern = pattern.into();
        let regex = Regex::new(&pattern)?;
        let compiled = OnceLock::new();
        let _ = compiled.set(Some(regex));
        Ok(RegexOrigin {
            pattern: Cow::Owned(pattern),
            compiled,
        })
    }

    /// The pattern's source text.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the whole pattern matches `origin`. A pattern that fails to compile (impossible
    /// for a validated policy) matches nothing: the policy fails closed.
    #[inline]
    pub fn is_match(&self, origin: &str) -> bool {
        self.compiled
            .get_or_init(|| Regex::new(&self.pattern).ok())
            .as_ref()
            .is_some_and(|r| r.is_match(origin))
    }
}

impl fmt::Debug for RegexOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RegexOrigin").field(&self.pattern).finish()
    }
}

/// A reference to a [`RegexOrigin`]: a `static` (macro-emitted policies) or shared (runtime).
#[derive(Clone, Debug)]
pub enum RegexRef {
    /// A regex living in a `static`.
    Static(&'static RegexOrigin),
    /// A regex built at run time.
    Shared(Arc<RegexOrigin>),
}

impl Deref for RegexRef {
    type Target = RegexOrigin;

    fn deref(&self) -> &RegexOrigin {
        match self {
            RegexRef::Static(r) => r,
            RegexRef::Shared(r) => r,
        }
    }
}
