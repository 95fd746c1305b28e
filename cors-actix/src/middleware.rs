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
#[derive(Clone, Debug, Default)]
pub struct Cors {
    settings: Arc<Settings>,
}

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
    pub fn default_policy(mut self, policy: impl Into<PolicyRef>) -> Cors {
        Arc::make_mut(&mut self.settings).default = Some(policy.into());
        self
    }

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
    pub fn policy(mut self, name: impl Into<String>, policy: impl Into<PolicyRef>) -> Cors {
        Arc::make_mut(&mut self.settings)
            .named
            .insert(name.into(), policy.into());
        self
    }

    /// What to do with actual requests from refused origins (default: [`OnRefusal::Block`]).
    pub fn on_refusal(mut self, on_refusal: OnRefusal) -> Cors {
        Arc::make_mut(&mut self.settings).on_refusal = on_refusal;
        self
    }

    /// Debug mode: refusals carry the detailed reason in their body and in an
    /// `X-Cors-Refusal` header. Off by default: reasons can reveal the policy to anyone.
    pub fn debug(mut self, debug: bool) -> Cors {
        Arc::make_mut(&mut self.settings).debug = debug;
        self
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsService<S>;
    type InitError = ();
    type Future = Ready<Result<CorsService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let missing: Vec<String> = crate::startup::take_named_policies()
            .into_iter()
            .filter(|(_, name)| !self.settings.named.contains_key(*name))
            .map(|(handler, name)| format!("handler `{handler}` uses `policy = \"{name}\"`"))
            .collect();
        if !missing.is_empty() {
            let message = format!(
                "cors-actix: refusing to start: {}; register {} with `Cors::new().policy(\"name\", policy)`",
                missing.join(", "),
                if missing.len() == 1 { "it" } else { "them" }
            );
            tracing::error!(target: "cors", "{message}");
            eprintln!("{message}");
            return ready(Err(()));
        }
        ready(Ok(CorsService {
            service,
            needs_context: self.settings.needs_context(),
            settings: self.settings.clone(),
        }))
    }
}

/// The service of [`Cors`].
#[doc(hidden)]
pub struct CorsService<S> {
    service: S,
    settings: Arc<Settings>,
    needs_context: bool,
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

impl<S, B> Service<ServiceRequest> for CorsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future>;

    actix_service::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if !self.needs_context {
            return CorsFuture::Plain {
                fut: self.service.call(req),
            };
        }
        let handled = Rc::new(Cell::new(false));
        req.extensions_mut().insert(Context {
            settings: self.settings.clone(),
            handled: handled.clone(),
        });
        let fallback = self
            .settings
            .default
            .as_ref()
            .map(|policy| Fallback::prepare(&req, policy, &self.settings));
        CorsFuture::WithContext {
            fut: self.service.call(req),
            handled,
            fallback,
        }
    }
}

pin_project! {
    /// The future of [`CorsService`].
    #[doc(hidden)]
    #[project = CorsFutureProj]
    pub enum CorsFuture<F> {
        Plain { #[pin] fut: F },
        WithContext { #[pin] fut: F, handled: Rc<Cell<bool>>, fallback: Option<Fallback> },
    }
}

impl<F, B> Future for CorsFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let (result, handled, fallback) = match self.project() {
            CorsFutureProj::Plain { fut } => {
                return fut.poll(cx).map_ok(ServiceResponse::map_into_left_body)
            }
            CorsFutureProj::WithContext {
                fut,
                handled,
                fallback,
            } => match fut.poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => (result, handled.get(), fallback.take()),
            },
        };
        let fallback = match (handled, fallback) {
            (false, Some(fallback)) => fallback,
            _ => return Poll::Ready(result.map(ServiceResponse::map_into_left_body)),
        };
        Poll::Ready(apply_fallback(result, fallback))
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
