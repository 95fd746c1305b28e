//! A policy as declared, before validation.

/// Who wrote a declaration, so that each [`Problem`](crate::Problem) speaks their language:
/// the macros' DSL keys, or the builder's methods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Wording {
    /// [`PolicyBuilder`](crate::PolicyBuilder) at run time (the default).
    #[default]
    Builder,
    /// `#[cors(...)]` and `cors_policy!(...)` at compile time.
    Macro,
}

impl Wording {
    /// `macro_text` for the macros, `builder_text` for the builder.
    pub(crate) fn pick<'a>(self, macro_text: &'a str, builder_text: &'a str) -> &'a str {
        match self {
            Wording::Macro => macro_text,
            Wording::Builder => builder_text,
        }
    }
}

/// One entry of `origins`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginEntry {
    /// `"https://app.example.com"`, `"https://*.example.com"`, `"http://localhost:*"`, `"null"`
    /// or `"*"`.
    Literal(String),
    /// `regex(r"^https://...$")`.
    Regex(String),
}

/// A policy as written by a user, before [`validate`](crate::__private::validate()) checks it.
///
/// The `#[cors(...)]` and `cors_policy!(...)` macros fill one from their arguments at compile
/// time; [`PolicyBuilder`](crate::PolicyBuilder) fills one at run time. Lists keep the
/// declaration order so that each [`Problem`](crate::Problem) can point at the exact entry.
///
/// ```
/// use cors_core::__private::{validate, OriginEntry, PolicySpec};
///
/// let spec = PolicySpec {
///     origins: Some(vec![OriginEntry::Literal("https://app.example.com".into())]),
///     credentials: true,
///     ..PolicySpec::default()
/// };
/// assert!(validate(&spec).is_ok());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicySpec {
    /// `origins`: required.
    pub origins: Option<Vec<OriginEntry>>,
    /// `credentials`.
    pub credentials: bool,
    /// `headers`: request header names, or `"*"`.
    pub headers: Option<Vec<String>>,
    /// `expose`: response header names, or `"*"`.
    pub expose: Option<Vec<String>>,
    /// `max_age` in seconds (signed, so that a negative value can be reported).
    pub max_age: Option<i64>,
    /// `private_network`.
    pub private_network: bool,
    /// `allow_null_origin`.
    pub allow_null_origin: bool,
    /// `allow_insecure_origins`.
    pub allow_insecure_origins: bool,
    /// Origins besides `origins` are decided per request, by a predicate or a lookup the
    /// adapter consults (runtime policies only: [`PolicyBuilder::allow_dynamic_origins`](crate::PolicyBuilder::allow_dynamic_origins)).
    /// `origins` may then be missing or empty; the policy's rules still bind what is decided.
    pub dynamic_origins: bool,
    /// `methods`: only for policies not attached to a route (a route's methods come from its
    /// route attribute). `None` allows every method but CONNECT, TRACE and TRACK.
    pub methods: Option<Vec<String>>,
    /// Whose words the problems use.
    pub wording: Wording,
}
