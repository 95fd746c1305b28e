//! What the door would do with a request, and why, without sending it: the same decision as a
//! real request, made on a request built from the question.

use std::fmt;
use std::rc::Rc;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::HttpResponse;

use crate::door::after::check::{Check, Predicted};
use crate::door::after::reachable::with_map;
use crate::door::after::routed::Facts;
use crate::door::decide::{Door, Outcome};
use crate::door::read::Read;
use crate::door::refusal::REFUSAL_HEADER;
use crate::door::route_table::{Found, RoutePolicy};
use crate::door::same_origin::is_same_origin;
use crate::door::write::Decoration;
use crate::report::{describe_route, Short};

/// What `Cors` would do with a request, and why: made by [`Cors::explain`](crate::Cors::explain)
/// with the same decision a real request gets, without sending one (no middleware, no handler
/// runs). Its `Display` is one paragraph, for logs.
///
/// ```
/// use actix_web::{get, test, App, Responder};
/// use cors_actix::{cors, Cors};
///
/// #[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
/// #[get("/items")]
/// async fn items() -> impl Responder { "[]" }
///
/// # actix_web::rt::System::new().block_on(async {
/// let cors = Cors::new();
/// let _app = test::init_service(App::new().service(items).wrap(cors.clone())).await;
///
/// let e = cors.explain("GET", "/items", Some("https://app.example.com"), &[]).unwrap();
/// assert_eq!(e.route.as_deref(), Some("GET /items -> items"));
/// assert_eq!(e.status, None); // goes on to the handler
/// assert!(e.headers.contains(&("access-control-allow-credentials".into(), "true".into())));
///
/// let e = cors
///     .explain("OPTIONS", "/items", Some("https://evil.example"), &[("Access-Control-Request-Method", "GET")])
///     .unwrap();
/// assert!(e.preflight);
/// assert_eq!(e.status, Some(403));
/// assert!(e.decision.contains("https://evil.example"), "{e}");
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Explanation {
    /// The declaration the door takes the request for, as the route report shows it
    /// (`GET /items -> items`, `/api/* -> scope policy`), or `None`: no declared route serves
    /// the path and method.
    pub route: Option<String>,
    /// The policy that decides, and where it comes from: `inline [https://app.example.com]
    /// with credentials`, `policy "partners" [...]`, `scope policy [...]`, `default policy
    /// [...]`, `CORS disabled`, or `no policy`.
    pub policy: String,
    /// Whether the request is a CORS preflight.
    pub preflight: bool,
    /// The status the door answers with itself (a preflight's answer, a refusal), or `None`
    /// when the request goes on to the app (then `headers` are written on the app's response).
    pub status: Option<u16>,
    /// The CORS headers (and `Vary`) of the answer, or those written on the app's response:
    /// lowercase names, sorted.
    pub headers: Vec<(String, String)>,
    /// The decision, and its reason.
    pub decision: String,
    /// What actix-web's routing may change, when the request goes on to the app: `None` when
    /// the door's choice is what runs (or nothing can change it); otherwise why the response
    /// may get other headers than `headers` (a service registered before the declaration takes
    /// the path, guards on a scope the door cannot evaluate). When the app's resource map
    /// tells what runs (the app served a request on this thread), `headers` are already those
    /// the response gets.
    pub after_routing: Option<String>,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.preflight {
            "preflight"
        } else {
            "request"
        };
        match &self.route {
            Some(route) => write!(f, "{kind} for {route}, {}: ", self.policy)?,
            None => write!(f, "{kind} no declared route serves, {}: ", self.policy)?,
        }
        write!(f, "{}", self.decision)?;
        match self.status {
            Some(status) => write!(f, "; answered {status} by the door")?,
            None => write!(f, "; goes on to the app")?,
        }
        if !self.headers.is_empty() {
            let headers: Vec<String> = self
                .headers
                .iter()
                .map(|(n, v)| format!("{n}: {v}"))
                .collect();
            write!(f, " with {}", headers.join(", "))?;
        }
        if let Some(after) = &self.after_routing {
            write!(f, "; after routing: {after}")?;
        }
        Ok(())
    }
}

