//! Compile-time validation: every rule of `docs/validation.md` has a compile-fail case under
//! `ui/fail` (with its reviewed `.stderr`). The tricky but valid declarations of `ui/pass` are
//! compiled and run by `compile_pass.rs`.
//!
//! Only compile-fail cases are given to trybuild, so it runs `cargo check` (no code generation,
//! no linking): with a pass case in the same set it would build and link one debug binary per
//! case, gigabytes of disk for nothing the cases need.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p tests --test
//! compile_fail`, then review every changed `.stderr` (the messages are the product) and refresh
//! `docs/validation.md` with `python3 scripts/gen-validation-doc.py`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
}
