//! How `Cors` holds policies: fixed ([`PolicyRef`](crate::PolicyRef)) or live
//! ([`LivePolicy`](crate::LivePolicy)), in a [`PolicySlot`](crate::PolicySlot), with or without
//! dynamic origins (a predicate, an [`OriginSet`](crate::OriginSet) held in memory, or a cached
//! [`OriginLookup`](crate::OriginLookup)).

pub(crate) mod dynamic;
pub(crate) mod live;
pub(crate) mod lookup;
pub(crate) mod origin_set;
pub(crate) mod policy_ref;
pub(crate) mod slot;
