//! The app-wide middleware: configuration for `#[cors]` routes, named policies, and the default
//! policy for routes without `#[cors]`.

use std::cell::Cell;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::Method;
use actix_web::{Error, HttpMessage};
use cors_core::Decision;
use pin_project_lite::pin_project;

use crate::decorate::{input, Decoration, REQUEST_PRIVATE_NETWORK};
use crate::policy_ref::PolicyRef;
use crate::preflight::{is_preflight, preflight_response};
use crate::refusal::{action, is_same_origin, skipped, Log};
use crate::settings::{Context, OnRefusal, Settings};

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
/// `#[cors]` routes decide their own requests; the middleware gives them its settings
/// ([`OnRefusal`], debug mode, named policies) and applies the default policy to every other
/// request. Without any of those settings it adds no work at all to requests.
///
/// Precedence: a route's own `#[cors(...)]` (or `#[cors(disable)]`), then the named policy it
/// refers to, then the default policy; a route with none of them gets no CORS headers.
///
/// The type parameter records whether a default policy is set: without one (`Cors::new()`), the
/// middleware never answers a request itself and passes responses through untouched, at no
/// cost per request; [`default_policy`](Cors::default_policy) turns it into a
/// `Cors<WithDefault>`, which may answer unclaimed preflights.
#[derive(Clone, Debug, Default)]
pub struct Cors<D = NoDefault> {
    settings: Arc<Settings>,
    _kind: D,
}

/// Marks a [`Cors`] without a default policy.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoDefault;

/// Marks a [`Cors`] with a default policy (see [`Cors::default_policy`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct WithDefault;

impl Cors {
    /// A middleware with no default policy, blocking refused requests.
    pub fn new() -> Cors {
        Cors::default()
    }

    /// The policy of every route that has no `#[cors]`, e.g. `cors_policy!(origins = [...])`
    /// or a [`Policy`](crate::Policy) built at run time.
    ///
    /// A preflight no `#[cors]` route answers is answered with this policy unless the app
    /// answered it with a success (your own `OPTIONS` handler). Actual responses of such routes
    /// get its headers. Note: the handler of a route without `#[cors]` has already run when the
    /// middleware learns the route has no policy of its own, so a refused origin gets a response
    /// without CORS headers (the browser hides it) rather than a 403. Annotate routes with side
    /// effects with `#[cors]` to have refused requests stopped before the handler.
    pub fn default_policy(mut self, policy: impl Into<PolicyRef>) -> Cors<WithDefault> {
        Arc::make_mut(&mut self.settings).default = Some(policy.into());
        Cors {
            settings: self.settings,
            _kind: WithDefault,
        }
    }

    /// [`default_policy`](Cors::default_policy) when `policy` is `Some`; with `None`, a
    /// middleware of the same type that has no default policy (for a default that depends on
    /// configuration).
    ///
    /// ```
    /// use cors_actix::{cors_policy, Cors};
    ///
    /// let public = std::env::var("PUBLIC_API").is_ok();
    /// let cors = Cors::new().maybe_default_policy(public.then(|| cors_policy!(origins = "*")));
    /// # let _ = cors;
    /// ```
    pub fn maybe_default_policy(self, policy: Option<impl Into<PolicyRef>>) -> Cors<WithDefault> {
        match policy {
            Some(policy) => self.default_policy(policy),
            None => Cors {
                settings: self.settings,
                _kind: WithDefault,
            },
        }
    }
}

impl<D> Cors<D> {
    /// Registers a named policy for `#[cors(policy = "name")]` routes, typically built at run
    /// time from configuration with [`Policy::builder`](crate::Policy::builder) (validated like
    /// the macros; every problem is returned).
    ///
    /// A name that a route uses but no `Cors::policy` registers is reported when the app
    /// starts, not at the first request: creating the middleware fails with a message naming
    /// each handler and policy (printed to stderr and logged as an `error` event with target
    /// `cors`), so `HttpServer::run()` resolves to an error and a `main` returning it exits
    /// with status 1 before serving anything.
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
    pub fn policy(mut self, name: impl Into<String>, policy: impl Into<PolicyRef>) -> Cors<D> {
        Arc::make_mut(&mut self.settings)
            .named
            .insert(name.into(), policy.into());
        self
    }

