//! What the door would do with a request, and why, without sending it: the same decision as a
//! real request, made on a request built from the question.

use std::fmt;
use std::rc::Rc;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use actix_web::HttpResponse;

use crate::door::decide::Outcome;
use crate::door::read::is_same_origin;
use crate::door::read::Read;
use crate::door::refusal::REFUSAL_HEADER;
use crate::door::route_table::{Found, RoutePolicy};
use crate::door::Door;
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
        Ok(())
    }
}

impl Explanation {
    /// The explanation of a question that is not a request.
    fn invalid(why: String) -> Explanation {
        Explanation {
            route: None,
            policy: "no policy".into(),
            preflight: false,
            status: None,
            headers: Vec::new(),
            decision: why,
        }
    }
}

/// [`Cors::explain`](crate::Cors::explain) and [`RouteReport::explain`](crate::RouteReport::explain):
/// the door of `settings`' app (`None` before it started) decides a request built from the
/// question, in debug mode (refusals then carry their reason).
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
        Err(invalid) => return Some(invalid),
    };
    let door = Rc::new(Door {
        table,
        default: settings.default.clone(),
        on_refusal: settings.on_refusal,
        debug: true,
        preflight_status: settings.preflight_status,
        cross_origin: settings.cross_origin.clone(),
        unchecked: std::cell::Cell::new(false),
        findings: std::sync::Arc::clone(&settings.findings),
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
) -> Result<ServiceRequest, Explanation> {
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
    /// What this door does with `req`, and why. The door must be in debug mode (refusals then
    /// carry their reason).
    pub(crate) fn explain(self: &Rc<Self>, req: &ServiceRequest) -> Explanation {
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
        let (status, headers, decision) = match self.decide(req, None) {
            Outcome::Respond(res) => answered(res),
            Outcome::Refuse(refusal) => answered(refusal.response()),
            Outcome::Call(decoration, _check) => {
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
        }
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
