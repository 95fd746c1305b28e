//! A `Grant` carries everything an adapter writes on an allowed response, besides the request's
//! echoed values: checked here for each field, for actual requests and preflights.

use cors_core::__private::{PREFLIGHT_VARY, PREFLIGHT_VARY_PRIVATE_NETWORK};
use cors_core::{
    AllowOrigin, Decision, Grant, HeaderInput, Policy, PolicyBuilder, PreflightRequest,
};

const APP: &[u8] = b"https://app.example.com";

fn granted<'p>(decision: Decision<'p, '_>) -> Grant<'p> {
    match decision {
        Decision::Allowed(grant) => grant,
        other => panic!("expected a grant, got {other:?}"),
    }
}

fn preflight(private_network: bool) -> PreflightRequest<'static> {
    PreflightRequest::new(HeaderInput::One(APP), HeaderInput::One(b"PUT")).private_network(
        if private_network {
            HeaderInput::One(b"true")
        } else {
            HeaderInput::Missing
        },
    )
}

fn listed() -> PolicyBuilder {
    Policy::builder().allow_origin("https://app.example.com")
}

#[test]
fn an_actual_grant_carries_origin_credentials_expose_and_vary() {
    let policy = listed()
        .allow_credentials()
        .expose_headers(["X-Total-Count", "ETag"])
        .max_age(600)
        .build()
        .unwrap();
    let grant = granted(policy.actual(HeaderInput::One(APP)));
    assert_eq!(grant.allow_origin, AllowOrigin::Echo);
    assert!(grant.allow_credentials);
    assert_eq!(grant.expose_headers, policy.expose_headers());
    assert!(grant.expose_headers.is_some());
    // Max-age and private network belong to preflights only.
    assert_eq!(grant.max_age, None);
    assert!(!grant.allow_private_network);
    assert_eq!(grant.vary, Some("Origin"));
    assert_eq!(grant.vary, policy.actual_vary());
}

#[test]
fn any_origin_without_credentials_does_not_vary() {
    let policy = Policy::builder().allow_any_origin().build().unwrap();
    let grant = granted(policy.actual(HeaderInput::One(APP)));
    assert_eq!(grant.allow_origin, AllowOrigin::Any);
    assert_eq!(grant.vary, None);
    assert_eq!(policy.actual_vary(), None);
    // Its preflights still vary: the echoed method and headers depend on the request.
    let grant = granted(policy.preflight(&preflight(false)));
    assert_eq!(grant.vary, Some(PREFLIGHT_VARY));
}

#[test]
fn a_preflight_grant_carries_max_age_and_its_vary() {
    let policy = listed().max_age(600).build().unwrap();
    let grant = granted(policy.preflight(&preflight(false)));
    assert_eq!(grant.max_age, Some("600"));
    assert_eq!(grant.expose_headers, None);
    assert!(!grant.allow_private_network);
    assert_eq!(grant.vary, Some(PREFLIGHT_VARY));
    assert_eq!(policy.preflight_vary(), PREFLIGHT_VARY);
}

#[test]
fn private_network_is_granted_when_asked_and_always_varied_on() {
    let policy = listed().allow_private_network().build().unwrap();
    let asked = granted(policy.preflight(&preflight(true)));
    assert!(asked.allow_private_network);
    assert_eq!(asked.vary, Some(PREFLIGHT_VARY_PRIVATE_NETWORK));
    // Not asked: not granted, but the answer still depends on the header, so caches must key
    // on it.
    let not_asked = granted(policy.preflight(&preflight(false)));
    assert!(!not_asked.allow_private_network);
    assert_eq!(not_asked.vary, Some(PREFLIGHT_VARY_PRIVATE_NETWORK));
    assert_eq!(policy.preflight_vary(), PREFLIGHT_VARY_PRIVATE_NETWORK);
}
