//! A policy the middleware holds: a `static` from the macros, or one built at run time.

use std::ops::Deref;
use std::sync::Arc;

use actix_web::http::header::HeaderValue;
use cors_core::Policy;

/// A policy as the middleware holds it: a `&'static Policy` from `cors_policy!`, or a
/// [`Policy`] built at run time (shared, with its header values prepared once).
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
pub enum PolicyRef {
    /// A policy in a `static` (from `cors_policy!`).
    Static(&'static Policy),
    /// A policy built at run time.
    Shared(Arc<RuntimePolicy>),
}

/// A runtime-built policy with its constant header values prepared once, so that requests
/// decided with it allocate nothing.
#[derive(Debug)]
pub struct RuntimePolicy {
    policy: Policy,
    expose: Option<HeaderValue>,
    max_age: Option<HeaderValue>,
}

impl From<&'static Policy> for PolicyRef {
    fn from(policy: &'static Policy) -> Self {
        PolicyRef::Static(policy)
    }
}

impl From<Policy> for PolicyRef {
    fn from(policy: Policy) -> Self {
        // Validated values are tokens and digits: always valid header values.
        let expose = policy
            .expose_headers()
            .and_then(|v| HeaderValue::from_str(v).ok());
        let max_age = policy.max_age().and_then(|v| HeaderValue::from_str(v).ok());
        PolicyRef::Shared(Arc::new(RuntimePolicy {
            policy,
            expose,
            max_age,
        }))
    }
}

impl Deref for PolicyRef {
    type Target = Policy;

    fn deref(&self) -> &Policy {
        match self {
            PolicyRef::Static(p) => p,
            PolicyRef::Shared(p) => &p.policy,
        }
    }
}

impl PolicyRef {
    /// `Access-Control-Expose-Headers`, without allocating.
    pub(crate) fn expose_value(&self) -> Option<HeaderValue> {
        match self {
            PolicyRef::Static(p) => p.expose_headers().and_then(static_value),
            PolicyRef::Shared(p) => p.expose.clone(),
        }
    }

    /// `Access-Control-Max-Age`, without allocating.
    pub(crate) fn max_age_value(&self) -> Option<HeaderValue> {
        match self {
            PolicyRef::Static(p) => p.max_age().and_then(static_value),
            PolicyRef::Shared(p) => p.max_age.clone(),
        }
    }
}

/// A header value over static text, checked first so that a bad value can never panic.
pub(crate) fn static_value(text: &'static str) -> Option<HeaderValue> {
    text.bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
        .then(|| HeaderValue::from_static(text))
}

/// A policy with its texts made into header values when the app starts, so that writing a
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
                policy.expose_value(),
                policy.max_age_value(),
                static_value(policy.preflight_vary()),
            ],
            policy,
        }
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
