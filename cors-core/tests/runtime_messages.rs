//! Every message a runtime-built policy can fail with, pinned word for word: the builder's
//! language (method names), positions counted one way (`origins[0]` is the first origin), and
//! the hints for what configuration values carry by mistake.

use cors_core::{Policy, PolicyBuilder};

fn app() -> PolicyBuilder {
    Policy::builder().allow_origin("https://app.example.com")
}

/// (what, builder, the whole `PolicyError` as displayed).
fn cases() -> Vec<(&'static str, PolicyBuilder, &'static str)> {
    vec![
        ("missing origins", Policy::builder(), EXPECTED[0]),
        (
            "empty list",
            Policy::builder().allow_origins_list(" , "),
            EXPECTED[1],
        ),
        (
            "any origin with credentials",
            Policy::builder().allow_any_origin().allow_credentials(),
            EXPECTED[2],
        ),
        (
            "any header with credentials",
            app().allow_credentials().allow_any_header(),
            EXPECTED[3],
        ),
        (
            "any exposed header with credentials",
            app().allow_credentials().expose_any_header(),
            EXPECTED[4],
        ),
        (
            "trailing slash",
            Policy::builder().allow_origin("https://app.example.com/"),
            EXPECTED[5],
        ),
        (
            "quoted value",
            Policy::builder().allow_origins_list("\"https://app.example.com\""),
            EXPECTED[6],
        ),
        (
            "whitespace",
            Policy::builder().allow_origin(" https://app.example.com"),
            EXPECTED[7],
        ),
        (
            "comma-joined",
            Policy::builder().allow_origin("https://a.example.com,https://b.example.com"),
            EXPECTED[8],
        ),
        (
            "regex in a list",
            Policy::builder().allow_origins_list(r"^https://[a-z]+\.example\.com$"),
            EXPECTED[9],
        ),
        (
            "misplaced wildcard",
            Policy::builder().allow_origin("https://app.*.example.com"),
            EXPECTED[10],
        ),
        ("null", Policy::builder().allow_origin("null"), EXPECTED[11]),
        (
            "file",
            Policy::builder().allow_origin("file://"),
            EXPECTED[12],
        ),
        (
            "insecure with credentials",
            Policy::builder()
                .allow_origin("http://app.example.com")
                .allow_credentials(),
            EXPECTED[13],
        ),
        (
            "invalid regex",
            Policy::builder().allow_origin_regex(r"^https://(app\.example\.com$"),
            EXPECTED[14],
        ),
        (
            "unanchored regex",
            Policy::builder().allow_origin_regex(r"https://app\.example\.com"),
            EXPECTED[15],
        ),
        (
            "unescaped dot",
            Policy::builder().allow_origin_regex(r"^https://app.example\.com$"),
            EXPECTED[16],
        ),
        (
            "duplicate origin",
            Policy::builder().allow_origins(["https://a.example.com", "https://a.example.com"]),
            EXPECTED[17],
        ),
        (
            "shadowed origin",
            Policy::builder().allow_origins(["http://localhost:*", "http://localhost:3000"]),
            EXPECTED[18],
        ),
        (
            "redundant next to *",
            Policy::builder().allow_origins(["*", "https://app.example.com"]),
            EXPECTED[19],
        ),
        (
            "invalid header name",
            app().allow_headers(["X Bad"]),
            EXPECTED[20],
        ),
        (
            "forbidden request header",
            app().allow_headers(["Cookie"]),
            EXPECTED[21],
        ),
        (
            "CORS protocol header",
            app().allow_headers(["Access-Control-Allow-Origin"]),
            EXPECTED[22],
        ),
        (
            "duplicate header",
            app().allow_headers(["X-A", "x-a"]),
            EXPECTED[23],
        ),
        (
            "Set-Cookie exposed",
            app().expose_headers(["Set-Cookie"]),
            EXPECTED[24],
        ),
        (
            "safelisted exposed",
            app().expose_headers(["Content-Type"]),
            EXPECTED[25],
        ),
        ("negative max age", app().max_age(-1), EXPECTED[26]),
        ("max age too large", app().max_age(86401), EXPECTED[27]),
        (
            "forbidden method",
            app().allow_methods(["TRACE"]),
            EXPECTED[28],
        ),
        (
            "invalid method",
            app().allow_methods(["GE T"]),
            EXPECTED[29],
        ),
        (
            "lowercase method",
            app().allow_methods(["get"]),
            EXPECTED[30],
        ),
        (
            "duplicate method",
            app().allow_methods(["GET", "GET"]),
            EXPECTED[31],
        ),
    ]
}

