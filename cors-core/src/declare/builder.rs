//! Building a policy at run time (from configuration, environment variables ...), validated by
//! the same rules as the macros.

use std::fmt;

use crate::declare::keys::{Key, KEYS};
use crate::declare::problem::{write_problems, Location, Problem, ProblemKind};
use crate::declare::spec::{OriginEntry, PolicySpec};
use crate::declare::validate::validate;
use std::borrow::Cow;
use std::sync::Arc;

use crate::declare::parts::PolicyParts;
use crate::origin::allowed::{AllowedOrigins, SubdomainRule};
use crate::origin::regex::{RegexOrigin, RegexRef};
use crate::policy::allow_headers::AllowedHeaders;
use crate::policy::allow_methods::AllowedMethods;
use crate::policy::Policy;

/// A runtime builder for [`Policy`]. Every method records part of the declaration;
/// [`build`](PolicyBuilder::build) validates it and reports every problem at once.
///
/// ```
/// use cors_core::{Policy, ProblemKind};
///
/// // Origins from configuration, e.g. a comma-separated environment variable.
/// let from_env = "https://app.example.com, https://*.preview.example.com";
/// let policy = Policy::builder()
///     .allow_origins(from_env.split(',').map(str::trim))
///     .allow_credentials()
///     .allow_headers(["Authorization"])
///     .build()
///     .unwrap();
/// assert!(policy.allows_credentials());
///
/// let err = Policy::builder()
///     .allow_origins(["https://app.example.com/", "*"])
///     .allow_credentials()
///     .build()
///     .unwrap_err();
/// // Every problem at once, in declaration order: a trailing slash, then "*" with credentials.
/// let kinds: Vec<_> = err.problems().iter().map(|p| p.kind).collect();
/// assert_eq!(kinds, [ProblemKind::InvalidOrigin, ProblemKind::WildcardWithCredentials]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct PolicyBuilder {
    spec: PolicySpec,
}

