//! `Cors`, the app-wide middleware: its builder, and the `Transform` that builds its door when
//! the app starts (see [`crate::startup`]).

use std::future::{ready, Ready};
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::Error;

use crate::door::CorsService;
use crate::on_refusal::OnRefusal;
use crate::policy::dynamic::DynamicOrigins;
use crate::policy::slot::PolicySlot;
use crate::preflight_status::PreflightStatus;
use crate::report::RouteReport;
use crate::settings::Settings;
use crate::startup::build_door;

/// The app-wide CORS middleware. Wrap the whole app with it, last (outermost):
///
/// ```
/// use actix_web::{get, App, Responder};
/// use cors_actix::{cors, cors_policy, Cors, OnRefusal};
///
/// #[cors(origins = ["https://app.example.com"], credentials)]
/// #[get("/items")]
/// async fn items() -> impl Responder { "[]" }
///
/// let app = App::new()
///     .service(items)
///     .wrap(
///         Cors::new()
///             // Routes without #[cors] (optional).
///             .default_policy(cors_policy!(origins = ["https://app.example.com"]))
///             .on_refusal(OnRefusal::Block),
///     );
/// # let _ = app;
/// ```
///
/// `Cors` is the door: when the app starts it learns every route that has a CORS declaration
/// (its full path pattern, methods, guards and policy); for each request it finds the route
/// actix-web will run *before* calling anything inside it, then answers preflights itself,
/// stops refused requests with a 403, and writes the route's CORS headers on whatever comes
/// back (the handler's response, an error, a 401 from an authentication middleware). A request
/// to a path without a policy passes untouched.
///
/// Precedence: a route's own `#[cors(...)]` (or `#[cors(disable)]`), then the named policy it
/// refers to, then the default policy; a route with none of them gets no CORS headers.
///
/// # Start-up errors
///
/// The app refuses to start, with a message naming the handlers, when a route uses a named
/// policy that is not registered, when two routes at the app's root declare the same path and
/// method, when a declared route is shadowed by one registered before it (`/items/{id}` before
/// `/items/new`), when two scope policies are given to scopes of one prefix or an earlier scope
/// swallows a scope policy's, or when `Cors` is wrapped on a scope, on a resource or inside
/// another `Cors` (one door per app, on the `App`):
/// creating the middleware fails (the message is printed to stderr and logged as an `error`
/// event with target `cors`), so `HttpServer::run()` resolves to an error and a `main`
/// returning it exits with status 1 before serving anything.
///
#[doc = include_str!("../docs/door.md")]
///
#[doc = include_str!("../docs/policies.md")]
///
#[doc = include_str!("../docs/performance.md")]
///
#[doc = include_str!("../docs/limitations.md")]
///
#[doc = include_str!("../docs/links.md")]
#[derive(Clone, Debug, Default)]
pub struct Cors {
    settings: Arc<Settings>,
    /// The route report of the first app this middleware (or a clone) was built into.
    report: Arc<std::sync::OnceLock<RouteReport>>,
}

impl Cors {
    /// A middleware with no default policy, blocking refused requests.
    pub fn new() -> Cors {
        Cors::default()
    }

    /// The policy of every route that has no `#[cors]`, e.g. `cors_policy!(origins = [...])`
    /// or a [`Policy`](crate::Policy) built at run time.
    ///
    /// It applies at the door to every request that no declared route serves (builder-style
    /// routes, `App::route`, the default service's 404s): preflights are answered with it,
    /// refused actual requests are stopped with a 403 before any handler runs, allowed ones
    /// get its headers.
    pub fn default_policy(mut self, policy: impl Into<PolicySlot>) -> Cors {
        Arc::make_mut(&mut self.settings).default = Some(policy.into());
        self
    }

    /// [`default_policy`](Cors::default_policy) when `policy` is `Some`; with `None`, no
    /// default policy (for a default that depends on configuration).
    ///
    /// ```
    /// use cors_actix::{cors_policy, Cors};
    ///
    /// let public = std::env::var("PUBLIC_API").is_ok();
    /// let cors = Cors::new().maybe_default_policy(public.then(|| cors_policy!(origins = "*")));
    /// # let _ = cors;
    /// ```
    pub fn maybe_default_policy(self, policy: Option<impl Into<PolicySlot>>) -> Cors {
        match policy {
            Some(policy) => self.default_policy(policy),
            None => self,
        }
    }

