//! Origins decided per request, besides a policy's list: a predicate, a set held in memory, or
//! a cached lookup.

use std::fmt;
use std::sync::Arc;

use actix_web::dev::RequestHead;
use cors_core::{KnownOrigin, Origin};

use crate::policy::lookup::OriginLookup;
use crate::policy::origin_set::OriginSet;

type Predicate = dyn Fn(&Origin<'_>, &RequestHead) -> bool + Send + Sync;

/// Where a policy's origins come from besides its list; give it to
/// [`Cors::dynamic_policy`](crate::Cors::dynamic_policy) with a policy built with
/// [`allow_dynamic_origins`](crate::PolicyBuilder::allow_dynamic_origins).
///
/// Consulted only for a well-formed origin that the list does not allow and that the policy's
/// rules admit (never `null`; with credentials, `https` or loopback `http` only, unless the
/// policy allows insecure origins): no answer can let anything else through.
///
/// - [`DynamicOrigins::predicate`]: a synchronous function of the origin and the request head,
///   called for every such request (keep it cheap: it runs on the request path).
/// - An [`OriginSet`] (converted with `.into()`): every allowed origin held in memory (loaded
///   from a store by `cors-actix-store`), decided without parsing the origin or asking
///   anything.
/// - An [`OriginLookup`] (converted with `.into()`): an async lookup in a store, cached, for
///   stores too large to hold in memory.
///
/// ```
/// use cors_actix::{Cors, DynamicOrigins, Policy};
///
/// let previews = DynamicOrigins::predicate(|origin, _head| {
///     origin.scheme() == "https" && origin.host().ends_with(".previews.example")
/// });
/// let policy = Policy::builder()
///     .allow_origin("https://app.example")
///     .allow_dynamic_origins()
///     .build()?;
/// let cors = Cors::new().dynamic_policy("app", policy, previews);
/// # let _ = cors;
/// # Ok::<(), cors_actix::PolicyError>(())
/// ```
///
#[doc = include_str!("../../docs/dynamic-origins.md")]
///
#[doc = include_str!("../../docs/links.md")]
#[derive(Clone)]
pub struct DynamicOrigins {
    pub(crate) kind: DynamicKind,
}

#[derive(Clone)]
pub(crate) enum DynamicKind {
    Predicate(Arc<Predicate>),
    Set(OriginSet),
    Lookup(OriginLookup),
}

/// The answer of dynamic origins for one origin, without waiting.
pub(crate) enum Answer {
    Allowed,
    Refused,
    /// Not cached: ask this lookup.
    Unknown,
}

impl DynamicOrigins {
    /// Origins allowed by `predicate(origin, request head)`, called for every request whose
    /// origin the list does not allow and the policy's rules admit.
    pub fn predicate(
        predicate: impl Fn(&Origin<'_>, &RequestHead) -> bool + Send + Sync + 'static,
    ) -> DynamicOrigins {
        DynamicOrigins {
            kind: DynamicKind::Predicate(Arc::new(predicate)),
        }
    }

    /// The answer for `origin` if it is known now: the predicate's, or the lookup's cached one.
    /// Never allocates.
    #[inline]
    pub(crate) fn answer(&self, origin: &Origin<'_>, head: &RequestHead) -> Answer {
        let allowed = match &self.kind {
            DynamicKind::Predicate(predicate) => predicate(origin, head),
            DynamicKind::Set(set) => set.find(origin.as_bytes()).is_some(),
            DynamicKind::Lookup(lookup) => match lookup.cached(origin.as_bytes()) {
                Some(allowed) => allowed,
                None => return Answer::Unknown,
            },
        };
        if allowed {
            Answer::Allowed
        } else {
            Answer::Refused
        }
    }

    /// Before the origin is parsed: `None` if these origins are not a set (they are asked
    /// after parsing); for a set, what it knows of `origin`, `Some(None)` if it is not in it.
    /// Never allocates.
    #[inline]
    pub(crate) fn known(&self, origin: &[u8]) -> Option<Option<KnownOrigin>> {
        match &self.kind {
            DynamicKind::Set(set) => Some(set.find(origin)),
            DynamicKind::Predicate(_) | DynamicKind::Lookup(_) => None,
        }
    }

    /// The lookup, if these origins come from one.
    pub(crate) fn lookup(&self) -> Option<&OriginLookup> {
        match &self.kind {
            DynamicKind::Lookup(lookup) => Some(lookup),
            DynamicKind::Predicate(_) | DynamicKind::Set(_) => None,
        }
    }
}

impl From<OriginLookup> for DynamicOrigins {
    fn from(lookup: OriginLookup) -> DynamicOrigins {
        DynamicOrigins {
            kind: DynamicKind::Lookup(lookup),
        }
    }
}

impl From<OriginSet> for DynamicOrigins {
    fn from(set: OriginSet) -> DynamicOrigins {
        DynamicOrigins {
            kind: DynamicKind::Set(set),
        }
    }
}

impl fmt::Debug for DynamicOrigins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DynamicKind::Predicate(_) => f.write_str("DynamicOrigins::predicate(..)"),
            DynamicKind::Set(set) => f.debug_tuple("DynamicOrigins").field(set).finish(),
            DynamicKind::Lookup(lookup) => f.debug_tuple("DynamicOrigins").field(lookup).finish(),
        }
    }
}
