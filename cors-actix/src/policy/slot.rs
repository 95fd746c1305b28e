//! How `Cors` holds a policy: fixed or live, with or without dynamic origins.

use std::ops::Deref;
use std::sync::Arc;

use crate::policy::dynamic::DynamicOrigins;
use crate::policy::live::LivePolicy;
use crate::policy::policy_ref::{PolicyRef, Prepared};

/// A policy as [`Cors::policy`](crate::Cors::policy) and [`Cors::default_policy`](crate::Cors::default_policy)
/// take it: fixed (a `cors_policy!`, a [`Policy`](crate::Policy), a [`PolicyRef`]) or live (a
/// [`LivePolicy`], replaceable at run time). You rarely name this type: those methods accept
/// each form through `Into<PolicySlot>`.
///
/// ```
/// use cors_actix::{cors_policy, LivePolicy, PolicySlot};
///
/// let fixed: PolicySlot = cors_policy!(origins = ["https://app.example.com"]).into();
/// let live: PolicySlot = LivePolicy::new(cors_policy!(origins = ["https://app.example.com"])).into();
/// # let _ = (fixed, live);
/// ```
#[derive(Clone, Debug)]
pub struct PolicySlot {
    held: Held,
    pub(crate) dynamic: Option<DynamicOrigins>,
}

#[derive(Clone, Debug)]
enum Held {
    /// Shared, so that a response's headers can hold on to the policy that decided them.
    Fixed(Arc<Prepared>),
    Live(LivePolicy),
}

/// The policy a request is decided with: borrowed, or loaded from a live policy.
pub(crate) enum Loaded<'a> {
    Fixed(&'a Arc<Prepared>),
    Live(arc_swap::Guard<Arc<Prepared>>),
}

impl Loaded<'_> {
    /// The policy, to hold on to (a reference count more).
    #[inline]
    pub(crate) fn share(&self) -> Arc<Prepared> {
        match self {
            Loaded::Fixed(prepared) => Arc::clone(prepared),
            Loaded::Live(guard) => Arc::clone(guard),
        }
    }
}

impl Deref for Loaded<'_> {
    type Target = Prepared;

    #[inline]
    fn deref(&self) -> &Prepared {
        match self {
            Loaded::Fixed(prepared) => prepared,
            Loaded::Live(guard) => guard,
        }
    }
}

impl PolicySlot {
    /// The policy serving now: a borrow, or one atomic load for a live policy.
    #[inline]
    pub(crate) fn load(&self) -> Loaded<'_> {
        match &self.held {
            Held::Fixed(prepared) => Loaded::Fixed(prepared),
            Held::Live(live) => Loaded::Live(live.load()),
        }
    }

    /// This policy, with origins besides its list decided per request by `origins` (see
    /// [`DynamicOrigins`]); the policy must be built with
    /// [`allow_dynamic_origins`](crate::PolicyBuilder::allow_dynamic_origins) (checked when the
    /// app starts). For a policy that is not named: the default policy, a
    /// [`resource_policy`](crate::resource_policy) or a [`scope_policy`](crate::scope_policy).
    ///
    /// ```
    /// use cors_actix::{Cors, DynamicOrigins, Policy, PolicySlot};
    ///
    /// let policy = Policy::builder().allow_dynamic_origins().build()?;
    /// let previews = DynamicOrigins::predicate(|origin, _| origin.host().ends_with(".previews.example"));
    /// let cors = Cors::new().default_policy(PolicySlot::from(policy).with_dynamic_origins(previews));
    /// # let _ = cors;
    /// # Ok::<(), cors_actix::PolicyError>(())
    /// ```
    pub fn with_dynamic_origins(mut self, origins: impl Into<DynamicOrigins>) -> PolicySlot {
        self.dynamic = Some(origins.into());
        self
    }

    pub(crate) fn is_live(&self) -> bool {
        matches!(self.held, Held::Live(_))
    }
}

impl<T: Into<PolicyRef>> From<T> for PolicySlot {
    fn from(policy: T) -> PolicySlot {
        PolicySlot {
            held: Held::Fixed(Arc::new(Prepared::new(policy.into()))),
            dynamic: None,
        }
    }
}

impl From<LivePolicy> for PolicySlot {
    fn from(live: LivePolicy) -> PolicySlot {
        PolicySlot {
            held: Held::Live(live),
            dynamic: None,
        }
    }
}
