//! How routes declare their policies while the app registers its services: `#[cors]` routes
//! (their declaration is [`route_cors`](crate::door::after::route_cors), which their route
//! door stands for), [`resource_policy`](crate::resource_policy) and
//! [`scope_policy`](crate::scope_policy) ([`path_policy`], with their path checks), noted in
//! the [`registry`] for the door to read when the app starts.

pub(crate) mod path_policy;
pub(crate) mod registry;
