//! Fuzz target `decision`: see `tests::fuzzing::decision` for the input format and invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tests::fuzzing::decision(data));
