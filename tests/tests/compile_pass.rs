//! Tricky but valid declarations (IPv6, any port, punycode, a wildcard under a private domain,
//! loopback with credentials, anchored regexes, `"*"` without credentials, every route
//! attribute) must compile, and the policies they produce must be the ones declared.
//!
//! They are ordinary modules of this test binary rather than trybuild pass cases: compiling
//! them is the test, and running their `main` checks what the macros produced.

#[path = "../ui/pass/tricky_policies.rs"]
mod tricky_policies;
#[path = "../ui/pass/tricky_routes.rs"]
mod tricky_routes;

#[test]
fn tricky_policies_compile_and_mean_what_they_say() {
    tricky_policies::main();
}

#[test]
fn tricky_routes_compile_and_build_an_app() {
    tricky_routes::main();
}
