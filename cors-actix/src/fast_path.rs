//! The fast path of requests without `Origin` ([`Door::without_origin`]) against the
//! general path ([`Door::decide_read`]), on generated apps and requests: the same outcome,
//! and the same effect on the door (the first request's checks). A door feature that the
//! fast path must leave to the general path, missing from its bail-out list, fails this.

use crate::door::after::marks::PathMark;
use crate::door::decide::{Door, Outcome};
use crate::door::read::Read;
use crate::door::route_table::RouteTable;
use crate::policy::slot::PolicySlot;
use crate::routes::registry::{Declared, Registration};
use actix_web::test::TestRequest;
use proptest::prelude::*;

const PREFIXES: &[&str] = &["", "/api", "/api/v2", "/v1/{t}"];
const PATHS: &[&str] = &["/items", "/items/{id}", "", "/files/{tail}*"];
const REQUESTS: &[&str] = &[
    "/",
    "/items",
    "/api/items",
    "/api/items/7",
    "/api/v2/x",
    "/v1/acme/items",
    "/v1/acme",
    "/api",
    "/files/a/b",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "OPTIONS"];
const SITES: &[Option<&str>] = &[
    None,
    Some("same-origin"),
    Some("cross-site"),
    Some("same-site"),
    Some("none"),
];

fn policy() -> PolicySlot {
    PolicySlot::from(
        cors_core::Policy::builder()
            .allow_origin("https://app.example")
            .build()
            .expect("valid"),
    )
}

/// A table from `declared`: (scope prefix, a resource path or `None` for a scope policy).
fn table(declared: &[(usize, Option<usize>)]) -> Option<RouteTable> {
    let registrations = declared
        .iter()
        .enumerate()
        .map(|(i, &(prefix, path))| Registration {
            declared: match path {
                Some(path) => Declared::Resource {
                    path: PATHS[path].to_owned(),
                    policy: policy(),
                },
                None => Declared::Scope {
                    policy: policy(),
                    mark: i as u64,
                },
            },
            prefix: PREFIXES[prefix].to_owned(),
            is_root: PREFIXES[prefix].is_empty(),
            path_mark: Some(PathMark(i as u32)),
        })
        .collect();
    crate::startup::build_table(registrations, &crate::settings::Settings::default())
        .ok()
        .map(|(table, _)| table)
}

/// An outcome, compared: what happens, and what `Vary` the response gets.
fn outcome(outcome: Outcome) -> String {
    match outcome {
        Outcome::Call(decoration, check) => {
            format!("call {:?} checked {}", decoration.vary(), check.is_some())
        }
        Outcome::Pass(_) => "call None checked false".to_owned(),
        Outcome::Respond(res) => format!("respond {}", res.status()),
        Outcome::Refuse(refusal) => format!("refuse {}", refusal.response().status()),
        Outcome::Lookup(..) => "lookup".to_owned(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]
    #[test]
    fn the_fast_path_decides_as_the_general_path(
        declared in proptest::collection::vec((0..PREFIXES.len(), proptest::option::of(0..PATHS.len())), 0..4),
        default in any::<bool>(),
        protection in any::<bool>(),
        unchecked in any::<bool>(),
        method in 0..METHODS.len(),
        path in 0..REQUESTS.len(),
        site in 0..SITES.len(),
    ) {
        let Some(table) = table(&declared) else { return Ok(()) };
        let Some(twin) = self::table(&declared) else { return Ok(()) };
        let door = |table| Door::for_tests(
            table,
            default.then(policy),
            protection.then(crate::CrossOriginProtection::new),
            unchecked,
        );
        let (fast, general) = (door(table), door(twin));
        let mut req = TestRequest::default()
            .method(actix_web::http::Method::from_bytes(METHODS[method].as_bytes()).expect("a method"))
            .uri(REQUESTS[path]);
        if let Some(site) = SITES[site] {
            req = req.insert_header(("sec-fetch-site", site));
        }
        let req = req.to_srv_request();
        let read = Read::of(req.head());
        let expected = outcome(general.decide_read(&req, &read, None));
        // As the door's service does: the fast path, else the general one.
        let got = match fast.without_origin(&req, &read) {
            Some(vary) => format!("call {vary:?} checked false"),
            None => outcome(fast.decide_read(&req, &read, None)),
        };
        prop_assert_eq!(got, expected, "{} {}", METHODS[method], REQUESTS[path]);
        prop_assert_eq!(
            fast.unchecked.get(),
            general.unchecked.get(),
            "the fast path skipped the first request's checks"
        );
    }
}
