//! Shared helpers of the integration tests.
#![forbid(unsafe_code)]

pub mod fixtures;
pub mod fuzzing;
pub mod invariants;
pub mod oracle;
