//! A policy that can be replaced while the server runs.

use std::sync::Arc;

use arc_swap::ArcSwap;
use cors_core::{PolicyBuilder, PolicyError};

use crate::policy::policy_ref::{PolicyRef, Prepared};

/// A handle to a policy that can be replaced at run time, atomically for every worker: register
/// it with [`Cors::policy`](crate::Cors::policy) (or [`Cors::default_policy`](crate::Cors::default_policy)),
/// keep a clone, and call [`replace`](LivePolicy::replace) when the configuration changes.
///
/// Requests read the current policy with one atomic load ([`arc_swap`]): no lock, no
/// allocation. A request keeps the policy it started with; the next one sees the replacement.
///
/// ```
/// use cors_actix::{Cors, LivePolicy, Policy};
///
/// let partners = LivePolicy::new(
///     Policy::builder().allow_origin("https://partner.example").build()?,
/// );
/// let cors = Cors::new().policy("partners", partners.clone());
///
/// // Later, from a configuration reload: validated first.
/// partners.replace(Policy::builder().allow_origins(["https://partner.example", "https://new.example"]))?;
/// assert_eq!(partners.current().origins().exact().count(), 2);
///
/// // A bad replacement is refused with every problem; the old policy keeps serving.
/// let err = partners
///     .replace(Policy::builder().allow_origins(["https://*.com", "https://app.example.com/"]))
///     .unwrap_err();
/// assert_eq!(err.problems().len(), 2);
/// assert_eq!(partners.current().origins().exact().count(), 2);
/// # let _ = cors;
/// # Ok::<(), cors_actix::PolicyError>(())
/// ```
#[derive(Clone, Debug)]
pub struct LivePolicy {
    current: Arc<ArcSwap<Prepared>>,
}

impl LivePolicy {
    /// A live policy serving `policy` until it is replaced.
    pub fn new(policy: impl Into<PolicyRef>) -> LivePolicy {
        LivePolicy {
            current: Arc::new(ArcSwap::from_pointee(Prepared::new(policy.into()))),
        }
    }

    /// Validates `builder` like [`PolicyBuilder::build`] and, if it is valid, makes it the
    /// policy of every request that starts from now on. If it is not, returns every problem
    /// and the current policy keeps serving. Replacements are logged (target `cors`): `info`
    /// when applied, `warn` with the problems when refused.
    pub fn replace(&self, builder: PolicyBuilder) -> Result<(), PolicyError> {
        match builder.build() {
            Ok(policy) => {
                self.set(policy);
                Ok(())
            }
            Err(err) => {
                tracing::warn!(
                    target: "cors",
                    "CORS policy replacement refused, the current policy keeps serving: {err}"
                );
                Err(err)
            }
        }
    }

    /// Makes an already validated policy (a [`Policy`](crate::Policy) or a `cors_policy!`)
    /// the policy of every request that starts from now on.
    pub fn set(&self, policy: impl Into<PolicyRef>) {
        let prepared = Prepared::new(policy.into());
        let origins = prepared.policy.origins();
        tracing::info!(
            target: "cors",
            exact_origins = origins.exact().count(),
            origin_patterns = origins.pattern_count(),
            "CORS live policy replaced"
        );
        self.current.store(Arc::new(prepared));
    }

    /// The policy serving now.
    pub fn current(&self) -> PolicyRef {
        self.current.load().policy.clone()
    }

    /// The prepared policy serving now: one atomic load.
    #[inline]
    pub(crate) fn load(&self) -> arc_swap::Guard<Arc<Prepared>> {
        self.current.load()
    }
}
