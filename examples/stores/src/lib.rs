//! The examples whose origins come from a store that needs a driver or a format:
//! `origins_from_database` (sqlx: SQLite or PostgreSQL) and `origins_from_config` (a TOML file),
//! with their test, `tests/origin_stores.rs`. Their sources are in `examples/`, beside the
//! other examples; this package only builds them, so that `cargo run --example quickstart`
//! (package `examples`) compiles none of their dependencies.
#![forbid(unsafe_code)]