impl Explanation {
    /// The explanation of a question that is not a request.
    fn invalid(why: String) -> Box<Explanation> {
        Box::new(Explanation {
            route: None,
            policy: "no policy".into(),
            preflight: false,
            status: None,
            headers: Vec::new(),
            decision: why,
            after_routing: None,
        })
    }
}

/// [`Cors::explain`](crate::Cors::explain) and [`RouteReport::explain`](crate::RouteReport::explain):
/// the door of `settings`' app (`None` before it started) decides a request built from the
/// question, with the middleware's own settings (debug mode changes a decision); only what an
/// answer says is detailed (refusals carry their reason).
pub(crate) fn explain(
    settings: &std::sync::Arc<crate::settings::Settings>,
    method: &str,
    path: &str,
    origin: Option<&str>,
    headers: &[(&str, &str)],
) -> Option<Explanation> {
    let table = std::sync::Arc::clone(settings.table.get()?);
    let req = match request(method, path, origin, headers) {
        Ok(req) => req,
        Err(invalid) => return Some(*invalid),
    };
    let door = Rc::new_cyclic(|this| Door {
        table,
        default: settings.default.clone(),
        on_refusal: settings.on_refusal,
        debug: settings.debug,
        detail: true,
        preflight_status: settings.preflight_status,
        cross_origin: settings.cross_origin.clone(),
        report_only: settings.report_only,
        // An explanation is not a request: nothing reaches the operators' log.
        ledger: std::sync::Arc::new(crate::door::ledger::Ledger::new(crate::RefusalLog::off())),
        recent: Default::default(),
        unchecked: std::cell::Cell::new(false),
        findings: std::sync::Arc::clone(&settings.findings),
        this: this.clone(),
    });
    Some(door.explain(&req))
}

// Defined here rather than in report.rs: the report is what explanations are made of, not the
// other way round.
impl crate::report::RouteReport {
    /// What the middleware this report comes from does with a request, and why: the same as
    /// [`Cors::explain`](crate::Cors::explain), from the report (e.g. logged beside it at
    /// start-up). `None` for a report that did not come from [`Cors::route_report`](crate::Cors::route_report).
    ///
    /// ```
    /// use actix_web::{get, test, App, Responder};
    /// use cors_actix::{cors, Cors};
    ///
    /// #[cors(origins = ["https://app.example.com"])]
    /// #[get("/items")]
    /// async fn items() -> impl Responder { "[]" }
    ///
    /// # actix_web::rt::System::new().block_on(async {
    /// let cors = Cors::new();
    /// let _app = test::init_service(App::new().service(items).wrap(cors.clone())).await;
    /// let report = cors.route_report().unwrap();
    /// let why = report.explain("GET", "/items", Some("https://evil.example"), &[]).unwrap();
    /// assert_eq!(why.status, Some(403));
    /// # });
    /// ```
    pub fn explain(
        &self,
        method: &str,
        path: &str,
        origin: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Option<Explanation> {
        explain(self.source.0.as_ref()?, method, path, origin, headers)
    }
}

/// The request `explain` decides on, or why the question is not one.
pub(crate) fn request(
    method: &str,
    path: &str,
    origin: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<ServiceRequest, Box<Explanation>> {
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| Explanation::invalid(format!("`{method}` is not an HTTP method")))?;
    path.parse::<Uri>()
        .map_err(|_| Explanation::invalid(format!("`{path}` is not a request path")))?;
    let mut req = actix_web::test::TestRequest::default()
        .method(method)
        .uri(path);
    let origin = origin.map(|o| ("Origin", o));
    for &(name, value) in origin.iter().chain(headers) {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            return Err(Explanation::invalid(format!(
                "`{name}: {value}` is not a valid header"
            )));
        };
        req = req.append_header((name, value));
    }
    Ok(req.to_srv_request())
}

