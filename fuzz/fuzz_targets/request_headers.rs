//! Fuzz target `request_headers`: see `tests::fuzzing::request_headers` for the input format and invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzzing::request_headers(data));
