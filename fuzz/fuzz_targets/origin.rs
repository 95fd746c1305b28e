//! Fuzz target `origin`: see `tests::fuzzing::origin` for the input format and invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzzing::origin(data));
