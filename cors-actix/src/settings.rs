//! The middleware's configuration, and the per-request context it shares with routes.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::dev::ServiceRequest;
use actix_web::HttpMessage;

use crate::policy_ref::PolicyRef;

/// What happens to an actual (non-preflight) request from an origin the policy refuses.
///
/// ```
/// use cors_actix::{Cors, OnRefusal};
///
/// let cors = Cors::new().on_refusal(OnRefusal::HeadersOnly);
/// # let _ = cors;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnRefusal {
    /// Answer `403 Forbidden` (`400` for a malformed `Origin`) with a short plain-text reason;
    /// the handler does not run. This stops the side effects of cross-site requests a browser
    /// sends without a preflight (form posts, simple `fetch`es). The default.
    #[default]
    Block,
    /// Run the handler and send its response without CORS headers: the browser hides it from
    /// the page. Side effects happen. Choose this only if other clients than browsers send
    /// arbitrary `Origin` headers to your routes.
    HeadersOnly,
}

/// The middleware's settings, shared by all workers.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    pub(crate) default: Option<PolicyRef>,
    pub(crate) named: HashMap<String, PolicyRef>,
    pub(crate) on_refusal: OnRefusal,
    pub(crate) debug: bool,
}

impl Settings {
    /// Whether routes need anything from the middleware at request time. When not, the
    /// middleware inserts nothing into requests and costs nothing.
    pub(crate) fn needs_context(&self) -> bool {
        self.default.is_some()
            || !self.named.is_empty()
            || self.on_refusal != OnRefusal::Block
            || self.debug
    }
}

/// Put into each request's extensions by the middleware (only when [`Settings::needs_context`]).
pub(crate) struct Context {
    pub(crate) settings: Arc<Settings>,
    /// Set by a `#[cors]` route (or its preflight resource) that took charge of the request;
    /// only with a default policy, which applies to requests no route took.
    pub(crate) handled: Option<Rc<Cell<bool>>>,
}

/// What a route needs from the middleware, read once per request.
pub(crate) struct RouteContext {
    pub(crate) on_refusal: OnRefusal,
    pub(crate) debug: bool,
    pub(crate) named: Option<PolicyRef>,
    pub(crate) has_middleware: bool,
}

impl RouteContext {
    /// Reads the context and marks the request as handled by a route.
    pub(crate) fn take(req: &ServiceRequest, named: Option<&str>) -> RouteContext {
        let extensions = req.extensions();
        match extensions.get::<Context>() {
            Some(ctx) => {
                if let Some(handled) = &ctx.handled {
                    handled.set(true);
                }
                RouteContext {
                    on_refusal: ctx.settings.on_refusal,
                    debug: ctx.settings.debug,
                    named: named.and_then(|n| ctx.settings.named.get(n).cloned()),
                    has_middleware: true,
                }
            }
            None => RouteContext {
                on_refusal: OnRefusal::Block,
                debug: false,
                named: None,
                has_middleware: false,
            },
        }
    }
}