impl PolicyBuilder {
    /// Allows one origin: exact (`https://app.example.com`), subdomain wildcard
    /// (`https://*.example.com`), any port (`http://localhost:*`), `null` (needs
    /// [`allow_null_origin`](Self::allow_null_origin)) or `*`.
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.origins().push(OriginEntry::Literal(origin.into()));
        self
    }

    /// Allows several origins (see [`allow_origin`](Self::allow_origin)).
    pub fn allow_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = self.origins();
        list.extend(origins.into_iter().map(|o| OriginEntry::Literal(o.into())));
        self
    }

    /// Allows the origins of a list as configuration files and environment variables spell
    /// it: origins separated by commas and/or whitespace (see
    /// [`allow_origin`](Self::allow_origin) for each one's forms). Empty items are skipped; a
    /// list with no origin at all is reported by [`build`](Self::build), like every other
    /// problem, with its position in the list (`origins[1]`: the second origin).
    ///
    /// Regexes cannot be listed this way (they may contain commas): add them with
    /// [`allow_origin_regex`](Self::allow_origin_regex).
    ///
    /// ```
    /// use cors_core::{Location, Key, Policy, ProblemKind};
    ///
    /// // e.g. std::env::var("CORS_ORIGINS").unwrap_or_default()
    /// let configured = "https://app.example.com, https://*.preview.example.com\n http://localhost:*";
    /// let policy = Policy::builder().allow_origins_list(configured).build()?;
    /// assert_eq!(policy.origins().exact().collect::<Vec<_>>(), ["https://app.example.com"]);
    ///
    /// // Every mistake is reported, none panics.
    /// let err = Policy::builder()
    ///     .allow_origins_list("https://app.example.com/, http://api.example.com:80")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.problems().len(), 2);
    /// assert_eq!(err.problems()[1].location, Location::Item(Key::Origins, 1));
    /// assert!(err.to_string().contains("origins[0]"), "{err}");
    ///
    /// // An unset or empty variable is a problem too, not a policy allowing nothing.
    /// let err = Policy::builder().allow_origins_list(" , ").build().unwrap_err();
    /// assert_eq!(err.problems()[0].kind, ProblemKind::EmptyOrigins);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn allow_origins_list(self, list: &str) -> Self {
        self.allow_origins(
            list.split(|c: char| c == ',' || c.is_whitespace())
                .filter(|item| !item.is_empty()),
        )
    }

    /// Allows the origins matching an anchored regex (`^...$`).
    pub fn allow_origin_regex(mut self, regex: impl Into<String>) -> Self {
        self.origins().push(OriginEntry::Regex(regex.into()));
        self
    }

    /// Allows any origin (`*`); incompatible with credentials.
    pub fn allow_any_origin(self) -> Self {
        self.allow_origin("*")
    }

    /// Sends `Access-Control-Allow-Credentials: true`.
    pub fn allow_credentials(mut self) -> Self {
        self.spec.credentials = true;
        self
    }

    /// Allows these request headers in preflights.
    pub fn allow_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = self.spec.headers.get_or_insert_with(Vec::new);
        list.extend(names.into_iter().map(Into::into));
        self
    }

    /// Allows any request header but `Authorization` (`*`); incompatible with credentials.
    pub fn allow_any_header(self) -> Self {
        self.allow_headers(["*"])
    }

    /// Lets pages read these response headers.
    pub fn expose_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = self.spec.expose.get_or_insert_with(Vec::new);
        list.extend(names.into_iter().map(Into::into));
        self
    }

    /// Lets pages read any response header (`*`); incompatible with credentials.
    pub fn expose_any_header(self) -> Self {
        self.expose_headers(["*"])
    }

    /// Lets browsers cache preflight results for `seconds` (0 to 86400).
    pub fn max_age(mut self, seconds: i64) -> Self {
        self.spec.max_age = Some(seconds);
        self
    }

    /// Grants private network access to preflights that ask for it.
    pub fn allow_private_network(mut self) -> Self {
        self.spec.private_network = true;
        self
    }

    /// Opt-in: allows listing the `null` origin.
    pub fn allow_null_origin(mut self) -> Self {
        self.spec.allow_null_origin = true;
        self
    }

    /// Origins besides the listed ones are decided per request by the adapter (cors-actix:
    /// `Cors::dynamic_policy` with a predicate or a cached lookup). The list may then be empty.
    /// The policy's rules bind whatever is decided per request: `null` is never allowed that
    /// way, nor a plain-`http` origin with credentials (loopback aside) unless
    /// [`allow_insecure_origins`](Self::allow_insecure_origins) is set; `*` cannot be combined.
    ///
    /// ```
    /// use cors_core::{Decision, HeaderInput, Policy};
    ///
    /// let policy = Policy::builder().allow_credentials().allow_dynamic_origins().build()?;
    /// let tenant = |origin: &cors_core::Origin<'_>| origin.host().ends_with(".tenants.example");
    /// let decide = |origin: &'static str| policy.actual_with(HeaderInput::One(origin.as_bytes()), tenant);
    /// assert!(matches!(decide("https://acme.tenants.example"), Decision::Allowed(_)));
    /// // The rules still bind: plain http with credentials, `null`.
    /// assert!(matches!(decide("http://acme.tenants.example"), Decision::Refused(_)));
    /// assert!(matches!(decide("null"), Decision::Refused(_)));
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn allow_dynamic_origins(mut self) -> Self {
        self.spec.dynamic_origins = true;
        self
    }

    /// Opt-in: allows plain-http non-loopback origins together with credentials.
    pub fn allow_insecure_origins(mut self) -> Self {
        self.spec.allow_insecure_origins = true;
        self
    }

    /// Restricts the methods allowed in preflights (default: any but CONNECT, TRACE, TRACK).
    /// Route policies take their methods from the route instead.
    pub fn allow_methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = self.spec.methods.get_or_insert_with(Vec::new);
        list.extend(methods.into_iter().map(Into::into));
        self
    }

    /// A builder holding `spec` (a declaration read from a configuration file).
    #[cfg(feature = "serde")]
    pub(crate) fn from_spec(spec: PolicySpec) -> PolicyBuilder {
        PolicyBuilder { spec }
    }

    /// The declaration recorded so far (the macros' form: not a stable API).
    #[doc(hidden)]
    pub fn spec(&self) -> &PolicySpec {
        &self.spec
    }

    /// Validates the declaration and builds the policy, or returns every problem, in the
    /// builder's words (method names, not the macros' keys).
    pub fn build(self) -> Result<Policy, PolicyError> {
        validate(&self.spec)
            .and_then(Policy::from_parts)
            .map_err(|problems| PolicyError {
                problems: problems.into_iter().map(in_builder_words).collect(),
            })
    }

    fn origins(&mut self) -> &mut Vec<OriginEntry> {
        self.spec.origins.get_or_insert_with(Vec::new)
    }
}

