//! `AllowedHeaders::check` (hand-written for speed, with a fast path for the lowercase,
//! comma-separated names browsers send) agrees with a plain reading of the rule on any input:
//! split at commas, trim spaces and tabs, tolerate up to `MAX_EMPTY_ELEMENTS` empty elements,
//! every other element a token and allowed, the first problem reported.

use cors_core::{AllowedHeaders, Reason};
use proptest::prelude::*;

const MAX_EMPTY_ELEMENTS: usize = cors_core::limits::MAX_EMPTY_ELEMENTS;

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The rule, read plainly.
fn reference<'r>(allowed: &AllowedHeaders, value: &'r [u8]) -> Result<(), Reason<'r>> {
    if value.len() > cors_core::limits::MAX_REQUEST_HEADERS_LEN {
        return Err(Reason::RequestHeadersTooLong);
    }
    let mut empty = 0;
    for element in value.split(|&b| b == b',') {
        let ows = |b: &u8| *b == b' ' || *b == b'\t';
        let start = element
            .iter()
            .position(|b| !ows(b))
            .unwrap_or(element.len());
        let end = element
            .iter()
            .rposition(|b| !ows(b))
            .map_or(start, |i| i + 1);
        let name = &element[start..end];
        if name.is_empty() {
            empty += 1;
            if empty > MAX_EMPTY_ELEMENTS {
                return Err(Reason::MalformedRequestHeaders);
            }
            continue;
        }
        if !name.iter().all(|&b| is_tchar(b)) {
            return Err(Reason::MalformedRequestHeaders);
        }
        let listed = allowed
            .names()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(name));
        let any = allowed.is_any() && !name.eq_ignore_ascii_case(b"authorization");
        if !(listed || any) {
            let name = std::str::from_utf8(name).expect("tchars are ASCII");
            return Err(
                if allowed.is_any() && name.eq_ignore_ascii_case("authorization") {
                    Reason::AuthorizationNotCovered
                } else {
                    Reason::HeaderNotAllowed(name)
                },
            );
        }
    }
    Ok(())
}

/// Values made of names near the listed ones, separators, whitespace and stray bytes.
fn value() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"authorization".to_vec()),
        Just(b"Authorization".to_vec()),
        Just(b"x-request-id".to_vec()),
        Just(b"content-type".to_vec()),
        Just(b"content-typo".to_vec()),
        Just(b"x-a".to_vec()),
        Just(b",".to_vec()),
        Just(b", ".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"x b".to_vec()),
        Just(vec![0u8]),
        Just(vec![0xc3, 0xa9]),
        Just(b"\n".to_vec()),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn policies() -> Vec<AllowedHeaders> {
    vec![
        AllowedHeaders::list(["Authorization", "X-Request-Id", "Content-Type"]),
        AllowedHeaders::list(["x-a"]),
        AllowedHeaders::list(["x b", "x-a"]),
        AllowedHeaders::list([""]),
        AllowedHeaders::NONE,
        AllowedHeaders::ANY,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn check_agrees_with_the_rule(value in value()) {
        for allowed in policies() {
            prop_assert_eq!(allowed.check(&value), reference(&allowed, &value), "{:?}", allowed);
        }
    }
}

#[test]
fn the_rule_is_tested_on_what_browsers_send() {
    let allowed = &policies()[0];
    assert_eq!(
        allowed.check(b"authorization,content-type,x-request-id"),
        Ok(())
    );
    assert_eq!(
        allowed.check(b"authorization,x-other"),
        Err(Reason::HeaderNotAllowed("x-other"))
    );
    assert_eq!(
        reference(allowed, b"authorization,x-other"),
        Err(Reason::HeaderNotAllowed("x-other"))
    );
}
