//! The runtime twin of the compile-fail suite (`tests/ui/fail`): every validation rule checked
//! through `Policy::builder()`, asserting the kind, the location and the suggestion of each
//! problem. Test names match the compile-fail cases.

use cors_core::{
    Decision, HeaderInput, Key, Location, Policy, PolicyBuilder, PreflightRequest, Problem,
    ProblemKind, Reason,
};

/// The help of an invalid origin for which no corrected spelling can be guessed.
const GENERIC_ORIGIN_HELP: &str = "write the origin exactly as a browser sends it in the `Origin` header: `scheme://host[:port]`, e.g. \"https://app.example.com\" or \"http://localhost:8080\"";

fn base() -> PolicyBuilder {
    Policy::builder().allow_origin("https://app.example.com")
}

fn problems(builder: PolicyBuilder) -> Vec<Problem> {
    match builder.build() {
        Ok(policy) => panic!("expected problems, got {policy:?}"),
        Err(e) => e.into_problems(),
    }
}

/// The only problem of a declaration.
fn only(builder: PolicyBuilder) -> Problem {
    let mut ps = problems(builder);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    ps.remove(0)
}

fn origin(i: usize) -> Location {
    Location::Item(Key::Origins, i)
}

fn header(i: usize) -> Location {
    Location::Item(Key::Headers, i)
}

fn expose(i: usize) -> Location {
    Location::Item(Key::Expose, i)
}

#[track_caller]
fn check(p: &Problem, kind: ProblemKind, location: Location, suggestion: Option<&str>) {
    assert_eq!(
        (p.kind, p.location, p.suggestion.as_deref()),
        (kind, location, suggestion),
        "{p:#?}"
    );
    assert!(!p.message.is_empty());
}

/// Each problem as (kind, location).
fn kinds(builder: PolicyBuilder) -> Vec<(ProblemKind, Location)> {
    problems(builder)
        .into_iter()
        .map(|p| (p.kind, p.location))
        .collect()
}

#[test]
fn wildcard_origin_with_credentials() {
    let p = only(Policy::builder().allow_any_origin().allow_credentials());
    check(
        &p,
        ProblemKind::WildcardWithCredentials,
        origin(0),
        Some("list the allowed origins, e.g. `allow_origin(\"https://app.example.com\")`, or drop `allow_credentials()`"),
    );
    // Without credentials it is fine.
    assert!(Policy::builder().allow_any_origin().build().is_ok());
}

#[test]
fn wildcard_headers_with_credentials() {
    let p = only(base().allow_credentials().allow_any_header());
    check(
        &p,
        ProblemKind::WildcardWithCredentials,
        header(0),
        Some("list the header names with `allow_headers([..])`"),
    );
}

#[test]
fn wildcard_expose_with_credentials() {
    let p = only(base().allow_credentials().expose_any_header());
    check(
        &p,
        ProblemKind::WildcardWithCredentials,
        expose(0),
        Some("list the header names with `expose_headers([..])`"),
    );
}

#[test]
fn origin_not_browser_serialized() {
    let p = only(Policy::builder().allow_origin("https://Example.com:443/"));
    check(
        &p,
        ProblemKind::InvalidOrigin,
        origin(0),
        Some("did you mean \"https://example.com\"?"),
    );
}

#[test]
fn origin_path_query_fragment_userinfo() {
    let ps = problems(Policy::builder().allow_origins([
        "https://app.example.com/api",
        "https://app.example.com?x=1",
        "https://app.example.com#top",
        "https://user@app.example.com",
    ]));
    assert_eq!(ps.len(), 4);
    for (i, p) in ps.iter().enumerate() {
        check(
            p,
            ProblemKind::InvalidOrigin,
            origin(i),
            Some("did you mean \"https://app.example.com\"?"),
        );
    }
    assert!(ps[0].message.contains("no path"));
    assert!(ps[1].message.contains("no query"));
    assert!(ps[2].message.contains("no fragment"));
    assert!(ps[3].message.contains("no userinfo"));
}

#[test]
fn origin_uppercase() {
    let p = only(Policy::builder().allow_origin("HTTPS://App.Example.com"));
    check(
        &p,
        ProblemKind::InvalidOrigin,
        origin(0),
        Some("did you mean \"https://app.example.com\"?"),
    );
}