    /// Registers a named policy for `#[cors(policy = "name")]` routes, typically built at run
    /// time from configuration with [`Policy::builder`](crate::Policy::builder) (validated like
    /// the macros; every problem is returned).
    ///
    /// A name that a route uses but no `Cors::policy` registers is reported when the app
    /// starts, not at the first request (see [`Cors`]'s start-up errors).
    ///
    /// ```
    /// use cors_actix::{Cors, Policy};
    ///
    /// let origins = std::env::var("PARTNER_ORIGINS").unwrap_or("https://partner.example".into());
    /// let partners = match Policy::builder().allow_origins_list(&origins).build() {
    ///     Ok(policy) => policy,
    ///     Err(err) => {
    ///         eprintln!("PARTNER_ORIGINS: {err}"); // every problem, with its position
    ///         std::process::exit(2);
    ///     }
    /// };
    /// let cors = Cors::new().policy("partners", partners);
    /// # let _ = cors;
    /// ```
    ///
    /// A [`LivePolicy`](crate::LivePolicy) registered here can be replaced while the server runs.
    pub fn policy(mut self, name: impl Into<String>, policy: impl Into<PolicySlot>) -> Cors {
        Arc::make_mut(&mut self.settings)
            .named
            .insert(name.into(), policy.into());
        self
    }

    /// Registers a named policy whose origins, besides its list, are decided per request by
    /// `origins`: a [`DynamicOrigins::predicate`], or an [`OriginLookup`](crate::OriginLookup)
    /// (an async lookup in a store, cached). The policy must be built with
    /// [`allow_dynamic_origins`](crate::PolicyBuilder::allow_dynamic_origins) (checked when the
    /// app starts); its rules bind every per-request answer. It may be a
    /// [`LivePolicy`](crate::LivePolicy). Routes use it with `#[cors(policy = "name")]`.
    ///
    /// See the guide "Origins from a database" in the crate docs.
    ///
    /// ```
    /// use actix_web::{get, App, Responder};
    /// use cors_actix::{cors, Cors, DynamicOrigins, Policy};
    ///
    /// #[cors(policy = "tenants")]
    /// #[get("/api/me")]
    /// async fn me() -> impl Responder { "{}" }
    ///
    /// let policy = Policy::builder().allow_credentials().allow_dynamic_origins().build()?;
    /// let tenants = DynamicOrigins::predicate(|origin, _| origin.host().ends_with(".tenants.example"));
    /// let app = App::new()
    ///     .service(me)
    ///     .wrap(Cors::new().dynamic_policy("tenants", policy, tenants));
    /// # let _ = app;
    /// # Ok::<(), cors_actix::PolicyError>(())
    /// ```
    pub fn dynamic_policy(
        self,
        name: impl Into<String>,
        policy: impl Into<PolicySlot>,
        origins: impl Into<DynamicOrigins>,
    ) -> Cors {
        self.policy(name, policy.into().with_dynamic_origins(origins))
    }

    /// What to do with actual requests from refused origins (default: [`OnRefusal::Block`]).
    pub fn on_refusal(mut self, on_refusal: OnRefusal) -> Cors {
        Arc::make_mut(&mut self.settings).on_refusal = on_refusal;
        self
    }

    /// The status of allowed preflight answers: `204 No Content` by default, `200 OK` for old
    /// clients that treat 204 as an error (Express's `optionsSuccessStatus`, rs/cors's
    /// `OptionsSuccessStatus`).
    ///
    /// ```
    /// use cors_actix::{Cors, PreflightStatus};
    ///
    /// let cors = Cors::new().preflight_status(PreflightStatus::Ok);
    /// # let _ = cors;
    /// ```
    pub fn preflight_status(mut self, status: PreflightStatus) -> Cors {
        Arc::make_mut(&mut self.settings).preflight_status = status;
        self
    }

