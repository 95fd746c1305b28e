//! A policy of exact origins refuses an origin it does not list without parsing it
//! (`Reason::OriginNotListed`, the fast path of `Policy::check_origin`). It must agree with the
//! general path, `AllowedOrigins::check` (which parses), on any input: allowed exactly when the
//! general path allows, the same status (`Reason::status`: `400` only for what cannot be read,
//! `403` for everything else, malformed or not), and the same text when shown.

use cors_core::{Decision, HeaderInput, OriginMatch, Policy, PreflightRequest, Reason};
use proptest::prelude::*;

const LISTED: [&str; 3] = ["https://app.example.com", "http://localhost:8080", "null"];

fn policy() -> Policy {
    Policy::builder()
        .allow_origins(LISTED)
        .allow_insecure_origins()
        .allow_null_origin()
        .build()
        .expect("a valid policy")
}

/// The general path's reason for `raw`, or `None` when it allows.
fn general(policy: &Policy, raw: &[u8]) -> Option<Reason<'static>> {
    match policy.origins().check(raw) {
        OriginMatch::Allowed => None,
        OriginMatch::Malformed(e) => Some(Reason::MalformedOrigin(e)),
        // Only its kind matters below (its text is compared separately).
        OriginMatch::NotAllowed(_) => Some(Reason::MultipleMethods),
    }
}

/// Origins near the listed ones, well-formed or not, ASCII or not, short or too long.
fn origins() -> impl Strategy<Value = Vec<u8>> {
    let near = prop::sample::select(LISTED.to_vec()).prop_flat_map(|listed| {
        let bytes = listed.as_bytes().to_vec();
        let len = bytes.len();
        (
            Just(bytes),
            0..=len,
            prop::collection::vec(
                prop::sample::select(b"/:.-aZ09 \t\x7f\xc3\xa9@?#[]".to_vec()),
                0..4,
            ),
            any::<bool>(),
        )
            .prop_map(|(mut bytes, at, insert, cut)| {
                if cut {
                    bytes.truncate(at);
                }
                let at = at.min(bytes.len());
                bytes.splice(at..at, insert);
                bytes
            })
    });
    prop_oneof![
        4 => near,
        1 => prop::collection::vec(any::<u8>(), 0..40),
        1 => (0usize..3).prop_map(|extra| {
            let mut long = b"https://".to_vec();
            long.resize(cors_core::limits::MAX_ORIGIN_LEN + extra - 2, b'a');
            long.extend_from_slice(b".x");
            long
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8192))]

    #[test]
    fn refusing_an_unlisted_origin_unparsed_agrees_with_parsing_it(raw in origins()) {
        let policy = policy();
        let expected = general(&policy, &raw);
        for decision in [
            policy.actual(HeaderInput::One(&raw)),
            policy.preflight(&PreflightRequest::new(HeaderInput::One(&raw), HeaderInput::One(b"GET"))),
        ] {
            match (decision, &expected) {
                (Decision::Allowed(_), None) => {}
                (Decision::Refused(reason), Some(general)) => {
                    let general_status = match general {
                        Reason::MalformedOrigin(_) => general.status(),
                        _ => 403,
                    };
                    prop_assert_eq!(reason.status(), general_status, "{:?} {:?}", reason, general);
                    // Shown, the unparsed refusal says what the parse says.
                    let shown = reason.to_string();
                    match cors_core::Origin::parse(&raw) {
                        Ok(origin) => prop_assert_eq!(
                            shown,
                            Reason::OriginNotAllowed(origin).to_string()
                        ),
                        Err(e) => prop_assert_eq!(shown, Reason::MalformedOrigin(e).to_string()),
                    }
                }
                (decision, expected) => {
                    prop_assert!(false, "fast {decision:?}, general {expected:?}");
                }
            }
        }
    }
}

#[test]
fn the_unparsed_refusal_is_taken_and_what_cannot_be_read_is_still_400() {
    let policy = policy();
    let reason = |raw: &'static [u8]| match policy.actual(HeaderInput::One(raw)) {
        Decision::Refused(reason) => reason,
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        reason(b"https://evil.example"),
        Reason::OriginNotListed(_)
    ));
    assert!(matches!(
        reason(b"https://app.example.com/"),
        Reason::OriginNotListed(_)
    ));
    assert_eq!(reason(b"https://app.example.com/").status(), 403);
    assert_eq!(
        reason(b"https://app.example.com/").to_string(),
        "malformed Origin header: an origin has no path, not even a trailing slash"
    );
    let non_ascii = reason("https://\u{e9}.example".as_bytes());
    assert!(
        matches!(non_ascii, Reason::MalformedOrigin(_)),
        "{non_ascii:?}"
    );
    assert_eq!(non_ascii.status(), 400);
    assert_eq!(
        policy.actual(HeaderInput::Many),
        Decision::Refused(Reason::MultipleOrigins)
    );
    assert_eq!(Reason::MultipleOrigins.status(), 400);
    // A policy with patterns parses: its malformed origins are 403 all the same. (An any-port
    // pattern: a subdomain wildcard needs the public-suffix-list feature at run time.)
    let patterns = Policy::builder()
        .allow_origin("http://localhost:*")
        .build()
        .unwrap();
    match patterns.actual(HeaderInput::One(b"http://localhost:3000/")) {
        Decision::Refused(reason @ Reason::MalformedOrigin(_)) => assert_eq!(reason.status(), 403),
        other => panic!("{other:?}"),
    }
}