#[test]
fn origin_default_port() {
    let ps = problems(
        Policy::builder()
            .allow_origins(["https://app.example.com:443", "http://app.example.com:80"]),
    );
    check(
        &ps[0],
        ProblemKind::InvalidOrigin,
        origin(0),
        Some("did you mean \"https://app.example.com\"?"),
    );
    check(
        &ps[1],
        ProblemKind::InvalidOrigin,
        origin(1),
        Some("did you mean \"http://app.example.com\"?"),
    );
}

#[test]
fn origin_non_ascii_host() {
    let p = only(Policy::builder().allow_origin("https://bücher.example"));
    check(
        &p,
        ProblemKind::InvalidOrigin,
        origin(0),
        Some("did you mean \"https://xn--bcher-kva.example\"?"),
    );
    assert!(p.message.contains("punycode"));
}

#[test]
fn origin_invalid_ip() {
    let ps = problems(Policy::builder().allow_origins([
        "http://127.1:3000",
        "http://[0:0:0:0:0:0:0:1]:8080",
        "http://[::1",
    ]));
    check(
        &ps[0],
        ProblemKind::InvalidOrigin,
        origin(0),
        Some("did you mean \"http://127.0.0.1:3000\"?"),
    );
    check(
        &ps[1],
        ProblemKind::InvalidOrigin,
        origin(1),
        Some("did you mean \"http://[::1]:8080\"?"),
    );
    check(
        &ps[2],
        ProblemKind::InvalidOrigin,
        origin(2),
        Some(GENERIC_ORIGIN_HELP),
    );
}

#[test]
fn origin_invalid_port() {
    let ps = problems(Policy::builder().allow_origins([
        "https://app.example.com:08443",
        "https://app.example.com:65536",
        "https://app.example.com:",
    ]));
    check(
        &ps[0],
        ProblemKind::InvalidOrigin,
        origin(0),
        Some("did you mean \"https://app.example.com:8443\"?"),
    );
    check(
        &ps[1],
        ProblemKind::InvalidOrigin,
        origin(1),
        Some(GENERIC_ORIGIN_HELP),
    );
    check(
        &ps[2],
        ProblemKind::InvalidOrigin,
        origin(2),
        Some("did you mean \"https://app.example.com\"?"),
    );
    assert!(ps[0].message.contains("leading zeros"));
    assert!(ps[1].message.contains("1-65535"));
}

#[test]
fn origin_missing_scheme() {
    let ps = problems(Policy::builder().allow_origins(["app.example.com", ""]));
    check(
        &ps[0],
        ProblemKind::InvalidOrigin,
        origin(0),
        Some("did you mean \"https://app.example.com\"?"),
    );
    check(
        &ps[1],
        ProblemKind::InvalidOrigin,
        origin(1),
        Some("remove it"),
    );
    assert_eq!(ps[1].message, "an empty string is not an origin");
}

#[test]
fn invalid_wildcard() {
    let list = [
        "https://app.*.example.com",
        "https://*example.com",
        "https://*",
        "*://app.example.com",
        "https://*.127.0.0.1",
        "https://app.example.com:8*",
    ];
    let ks = kinds(Policy::builder().allow_origins(list));
    let expected: Vec<_> = (0..list.len())
        .map(|i| (ProblemKind::InvalidWildcard, origin(i)))
        .collect();
    assert_eq!(ks, expected);
}

#[test]
fn null_origin() {
    let p = only(base().allow_origin("null"));
    check(
        &p,
        ProblemKind::NullOrigin,
        origin(1),
        Some(
            "remove \"null\", or add the explicit opt-in `allow_null_origin()` if you really must",
        ),
    );
    assert!(base()
        .allow_origin("null")
        .allow_null_origin()
        .build()
        .is_ok());
}

#[test]
fn null_origin_misspelled() {
    let p = only(Policy::builder().allow_origin("Null").allow_null_origin());
    check(
        &p,
        ProblemKind::InvalidOrigin,
        origin(0),
        Some("did you mean \"null\"?"),
    );
    // Without the opt-in, the suggestion says it is needed too.
    let p = only(Policy::builder().allow_origin("NULL"));
    assert_eq!(
        p.suggestion.as_deref(),
        Some("did you mean \"null\"? (it also needs the explicit opt-in `allow_null_origin()`)")
    );
}

