//! After routing: what actix-web ran confirms, or corrects, what the door chose before it.
//!
//! The door decides from the declarations ([`route_table`](crate::door::route_table)); actix-web's
//! own routing is the truth, and every kind of declaration confirms it from where actix-web
//! routed the request, before anything of it runs:
//!
//! - a `#[cors]` route ([`route_cors`]: its declaration and its [mark](route_cors::RouteMark))
//!   through its [`route_door`], a resource middleware the macro puts on it;
//! - a `scope_policy`'s scope and a `resource_policy`'s resource through their
//!   [`path_check`], a guarded service registered first in the scope or before the resource;
//! - twins (one path in scopes split by guards the door cannot see) through the [`twins`]'
//!   marks, where the route door of the twin actix-web runs decides.
//!
//! Each takes off the mark the door put on the request it decided for it, and refuses a
//! cross-origin request that carries none (fail closed). On the way out, [`check`] settles the
//! headers: those of the door's choice when its mark was taken off or when an answer came from
//! middleware standing in front of it ([`routed`] tells where routing stopped), else those of
//! the policy covering what actix-web ran, or none. At the first request, [`reachable`] finds
//! what the door cannot see that may take a declared route's requests.

pub(crate) mod check;
pub(crate) mod marks;
pub(crate) mod path_check;
pub(crate) mod reachable;
pub(crate) mod route_cors;
pub(crate) mod route_door;
pub(crate) mod routed;
pub(crate) mod twins;
