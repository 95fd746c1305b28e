//! Fuzz target `http`: see `tests::fuzzing::http` for the input format and invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzzing::http(data));