    /// What to do with actual requests from refused origins (default: [`OnRefusal::Block`]).
    pub fn on_refusal(mut self, on_refusal: OnRefusal) -> Cors<D> {
        Arc::make_mut(&mut self.settings).on_refusal = on_refusal;
        self
    }

    /// Debug mode: refusals carry the detailed reason in their body and in an
    /// `X-Cors-Refusal` header. Off by default: reasons can reveal the policy to anyone.
    pub fn debug(mut self, debug: bool) -> Cors<D> {
        Arc::make_mut(&mut self.settings).debug = debug;
        self
    }
}

impl<D> Cors<D> {
    /// The start-up check: every named policy a route of this app uses is registered.
    fn check_named_policies(&self) -> Result<(), ()> {
        let missing: Vec<String> = crate::startup::take_named_policies()
            .into_iter()
            .filter(|(_, name)| !self.settings.named.contains_key(*name))
            .map(|(handler, name)| format!("handler `{handler}` uses `policy = \"{name}\"`"))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let message = format!(
            "cors-actix: refusing to start: {}; register {} with `Cors::new().policy(\"name\", policy)`",
            missing.join(", "),
            if missing.len() == 1 { "it" } else { "them" }
        );
        tracing::error!(target: "cors", "{message}");
        eprintln!("{message}");
        Err(())
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors<NoDefault>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = CorsService<S>;
    type InitError = ();
    type Future = Ready<Result<CorsService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(self.check_named_policies().map(|()| CorsService {
            service,
            settings: self.settings.needs_context().then(|| self.settings.clone()),
        }))
    }
}

/// The service of [`Cors`] without a default policy: it only hands its settings to the routes
/// (when there are any to hand) and returns the inner service's future unchanged.
#[doc(hidden)]
pub struct CorsService<S> {
    service: S,
    settings: Option<Arc<Settings>>,
}

impl<S, B> Service<ServiceRequest> for CorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = S::Future;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if let Some(settings) = &self.settings {
            req.extensions_mut().insert(Context {
                settings: settings.clone(),
                handled: None,
            });
        }
        self.service.call(req)
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors<WithDefault>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsDefaultService<S>;
    type InitError = ();
    type Future = Ready<Result<CorsDefaultService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(self.check_named_policies().map(|()| CorsDefaultService {
            service,
            settings: self.settings.clone(),
        }))
    }
}

/// The service of [`Cors`] with a default policy.
#[doc(hidden)]
pub struct CorsDefaultService<S> {
    service: S,
    settings: Arc<Settings>,
}

/// The default policy's answer, prepared before the inner service runs, used only if no
/// `#[cors]` route handled the request.
enum Fallback {
    /// An actual request: headers to add, and what to log (if `cors` events are enabled).
    Actual {
        decoration: Decoration,
        log: Option<FallbackLog>,
    },
    /// A preflight: the CORS request headers, to answer from after the app declined it.
    Preflight {
        policy: PolicyRef,
        headers: HeaderMap,
        path: String,
        debug: bool,
    },
}

/// The default policy's decision on an actual request, kept for the log until we know that no
/// `#[cors]` route took the request.
struct FallbackLog {
    method: Method,
    path: String,
    event: FallbackEvent,
}

