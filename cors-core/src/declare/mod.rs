//! Declarations of policies (the DSL's and the builder's), their validation, and the builder
//! that turns a valid one into a [`Policy`](crate::Policy).

pub(crate) mod builder;
#[cfg(feature = "serde")]
pub(crate) mod config;
pub(crate) mod keys;
pub(crate) mod parts;
pub(crate) mod problem;
pub(crate) mod spec;
pub(crate) mod validate;
