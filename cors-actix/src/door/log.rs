//! Logging the door's decisions (target `cors`): what was decided for which request, and why.

use std::fmt;

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use cors_core::Reason;
use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::Level;

use crate::counters;
use crate::door::ledger::{Distinct, Ledger, Recent, Refused};

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
    /// The declaration's path pattern, for the operators' line.
    pattern: &'a str,
    request: &'a ServiceRequest,
    ledger: &'a Ledger,
    /// The worker's memory of its last refusals, for the ledger.
    recent: &'a Recent,
    /// The request's `Origin`, when the decision read it already (else looked up if needed).
    origin: Option<&'a [u8]>,
}

/// Why a request was refused: its detail, its static summary (what makes a refusal distinct
/// in the operators' log), and what to change.
pub(crate) struct Why<'a> {
    detail: &'a dyn fmt::Display,
    summary: &'static str,
    fix: Fix<'a>,
}

/// What to change if a refused request should have been allowed.
#[derive(Clone, Copy)]
enum Fix<'a> {
    Reason(&'a Reason<'a>),
    Text(&'static str),
}

impl<'a> Why<'a> {
    /// A policy's refusal.
    pub(crate) fn of(reason: &'a Reason<'a>) -> Why<'a> {
        Why {
            detail: reason,
            summary: reason.summary(),
            fix: Fix::Reason(reason),
        }
    }

    /// A refusal that is not a policy's: `detail`, `summary`, and what to change.
    pub(crate) fn text(
        detail: &'a dyn fmt::Display,
        summary: &'static str,
        fix: &'static str,
    ) -> Why<'a> {
        Why {
            detail,
            summary,
            fix: Fix::Text(fix),
        }
    }
}

/// The fix of a refusal by `handler`, as the operators' line says it.
struct FixOf<'a> {
    fix: Fix<'a>,
    handler: &'a str,
}

impl fmt::Display for FixOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let handler = self.handler;
        let reason = match self.fix {
            Fix::Text(text) => return f.write_str(text),
            Fix::Reason(reason) => reason,
        };
        match reason {
            Reason::OriginNotAllowed(origin) => write!(
                f,
                "if `{}` is a site of yours, add it to `origins` of `{handler}`; otherwise nothing (a site the policy does not trust)",
                origin.as_str().escape_default()
            ),
            // The fix of the refusal the parse would have made.
            Reason::OriginNotListed(raw) => FixOf {
                fix: Fix::Reason(&cors_core::__private::as_parsed(raw)),
                handler,
            }
            .fmt(f),
            Reason::MethodNotAllowed(method) => write!(
                f,
                "add `{}` to `methods` of `{handler}` (CONNECT, TRACE and TRACK are never allowed)",
                method.escape_default()
            ),
            Reason::HeaderNotAllowed(name) => write!(
                f,
                "add `{}` to `headers` of `{handler}`",
                name.escape_default()
            ),
            Reason::AuthorizationNotCovered => write!(
                f,
                "list `authorization` in `headers` of `{handler}`: `*` never covers it"
            ),
            _ => f.write_str(
                "nothing in the policy: the request is malformed, which browsers do not send",
            ),
        }
    }
}

