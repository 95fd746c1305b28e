//! The route report: what `Cors` learnt about the app's routes when it started.

use std::fmt;

use crate::door::route_table::{
    is_within, PolicyFrom, Route, RoutePolicy, RouteTable, ScopePolicy,
};
use crate::policy::slot::PolicySlot;

/// One declared route, as the door knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportedRoute {
    /// The full path pattern, with every enclosing scope's prefix (`/v1/{tenant}/items/{id}`).
    pub pattern: String,
    /// The route's methods.
    pub methods: Vec<&'static str>,
    /// The handler, or `resource_policy("/path")` / `scope_policy("/prefix")`.
    pub handler: String,
    /// Whether the route attribute has guards (`guard = "..."`), evaluated at the door.
    pub guarded: bool,
    /// Where the policy comes from, with its origins in short: `inline [https://a.example]`,
    /// `policy "partners" [..]`, or `CORS disabled`.
    pub policy: String,
    /// For a route: the later routes with the same pattern and a method in common (actix-web
    /// runs one of them per request, split by guards of their scopes). For a scope policy: the
    /// declared routes under its scope that have a policy of their own (it covers every other
    /// route under its prefix).
    pub related: Vec<String>,
}

/// The route table `Cors` built when the app started: every route with a CORS declaration, in
/// registration order, and the default policy. Logged at start-up (target `cors`, level
/// `info`) and returned by [`Cors::route_report`](crate::Cors::route_report).
///
/// ```
/// use actix_web::{get, test, web, App, Responder};
/// use cors_actix::{cors, Cors};
///
/// #[cors(origins = ["https://app.example.com"], credentials)]
/// #[get("/items/{id}")]
/// async fn item() -> impl Responder { "{}" }
///
/// # actix_web::rt::System::new().block_on(async {
/// let cors = Cors::new();
/// let _app = test::init_service(
///     App::new().service(web::scope("/v1").service(item)).wrap(cors.clone()),
/// )
/// .await;
/// let report = cors.route_report().expect("the app has started");
/// assert_eq!(report.routes()[0].pattern, "/v1/items/{id}");
/// assert_eq!(
///     report.to_string(),
///     "GET /v1/items/{id} -> item: inline [https://app.example.com] with credentials\n\
///      other paths: no CORS\n"
/// );
/// # });
/// ```
///
#[doc = include_str!("../docs/diagnostics.md")]
///
#[doc = include_str!("../docs/links.md")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteReport {
    pub(crate) routes: Vec<ReportedRoute>,
    pub(crate) default: Option<String>,
    pub(crate) findings: Vec<String>,
    /// The middleware it reports on, for [`explain`](RouteReport::explain).
    pub(crate) source: Source,
}

/// The settings of the middleware a report comes from: not part of what the report says, so
/// two reports of the same routes are equal whichever middleware they come from.
#[derive(Clone, Default)]
pub(crate) struct Source(pub(crate) Option<std::sync::Arc<crate::settings::Settings>>);

impl PartialEq for Source {
    fn eq(&self, _: &Source) -> bool {
        true
    }
}

impl Eq for Source {}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Source")
    }
}

impl RouteReport {
    /// The declared routes, in registration order (the order actix-web tries them).
    pub fn routes(&self) -> &[ReportedRoute] {
        &self.routes
    }

    /// The default policy in short, if there is one.
    pub fn default_policy(&self) -> Option<&str> {
        self.default.as_deref()
    }

    /// What the app's first request found that start-up could not see: declared routes that a
    /// service registered before them, without any declaration, may keep actix-web from
    /// reaching (also logged, target `cors`, level warn). Empty before the first request.
    pub fn findings(&self) -> &[String] {
        &self.findings
    }
}