/// The macros' phrases and the builder's: the rules speak the DSL (it is what the compile errors
/// show), a runtime error names the builder's methods instead. Flags are renamed from the key
/// table ([`KEYS`]'s `builder` column); the phrases that say more than a key's name are here.
const BUILDER_WORDS: &[(&str, &str)] = &[
    (
        "add `origins = [\"https://app.example.com\"]` (or `origins = \"*\"` for a public, credential-free API)",
        "call `allow_origin(\"https://app.example.com\")` (or `allow_any_origin()` for a public, credential-free API)",
    ),
    ("no `origins`:", "no origin given:"),
    ("`origins` is empty", "the list of origins is empty"),
    ("regex(r\"", "allow_origin_regex(r\""),
    ("use regex(r\"^...$\")", "use allow_origin_regex(r\"^...$\")"),
    ("never need `expose`", "never need `expose_headers`"),
];

/// A problem in the builder's words (see [`BUILDER_WORDS`]).
fn in_builder_words(mut problem: Problem) -> Problem {
    problem.message = builder_words(&problem.message);
    problem.suggestion = problem.suggestion.as_deref().map(builder_words);
    problem
}

/// `text` in the builder's words; `max_age = N` becomes `max_age(N)`.
fn builder_words(text: &str) -> String {
    let mut text = BUILDER_WORDS
        .iter()
        .fold(text.to_owned(), |text, (dsl, builder)| {
            text.replace(dsl, builder)
        });
    for spec in KEYS {
        if let Some(builder) = spec.builder {
            text = text.replace(&format!("`{}`", spec.name), &format!("`{builder}`"));
        }
    }
    while let Some(at) = text.find("`max_age = ") {
        let value_at = at + "`max_age = ".len();
        let end = text[value_at..]
            .find('`')
            .map_or(text.len(), |e| value_at + e);
        let value = text[value_at..end].to_owned();
        text.replace_range(at..=end.min(text.len() - 1), &format!("`max_age({value})`"));
    }
    text
}

