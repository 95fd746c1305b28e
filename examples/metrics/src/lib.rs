//! The example whose CORS decisions are counted and served to Prometheus: `metrics` (its
//! source is in `examples/`, beside the others), with its test, `tests/metrics.rs`. A package
//! of its own so that `cargo run --example quickstart` compiles neither the `metrics` feature
//! nor the exporter.
#![forbid(unsafe_code)]
