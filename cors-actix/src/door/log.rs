//! Logging the door's decisions (target `cors`): what was decided for which request, and why.

use std::fmt;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::HeaderName;
use actix_web::http::Method;
use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::Level;

/// An event about a request (target `cors`): the fields every event has (`handler`, `method`,
/// `path`, `request`: preflight or request), then the event's own.
macro_rules! event {
    ($level:ident, $log:expr, $kind:expr, $($rest:tt)+) => {
        tracing::$level!(
            target: "cors",
            handler = $log.handler,
            method = %$log.method(),
            path = $log.path(),
            request = $kind,
            $($rest)+
        )
    };
}

/// What a log event says about the request. Holds references only: the method and path are
/// read when an event is actually emitted, so disabled logging costs next to nothing.
pub(crate) struct Log<'a> {
    handler: &'a str,
    request: &'a ServiceRequest,
}

impl<'a> Log<'a> {
    pub(crate) fn of(handler: &'a str, request: &'a ServiceRequest) -> Log<'a> {
        Log { handler, request }
    }

    fn method(&self) -> &Method {
        self.request.method()
    }

    fn path(&self) -> &str {
        self.request.path()
    }

    /// Logs a refusal (target `cors`, level debug: refusals are driven by clients), with what
    /// was done about it (`action`).
    #[inline(always)]
    pub(crate) fn refused(
        &self,
        kind: &'static str,
        reason: &dyn fmt::Display,
        action: &'static str,
    ) {
        when(Level::DEBUG, || {
            event!(debug, self, kind, reason = %reason, action, "CORS {kind} refused");
        });
    }

    /// Logs a refusal answered with a refusal response (target `cors`, level debug), its
    /// action telling a connection upgrade apart, which is looked at only when the event is
    /// emitted (the refusal itself does not depend on it).
    #[inline(always)]
    pub(crate) fn refused_blocked(&self, kind: &'static str, reason: &dyn fmt::Display) {
        when(Level::DEBUG, || {
            event!(
                debug,
                self,
                kind,
                reason = %reason,
                action = if self.request.head().upgrade() {
                    action::UPGRADE_BLOCKED
                } else {
                    action::BLOCKED
                },
                "CORS {kind} refused"
            );
        });
    }

    /// Logs an allowed request (target `cors`, level trace).
    #[inline(always)]
    pub(crate) fn allowed(&self, kind: &'static str) {
        when(Level::TRACE, || {
            event!(trace, self, kind, "CORS {kind} allowed");
        });
    }

    /// Logs a request the policy did not have to decide, and why (target `cors`, level trace):
    /// no `Origin`, same-origin, CORS disabled on the route, answered by the app itself.
    #[inline(always)]
    pub(crate) fn skipped(&self, kind: &'static str, reason: &'static str) {
        when(Level::TRACE, || {
            event!(
                trace,
                self,
                kind,
                reason,
                "CORS {kind} not decided: {reason}"
            );
        });
    }
}

/// Runs `emit` (an event of `level`) if the event may be enabled. The first check `tracing`
/// makes for every event (the level compiled in, then the most verbose any subscriber wants) is
/// made here, where the door decides, so that disabled logging costs a comparison; the event
/// itself is a cold call.
#[inline(always)]
fn when(level: Level, emit: impl FnOnce()) {
    if level <= STATIC_MAX_LEVEL && level <= LevelFilter::current() {
        cold(emit);
    }
}

#[cold]
#[inline(never)]
fn cold(emit: impl FnOnce()) {
    emit();
}

/// Logs the `Access-Control-*` headers the app wrote on a response that a policy decided, and
/// that were removed so that the response carries exactly the policy's (target `cors`, level
/// debug).
pub(crate) fn log_removed(path: Option<&str>, names: &[HeaderName]) {
    let names: Vec<&str> = names.iter().map(HeaderName::as_str).collect();
    tracing::debug!(
        target: "cors",
        path = path.unwrap_or("(error response)"),
        removed = %names.join(", "),
        "CORS headers written by the app removed: the response carries exactly the policy's"
    );
}

/// What happens to a refused request, for the log.
pub(crate) mod action {
    /// A refusal response was sent; the handler did not run.
    pub(crate) const BLOCKED: &str = "blocked: refusal response sent, handler not run";
    /// `OnRefusal::HeadersOnly`: the handler runs, its response has no CORS headers.
    pub(crate) const HEADERS_ONLY: &str =
        "headers only: handler runs, response sent without CORS headers";
    /// A connection upgrade (WebSocket) from a refused origin, blocked in every mode.
    pub(crate) const UPGRADE_BLOCKED: &str = "blocked: a connection upgrade (WebSocket) is not protected by CORS in browsers, refusal response sent in every OnRefusal mode";
    /// A preflight no policy answers goes on to the app.
    pub(crate) const PASSED: &str = "passed to the app: its own OPTIONS handler, or a 404 or 405";
}

/// Why a request was not decided by a policy, for the log.
pub(crate) mod skipped {
    /// No `Origin` header.
    pub(crate) const NOT_CORS: &str = "no Origin header: not a CORS request";
    /// Same-origin requests are never blocked.
    pub(crate) const SAME_ORIGIN: &str =
        "the request comes from the server's own origin: never blocked, no CORS headers";
    /// `#[cors(disable)]`.
    pub(crate) const DISABLED: &str = "CORS is disabled for this route";
    /// Twins: the route actix-web runs decides.
    pub(crate) const TWINS: &str = "routes with this path in scopes the door cannot tell apart have other policies: the one actix-web runs decides";
}