impl Policy {
    /// Builds a policy from parts that passed [`validate`](crate::validate()): only
    /// [`PolicyBuilder::build`] calls it, so no public path builds an unvalidated policy.
    /// Validation compiled every regex already; one that would not compile now is reported,
    /// never dropped.
    pub(crate) fn from_parts(parts: PolicyParts) -> Result<Policy, Vec<Problem>> {
        let mut regexes = Vec::with_capacity(parts.regex_origins.len());
        for (i, source) in parts.regex_origins.into_iter().enumerate() {
            match RegexOrigin::new(source) {
                Ok(regex) => regexes.push(RegexRef::Shared(Arc::new(regex))),
                Err(err) => {
                    return Err(vec![Problem::new(
                        ProblemKind::InvalidRegex,
                        Location::Key(Key::Origins),
                        format!("regex #{i} does not compile: {err}"),
                    )])
                }
            }
        }
        let origins = if parts.any_origin {
            AllowedOrigins::ANY
        } else {
            AllowedOrigins::from_owned(
                parts.exact_origins,
                parts.any_port_origins,
                parts
                    .subdomain_origins
                    .into_iter()
                    .map(|s| {
                        (
                            s.suffix,
                            SubdomainRule {
                                scheme: Cow::Owned(s.scheme),
                                port: s.port,
                            },
                        )
                    })
                    .collect(),
                regexes,
            )
        };
        Ok(Policy {
            origins,
            credentials: parts.credentials,
            headers: AllowedHeaders::new(parts.any_header, parts.headers),
            methods: match parts.methods {
                Some(m) => AllowedMethods::list(m),
                None => AllowedMethods::ANY,
            },
            expose: parts.expose.map(Cow::Owned),
            max_age: parts.max_age.map(|a| Cow::Owned(a.to_string())),
            private_network: parts.private_network,
            insecure_origins: parts.allow_insecure_origins,
            dynamic_origins: parts.dynamic_origins,
        })
    }

    /// A runtime builder, validated like the macros.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }
}

impl From<PolicySpec> for PolicyBuilder {
    fn from(spec: PolicySpec) -> Self {
        PolicyBuilder { spec }
    }
}

/// Every problem of an invalid policy declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    problems: Vec<Problem>,
}

impl PolicyError {
    /// The problems, in declaration order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Consumes the error, returning the problems.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_problems(f, "CORS policy", &self.problems)
    }
}

impl std::error::Error for PolicyError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declare::problem::ProblemKind;

    fn origins(list: &str) -> Vec<String> {
        let builder = Policy::builder().allow_origins_list(list);
        builder
            .spec()
            .origins
            .iter()
            .flatten()
            .map(|entry| match entry {
                OriginEntry::Literal(s) | OriginEntry::Regex(s) => s.clone(),
            })
            .collect()
    }

    #[test]
    fn list_is_split_on_commas_and_whitespace() {
        assert_eq!(
            origins(" https://a.example,https://b.example\thttps://c.example\n\n, ,"),
            [
                "https://a.example",
                "https://b.example",
                "https://c.example"
            ]
        );
        assert!(origins("").is_empty());
    }

    #[test]
    fn list_adds_to_origins_given_before() {
        let policy = Policy::builder()
            .allow_origin("https://a.example")
            .allow_origins_list("https://b.example")
            .build()
            .unwrap();
        assert_eq!(policy.origins().exact().count(), 2);
    }

    #[test]
    fn empty_list_is_a_problem() {
        for list in ["", " ", ",,", "\n"] {
            let err = Policy::builder()
                .allow_origins_list(list)
                .build()
                .unwrap_err();
            assert_eq!(
                err.problems()[0].kind,
                ProblemKind::EmptyOrigins,
                "{list:?}"
            );
        }
    }

    #[test]
    fn every_bad_item_is_reported_at_its_position() {
        let err = Policy::builder()
            .allow_origins_list(
                "https://ok.example, https://bad.example/, *.com, https://ok.example",
            )
            .allow_credentials()
            .build()
            .unwrap_err();
        let locations: Vec<String> = err
            .problems()
            .iter()
            .map(|p| p.location.to_string())
            .collect();
        assert!(locations.contains(&"origins[1]".to_string()), "{err}");
        assert!(locations.contains(&"origins[2]".to_string()), "{err}");
        assert!(locations.contains(&"origins[3]".to_string()), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn any_configured_text_builds_or_reports_without_panicking(list in "\\PC{0,80}") {
            match Policy::builder().allow_origins_list(&list).allow_credentials().build() {
                Ok(policy) => proptest::prop_assert!(policy.allows_credentials()),
                Err(err) => proptest::prop_assert!(!err.problems().is_empty()),
            }
        }
    }
}
