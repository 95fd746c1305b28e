//! Policies from configuration files (feature `serde`): the same file in TOML, JSON and YAML
//! gives the same policies; every problem of a file is reported at once with its key path;
//! what the formats cannot parse is their error, with its line.
#![cfg(feature = "serde")]

use cors_core::{CorsConfig, Decision, HeaderInput, PolicyConfig};

const TOML: &str = r#"
[default]
origins = "*"

[policies.partners]
origins = ["https://partner.example", "https://*.partner.example"]
headers = ["Content-Type"]
max_age = 600

[policies.admin]
origins = ["https://admin.example.com", { regex = '^https://admin-[a-z0-9]+\.preview\.example\.com$' }]
credentials = true
headers = "Authorization"
expose = ["X-Request-Id"]
"#;

const JSON: &str = r#"{
  "default": { "origins": "*" },
  "policies": {
    "partners": {
      "origins": ["https://partner.example", "https://*.partner.example"],
      "headers": ["Content-Type"],
      "max_age": 600
    },
    "admin": {
      "origins": ["https://admin.example.com", { "regex": "^https://admin-[a-z0-9]+\\.preview\\.example\\.com$" }],
      "credentials": true,
      "headers": "Authorization",
      "expose": ["X-Request-Id"]
    }
  }
}"#;

const YAML: &str = r#"
default:
  origins: "*"
policies:
  partners:
    origins: ["https://partner.example", "https://*.partner.example"]
    headers: [Content-Type]
    max_age: 600
  admin:
    origins:
      - https://admin.example.com
      - regex: '^https://admin-[a-z0-9]+\.preview\.example\.com$'
    credentials: true
    headers: Authorization
    expose: [X-Request-Id]
"#;

fn allowed(policy: &cors_core::Policy, origin: &str) -> bool {
    matches!(
        policy.actual(HeaderInput::One(origin.as_bytes())),
        Decision::Allowed(_)
    )
}

#[test]
fn one_file_in_three_formats_gives_the_same_policies() {
    let parsed: [CorsConfig; 3] = [
        toml::from_str(TOML).unwrap(),
        serde_json::from_str(JSON).unwrap(),
        serde_norway::from_str(YAML).unwrap(),
    ];
    assert_eq!(parsed[0], parsed[1]);
    assert_eq!(parsed[1], parsed[2]);
    let built = parsed[0].build().expect("a valid file");
    let default = built.default.as_ref().unwrap();
    assert!(allowed(default, "https://anyone.example"));
    let partners = &built.policies["partners"];
    assert!(allowed(partners, "https://eu.partner.example"));
    assert!(!allowed(partners, "https://evil.example"));
    assert_eq!(partners.max_age(), Some("600"));
    let admin = &built.policies["admin"];
    assert!(admin.allows_credentials());
    assert!(allowed(admin, "https://admin-pr7.preview.example.com"));
    assert!(!allowed(
        admin,
        "https://admin-pr7.preview.example.com.evil.example"
    ));
    assert_eq!(admin.expose_headers(), Some("X-Request-Id"));
}

#[test]
fn every_problem_of_a_file_at_once_with_its_key_path() {
    let config: CorsConfig = toml::from_str(
        r#"
        [default]
        origins = "*"
        credentials = true

        [policies.partners]
        origins = ["https://partner.example/", "https://*.com"]
        max_age = 100000
        header = ["Content-Type"]

        [policies.admin]
        origins = [{ regex = "https://admin.example.com" }]
        disable = true

        [polices.typo]
        origins = "*"
        "#,
    )
    .unwrap();
    let err = config.build().unwrap_err();
    let found: Vec<String> = err.problems().iter().map(|p| p.to_string()).collect();
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "polices",
            "default.origins[0]",
            "policies.admin.disable",
            "policies.admin.origins[0]",
            "policies.admin.origins[0]",
            "policies.partners.header",
            "policies.partners.origins[0]",
            "policies.partners.origins[1]",
            "policies.partners.max_age",
        ],
        "{found:#?}"
    );
    assert!(
        found[0].contains("did you mean `policies`?"),
        "{}",
        found[0]
    );
    assert!(found[5].contains("did you mean `headers`?"), "{}", found[5]);
    assert!(found[2].contains("#[cors(...)]"), "{}", found[2]);
    // The rules speak the DSL's keys, as the macros do.
    assert!(found[1].contains("credentials"), "{}", found[1]);
    // Display: every problem, one per line.
    assert_eq!(err.to_string().lines().count(), 1 + paths.len(), "{err}");
}

#[test]
fn what_the_format_cannot_parse_is_its_error_with_its_line() {
    let err = toml::from_str::<CorsConfig>(
        "[policies.partners]\norigins = [\"https://a.example\"]\nmax_age = \"ten\"\n",
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("line 3"), "{message}");
    let err = serde_json::from_str::<PolicyConfig>(
        "{\n  \"origins\": \"*\",\n  \"credentials\": \"yes\"\n}",
    )
    .unwrap_err();
    assert_eq!(err.line(), 3, "{err}");
}

#[test]
fn a_policy_config_builds_like_the_builder_and_hands_one_over() {
    let config: PolicyConfig =
        serde_json::from_str(r#"{ "origins": ["https://app.example.com"], "credentials": true }"#)
            .unwrap();
    let policy = config.build().unwrap();
    assert!(policy.allows_credentials());
    // The same declaration as a builder (for LivePolicy::replace).
    let rebuilt = config.builder().build().unwrap();
    assert!(allowed(&rebuilt, "https://app.example.com"));
    // An empty file is a problem, not a policy allowing nothing.
    let empty: PolicyConfig = serde_json::from_str("{}").unwrap();
    assert_eq!(empty.problems("").len(), 1);
    assert!(empty.build().is_err());
}