#[test]
fn file_origin() {
    let p = only(Policy::builder().allow_origin("file:///home/me/index.html"));
    check(
        &p,
        ProblemKind::FileOrigin,
        origin(0),
        Some("use \"null\" together with `allow_null_origin()`, and only if you must"),
    );
    // Even with the opt-in: browsers never send it.
    let p = only(
        Policy::builder()
            .allow_origin("FILE://x")
            .allow_null_origin(),
    );
    assert_eq!(p.kind, ProblemKind::FileOrigin);
}

#[test]
#[cfg(feature = "public-suffix-list")] // uses subdomain wildcards
fn insecure_origin_with_credentials() {
    let ps = problems(
        Policy::builder()
            .allow_origins(["http://app.example.com", "http://*.example.com"])
            .allow_credentials(),
    );
    check(
        &ps[0],
        ProblemKind::InsecureOrigin,
        origin(0),
        Some(
            "use \"https://app.example.com\", or add the explicit opt-in `allow_insecure_origins()`",
        ),
    );
    check(
        &ps[1],
        ProblemKind::InsecureOrigin,
        origin(1),
        Some(
            "use \"https://*.example.com\", or add the explicit opt-in `allow_insecure_origins()`",
        ),
    );
    // Loopback is fine, and so is the opt-in, and so is http without credentials.
    assert!(Policy::builder()
        .allow_origins([
            "http://127.0.0.1:3000",
            "http://localhost:*",
            "http://[::1]:8080",
            "http://*.localhost"
        ])
        .allow_credentials()
        .build()
        .is_ok());
    assert!(Policy::builder()
        .allow_origin("http://app.example.com")
        .allow_credentials()
        .allow_insecure_origins()
        .build()
        .is_ok());
    assert!(Policy::builder()
        .allow_origin("http://app.example.com")
        .build()
        .is_ok());
}

#[test]
fn insecure_regex_with_credentials() {
    let p = only(
        Policy::builder()
            .allow_origin_regex(r"^https?://[a-z]+\.example\.com$")
            .allow_credentials(),
    );
    check(
        &p,
        ProblemKind::InsecureOrigin,
        origin(0),
        Some("match `^https://` only, or add the explicit opt-in `allow_insecure_origins()`"),
    );
}

#[test]
#[cfg(feature = "public-suffix-list")]
fn public_suffix_wildcard() {
    let list = [
        "https://*.com",
        "https://*.co.uk",
        "https://*.github.io",
        "https://*.compute.amazonaws.com",
    ];
    let ps = problems(Policy::builder().allow_origins(list));
    assert_eq!(ps.len(), 4);
    for (i, p) in ps.iter().enumerate() {
        let suffix = list[i].trim_start_matches("https://*.");
        check(
            p,
            ProblemKind::PublicSuffixWildcard,
            origin(i),
            Some(&format!(
                "narrow it to a domain you own, e.g. \"https://*.yourname.{suffix}\""
            )),
        );
    }
    // Below a registrable domain, including one under a private-section suffix: fine.
    assert!(Policy::builder()
        .allow_origins([
            "https://*.example.com",
            "https://*.myteam.github.io",
            "https://*.example.co.uk"
        ])
        .build()
        .is_ok());
}

#[test]
#[cfg(not(feature = "public-suffix-list"))]
fn public_suffix_wildcard_without_the_list_fails_closed() {
    let p = only(Policy::builder().allow_origin("https://*.example.com"));
    check(
        &p,
        ProblemKind::PublicSuffixWildcard,
        origin(0),
        Some("enable the `public-suffix-list` feature of cors-actix (on by default), list the origins exactly, or declare the policy with `#[cors]`/`cors_policy!`, which are checked at compile time"),
    );
    assert!(Policy::builder()
        .allow_origin("http://*.localhost")
        .build()
        .is_ok());
}

#[test]
fn invalid_regex() {
    let p = only(Policy::builder().allow_origin_regex(r"^https://(app\.example\.com$"));
    check(
        &p,
        ProblemKind::InvalidRegex,
        origin(0),
        Some("fix the pattern; its syntax is the `regex` crate's: https://docs.rs/regex/latest/regex/#syntax"),
    );
    assert_eq!(
        p.message,
        r"regex does not compile: unclosed group, at `(app\.exampl...`"
    );
}

