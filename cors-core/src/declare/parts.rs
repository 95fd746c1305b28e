//! A validated, normalized policy: what both the macro and the runtime builder construct a
//! [`Policy`](crate::Policy) from.

use crate::origin::allowed::PortRule;

/// A subdomain wildcard rule: `scheme://*.suffix[:port]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubdomainParts {
    /// The host suffix without the leading dot, e.g. `preview.example.com`.
    pub suffix: String,
    /// The scheme.
    pub scheme: String,
    /// The port constraint.
    pub port: PortRule,
}

/// The normalized content of a policy that passed [`validate`](crate::__private::validate()).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyParts {
    /// `origins = "*"`.
    pub any_origin: bool,
    /// Exact origins (including `null` when allowed), canonical.
    pub exact_origins: Vec<String>,
    /// `scheme://host` of the `scheme://host:*` rules.
    pub any_port_origins: Vec<String>,
    /// Subdomain rules.
    pub subdomain_origins: Vec<SubdomainParts>,
    /// Regex sources.
    pub regex_origins: Vec<String>,
    /// `credentials`.
    pub credentials: bool,
    /// `headers` contains `"*"`.
    pub any_header: bool,
    /// Allowed request header names, lowercase, without `"*"`.
    pub headers: Vec<String>,
    /// Allowed methods (`None`: any but the forbidden ones).
    pub methods: Option<Vec<String>>,
    /// The `Access-Control-Expose-Headers` value.
    pub expose: Option<String>,
    /// `Access-Control-Max-Age`.
    pub max_age: Option<u32>,
    /// `private_network`.
    pub private_network: bool,
    /// `allow_insecure_origins`: dynamic origins may be plain `http` with credentials.
    pub allow_insecure_origins: bool,
    /// Origins besides the list are decided per request.
    pub dynamic_origins: bool,
}