impl Door {
    /// What this door does with `req`, and why. The door must detail its answers (refusals
    /// then carry their reason).
    pub(crate) fn explain(&self, req: &ServiceRequest) -> Explanation {
        let read = Read::of(req.head());
        let preflight = matches!(read, Read::Preflight(_));
        let found = self.find(req, &read);
        let default = || match &self.default {
            Some(default) => format!("default policy {}", Short(default)),
            None => "no policy".to_owned(),
        };
        // No policy decides: a disabled route, or nothing declared for the path and method and
        // no default policy.
        let uncovered = match &found {
            Found::Route(route) => matches!(route.policy, RoutePolicy::Disabled),
            Found::Scope(_) => false,
            Found::OtherMethods(_) | Found::Nothing => self.default.is_none(),
        };
        let (route, policy) = match found {
            Found::Route(route) => {
                let (route, policy) = describe_route(&self.table, route);
                (Some(route), policy)
            }
            Found::Scope(scope) => (
                Some(format!("{}/* -> {}", scope.pattern, scope.handler)),
                format!("scope policy {}", Short(&scope.policy)),
            ),
            Found::OtherMethods(route) => (
                None,
                format!(
                    "{} (declared routes of {} serve {} only)",
                    default(),
                    route.pattern,
                    route.methods_text()
                ),
            ),
            Found::Nothing => (None, default()),
        };
        let has_origin = req.headers().contains_key(header::ORIGIN);
        let answered = |res: HttpResponse| {
            let status = res.status();
            let reason = res
                .headers()
                .get(REFUSAL_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let decision = match reason {
                Some(reason) => format!("refused: {reason}"),
                None if status.is_success() => "preflight allowed".to_owned(),
                None => format!("answered {}", status.as_u16()),
            };
            (Some(status.as_u16()), cors_headers(res.headers()), decision)
        };
        let mut after_routing = None;
        let (status, headers, decision) = match self.decide(req, None) {
            Outcome::Respond(res) => answered(res),
            Outcome::Refuse(refusal) => answered(refusal.response()),
            Outcome::Pass(reason) => (
                None,
                Vec::new(),
                format!("passed on to the app untouched: {reason}"),
            ),
            Outcome::Call(decoration, check) => {
                let (decoration, after) = match check {
                    Some(check) => self.after_routing(req, check, decoration),
                    None => (decoration, None),
                };
                after_routing = after;
                let mut written = HeaderMap::new();
                decoration.apply(&mut written);
                let headers = cors_headers(&written);
                let allowed = written.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN);
                let decision = if allowed {
                    "allowed".to_owned()
                } else if !has_origin {
                    "not a CORS request (no Origin): no CORS headers".to_owned()
                } else if is_same_origin(req, crate::door::read::origin(req.headers()).1) {
                    "same-origin: never blocked, nothing granted".to_owned()
                } else if uncovered {
                    "no policy: the request passes untouched (the browser hides the response from another origin)".to_owned()
                } else if after_routing.is_some() {
                    "actix-web runs something the door's choice does not cover: no CORS headers".to_owned()
                } else {
                    "refused, and the handler runs (on_refusal = HeadersOnly): no CORS headers"
                        .to_owned()
                };
                (None, headers, decision)
            }
            Outcome::Lookup(..) => (
                None,
                Vec::new(),
                "the origin is not in the policy's list and its dynamic answer is not cached: the request waits for the origin lookup, then is decided with its answer".to_owned(),
            ),
        };
        Explanation {
            route,
            policy,
            preflight,
            status,
            headers,
            decision,
            after_routing,
        }
    }