enum FallbackEvent {
    Allowed,
    Refused(String),
    Skipped(&'static str),
}

impl FallbackLog {
    fn emit(&self) {
        let log = Log::new(DEFAULT_POLICY, &self.method, &self.path);
        match &self.event {
            FallbackEvent::Allowed => log.allowed("request"),
            FallbackEvent::Refused(reason) => {
                log.refused("request", reason, action::DEFAULT_POLICY)
            }
            FallbackEvent::Skipped(why) => log.skipped("request", why),
        }
    }
}

/// The `handler` of log events about the default policy.
const DEFAULT_POLICY: &str = "<default policy>";

impl Fallback {
    fn prepare(req: &ServiceRequest, policy: &PolicyRef, settings: &Settings) -> Fallback {
        let headers = req.headers();
        if is_preflight(req) {
            let mut copy = HeaderMap::new();
            for name in [
                header::ORIGIN,
                header::ACCESS_CONTROL_REQUEST_METHOD,
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                REQUEST_PRIVATE_NETWORK,
            ] {
                for value in headers.get_all(&name) {
                    copy.append(name.clone(), value.clone());
                }
            }
            return Fallback::Preflight {
                policy: policy.clone(),
                headers: copy,
                path: req.path().to_string(),
                debug: settings.debug,
            };
        }
        let vary = policy.varies_by_origin();
        // Only pay for the log's copies when someone listens.
        let logging = tracing::enabled!(target: "cors", tracing::Level::DEBUG);
        let (decoration, event) = match policy.actual(input(headers, &header::ORIGIN)) {
            Decision::Allowed(grant) => (
                Decoration::allowed(
                    &grant,
                    headers.get(header::ORIGIN),
                    grant.expose_headers.and(policy.expose_value()).as_ref(),
                    vary,
                ),
                FallbackEvent::Allowed,
            ),
            Decision::Refused(_) if is_same_origin(req) => (
                Decoration::vary_only(vary),
                FallbackEvent::Skipped(skipped::SAME_ORIGIN),
            ),
            Decision::Refused(reason) => (
                Decoration::vary_only(vary),
                // The reason's text is only made for the log.
                FallbackEvent::Refused(if logging {
                    reason.to_string()
                } else {
                    String::new()
                }),
            ),
            Decision::NotCors => (
                Decoration::vary_only(vary),
                FallbackEvent::Skipped(skipped::NOT_CORS),
            ),
        };
        Fallback::Actual {
            decoration,
            log: logging.then(|| FallbackLog {
                method: req.method().clone(),
                path: req.path().to_string(),
                event,
            }),
        }
    }
}

impl<S, B> Service<ServiceRequest> for CorsDefaultService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let handled = Rc::new(Cell::new(false));
        req.extensions_mut().insert(Context {
            settings: self.settings.clone(),
            handled: Some(handled.clone()),
        });
        let fallback = self
            .settings
            .default
            .as_ref()
            .map(|policy| Fallback::prepare(&req, policy, &self.settings));
        CorsFuture {
            fut: self.service.call(req),
            handled,
            fallback,
        }
    }
}

pin_project! {
    /// The future of [`CorsDefaultService`].
    #[doc(hidden)]
    pub struct CorsFuture<F> {
        #[pin]
        fut: F,
        handled: Rc<Cell<bool>>,
        fallback: Option<Fallback>,
    }
}

impl<F, B> Future for CorsFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = match this.fut.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        match (this.handled.get(), this.fallback.take()) {
            (false, Some(fallback)) => Poll::Ready(apply_fallback(result, fallback)),
            _ => Poll::Ready(result.map(ServiceResponse::map_into_left_body)),
        }
    }
}

fn apply_fallback<B: MessageBody>(
    result: Result<ServiceResponse<B>, Error>,
    fallback: Fallback,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    match fallback {
        Fallback::Actual { decoration, log } => {
            if let Some(log) = log {
                log.emit();
            }
            match result {
                Ok(mut response) => {
                    decoration.apply(response.headers_mut());
                    Ok(response.map_into_left_body())
                }
                Err(mut error) => {
                    error.add_response_mapper(move |mut response| {
                        decoration.clone().apply(response.headers_mut());
                        response
                    });
                    Err(error)
                }
            }
        }
        Fallback::Preflight {
            policy,
            headers,
            path,
            debug,
        } => match result {
            // The app answered the preflight itself (its own OPTIONS handler): keep it.
            Ok(response) if response.status().is_success() => {
                let request = response.request();
                Log::new(DEFAULT_POLICY, request.method(), request.path())
                    .skipped("preflight", skipped::ANSWERED_BY_APP);
                Ok(response.map_into_left_body())
            }
            // Nobody answered it (404/405), or a middleware inside `Cors` refused it:
            // preflights carry no credentials, so the default policy answers.
            Ok(response) => {
                let (request, _) = response.into_parts();
                let answer = preflight_response(
                    &headers,
                    &policy,
                    Some(&Log::new(DEFAULT_POLICY, request.method(), request.path())),
                    debug,
                );
                Ok(ServiceResponse::new(request, answer).map_into_right_body())
            }
            Err(mut error) => {
                let log = Log::new(DEFAULT_POLICY, &Method::OPTIONS, path.as_str());
                drop(preflight_response(&headers, &policy, Some(&log), debug));
                // Mappers may run more than once: rebuild the same answer each time.
                error.add_response_mapper(move |_| {
                    preflight_response(&headers, &policy, None, debug)
                });
                Err(error)
            }
        },
    }
}
