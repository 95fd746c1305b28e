//! Runnable examples of `cors-actix` (see `examples/*.rs`, `cargo run --example NAME`).
//!
//! The modules below hold documents of the repository, so that the Rust code in them is
//! compiled and run as doctests and cannot go stale.

#[doc = include_str!("../../docs/coming-from-actix-cors.md")]
pub mod coming_from_actix_cors {}

#[doc = include_str!("../../cors-macros/README.md")]
pub mod cors_macros_readme {}