    /// The headers of a request the door lets in with `check`, after routing as far as the
    /// app's resource map tells (it ignores guards), and what routing may change.
    fn after_routing(
        &self,
        req: &ServiceRequest,
        check: Check,
        predicted: Decoration,
    ) -> (Decoration, Option<String>) {
        let table = &self.table;
        let path = req.match_info().as_str();
        // Guards on scopes, or a service before the declaration (learnt at the first request).
        let ambiguous = match check.predicted {
            Predicted::Route(index) => Facts::route(&table.facts, index),
            Predicted::Scope(index) => Facts::scope(&table.facts, index),
            Predicted::Nothing => false,
        };
        if ambiguous {
            // actix-web's map ignores guards: it cannot say what runs either.
            return (
                predicted,
                Some("a scope around the declaration has guards the door cannot evaluate, or a service registered before it may take the path: the response gets these headers only when the declaration runs, none otherwise".to_owned()),
            );
        }
        let ran = with_map(table, |map| {
            (
                map.match_name(path).map(str::to_owned),
                map.match_pattern(path),
            )
        });
        let Some((name, pattern)) = ran else {
            let note = matches!(check.predicted, Predicted::Route(_) | Predicted::Scope(_))
                .then(|| "not known before the app served a request on this thread: actix-web's routing has the last word (the response gets the headers of what it runs, or none)".to_owned());
            return (predicted, note);
        };
        // A declared route by its resource name, with the scope policies around it.
        let declared = |name: &str| {
            table
                .routes
                .iter()
                .find(|r| r.declaration.is_some_and(|d| d.resource == name))
        };
        let as_predicted = match check.predicted {
            Predicted::Route(index) => {
                let route = &table.routes[index as usize];
                // The route itself: its resource (a `resource_policy`, any resource of its
                // pattern, its check registered first or not).
                let itself = match route.declaration {
                    Some(declaration) => name.as_deref() == Some(declaration.resource),
                    None => pattern.as_deref() == Some(route.pattern.as_str()),
                };
                match name.as_deref() {
                    _ if itself => true,
                    // Another declared route first: actix-web goes on past it (its methods
                    // step aside), through whatever follows, which the door cannot see.
                    Some(found) if declared(found).is_some() => {
                        return (
                            predicted,
                            Some(format!("actix-web's map finds the declared route `{found}` first on this path: past it (its methods step aside), a service registered between the two, which the door cannot see, may take the request; the response gets these headers only when the declaration runs, none otherwise")),
                        );
                    }
                    _ => false,
                }
            }
            // The map names resources, not scopes: certain only for a declaration known to be
            // inside the scope; a plain resource may be in a sibling scope the door cannot see.
            Predicted::Scope(index) => {
                let mark = table.scope_policies[index as usize].path_mark;
                let inside = name.as_deref().and_then(declared).or_else(|| {
                    let p = pattern.as_deref()?;
                    table
                        .routes
                        .iter()
                        .find(|r| r.path_mark.is_some() && r.pattern == p)
                });
                if !inside.is_some_and(|r| r.enclosing.contains(&mark)) {
                    return (
                        predicted,
                        Some("the scope actix-web routes this path into decides (a plain resource may belong to a sibling scope the door cannot see): the response gets these headers only inside this policy's scope, none otherwise".to_owned()),
                    );
                }
                true
            }
            Predicted::Nothing => pattern
                .as_deref()
                .is_none_or(|p| !table.resource_patterns.contains_key(p)),
        };
        if as_predicted {
            return (predicted, None);
        }
        // A service with guards around the path: actix-web's map ignores them, and actix-web
        // may go past it (a `guard::Host` scope for another host).
        let guarded = Facts::guarded_around(&table.facts, path);
        if guarded {
            return (
                predicted,
                Some("the path enters a service whose guards the door cannot evaluate, which actix-web may pass over: the response gets these headers only when the declaration the door chose runs; what runs instead gets its own policy's, or none".to_owned()),
            );
        }
        let ran = pattern.as_deref().unwrap_or("a default service");
        let covering = crate::door::after::check::covering_of(
            table,
            pattern.as_deref(),
            path,
            req.head().method.as_str().as_bytes(),
        );
        let decoration =
            crate::door::after::check::redecide(&self.confirm(), covering, req.request());
        (
            decoration,
            Some(format!(
                "actix-web runs {ran} for this path, registered before the declaration the door chose: the response gets the headers of the policy covering it, or none"
            )),
        )
    }
}

/// The CORS headers and `Vary` among `headers`, lowercase names, sorted.
fn cors_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-") || *name == header::VARY)
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    found.sort();
    found
}
