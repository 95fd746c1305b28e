//! Policies declared in configuration files (TOML, JSON, YAML ... through their serde crates),
//! with the DSL's key names, validated by the same rules as the macros; every problem of a
//! file reported at once, each with its key path.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::declare::builder::PolicyBuilder;
use crate::declare::keys::{KeySite, KEYS};
use crate::declare::problem::{write_problem, write_problems, Problem};
use crate::declare::spec::{OriginEntry, PolicySpec, Wording};
use crate::declare::validate::{did_you_mean, validate};
use crate::policy::Policy;

/// One string or a list: `origins = "*"` or `origins = ["https://a.example", ...]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(one) => vec![one.clone()],
            OneOrMany::Many(many) => many.clone(),
        }
    }
}

/// An entry of `origins`: an origin as the DSL writes it, or `{ regex = "^...$" }`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum OriginConfig {
    Literal(String),
    Regex { regex: String },
}

/// A policy as a configuration file declares it, with the keys of `cors_policy!(...)`:
/// `origins` (a string or a list; a regex is `{ regex = "^...$" }`), `credentials`,
/// `headers`, `expose` (a string or a list), `max_age`, `methods`, `private_network`,
/// `allow_null_origin`, `allow_insecure_origins`, `allow_dynamic_origins`. Flags are booleans.
/// Deserialize it with any serde format (feature `serde`), then [`build`](PolicyConfig::build)
/// it: every problem is reported at once, in the DSL's words, unknown keys included (with the
/// key you probably meant).
///
/// ```
/// use cors_core::PolicyConfig;
///
/// let config: PolicyConfig = serde_json::from_str(r#"{
///     "origins": ["https://app.example.com", "https://*.preview.example.com"],
///     "credentials": true,
///     "headers": ["Authorization"],
///     "max_age": 600
/// }"#).unwrap();
/// let policy = config.build().unwrap();
/// assert!(policy.allows_credentials());
///
/// let bad: PolicyConfig = serde_json::from_str(r#"{ "origin": "https://app.example.com/" }"#).unwrap();
/// let problems = bad.problems("policies.partners");
/// assert_eq!(problems[0].to_string(), "policies.partners.origin: unknown key (help: did you mean `origins`?)");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct PolicyConfig {
    origins: Option<OneOrMany<OriginConfig>>,
    credentials: bool,
    headers: Option<OneOrMany<String>>,
    expose: Option<OneOrMany<String>>,
    max_age: Option<i64>,
    methods: Option<Vec<String>>,
    private_network: bool,
    allow_null_origin: bool,
    allow_insecure_origins: bool,
    allow_dynamic_origins: bool,
    /// Any other key: reported, with a suggestion.
    #[serde(flatten)]
    unknown: BTreeMap<String, IgnoredAny>,
}

/// One problem of a configuration: where (the key path, `policies.partners.origins[1]`) and
/// what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The key path in the file: `default.credentials`, `policies.partners.origins[1]`.
    pub path: String,
    /// What is wrong and why.
    pub message: String,
    /// A corrected spelling or the change to make, when there is one.
    pub suggestion: Option<String>,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_problem(f, &self.path, &self.message, self.suggestion.as_deref())
    }
}