#[test]
fn unanchored_regex() {
    let ps = problems(
        Policy::builder()
            .allow_origin_regex(r"https://[a-z]+\.example\.com")
            .allow_origin_regex(r"^https://a\.example\.com|https://b\.example\.com$"),
    );
    check(
        &ps[0],
        ProblemKind::UnanchoredRegex,
        origin(0),
        Some(r#"write allow_origin_regex(r"^https://[a-z]+\.example\.com$")"#),
    );
    check(
        &ps[1],
        ProblemKind::UnanchoredRegex,
        origin(1),
        Some(
            r#"write allow_origin_regex(r"^(?:https://a\.example\.com|https://b\.example\.com)$")"#,
        ),
    );
}

#[test]
fn unescaped_dot_in_regex() {
    let p = only(Policy::builder().allow_origin_regex(r"^https://app.example.com$"));
    check(
        &p,
        ProblemKind::UnescapedDotInRegex,
        origin(0),
        Some(r#"escape it: allow_origin_regex(r"^https://app\.example\.com$")"#),
    );
}

#[test]
fn duplicate_origin() {
    let p = only(
        Policy::builder().allow_origins(["https://app.example.com", "https://app.example.com"]),
    );
    check(
        &p,
        ProblemKind::DuplicateOrigin,
        origin(1),
        Some("remove this entry"),
    );
}

#[test]
#[cfg(feature = "public-suffix-list")] // uses subdomain wildcards
fn shadowed_origin() {
    let ps = problems(
        Policy::builder()
            .allow_origins([
                "https://*.example.com",
                "https://app.example.com",
                "http://localhost:*",
                "http://localhost:3000",
            ])
            .allow_origin_regex(r"^https://[a-z]+\.partner\.example$")
            .allow_origin("https://acme.partner.example"),
    );
    let ks: Vec<_> = ps.iter().map(|p| (p.kind, p.location)).collect();
    assert_eq!(
        ks,
        [
            (ProblemKind::ShadowedOrigin, origin(1)),
            (ProblemKind::ShadowedOrigin, origin(3)),
            (ProblemKind::ShadowedOrigin, origin(5)),
        ]
    );
    assert_eq!(
        ps[0].message,
        "\"https://app.example.com\" is already allowed by \"https://*.example.com\""
    );
    assert_eq!(ps[0].suggestion.as_deref(), Some("remove this entry"));
}

#[test]
fn redundant_next_to_star() {
    let p = only(Policy::builder().allow_origins(["*", "https://app.example.com"]));
    check(
        &p,
        ProblemKind::RedundantEntry,
        origin(1),
        Some("remove it, or remove \"*\" to allow only the listed origins"),
    );
}

#[test]
fn empty_origins() {
    let p = only(Policy::builder().allow_origins(Vec::<String>::new()));
    check(
        &p,
        ProblemKind::EmptyOrigins,
        Location::Key(Key::Origins),
        Some("the configured list is empty or unset: give at least one origin (e.g. set the environment variable you read it from)"),
    );
}

#[test]
fn missing_origins() {
    let p = only(Policy::builder().allow_credentials().max_age(600));
    check(
        &p,
        ProblemKind::MissingOrigins,
        Location::Policy,
        Some("call `allow_origin(\"https://app.example.com\")` (or `allow_any_origin()` for a public, credential-free API)"),
    );
}

#[test]
fn forbidden_method() {
    let ps =
        problems(base().allow_methods(["GET", "get", "TRACK", "GET", "NOT A METHOD", "connect"]));
    let at = |i| Location::Item(Key::Methods, i);
    check(
        &ps[0],
        ProblemKind::NonCanonicalMethod,
        at(1),
        Some("did you mean \"GET\"?"),
    );
    check(
        &ps[1],
        ProblemKind::ForbiddenMethod,
        at(2),
        Some("remove it"),
    );
    check(
        &ps[2],
        ProblemKind::DuplicateMethod,
        at(3),
        Some("remove this entry"),
    );
    assert_eq!(
        (ps[3].kind, ps[3].location),
        (ProblemKind::InvalidMethod, at(4))
    );
    check(
        &ps[4],
        ProblemKind::ForbiddenMethod,
        at(5),
        Some("remove it"),
    );
    assert_eq!(ps.len(), 5);
    // The macro checks a route's methods with the same function.
    let p =
        cors_core::__private::validate_method(Location::Item(Key::Methods, 0), "TRACE").unwrap();
    assert_eq!(p.kind, ProblemKind::ForbiddenMethod);
}

#[test]
fn invalid_header_name() {
    let ps = problems(base().allow_headers(["X Request Id", "X-Trace:", ""]));
    check(
        &ps[0],
        ProblemKind::InvalidHeaderName,
        header(0),
        Some("did you mean \"X-Request-Id\"?"),
    );
    check(
        &ps[1],
        ProblemKind::InvalidHeaderName,
        header(1),
        Some("did you mean \"X-Trace\"?"),
    );
    check(
        &ps[2],
        ProblemKind::InvalidHeaderName,
        header(2),
        Some("remove it"),
    );
}

#[test]
fn forbidden_request_header() {
    let list = [
        "Cookie",
        "Host",
        "Sec-Fetch-Site",
        "Proxy-Authorization",
        "Content-Length",
    ];
    let ps = problems(base().allow_headers(list));
    assert_eq!(ps.len(), list.len());
    check(
        &ps[0],
        ProblemKind::ForbiddenRequestHeader,
        header(0),
        Some("remove it; to let requests carry cookies, use `allow_credentials()`"),
    );
    for (i, p) in ps.iter().enumerate().skip(1) {
        check(
            p,
            ProblemKind::ForbiddenRequestHeader,
            header(i),
            Some("remove it"),
        );
    }
    // Content-Type and Accept are safelisted only for some values: listing them is right.
    assert!(base()
        .allow_headers(["Content-Type", "Accept", "Authorization"])
        .build()
        .is_ok());
}

#[test]
fn cors_protocol_header() {
    let ps = problems(base().allow_headers([
        "Access-Control-Allow-Origin",
        "Access-Control-Request-Method",
    ]));
    for (i, p) in ps.iter().enumerate() {
        check(
            p,
            ProblemKind::CorsProtocolHeader,
            header(i),
            Some("remove it; list only the custom headers your front end sets, e.g. \"X-Request-Id\""),
        );
    }
    assert_eq!(ps.len(), 2);
}

#[test]
fn duplicate_header() {
    let ps = problems(
        base()
            .allow_headers(["X-Request-Id", "x-request-id"])
            .expose_headers(["X-Total", "X-Total"]),
    );
    check(
        &ps[0],
        ProblemKind::DuplicateHeader,
        header(1),
        Some("remove this entry"),
    );
    check(
        &ps[1],
        ProblemKind::DuplicateHeader,
        expose(1),
        Some("remove this entry"),
    );
}

#[test]
fn set_cookie_exposed() {
    let p = only(base().expose_headers(["Set-Cookie"]));
    check(
        &p,
        ProblemKind::ForbiddenExposedHeader,
        expose(0),
        Some("remove it"),
    );
}

#[test]
fn wildcard_method() {
    // `*` is a token, so it would be taken for a method named `*`: every preflight refused.
    let ps = problems(base().allow_methods(["GET", "*"]));
    assert_eq!(ps.len(), 1, "{ps:?}");
    check(
        &ps[0],
        ProblemKind::WildcardMethod,
        Location::Item(Key::Methods, 1),
        Some("remove the `allow_methods(..)` call to allow every method, or list them, e.g. [\"GET\", \"POST\"]"),
    );
    assert!(
        ps[0].message.contains("is not a method name"),
        "{}",
        ps[0].message
    );
    // Without `methods`, every method but CONNECT, TRACE and TRACK is allowed.
    let policy = base().build().expect("valid");
    for method in ["GET", "PURGE", "DELETE"] {
        let request = cors_core::PreflightRequest::new(
            cors_core::HeaderInput::One(b"https://app.example.com"),
            cors_core::HeaderInput::One(method.as_bytes()),
        );
        assert!(
            matches!(policy.preflight(&request), cors_core::Decision::Allowed(_)),
            "{method}"
        );
    }
}

#[test]
fn request_only_exposed() {
    let ps = problems(base().expose_headers([
        "Access-Control-Request-Method",
        "X-Total-Count",
        "access-control-request-headers",
    ]));
    assert_eq!(ps.len(), 2, "{ps:?}");
    for (p, i) in ps.iter().zip([0, 2]) {
        check(
            p,
            ProblemKind::RequestOnlyExposedHeader,
            expose(i),
            Some("remove it; `expose` lists response headers your handlers set, e.g. \"X-Total-Count\""),
        );
        assert!(
            p.message.contains("never appears on a response"),
            "{}",
            p.message
        );
    }
    // A response header of the protocol may be exposed (it is on the response).
    assert!(base()
        .expose_headers(["Access-Control-Allow-Origin"])
        .build()
        .is_ok());
}

#[test]
fn safelisted_exposed() {
    let ps = problems(base().expose_headers(["Content-Type", "Cache-Control", "X-Total-Count"]));
    assert_eq!(ps.len(), 2);
    for (i, p) in ps.iter().enumerate() {
        check(
            p,
            ProblemKind::SafelistedExposedHeader,
            expose(i),
            Some("remove it (Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified and Pragma never need `expose_headers`)"),
        );
    }
}

#[test]
fn authorization_under_star() {
    // Declaration side: next to "*", only Authorization may be listed.
    let p = only(base().allow_headers(["*", "X-Request-Id"]));
    check(
        &p,
        ProblemKind::RedundantEntry,
        header(1),
        Some("remove this entry"),
    );
    assert!(p
        .message
        .contains("only `Authorization` must be listed next to `\"*\"`"));
    assert!(base().allow_headers(["*", "Authorization"]).build().is_ok());

    // Request side: "*" alone never covers it.
    let preflight = |headers: &'static [u8]| {
        PreflightRequest::new(
            HeaderInput::One(b"https://app.example.com"),
            HeaderInput::One(b"GET"),
        )
        .headers(HeaderInput::One(headers))
    };
    let star = base().allow_any_header().build().unwrap();
    assert!(matches!(
        star.preflight(&preflight(b"x-request-id")),
        Decision::Allowed(_)
    ));
    assert!(matches!(
        star.preflight(&preflight(b"x-request-id,authorization")),
        Decision::Refused(Reason::AuthorizationNotCovered)
    ));
    let listed = base()
        .allow_headers(["*", "Authorization"])
        .build()
        .unwrap();
    assert!(matches!(
        listed.preflight(&preflight(b"x-request-id,authorization")),
        Decision::Allowed(_)
    ));
}

#[test]
fn max_age_too_large() {
    let p = only(base().max_age(86_401));
    check(
        &p,
        ProblemKind::MaxAgeTooLarge,
        Location::Key(Key::MaxAge),
        Some("use `max_age(7200)` (Chromium's cap) or at most 86400"),
    );
    assert!(base().max_age(86_400).build().is_ok());
    assert!(base().max_age(0).build().is_ok());
}

#[test]
fn max_age_negative() {
    let p = only(base().max_age(-1));
    check(
        &p,
        ProblemKind::MaxAgeNegative,
        Location::Key(Key::MaxAge),
        Some("use a number of seconds from 0 to 86400; 0 disables preflight caching"),
    );
}

#[test]
fn every_problem_at_once() {
    let ps = problems(
        Policy::builder()
            .allow_origins(["*", "https://App.example.com/", "null"])
            .allow_credentials()
            .allow_headers(["Cookie", "X Request Id"])
            .expose_headers(["Set-Cookie"])
            .max_age(100_000),
    );
    let ks: Vec<_> = ps.iter().map(|p| (p.kind, p.location)).collect();
    assert_eq!(
        ks,
        [
            (ProblemKind::WildcardWithCredentials, origin(0)),
            (ProblemKind::InvalidOrigin, origin(1)),
            (ProblemKind::NullOrigin, origin(2)),
            (ProblemKind::ForbiddenRequestHeader, header(0)),
            (ProblemKind::InvalidHeaderName, header(1)),
            (ProblemKind::ForbiddenExposedHeader, expose(0)),
            (ProblemKind::MaxAgeTooLarge, Location::Key(Key::MaxAge)),
        ]
    );
    // The error lists them all, one per line.
    let text = Policy::builder()
        .allow_origins(["*", "https://App.example.com/"])
        .allow_credentials()
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        text.starts_with("invalid CORS policy (2 problems):\n  - origins[0]: "),
        "{text}"
    );
    assert!(
        text.contains("\n  - origins[1]: `https://App.example.com/` is not an origin"),
        "{text}"
    );
}

