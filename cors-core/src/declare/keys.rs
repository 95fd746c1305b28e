//! The keys of the policy DSL, in one table. The macros' parser (which keys exist, which take a
//! value, the example in each error's help), the validator (the order problems are reported
//! in, the location they name), the builder's wording (the method that sets a flag) and the DSL
//! reference (`cors-actix/docs/dsl.md` and the README, checked against this table by
//! `tests/tests/dsl_reference.rs`) all read it. Adding a key is one row here plus its meaning:
//! see CONTRIBUTING.md, "Adding a DSL key".

/// A key of the policy DSL. Variants are in DSL order, the order of [`KEYS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// `origins`
    Origins,
    /// `credentials`
    Credentials,
    /// `headers`
    Headers,
    /// `expose`
    Expose,
    /// `max_age`
    MaxAge,
    /// `private_network`
    PrivateNetwork,
    /// `allow_null_origin`
    AllowNullOrigin,
    /// `allow_insecure_origins`
    AllowInsecureOrigins,
    /// `methods` (`cors_policy!` only)
    Methods,
    /// `policy` (`#[cors]` only)
    Policy,
    /// `disable` (`#[cors]` only)
    Disable,
}

/// What a key takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// A string, or a list of strings (`origins` also takes `regex("...")` items).
    Strings,
    /// A whole number (seconds).
    Number,
    /// One string: a name.
    Name,
    /// Nothing (or `= true` / `= false`).
    Flag,
}

/// Where a key may be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySite {
    /// In `#[cors(...)]` and in `cors_policy!(...)`.
    Both,
    /// Only in a route's `#[cors(...)]`.
    Route,
    /// Only in `cors_policy!(...)`.
    Standalone,
}

/// One row of the DSL's table.
#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    /// The key.
    pub key: Key,
    /// As written in the DSL.
    pub name: &'static str,
    /// What it takes.
    pub kind: KeyKind,
    /// Where it may be written.
    pub site: KeySite,
    /// An example, for the help of an error.
    pub example: &'static str,
    /// The runtime builder's method for it (a flag's, as a runtime error names it), if any.
    pub builder: Option<&'static str>,
    /// The DSL reference's "value" column.
    pub value_doc: &'static str,
    /// The DSL reference's "meaning" column.
    pub meaning: &'static str,
}

/// Every key, in DSL order (the order of [`Key`]'s variants).
pub const KEYS: &[KeySpec] = &[
    KeySpec {
        key: Key::Origins,
        name: "origins",
        kind: KeyKind::Strings,
        site: KeySite::Both,
        example: "origins = [\"https://app.example.com\"]",
        builder: None,
        value_doc: "`\"*\"`, or a list of exact origins `\"https://a.example\"`, subdomain wildcards `\"https://*.a.example\"`, any-port `\"http://localhost:*\"`, `regex(r\"^...$\")`",
        meaning: "who may read responses",
    },
    KeySpec {
        key: Key::Credentials,
        name: "credentials",
        kind: KeyKind::Flag,
        site: KeySite::Both,
        example: "credentials",
        builder: Some("allow_credentials()"),
        value_doc: "flag",
        meaning: "`Access-Control-Allow-Credentials: true`: cookies and `Authorization`",
    },
    KeySpec {
        key: Key::Headers,
        name: "headers",
        kind: KeyKind::Strings,
        site: KeySite::Both,
        example: "headers = [\"Authorization\"]",
        builder: None,
        value_doc: "list of request header names, or `\"*\"` (never covers `Authorization`)",
        meaning: "non-safelisted request headers allowed in preflights",
    },
    KeySpec {
        key: Key::Expose,
        name: "expose",
        kind: KeyKind::Strings,
        site: KeySite::Both,
        example: "expose = [\"X-Total-Count\"]",
        builder: None,
        value_doc: "list of response header names, or `\"*\"`",
        meaning: "response headers the page may read",
    },
    KeySpec {
        key: Key::MaxAge,
        name: "max_age",
        kind: KeyKind::Number,
        site: KeySite::Both,
        example: "max_age = 600",
        builder: None,
        value_doc: "seconds, `0..=86400`",
        meaning: "how long browsers cache a preflight",
    },
    KeySpec {
        key: Key::PrivateNetwork,
        name: "private_network",
        kind: KeyKind::Flag,
        site: KeySite::Both,
        example: "private_network",
        builder: Some("allow_private_network()"),
        value_doc: "flag",
        meaning: "answer Private Network Access preflights of older Chromium browsers (Chrome 142+ asks for Local Network Access permission instead; without the flag such a preflight is answered as if it had not asked)",
    },
    KeySpec {
        key: Key::AllowNullOrigin,
        name: "allow_null_origin",
        kind: KeyKind::Flag,
        site: KeySite::Both,
        example: "allow_null_origin",
        builder: Some("allow_null_origin()"),
        value_doc: "flag",
        meaning: "opt-in: allow listing the `null` origin",
    },
    KeySpec {
        key: Key::AllowInsecureOrigins,
        name: "allow_insecure_origins",
        kind: KeyKind::Flag,
        site: KeySite::Both,
        example: "allow_insecure_origins",
        builder: Some("allow_insecure_origins()"),
        value_doc: "flag",
        meaning: "opt-in: plain-`http` origins with `credentials`",
    },
    KeySpec {
        key: Key::Methods,
        name: "methods",
        kind: KeyKind::Strings,
        site: KeySite::Standalone,
        example: "methods = [\"GET\"]",
        builder: None,
        value_doc: "list of methods",
        meaning: "`cors_policy!` only (a route's methods are its route attribute's): methods allowed in preflights, by default every method but `CONNECT`, `TRACE` and `TRACK`",
    },
    KeySpec {
        key: Key::Policy,
        name: "policy",
        kind: KeyKind::Name,
        site: KeySite::Route,
        example: "policy = \"partners\"",
        builder: None,
        value_doc: "`\"name\"`",
        meaning: "a policy registered at run time: `Cors::new().policy(\"name\", policy)`",
    },
    KeySpec {
        key: Key::Disable,
        name: "disable",
        kind: KeyKind::Flag,
        site: KeySite::Route,
        example: "disable",
        builder: None,
        value_doc: "flag",
        meaning: "no CORS headers on this route, even under a default policy",
    },
];

impl Key {
    /// The key's row of the keys' table (the macros' plumbing: not a stable API).
    ///
    /// ```
    /// use cors_core::Key;
    /// use cors_core::__private::KeyKind;
    ///
    /// assert_eq!(Key::MaxAge.spec().name, "max_age");
    /// assert_eq!(Key::Credentials.spec().kind, KeyKind::Flag);
    /// ```
    #[doc(hidden)]
    pub fn spec(self) -> &'static KeySpec {
        &KEYS[self as usize]
    }

    /// The key as written in the DSL.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// The key written `name` in the DSL, if there is one.
    ///
    /// ```
    /// use cors_core::Key;
    ///
    /// assert_eq!(Key::from_name("private_network"), Some(Key::PrivateNetwork));
    /// assert_eq!(Key::from_name("origin"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Key> {
        KEYS.iter()
            .find(|spec| spec.name == name)
            .map(|spec| spec.key)
    }

    /// Its position in DSL order (problems are reported in it).
    pub fn rank(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_order_of_the_enum() {
        for (i, spec) in KEYS.iter().enumerate() {
            assert_eq!(spec.key as usize, i, "{}", spec.name);
            assert_eq!(Key::from_name(spec.name), Some(spec.key));
        }
        assert_eq!(KEYS.len(), Key::Disable as usize + 1);
    }
}
