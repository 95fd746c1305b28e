//! Rules for one dynamic origin (a tenant's origin added to a set at run time): an exact
//! origin, by the rules of a policy's list.

use crate::declare::keys::Key;
use crate::declare::problem::{Location, Problem, ProblemKind};
use crate::declare::spec::{PolicySpec, Wording};
use crate::origin::Origin;
use crate::policy::dynamic_check::KnownOrigin;
use crate::policy::Policy;

use super::origin_pattern::{parse_pattern, Pattern};
use super::origins::{configuration_mistake, validate_pattern};

/// Where a dynamic origin's problem is: the origins, as a whole (a set has no positions).
const AT: Location = Location::Key(Key::Origins);

/// `origin` as a dynamic origin, under the rules of a list with `credentials` and
/// `insecure_origins`.
fn validate(
    origin: &str,
    credentials: bool,
    insecure_origins: bool,
) -> Result<KnownOrigin, Problem> {
    let at = |mut problem: Problem| {
        problem.location = AT;
        problem
    };
    if let Some(problem) = configuration_mistake(0, origin, Wording::Builder) {
        return Err(at(problem));
    }
    let pattern = parse_pattern(0, origin, false).map_err(at)?;
    let exact = match &pattern {
        Pattern::Exact(exact) if exact == "null" => {
            return Err(Problem::new(
                ProblemKind::NullOrigin,
                AT,
                "the `null` origin is sent by every sandboxed iframe, `data:` URL and `file:` page, including an attacker's: it is never a dynamic origin",
            )
            .suggest("remove it; a policy that must allow `null` lists it with `allow_null_origin`"));
        }
        Pattern::Exact(exact) => exact,
        Pattern::Any | Pattern::AnyPort { .. } | Pattern::Subdomains { .. } => {
            return Err(Problem::new(
                ProblemKind::InvalidWildcard,
                AT,
                format!("`{origin}` is a pattern: a dynamic origin is one exact origin, as a browser sends it"),
            )
            .suggest("add each origin exactly, or put the pattern in the policy's own list"));
        }
    };
    let spec = PolicySpec {
        credentials,
        allow_insecure_origins: insecure_origins,
        ..PolicySpec::default()
    };
    if let Some(problem) = validate_pattern(0, origin, &pattern, &spec) {
        return Err(at(problem));
    }
    // Never fails: the pattern parsed as exactly this origin, and it is not `null`.
    Origin::parse(exact.as_bytes())
        .ok()
        .and_then(|parsed| KnownOrigin::of(&parsed))
        .ok_or_else(|| {
            Problem::new(
                ProblemKind::InvalidOrigin,
                AT,
                format!("`{origin}` is not an origin"),
            )
        })
}

impl KnownOrigin {
    /// Validates `origin` as a dynamic origin by the rules every policy's list obeys: one exact
    /// origin, exactly as a browser sends it (lowercase, no default port, no path or trailing
    /// slash), never `null`, never a pattern. The problem says what is wrong and, where it can,
    /// how to write it. A policy's own rules may refuse more: see
    /// [`Policy::validate_dynamic_origin`].
    ///
    /// ```
    /// use cors_core::{KnownOrigin, ProblemKind};
    ///
    /// assert!(KnownOrigin::validate("https://acme.example").unwrap().is_secure());
    /// assert!(!KnownOrigin::validate("http://acme.example").unwrap().is_secure());
    /// let problem = KnownOrigin::validate("https://Acme.example/").unwrap_err();
    /// assert_eq!(problem.kind, ProblemKind::InvalidOrigin);
    /// assert_eq!(problem.suggestion.as_deref(), Some("did you mean \"https://acme.example\"?"));
    /// assert_eq!(KnownOrigin::validate("https://*.acme.example").unwrap_err().kind, ProblemKind::InvalidWildcard);
    /// assert_eq!(KnownOrigin::validate("null").unwrap_err().kind, ProblemKind::NullOrigin);
    /// ```
    pub fn validate(origin: &str) -> Result<KnownOrigin, Problem> {
        validate(origin, false, false)
    }
}

impl Policy {
    /// Validates `origin` as one of this policy's dynamic origins: the rules of
    /// [`KnownOrigin::validate`], and those this policy's list is validated with (with
    /// credentials, a plain-`http` origin other than loopback is refused unless the policy
    /// allows insecure origins), so that an origin accepted here is one the policy admits.
    ///
    /// ```
    /// use cors_core::{Policy, ProblemKind};
    ///
    /// let policy = Policy::builder().allow_credentials().allow_dynamic_origins().build()?;
    /// let known = policy.validate_dynamic_origin("https://acme.example").unwrap();
    /// assert!(policy.admits_known_origin(known));
    /// let problem = policy.validate_dynamic_origin("http://acme.example").unwrap_err();
    /// assert_eq!(problem.kind, ProblemKind::InsecureOrigin);
    /// assert_eq!(problem.to_string(), "origins: `http://acme.example` is plain http with `credentials`: a network attacker can forge this origin and read credentialed responses (help: use \"https://acme.example\", or add the explicit opt-in `allow_insecure_origins`)");
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn validate_dynamic_origin(&self, origin: &str) -> Result<KnownOrigin, Problem> {
        validate(origin, self.credentials, self.insecure_origins)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_what_parses_as_itself() {
        for good in [
            "https://acme.example",
            "http://localhost:3000",
            "https://[::1]:8443",
            "http://127.0.0.1",
            "https://xn--bcher-kva.example",
        ] {
            let known = KnownOrigin::validate(good).unwrap_or_else(|p| panic!("{good}: {p}"));
            let parsed = Origin::parse(good.as_bytes()).unwrap();
            assert_eq!(parsed.as_str(), good);
            assert_eq!(KnownOrigin::of(&parsed), Some(known));
        }
        for bad in [
            "",
            " https://acme.example",
            "\"https://acme.example\"",
            "https://a.example,https://b.example",
            "https://acme.example/",
            "https://acme.example:443",
            "HTTPS://acme.example",
            "https://*.acme.example",
            "http://localhost:*",
            "*",
            "null",
            "NULL",
            "file:///etc",
            "^https://a\\.example$",
        ] {
            let problem = KnownOrigin::validate(bad).expect_err(bad);
            assert_eq!(problem.location, AT, "{bad}");
        }
    }
}
