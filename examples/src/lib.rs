//! Runnable examples of `cors-actix` (see `examples/*.rs`, `cargo run --example NAME`).
//!
//! The modules below hold documents of the repository, so that the Rust code in them is
//! compiled and run as doctests and cannot go stale.

/// The setup every example shares: logs to stderr, filtered by `RUST_LOG`, or by `default`
/// (e.g. `"cors=debug"`: every CORS decision with its reason) when it is not set.
pub fn init_logging(default: &str) {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default)),
        )
        .init();
}

#[doc = include_str!("../../docs/coming-from-actix-cors.md")]
pub mod coming_from_actix_cors {}

#[doc = include_str!("../../cors-macros/README.md")]
pub mod cors_macros_readme {}