impl<'a> Log<'a> {
    pub(crate) fn of(
        ledger: &'a Ledger,
        recent: &'a Recent,
        handler: &'a str,
        pattern: &'a str,
        request: &'a ServiceRequest,
    ) -> Log<'a> {
        Log {
            handler,
            pattern,
            request,
            ledger,
            recent,
            origin: None,
        }
    }

    /// The request's `Origin` as the decision read it, so that a refusal does not look it up
    /// again.
    #[inline(always)]
    pub(crate) fn with_origin(mut self, origin: Option<&'a HeaderValue>) -> Log<'a> {
        self.origin = origin.map(HeaderValue::as_bytes);
        self
    }

    fn method(&self) -> &Method {
        self.request.method()
    }

    fn path(&self) -> &str {
        self.request.path()
    }

    /// Logs a refusal, with what was done about it (`action`): every one as a debug event
    /// (refusals are driven by clients), and the distinct ones in the operators' log (see
    /// [`Ledger`]).
    #[inline(always)]
    pub(crate) fn refused(&self, kind: &'static str, why: Why<'_>, action: &'static str) {
        #[cfg(feature = "metrics")]
        {
            let outcome = match action {
                action::WOULD_REFUSE => "would_refuse",
                action::PASSED => "passed",
                _ => "refused",
            };
            counters::decision(self.pattern, kind, outcome, why.summary);
        }
        let operators = self.ledger.level();
        if enabled(Level::DEBUG) || operators.is_some_and(enabled) {
            cold(|| self.refused_now(kind, &why, || action));
        }
    }

    fn refused_now(&self, kind: &'static str, why: &Why<'_>, action: impl Fn() -> &'static str) {
        event!(debug, self, kind, reason = %why.detail, action = action(), "CORS {kind} refused");
        if !self.ledger.level().is_some_and(enabled) {
            return;
        }
        let origin = match self.origin {
            Some(origin) => origin,
            None => self
                .request
                .headers()
                .get(header::ORIGIN)
                .map_or(&b""[..], |o| o.as_bytes()),
        };
        let distinct = Distinct {
            handler: self.handler,
            pattern: self.pattern,
            summary: why.summary,
            origin,
        };
        // Everything else of the line is gathered only when it is written.
        if let Some(line) = self.ledger.count(self.recent, &distinct) {
            self.ledger.write(
                line,
                &Refused {
                    handler: self.handler,
                    pattern: self.pattern,
                    kind,
                    origin,
                    reason: why.detail,
                    fix: &FixOf {
                        fix: why.fix,
                        handler: self.handler,
                    },
                    action: action(),
                    method: self.method().as_str(),
                    path: self.path(),
                },
            );
        }
    }

    /// Logs a refusal answered with a refusal response, its action telling a connection
    /// upgrade apart, which is looked at only when the event is emitted (the refusal itself
    /// does not depend on it).
    #[inline(always)]
    pub(crate) fn refused_blocked(&self, kind: &'static str, why: Why<'_>) {
        counters::decision(self.pattern, kind, "refused", why.summary);
        let operators = self.ledger.level();
        if enabled(Level::DEBUG) || operators.is_some_and(enabled) {
            // Whether it is an upgrade is looked at only for a line that is written.
            cold(|| {
                self.refused_now(kind, &why, || {
                    if self.request.head().upgrade() {
                        action::UPGRADE_BLOCKED
                    } else {
                        action::BLOCKED
                    }
                })
            });
        }
    }

    /// Logs an allowed request (target `cors`, level trace).
    #[inline(always)]
    pub(crate) fn allowed(&self, kind: &'static str) {
        counters::decision(self.pattern, kind, "allowed", "none");
        when(Level::TRACE, || {
            event!(trace, self, kind, "CORS {kind} allowed");
        });
    }

    /// Logs a request the policy did not have to decide, and why (target `cors`, level trace):
    /// no `Origin`, same-origin, CORS disabled on the route, answered by the app itself.
    #[inline(always)]
    pub(crate) fn skipped(&self, kind: &'static str, reason: &'static str) {
        #[cfg(feature = "metrics")]
        if let Some(label) = skipped::label(reason) {
            counters::decision(self.pattern, kind, "passed", label);
        }
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

/// Whether an event of `level` may be enabled: the level compiled in, then the most verbose
/// any subscriber wants.
#[inline(always)]
pub(crate) fn enabled(level: Level) -> bool {
    level <= STATIC_MAX_LEVEL && level <= LevelFilter::current()
}

/// Runs `emit` (an event of `level`) if the event may be enabled. The first check `tracing`
/// makes for every event (the level compiled in, then the most verbose any subscriber wants) is
/// made here, where the door decides, so that disabled logging costs a comparison; the event
/// itself is a cold call.
#[inline(always)]
fn when(level: Level, emit: impl FnOnce()) {
    if enabled(level) {
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
    /// Report-only mode: the request would be refused, and goes on without CORS headers.
    pub(crate) const WOULD_REFUSE: &str =
        "report-only: would be refused; passed on to the app without CORS headers";
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

    /// The `reason` label of a request passed untouched, `None` for twins (the route that runs
    /// decides, and is counted then).
    #[cfg(feature = "metrics")]
    pub(crate) fn label(reason: &str) -> Option<&'static str> {
        match reason {
            NOT_CORS => Some("no Origin header"),
            SAME_ORIGIN => Some("same origin"),
            DISABLED => Some("CORS disabled"),
            _ => None,
        }
    }
}
