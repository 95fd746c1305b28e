//! The route report: what `Cors` learnt about the app's routes when it started.

use std::fmt;

/// One declared route, as the door knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteReport {
    pub(crate) routes: Vec<ReportedRoute>,
    pub(crate) default: Option<String>,
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
            writeln!(f, ": {}", route.policy)?;
        }
        match &self.default {
            Some(default) => writeln!(f, "other paths: default policy {default}"),
            None => writeln!(f, "other paths: no CORS"),
        }
    }
}