impl ConfigProblem {
    fn of(prefix: &str, problem: Problem) -> ConfigProblem {
        ConfigProblem {
            path: join(prefix, &problem.location.to_string()),
            message: problem.message,
            suggestion: problem.suggestion,
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else if key == "policy" {
        prefix.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

impl PolicyConfig {
    /// The declaration, as the builder records it.
    fn spec(&self) -> PolicySpec {
        PolicySpec {
            origins: self.origins.as_ref().map(|o| {
                o.to_vec()
                    .into_iter()
                    .map(|entry| match entry {
                        OriginConfig::Literal(origin) => OriginEntry::Literal(origin),
                        OriginConfig::Regex { regex } => OriginEntry::Regex(regex),
                    })
                    .collect()
            }),
            credentials: self.credentials,
            headers: self.headers.as_ref().map(OneOrMany::to_vec),
            expose: self.expose.as_ref().map(OneOrMany::to_vec),
            max_age: self.max_age,
            private_network: self.private_network,
            allow_null_origin: self.allow_null_origin,
            allow_insecure_origins: self.allow_insecure_origins,
            dynamic_origins: self.allow_dynamic_origins,
            methods: self.methods.clone(),
            // A file uses the DSL's key names: its problems do too.
            wording: Wording::Macro,
        }
    }

    /// The problems of this declaration, each with its key path under `prefix` (`""` for a
    /// file that is one policy): unknown keys first, then the rules', in declaration order.
    pub fn problems(&self, prefix: &str) -> Vec<ConfigProblem> {
        let mut problems: Vec<ConfigProblem> = self
            .unknown
            .keys()
            .map(|key| unknown_key(prefix, key))
            .collect();
        if let Err(found) = validate(&self.spec()) {
            problems.extend(found.into_iter().map(|p| ConfigProblem::of(prefix, p)));
        }
        problems
    }

    /// The policy, or every problem (see [`problems`](Self::problems)).
    pub fn build(&self) -> Result<Policy, ConfigError> {
        let problems = self.problems("");
        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        validate(&self.spec())
            .and_then(Policy::from_parts)
            .map_err(|found| ConfigError {
                problems: found
                    .into_iter()
                    .map(|p| ConfigProblem::of("", p))
                    .collect(),
            })
    }

    /// The same declaration as a [`PolicyBuilder`] (for `LivePolicy::replace`, say). Unknown
    /// keys are not part of it: check [`problems`](Self::problems) first.
    pub fn builder(&self) -> PolicyBuilder {
        PolicyBuilder::from_spec(PolicySpec {
            wording: Wording::Builder,
            ..self.spec()
        })
    }
}

/// An unknown key, with the key it probably is.
fn unknown_key(prefix: &str, key: &str) -> ConfigProblem {
    let names: Vec<&str> = KEYS
        .iter()
        .filter(|k| k.site != KeySite::Route)
        .map(|k| k.name)
        .collect();
    let route_only = KEYS
        .iter()
        .any(|k| k.site == KeySite::Route && k.name == key);
    let (message, suggestion) = if route_only {
        (
            "a key of `#[cors(...)]` on a route, not of a policy".to_owned(),
            None,
        )
    } else {
        (
            "unknown key".to_owned(),
            did_you_mean(key, &names).map(|name| format!("did you mean `{name}`?")),
        )
    };
    ConfigProblem {
        path: join(prefix, key),
        message,
        suggestion,
    }
}

/// A configuration file of policies: the `default` policy (for routes without `#[cors]`) and
/// named `policies` (for `#[cors(policy = "name")]`), with the keys of [`PolicyConfig`].
///
/// ```
/// use cors_core::CorsConfig;
///
/// let config: CorsConfig = toml::from_str(r#"
///     [default]
///     origins = "*"
///
///     [policies.partners]
///     origins = ["https://partner.example", { regex = '^https://[a-z]+\.partner\.example$' }]
///     credentials = true
/// "#).unwrap();
/// let built = config.build().unwrap();
/// assert!(built.default.is_some());
/// assert!(built.policies["partners"].allows_credentials());
///
/// // Every problem of the file, each with its key path.
/// let bad: CorsConfig = toml::from_str(r#"
///     [default]
///     origins = "*"
///     credentials = true
///
///     [policies.partners]
///     origins = ["https://partner.example/"]
///     max_ag = 600
/// "#).unwrap();
/// let err = bad.build().unwrap_err();
/// let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
/// assert_eq!(paths, ["default.origins[0]", "policies.partners.max_ag", "policies.partners.origins[0]"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct CorsConfig {
    /// The default policy, if the file has one.
    pub default: Option<PolicyConfig>,
    /// Named policies.
    pub policies: BTreeMap<String, PolicyConfig>,
    #[serde(flatten)]
    unknown: BTreeMap<String, IgnoredAny>,
}

/// The policies of a [`CorsConfig`], validated.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct BuiltConfig {
    /// The default policy.
    pub default: Option<Policy>,
    /// Named policies.
    pub policies: BTreeMap<String, Policy>,
}

impl CorsConfig {
    /// Every problem of the file, each with its key path.
    pub fn problems(&self) -> Vec<ConfigProblem> {
        let mut problems: Vec<ConfigProblem> = self
            .unknown
            .keys()
            .map(|key| ConfigProblem {
                path: key.clone(),
                message: "unknown key".to_owned(),
                suggestion: did_you_mean(key, &["default", "policies"])
                    .map(|name| format!("did you mean `{name}`?")),
            })
            .collect();
        if let Some(default) = &self.default {
            problems.extend(default.problems("default"));
        }
        for (name, policy) in &self.policies {
            problems.extend(policy.problems(&format!("policies.{name}")));
        }
        problems
    }

    /// Every policy of the file, or every problem of the file: all or nothing, so that a
    /// reload never applies half a file.
    pub fn build(&self) -> Result<BuiltConfig, ConfigError> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        let mut problems = Vec::new();
        let mut build = |prefix: &str, policy: &PolicyConfig| match validate(&policy.spec())
            .and_then(Policy::from_parts)
        {
            Ok(policy) => Some(policy),
            Err(found) => {
                problems.extend(found.into_iter().map(|p| ConfigProblem::of(prefix, p)));
                None
            }
        };
        let default = self.default.as_ref().and_then(|d| build("default", d));
        let policies = self
            .policies
            .iter()
            .filter_map(|(name, p)| Some((name.clone(), build(&format!("policies.{name}"), p)?)))
            .collect();
        if problems.is_empty() {
            Ok(BuiltConfig { default, policies })
        } else {
            Err(ConfigError { problems })
        }
    }
}

/// Why a configuration was refused: every problem, each with its key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    problems: Vec<ConfigProblem>,
}

impl ConfigError {
    /// The problems, unknown keys first, then by policy in file order.
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_problems(f, "CORS configuration", &self.problems)
    }
}

impl std::error::Error for ConfigError {}
