//! Compile-time validation: every rule of `docs/validation.md` has a compile-fail case under
//! `ui/fail` (with its reviewed `.stderr`), and tricky but valid declarations compile under
//! `ui/pass`.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p tests --test
//! compile_fail`, then review every changed `.stderr` (the messages are the product) and refresh
//! `docs/validation.md` with `python3 scripts/gen-validation-doc.py`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
    t.pass("ui/pass/*.rs");
}
