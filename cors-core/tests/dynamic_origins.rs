//! Whatever a dynamic source answers, the policy's rules bind: a source that says yes to every
//! origin can never get `null`, a malformed value, or (with credentials, without
//! `allow_insecure_origins`) a plain-`http` non-loopback origin allowed; it is not even asked
//! about them, nor about origins the list allows.

use std::cell::Cell;
use std::collections::HashMap;

use cors_core::{
    Decision, DynamicCheck, HeaderInput, KnownOrigin, Origin, Policy, PreflightRequest,
};
use proptest::prelude::*;

fn origin_text() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just("https"),
        Just("http"),
        Just("HTTPS"),
        Just("ftp"),
        Just("chrome-extension")
    ];
    let host = prop_oneof![
        Just("app.example.com".to_owned()),
        Just("localhost".to_owned()),
        Just("127.0.0.1".to_owned()),
        Just("127.1.2.3".to_owned()),
        Just("127.example".to_owned()),
        Just("[::1]".to_owned()),
        Just("a.localhost".to_owned()),
        "[a-z]{1,8}\\.[a-z]{2,5}",
        "[a-zA-Z0-9.\\-_]{0,12}",
    ];
    let port = prop_oneof![
        Just(String::new()),
        (0u32..70000).prop_map(|p| format!(":{p}"))
    ];
    let tail = prop_oneof![Just(""), Just("/"), Just("/path"), Just("?q"), Just(" ")];
    prop_oneof![
        8 => (scheme, host, port, tail).prop_map(|(s, h, p, t)| format!("{s}://{h}{p}{t}")),
        1 => Just("null".to_owned()),
        1 => ".{0,40}",
    ]
}

fn policies() -> Vec<(Policy, bool, bool)> {
    let build = |credentials: bool, insecure: bool| {
        let mut b = Policy::builder()
            .allow_origin("https://app.example.com")
            .allow_dynamic_origins();
        if credentials {
            b = b.allow_credentials();
        }
        if insecure {
            b = b.allow_insecure_origins();
        }
        (b.build().expect("valid"), credentials, insecure)
    };
    vec![build(false, false), build(true, false), build(true, true)]
}

/// `127.x.y.z`, the loopback network (an origin's host is already canonical).
fn is_127(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4 && parts[0] == "127" && parts.iter().all(|p| p.parse::<u8>().is_ok())
}

fn admitted(origin: &Origin<'_>, credentials: bool, insecure: bool) -> bool {
    !origin.is_null()
        && (!credentials
            || insecure
            || origin.scheme() == "https"
            || (origin.scheme() == "http"
                && (origin.host() == "localhost"
                    || origin.host().ends_with(".localhost")
                    || origin.host() == "[::1]"
                    || is_127(origin.host()))))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_source_saying_yes_to_everything_cannot_break_the_rules(text in origin_text()) {
        for (policy, credentials, insecure) in policies() {
            let asked = Cell::new(false);
            let source = |_: &Origin<'_>| { asked.set(true); true };
            let decision = policy.actual_with(HeaderInput::One(text.as_bytes()), source);
            let parsed = Origin::parse(text.as_bytes());
            let listed = text == "https://app.example.com";
            match decision {
                Decision::Allowed(_) => {
                    let origin = parsed.expect("only a well-formed origin is allowed");
                    prop_assert!(listed || admitted(&origin, credentials, insecure), "{text}");
                }
                Decision::Refused(_) => {
                    prop_assert!(!listed);
                    if let Ok(origin) = parsed {
                        prop_assert!(!admitted(&origin, credentials, insecure), "{text}: refused although admitted");
                    }
                }
                Decision::NotCors => prop_assert!(false, "an Origin was given"),
            }
            // Asked only about unlisted, well-formed, admitted origins.
            let should_ask = !listed && parsed.is_ok_and(|o| admitted(&o, credentials, insecure));
            prop_assert_eq!(asked.get(), should_ask, "{}", text);

            // Preflights follow the same rule.
            let request = PreflightRequest::new(HeaderInput::One(text.as_bytes()), HeaderInput::One(b"GET"));
            let preflight = policy.preflight_with(&request, |_| true);
            prop_assert_eq!(matches!(preflight, Decision::Allowed(_)), matches!(decision, Decision::Allowed(_)));
        }
    }
}