const EXPECTED: [&str; 32] = [
    r#"invalid CORS policy (1 problem):
  - policy: no origin given: a CORS policy must say which origins may read responses (help: call `allow_origin("https://app.example.com")` (or `allow_any_origin()` for a public, credential-free API))"#,
    r#"invalid CORS policy (1 problem):
  - origins: the list of origins is empty: no origin could ever be allowed (help: the configured list is empty or unset: give at least one origin (e.g. set the environment variable you read it from))"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: any origin (`allow_any_origin()` or "*") cannot be combined with `allow_credentials()`: browsers reject a credentialed response whose Access-Control-Allow-Origin is `*` (help: list the allowed origins, e.g. `allow_origin("https://app.example.com")`, or drop `allow_credentials()`)"#,
    r#"invalid CORS policy (1 problem):
  - headers[0]: `allow_any_header()` ("*") cannot be combined with `allow_credentials()`: with credentials, browsers read `Access-Control-Allow-Headers: *` as a header literally named `*` (help: list the header names with `allow_headers([..])`)"#,
    r#"invalid CORS policy (1 problem):
  - expose[0]: `expose_any_header()` ("*") cannot be combined with `allow_credentials()`: with credentials, browsers read `Access-Control-Expose-Headers: *` as a header literally named `*` (help: list the header names with `expose_headers([..])`)"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: `https://app.example.com/` is not an origin as browsers send it: an origin has no path, not even a trailing slash (help: did you mean "https://app.example.com"?)"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: `"https://app.example.com"` is wrapped in quotes, which are not part of an origin (configuration files and env-file loaders often keep them) (help: did you mean "https://app.example.com"?)"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: ` https://app.example.com` is surrounded by whitespace, which is not part of an origin (configuration files and env-file loaders often keep them) (help: did you mean "https://app.example.com"?)"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: "https://a.example.com,https://b.example.com" holds several origins separated by commas (help: pass the list to `allow_origins_list(..)`, which splits it on commas and whitespace, or give each origin to `allow_origin(..)`)"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: "^https://[a-z]+\.example\.com$" is a regular expression, given where a literal origin is expected (help: add it with `allow_origin_regex(..)`)"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: `https://app.*.example.com`: `*` may only stand for whole leading labels (`*.example.com`), not inside a label or in the middle (help: write `scheme://*.domain` for subdomains, `scheme://host:*` for any port, or use allow_origin_regex(r"^...$"))"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: the `null` origin is sent by every sandboxed iframe, `data:` URL and `file:` page, including an attacker's: allowing it allows them all (help: remove "null", or add the explicit opt-in `allow_null_origin()` if you really must)"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: `file://` is never sent by a browser: pages loaded from files have the origin `null` (help: use "null" together with `allow_null_origin()`, and only if you must)"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: `http://app.example.com` is plain http with `allow_credentials()`: a network attacker can forge this origin and read credentialed responses (help: use "https://app.example.com", or add the explicit opt-in `allow_insecure_origins()`)"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: regex does not compile: unclosed group, at `(app\.exampl...` (help: fix the pattern; its syntax is the `regex` crate's: https://docs.rs/regex/latest/regex/#syntax)"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: regex is not anchored: without `^` and `$` it also matches origins that merely contain the pattern, like `https://app.example.com.evil.com` (help: write allow_origin_regex(r"^https://app\.example\.com$"))"#,
    r#"invalid CORS policy (1 problem):
  - origins[0]: regex has an unescaped `.`, which matches any character: `app.example.com` would also match `appXexample.com`, a domain anyone can register (help: escape it: allow_origin_regex(r"^https://app\.example\.com$"))"#,
    r#"invalid CORS policy (1 problem):
  - origins[1]: "https://a.example.com" is listed twice (first at origins[0]) (help: remove this entry)"#,
    r#"invalid CORS policy (1 problem):
  - origins[1]: "http://localhost:3000" is already allowed by "http://localhost:*" (help: remove this entry)"#,
    r#"invalid CORS policy (1 problem):
  - origins[1]: "https://app.example.com" is redundant: `"*"` already allows every origin (help: remove it, or remove "*" to allow only the listed origins)"#,
    r#"invalid CORS policy (1 problem):
  - headers[0]: `X Bad` is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only) (help: did you mean "X-Bad"?)"#,
    r#"invalid CORS policy (1 problem):
  - headers[0]: `Cookie` is a forbidden request header: browsers never let a page set it (help: remove it; to let requests carry cookies, use `allow_credentials()`)"#,
    r#"invalid CORS policy (1 problem):
  - headers[0]: `Access-Control-Allow-Origin` belongs to the CORS protocol: pages never send it as a request header (help: remove it; list only the custom headers your front end sets, e.g. "X-Request-Id")"#,
    r#"invalid CORS policy (1 problem):
  - headers[1]: `x-a` is listed twice (header names are case-insensitive; first at headers[0]) (help: remove this entry)"#,
    r#"invalid CORS policy (1 problem):
  - expose[0]: `Set-Cookie` is never readable by a page, whatever the server exposes (help: remove it)"#,
    r#"invalid CORS policy (1 problem):
  - expose[0]: `Content-Type` is always readable by a page: exposing it is redundant (help: remove it (Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified and Pragma never need `expose_headers`))"#,
    r#"invalid CORS policy (1 problem):
  - max_age: `max_age(-1)` is negative (help: use a number of seconds from 0 to 86400; 0 disables preflight caching)"#,
    r#"invalid CORS policy (1 problem):
  - max_age: `max_age(86401)` is above 86400: Firefox caps preflight caching at 24 hours and Chromium at 2 hours, so larger values only mislead (help: use `max_age(7200)` (Chromium's cap) or at most 86400)"#,
    r#"invalid CORS policy (1 problem):
  - methods[0]: `TRACE` can never be allowed by CORS: browsers forbid CONNECT, TRACE and TRACK (help: remove it)"#,
    r#"invalid CORS policy (1 problem):
  - methods[0]: `GE T` is not a valid method name (letters, digits and !#$%&'*+-.^_`|~ only) (help: write a method as browsers send it, e.g. "GET", "DELETE" or "PURGE")"#,
    r#"invalid CORS policy (1 problem):
  - methods[0]: `get`: methods are case-sensitive, and browsers send `GET` (help: did you mean "GET"?)"#,
    r#"invalid CORS policy (1 problem):
  - methods[1]: `GET` is listed twice (help: remove this entry)"#,
];

#[test]
fn every_runtime_message_is_pinned() {
    let mut failures = Vec::new();
    for (what, builder, expected) in cases() {
        let message = builder.build().expect_err(what).to_string();
        if message != expected {
            failures.push(format!("{what}:\n{message}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

#[cfg(feature = "public-suffix-list")]
#[test]
fn the_public_suffix_message_is_pinned() {
    let message = Policy::builder()
        .allow_origin("https://*.github.io")
        .build()
        .expect_err("a wildcard over a public suffix")
        .to_string();
    assert_eq!(message, PUBLIC_SUFFIX);
}

#[cfg(feature = "public-suffix-list")]
const PUBLIC_SUFFIX: &str = r#"invalid CORS policy (1 problem):
  - origins[0]: `https://*.github.io` allows sites of strangers: `github.io` is a public suffix (Public Suffix List): anyone can register a site under it (help: narrow it to a domain you own, e.g. "https://*.yourname.github.io")"#;