#[test]
#[cfg(feature = "public-suffix-list")]
fn tricky_but_valid() {
    let policy = Policy::builder()
        .allow_origins([
            "http://[::1]:8080",
            "http://localhost:*",
            "https://xn--bcher-kva.example",
            "https://*.myteam.github.io",
            "https://*.internal.example.com",
            "http://127.0.0.1:3000",
        ])
        .allow_origin_regex(r"^https://[a-z0-9-]+\.partner\.example$")
        .allow_credentials()
        .allow_headers(["Authorization", "Content-Type"])
        .expose_headers(["X-Total-Count"])
        .max_age(86_400)
        .build()
        .unwrap();
    for ok in [
        "http://[::1]:8080",
        "http://localhost:5173",
        "https://xn--bcher-kva.example",
        "https://docs.myteam.github.io",
        "https://a.b.internal.example.com",
        "http://127.0.0.1:3000",
        "https://acme.partner.example",
    ] {
        assert!(
            matches!(
                policy.actual(HeaderInput::One(ok.as_bytes())),
                Decision::Allowed(_)
            ),
            "{ok}"
        );
    }
    assert!(Policy::builder().allow_any_origin().build().is_ok());
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("https://".to_string()),
            Just("http://".to_string()),
            Just("*".to_string()),
            Just("*.".to_string()),
            Just(".".to_string()),
            Just(":".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("::".to_string()),
            Just("/".to_string()),
            Just("null".to_string()),
            Just("localhost".to_string()),
            Just("example.com".to_string()),
            Just("github.io".to_string()),
            Just("127.0.0.1".to_string()),
            Just("ü".to_string()),
            "[a-zA-Z0-9-]{1,8}",
            "[0-9]{1,6}",
            any::<String>(),
        ]
    }

    fn origin_like() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn build_never_panics(
            origins in prop::collection::vec(origin_like(), 0..4),
            regexes in prop::collection::vec(any::<String>(), 0..2),
            headers in prop::collection::vec(any::<String>(), 0..3),
            expose in prop::collection::vec(any::<String>(), 0..3),
            methods in prop::collection::vec("[a-zA-Z ]{0,8}", 0..3),
            max_age in any::<i64>(),
            credentials in any::<bool>(),
        ) {
            let mut b = Policy::builder().allow_origins(origins).max_age(max_age);
            for r in regexes {
                b = b.allow_origin_regex(r);
            }
            b = b.allow_headers(headers).expose_headers(expose).allow_methods(methods);
            if credentials {
                b = b.allow_credentials();
            }
            match b.build() {
                Ok(policy) => {
                    // A valid policy decides any request without panicking.
                    let _ = policy.actual(HeaderInput::One(b"https://app.example.com"));
                }
                Err(e) => {
                    prop_assert!(!e.problems().is_empty());
                    let _ = e.to_string();
                }
            }
        }

        #[test]
        fn accepted_origins_match_themselves(o in origin_like()) {
            if let Ok(policy) = Policy::builder().allow_origin(o.clone()).build() {
                if !o.contains('*') && o != "null" {
                    prop_assert!(matches!(policy.actual(HeaderInput::One(o.as_bytes())), Decision::Allowed(_)), "{}", o);
                }
            }
        }
    }
}

/// A large policy (10,000 exact origins, 1,000 wildcards) validates, and only the entries that
/// a wildcard already covers are reported (the check is indexed, not quadratic).
#[cfg(feature = "public-suffix-list")] // uses subdomain wildcards
#[test]
fn large_policy_reports_only_shadowed_entries() {
    let exact = (0..10_000).map(|i| format!("https://app{i}.customers.example.com"));
    let wildcards = (0..1_000).map(|i| format!("https://*.tenant{i}.example.net"));
    let shadowed = [
        "https://x.tenant7.example.net",
        "https://y.z.tenant999.example.net",
    ];
    let err = Policy::builder()
        .allow_origins(exact.chain(wildcards).chain(shadowed.map(String::from)))
        .build()
        .unwrap_err();
    let kinds: Vec<_> = err
        .problems()
        .iter()
        .map(|p| (p.kind, p.location))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (
                ProblemKind::ShadowedOrigin,
                Location::Item(Key::Origins, 11_000)
            ),
            (
                ProblemKind::ShadowedOrigin,
                Location::Item(Key::Origins, 11_001)
            ),
        ]
    );
    assert!(
        err.problems()[0]
            .message
            .contains("https://*.tenant7.example.net"),
        "{}",
        err.problems()[0].message
    );
}