/// A set of origins validated in advance, answering before parsing (`known`) as well as after.
struct Known(HashMap<String, KnownOrigin>);

impl<'r> DynamicCheck<'r> for &Known {
    fn known(&mut self, raw: &'r [u8]) -> Option<KnownOrigin> {
        std::str::from_utf8(raw)
            .ok()
            .and_then(|raw| self.0.get(raw).copied())
    }
    fn check(self, origin: &Origin<'_>) -> bool {
        self.0.contains_key(origin.as_str())
    }
}

/// Policies with and without credentials, insecure origins, dynamic origins and patterns.
fn policy_variants() -> Vec<Policy> {
    let mut policies = Vec::new();
    for bits in 0..16u8 {
        let mut b = Policy::builder().allow_origin("https://app.example.com");
        if bits & 1 != 0 {
            b = b.allow_credentials();
        }
        if bits & 2 != 0 {
            b = b.allow_insecure_origins();
        }
        if bits & 4 != 0 {
            b = b.allow_dynamic_origins();
        }
        if bits & 8 != 0 {
            b = b.allow_origins(["https://*.example.com", "http://localhost:*"]);
        }
        if let Ok(policy) = b.build() {
            policies.push(policy);
        }
    }
    policies
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The fast path (an origin found byte for byte among origins validated in advance, allowed
    /// without parsing) decides exactly as the general path (parse, list, rules, then the same
    /// set asked about the parsed origin), for actual requests and preflights alike.
    #[test]
    fn known_origins_decided_before_parsing_as_after(
        candidates in proptest::collection::vec(origin_text(), 0..8),
        pick in proptest::option::of(0usize..8),
        other in origin_text(),
    ) {
        let set = Known(
            candidates
                .iter()
                .filter_map(|c| KnownOrigin::validate(c).ok().map(|k| (c.clone(), k)))
                .collect(),
        );
        // Half of the time an origin of the set (or a candidate that failed validation).
        let text = match pick {
            Some(i) if !candidates.is_empty() => candidates[i % candidates.len()].clone(),
            _ => other,
        };
        for policy in policy_variants() {
            let input = HeaderInput::One(text.as_bytes());
            let fast = policy.actual_dynamic(input, &set);
            let general = policy.actual_with(input, |o: &Origin<'_>| set.0.contains_key(o.as_str()));
            prop_assert_eq!(&fast, &general, "{} with {:?}", text, policy);
            let request = PreflightRequest::new(input, HeaderInput::One(b"GET"));
            let fast = policy.preflight_dynamic(&request, &set);
            let general = policy.preflight_with(&request, |o: &Origin<'_>| set.0.contains_key(o.as_str()));
            prop_assert_eq!(&fast, &general, "{} with {:?}", text, policy);
        }
    }
}

#[test]
fn without_allow_dynamic_origins_no_source_is_asked() {
    let policy = Policy::builder()
        .allow_origin("https://app.example.com")
        .build()
        .unwrap();
    let decision = policy.actual_with(HeaderInput::One(b"https://other.example"), |_| {
        panic!("asked")
    });
    assert!(matches!(decision, Decision::Refused(_)));
}

#[test]
fn dynamic_origins_validation() {
    // A list may be empty or missing.
    assert!(Policy::builder().allow_dynamic_origins().build().is_ok());
    // `*` with dynamic origins: one problem saying why.
    let err = Policy::builder()
        .allow_any_origin()
        .allow_dynamic_origins()
        .build()
        .unwrap_err();
    assert_eq!(err.problems().len(), 1);
    assert!(
        err.to_string().contains("already allows every origin"),
        "{err}"
    );
    // The list is still validated.
    let err = Policy::builder()
        .allow_origin("https://app.example.com/")
        .allow_dynamic_origins()
        .build()
        .unwrap_err();
    assert_eq!(err.problems().len(), 1);
    // Dynamic origins make every response vary by origin, even credential-free.
    let policy = Policy::builder().allow_dynamic_origins().build().unwrap();
    assert!(policy.varies_by_origin());
}
