//! A policy the middleware holds: a `static` from the macros, or one built at run time.

use std::ops::Deref;
use std::sync::Arc;

use actix_web::http::header::HeaderValue;
use cors_core::Policy;

/// A policy as [`Cors`](crate::Cors) takes it: a `&'static Policy` from `cors_policy!`, or a
/// [`Policy`] built at run time (shared by every worker).
///
/// You rarely name this type: [`Cors::default_policy`](crate::Cors::default_policy) and
/// [`Cors::policy`](crate::Cors::policy) accept both forms through `Into<PolicyRef>`.
///
/// ```
/// use cors_actix::{cors_policy, Policy, PolicyRef};
///
/// let from_macro: PolicyRef = cors_policy!(origins = ["https://app.example.com"]).into();
/// let from_config: PolicyRef = Policy::builder()
///     .allow_origin("https://app.example.com")
///     .build()
///     .unwrap()
///     .into();
/// assert_eq!(
///     from_macro.origins().exact().collect::<Vec<_>>(),
///     from_config.origins().exact().collect::<Vec<_>>()
/// );
/// ```
#[derive(Clone, Debug)]
pub struct PolicyRef(Held);

/// The two forms, private: what `Cors` takes is `PolicyRef`, whatever the form.
#[derive(Clone, Debug)]
enum Held {
    /// A policy in a `static` (from `cors_policy!`).
    Static(&'static Policy),
    /// A policy built at run time.
    Shared(Arc<Policy>),
}

impl From<&'static Policy> for PolicyRef {
    fn from(policy: &'static Policy) -> Self {
        PolicyRef(Held::Static(policy))
    }
}

impl From<Policy> for PolicyRef {
    fn from(policy: Policy) -> Self {
        PolicyRef(Held::Shared(Arc::new(policy)))
    }
}

impl Deref for PolicyRef {
    type Target = Policy;

    fn deref(&self) -> &Policy {
        match &self.0 {
            Held::Static(p) => p,
            Held::Shared(p) => p,
        }
    }
}

impl PolicyRef {
    /// One of the policy's texts as a header value: over the static text itself for a policy
    /// in a `static` (no allocation), made once for a policy built at run time.
    fn header_value(&self, text: fn(&Policy) -> Option<&str>) -> Option<HeaderValue> {
        match &self.0 {
            Held::Static(p) => text(p).and_then(static_value),
            // Validated values are tokens and digits: always valid header values.
            Held::Shared(p) => text(p).and_then(|v| HeaderValue::from_str(v).ok()),
        }
    }
}

/// `Vary: Origin`, the `Vary` of every actual response a policy decides, made at compile time.
pub(crate) const VARY_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");

/// A header value over static text, checked first so that a bad value can never panic.
pub(crate) fn static_value(text: &'static str) -> Option<HeaderValue> {
    // The `Vary` values of nearly every response: made at compile time, not checked per call.
    use cors_core::__private::PREFLIGHT_VARY;
    const PREFLIGHT: HeaderValue = HeaderValue::from_static(PREFLIGHT_VARY);
    if text == "Origin" {
        return Some(VARY_ORIGIN);
    }
    if text == PREFLIGHT_VARY {
        return Some(PREFLIGHT);
    }
    text.bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        .then(|| HeaderValue::from_static(text))
}

/// A policy with its texts made into header values once, when the app starts or a live policy
/// is replaced (the only place they are made), so that writing a
/// [`Grant`](cors_core::Grant) allocates nothing.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub(crate) policy: PolicyRef,
    /// The `Vary` of the actual responses the policy decides without a grant (no `Origin`,
    /// refused with the handler still running).
    pub(crate) actual_vary: Option<&'static str>,
    /// The policy's texts a grant may carry, as header values: expose, max-age, preflight
    /// `Vary`.
    values: [Option<HeaderValue>; 3],
}

impl Prepared {
    pub(crate) fn new(policy: PolicyRef) -> Prepared {
        Prepared {
            actual_vary: policy.actual_vary(),
            values: [
                policy.header_value(Policy::expose_headers),
                policy.header_value(Policy::max_age),
                static_value(policy.preflight_vary()),
            ],
            policy,
        }
    }

    /// `Access-Control-Expose-Headers`, prepared.
    #[inline]
    pub(crate) fn expose(&self) -> Option<HeaderValue> {
        self.values[0].clone()
    }

    /// The header value of a text a [`Grant`](cors_core::Grant) carries: the prepared one when it is one of the
    /// policy's (always, in practice: no allocation), else made now.
    pub(crate) fn value(&self, text: &str) -> Option<HeaderValue> {
        self.values
            .iter()
            .flatten()
            .find(|value| value.as_bytes() == text.as_bytes())
            .cloned()
            .or_else(|| HeaderValue::from_str(text).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_the_policy_texts_prepared_or_made_on_demand() {
        let policy = Policy::builder()
            .allow_origin("https://app.example.com")
            .expose_headers(["X-Total-Count"])
            .max_age(600)
            .allow_private_network()
            .build()
            .unwrap();
        let prepared = Prepared::new(policy.into());
        for text in [
            "X-Total-Count",
            "600",
            cors_core::__private::PREFLIGHT_VARY_PRIVATE_NETWORK,
            "Origin",
        ] {
            let value = prepared.value(text).expect("a valid header value");
            assert_eq!(value.as_bytes(), text.as_bytes());
        }
        assert_eq!(prepared.actual_vary, Some("Origin"));
        // Never a panic, whatever the text.
        assert!(prepared.value("bad\nvalue").is_none());
    }
}
