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
#[path = "../ui/pass/with_utoipa.rs"]
mod with_utoipa;

#[test]
fn tricky_policies_compile_and_mean_what_they_say() {
    tricky_policies::main();
}

#[test]
fn tricky_routes_compile_and_build_an_app() {
    tricky_routes::main();
}

#[actix_rt::test]
async fn utoipa_path_above_cors_documents_the_route_and_cors_decides_it() {
    use actix_web::test;

    let (app, api) = with_utoipa::app();
    assert!(
        api.paths.paths.contains_key("/items"),
        "utoipa documents the route: {:?}",
        api.paths.paths.keys().collect::<Vec<_>>()
    );
    let app = test::init_service(app).await;
    let res = test::call_service(
        &app,
        test::TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/items")
            .insert_header(("Origin", "https://app.example.com"))
            .insert_header(("Access-Control-Request-Method", "GET"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        res.headers()
            .get("access-control-allow-credentials")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
}