impl fmt::Display for RouteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for route in &self.routes {
            write!(
                f,
                "{} {} -> {}",
                route.methods.join(","),
                route.pattern,
                route.handler
            )?;
            if route.guarded {
                write!(f, " (guarded)")?;
            }
            write!(f, ": {}", route.policy)?;
            if !route.related.is_empty() {
                let related = route.related.join(", ");
                if route.pattern.ends_with("/*") {
                    write!(
                        f,
                        " (every route under it but {related}, which have their own)"
                    )?;
                } else {
                    write!(f, " (twins, split by scope guards: {related})")?;
                }
            }
            writeln!(f)?;
        }
        match &self.default {
            Some(default) => writeln!(f, "other paths: default policy {default}")?,
            None => writeln!(f, "other paths: no CORS")?,
        }
        for finding in &self.findings {
            writeln!(f, "found at the first request: {finding}")?;
        }
        Ok(())
    }
}

impl RouteReport {
    /// The report of `table`, with the default policy.
    pub(crate) fn of(table: &RouteTable, default: Option<&PolicySlot>) -> RouteReport {
        let routes = table.routes.iter().map(|r| route(table, r));
        RouteReport {
            routes: routes
                .chain(table.scope_policies.iter().map(|s| scope(table, s)))
                .collect(),
            default: default.map(|d| Short(d).to_string()),
            findings: Vec::new(),
            source: Source::default(),
        }
    }
}

/// A route in the report's words: `GET /items -> items`, and its policy.
pub(crate) fn describe_route(table: &RouteTable, r: &Route) -> (String, String) {
    let reported = route(table, r);
    let mut described = format!(
        "{} {} -> {}",
        reported.methods.join(","),
        reported.pattern,
        reported.handler
    );
    if reported.guarded {
        described.push_str(" (guarded)");
    }
    (described, reported.policy)
}

/// A route as the report shows it.
fn route(table: &RouteTable, route: &Route) -> ReportedRoute {
    ReportedRoute {
        pattern: route.pattern.clone(),
        methods: route.methods.map_or_else(|| vec!["*"], <[_]>::to_vec),
        handler: route.handler.clone(),
        guarded: !route.guards.is_empty(),
        policy: match (route.from, &route.policy) {
            (_, RoutePolicy::Disabled) => "CORS disabled".to_owned(),
            (PolicyFrom::Named(name), RoutePolicy::Decide(p)) => {
                format!("policy \"{name}\" {}", Short(p))
            }
            (PolicyFrom::Inline, RoutePolicy::Decide(p)) => format!("inline {}", Short(p)),
            (PolicyFrom::Runtime, RoutePolicy::Decide(p)) => Short(p).to_string(),
        },
        related: route
            .twins
            .iter()
            .map(|&i| table.routes[i as usize].handler.clone())
            .collect(),
    }
}

/// A scope policy as the report shows it, with the declared routes under it that have their
/// own.
fn scope(table: &RouteTable, scope: &ScopePolicy) -> ReportedRoute {
    ReportedRoute {
        pattern: format!("{}/*", scope.pattern),
        methods: vec!["*"],
        handler: scope.handler.clone(),
        guarded: false,
        policy: Short(&scope.policy).to_string(),
        related: table
            .routes
            .iter()
            .filter(|r| scope.at_root || is_within(&r.scope, &scope.pattern))
            .map(|r| r.handler.clone())
            .collect(),
    }
}

/// A policy in a few words: its origins, and whether it allows credentials.
pub(crate) struct Short<'a>(pub(crate) &'a PolicySlot);

impl fmt::Display for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slot = self.0;
        let loaded = slot.load();
        let policy = &loaded.policy;
        let origins = policy.origins();
        if origins.is_any() {
            write!(f, "[*]")?;
        } else {
            let exact: Vec<&str> = origins.exact().collect();
            write!(f, "[{}", exact.join(", "))?;
            match (exact.is_empty(), origins.pattern_count()) {
                (_, 0) => {}
                (true, n) => write!(f, "{n} pattern{}", if n == 1 { "" } else { "s" })?,
                (false, n) => write!(f, ", +{n} pattern{}", if n == 1 { "" } else { "s" })?,
            }
            write!(f, "]")?;
        }
        if slot.dynamic.is_some() {
            write!(f, " + dynamic origins")?;
        }
        if policy.allows_credentials() {
            write!(f, " with credentials")?;
        }
        if slot.is_live() {
            write!(f, " (live)")?;
        }
        Ok(())
    }
}
