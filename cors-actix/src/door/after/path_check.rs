//! The path check: what a [`scope_policy`](crate::scope_policy) puts first in its scope, and a
//! [`resource_policy`](crate::resource_policy) before its resource, so that a cross-origin
//! request the door did not decide for them is refused before any handler of theirs runs (fail
//! closed), as a `#[cors]` route's [route door](crate::door::after::route_door) refuses one for
//! its route.
//!
//! `configure` and `service` can only add services to a scope, not wrap it: the check is a
//! service whose guard runs whenever actix-web tries it, in registration order, which is why
//! it must come first. Its guard takes off the mark the door put on a request it decided for
//! the declaration (the door then knows the declaration confirmed it), and matches, so that
//! the check answers with a `403`, only a cross-origin request that carries no such mark; every
//! other request steps aside to the routes registered after it, as if the check were not
//! there.
//!
//! Where it shows in actix-web's resource map (which `HttpRequest::match_pattern`,
//! `match_name`, `url_for` and diagnostics read): a `resource_policy`'s check has its resource's
//! own pattern, so a path lookup finds the same pattern (but the check's name: a resource's
//! `match_name` before routing is the check's, exact once routed); the first request looks its
//! sample path up by name, to find a check registered after its resource. A scope's check must match every
//! path of the scope; in the map, it would answer every lookup under the scope, so it stays
//! out: actix-web leaves out of the map an "external" service, recognized by a first pattern
//! without a leading `/` (`{cors_check}*`), while its router matches the pattern as it is. The
//! price: a dynamic pattern, which actix-web matches with one small allocation, for every
//! request routed into a scope with a scope policy. Pinned by `tests/tests/fail_closed.rs`.

use actix_web::dev::{AppService, ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::guard::{Guard, GuardContext};
use actix_web::http::header;
use actix_web::{Error, HttpMessage};

use crate::door::after::marks::{Answered, PathMark};
use crate::door::refusal::refusal_text;
use crate::door::same_origin::is_same_origin_head;

/// What a path check covers.
pub(crate) enum Covers<'a> {
    /// Every path of the scope it is registered in.
    Scope,
    /// The resource of this path (relative to the scope, as written).
    Resource(&'a str),
}

/// Registers the check of path policy `mark` among `config`'s services, where the declaration
/// is written.
pub(crate) fn register(config: &mut AppService, mark: PathMark, covers: Covers<'_>) {
    // The declaration's pattern, as the door names it (the `route` label of its counts).
    let pattern: std::rc::Rc<str> = match covers {
        Covers::Scope => config.current_prefix.as_str().into(),
        Covers::Resource(path) if !path.is_empty() && !path.starts_with('/') => {
            format!("{}/{path}", config.current_prefix).into()
        }
        Covers::Resource(path) => format!("{}{path}", config.current_prefix).into(),
    };
    let rdef = match covers {
        Covers::Scope => ResourceDef::new("{cors_check}*"),
        Covers::Resource(path) => {
            // As actix-web registers the resource itself: a leading slash, but for the empty
            // pattern (inside a scope, the scope's own path).
            let path = if !path.is_empty() && !path.starts_with('/') {
                format!("/{path}")
            } else {
                path.to_owned()
            };
            let mut rdef = ResourceDef::new(path);
            rdef.set_name(check_name(mark));
            rdef
        }
    };
    let is_scope = matches!(covers, Covers::Scope);
    let check = actix_web::dev::fn_service(move |req: ServiceRequest| {
        let pattern = std::rc::Rc::clone(&pattern);
        async move { Ok::<ServiceResponse, Error>(refuse(req, &pattern)) }
    });
    config.register_service(rdef, Some(vec![Box::new(Unconfirmed(mark))]), check, None);
    if is_scope {
        // The scope's probe: a named resource no request can match (a request's path never
        // holds a NUL), which a lookup in actix-web's map finds only if the map's walk enters
        // this very scope for the scope's paths (see `reachable`).
        let mut probe = ResourceDef::new(PROBE);
        probe.set_name(probe_name(mark));
        let never = actix_web::dev::fn_service(|req: ServiceRequest| async move {
            Ok::<ServiceResponse, Error>(refuse(req, "<probe>"))
        });
        config.register_service(probe, None, never, None);
    }
}

/// The pattern of a scope policy's probe, under its scope.
pub(crate) const PROBE: &str = "/\u{0}cors-actix-probe";

/// The name of the probe of scope policy `mark`.
pub(crate) fn probe_name(mark: PathMark) -> String {
    format!("cors-actix probe of scope_policy #{}", mark.0)
}

/// The name of a `resource_policy`'s check in actix-web's resource map, by which the first
/// request finds whether it comes before its resource.
pub(crate) fn check_name(mark: PathMark) -> String {
    format!("cors-actix check of resource_policy #{}", mark.0)
}

/// The guard of a path check: whether a request is a cross-origin request the door did not
/// decide for the check's declaration (it then goes to the check, which refuses it).
struct Unconfirmed(PathMark);

/// The name of a path check's guard in actix-web's introspection reports.
pub(crate) const GUARD_NAME: &str = "cors_actix::PathCheck";

impl Guard for Unconfirmed {
    fn name(&self) -> String {
        GUARD_NAME.to_owned()
    }

    #[inline]
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        let head = ctx.head();
        // Not a CORS request: nothing to check (the most common case).
        let Some(origin) = head.headers.get(header::ORIGIN) else {
            return false;
        };
        // The door decided it for this declaration: its mark, taken off, tells the door that
        // the declaration confirmed its choice.
        if self.0.take(&mut ctx.req_data_mut()) {
            return false;
        }
        !is_same_origin_head(head, origin)
    }
}

const NOT_DECIDED: &str = "no CORS door decided this request for this scope_policy or resource_policy: `Cors` is missing, wrapped on a scope instead of the `App`, or hidden by a second `Cors`; or the door took the request for another route, because a path was rewritten inside `Cors` (put `NormalizePath` outside it) or a service the door cannot see took the path in its view";

#[cold]
fn refuse(req: ServiceRequest, pattern: &str) -> ServiceResponse {
    crate::counters::decision(
        pattern,
        "request",
        "failed_closed",
        "not decided by the door",
    );
    tracing::error!(
        target: "cors",
        method = %req.method(),
        path = req.path(),
        "CORS request refused by a path policy's check: {NOT_DECIDED}"
    );
    req.extensions_mut().insert(Answered);
    req.into_response(refusal_text(NOT_DECIDED, false))
}