    /// Cross-origin protection for the requests no policy covers (off by default): a
    /// state-changing request from another site to a route without a CORS policy (a form post
    /// riding the user's cookies) is refused with `403` before anything inside `Cors` runs.
    /// See [`CrossOriginProtection`](crate::CrossOriginProtection) for the rules, trusted
    /// origins and bypassed paths.
    ///
    /// ```
    /// use cors_actix::{Cors, CrossOriginProtection};
    ///
    /// let cors = Cors::new().cross_origin_protection(CrossOriginProtection::new());
    /// # let _ = cors;
    /// ```
    pub fn cross_origin_protection(mut self, protection: crate::CrossOriginProtection) -> Cors {
        Arc::make_mut(&mut self.settings).cross_origin = Some(protection);
        self
    }

    /// Debug mode: refusals carry the detailed reason in their body and in an
    /// `X-Cors-Refusal` header. Off by default: reasons can reveal the policy to anyone.
    pub fn debug(mut self, debug: bool) -> Cors {
        Arc::make_mut(&mut self.settings).debug = debug;
        self
    }

    /// How refusals reach the operators' log: by default the first refusal of each distinct
    /// (route, reason, origin) at warn, its repeats at the 2nd, 4th, 8th ... with their count,
    /// at most 20 lines a second. See [`RefusalLog`](crate::RefusalLog).
    ///
    /// ```
    /// use cors_actix::{Cors, RefusalLog};
    ///
    /// let cors = Cors::new().refusal_log(RefusalLog::new().lines_per_second(5));
    /// # let _ = cors;
    /// ```
    pub fn refusal_log(mut self, log: crate::RefusalLog) -> Cors {
        Arc::make_mut(&mut self.settings).refusal_log = log;
        self
    }

    /// Report-only mode, for a migration: every decision is made, logged and counted as when
    /// enforcing, allowed requests get their headers, but the door refuses nothing. A request
    /// it would refuse (a preflight, an actual request, a connection upgrade, a request
    /// cross-origin protection would stop) goes on to the app without CORS headers, which the
    /// browser then blocks for the page, and its log line says "would be refused". The checks
    /// after routing still refuse a request the door never decided (a path rewritten inside
    /// `Cors`): that is the app's shape, not a client's origin. Enforcing is the default.
    ///
    /// ```
    /// use cors_actix::Cors;
    ///
    /// let cors = Cors::new().report_only();
    /// # let _ = cors;
    /// ```
    pub fn report_only(mut self) -> Cors {
        Arc::make_mut(&mut self.settings).report_only = true;
        self
    }

    /// What this middleware (or a clone of it) does with a request, and why, without sending
    /// it: the declaration and policy the door takes it for, and the decision, with the status
    /// the door answers with (or none, when the request goes on to the app) and the CORS
    /// headers. For tests, and for start-up logs. The same decision a real request gets (made
    /// by the same code); nothing inside `Cors` runs, dynamic origins are answered from their
    /// cache only. A preflight is `"OPTIONS"` with an `Access-Control-Request-Method` header.
    ///
    /// `None` before the app started (the route table is built then). See [`Explanation`]
    /// for an example.
    ///
    /// [`Explanation`]: crate::Explanation
    pub fn explain(
        &self,
        method: &str,
        path: &str,
        origin: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Option<crate::Explanation> {
        crate::explain::explain(&self.settings, method, path, origin, headers)
    }

    /// The route table this middleware (or a clone of it) built when its app started, or
    /// `None` before that, with what the app's first request found. See [`RouteReport`].
    pub fn route_report(&self) -> Option<RouteReport> {
        let mut report = self.report.get().cloned()?;
        if let Ok(findings) = self.settings.findings.lock() {
            report.findings = findings.clone();
        }
        report.source = crate::report::Source(Some(Arc::clone(&self.settings)));
        Some(report)
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsService<S>;
    type InitError = ();
    type Future = Ready<Result<CorsService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(build_door(&self.settings, &self.report, service))
    }
}
