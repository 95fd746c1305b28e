//! How routes declare their policies while the app registers its services: `#[cors]` routes
//! ([`route_cors`]), [`resource_policy`](crate::resource_policy) and
//! [`scope_policy`](crate::scope_policy) ([`path_policy`]), noted in the [`registry`] for the
//! door to read when the app starts.

pub(crate) mod path_policy;
pub(crate) mod registry;
pub(crate) mod route_cors;
