//! Security invariants, checked against the [`oracle`](crate::oracle) for every decision
//! (`cors-core`) and every HTTP exchange (`cors-actix`). Each check returns `Err` with a
//! description of the first violation.

use actix_web::http::header::{self, HeaderMap};
use actix_web::http::{Method, StatusCode};
use cors_core::{AllowOrigin, Decision, HeaderInput, Policy, PreflightRequest};

use crate::oracle::{Model, Verdict};

type Check = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)*) => {
        if !$cond {
            return Err(format!($($fmt)*));
        }
    };
}

fn combine(verdicts: &[Verdict]) -> Verdict {
    if verdicts.contains(&Verdict::Refuse) {
        Verdict::Refuse
    } else if verdicts.contains(&Verdict::Either) {
        Verdict::Either
    } else {
        Verdict::Allow
    }
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(120)])
        .escape_debug()
        .to_string()
}

fn name_set(value: &str) -> Vec<String> {
    let mut names: Vec<String> = value
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names
}

/// Checks `policy.actual(origin)` against the model.
pub fn check_actual_decision(model: &Model, policy: &Policy, origin: HeaderInput<'_>) -> Check {
    let decision = policy.actual(origin);
    let verdict = match origin {
        HeaderInput::Missing => {
            ensure!(
                decision == Decision::NotCors,
                "no Origin must be NotCors, got {decision:?}"
            );
            return Ok(());
        }
        HeaderInput::Many => Verdict::Refuse,
        HeaderInput::One(o) => model.origin_verdict(o),
    };
    let allowed = matches!(decision, Decision::Allowed(_));
    ensure!(
        verdict.accepts(allowed),
        "actual request from {:?}: oracle says {verdict:?}, policy decided {decision:?}",
        match origin {
            HeaderInput::One(o) => show(o),
            _ => "<several>".into(),
        }
    );
    if let Decision::Allowed(grant) = decision {
        ensure!(
            (grant.allow_origin == AllowOrigin::Any) == model.answers_star(),
            "ACAO kind {:?} but the model answers star: {}",
            grant.allow_origin,
            model.answers_star()
        );
        ensure!(
            !(grant.allow_origin == AllowOrigin::Any && grant.allow_credentials),
            "ACAO * together with credentials"
        );
        ensure!(
            grant.allow_credentials == model.credentials,
            "credentials {} but model says {}",
            grant.allow_credentials,
            model.credentials
        );
        ensure!(
            grant.expose_headers.map(name_set) == model.expose_value().as_deref().map(name_set),
            "expose {:?} but model says {:?}",
            grant.expose_headers,
            model.expose_value()
        );
        ensure!(grant.max_age.is_none(), "max-age on an actual request");
        ensure!(!grant.allow_private_network, "PNA on an actual request");
    }
    Ok(())
}

/// The oracle's verdict on a whole preflight.
pub fn preflight_verdict(model: &Model, request: &PreflightRequest<'_>) -> (Verdict, bool) {
    let origin = match request.origin {
        HeaderInput::Missing | HeaderInput::Many => Verdict::Refuse,
        HeaderInput::One(o) => model.origin_verdict(o),
    };
    let method = match request.method {
        HeaderInput::One(m) if model.method_allowed(m) => Verdict::Allow,
        _ => Verdict::Refuse,
    };
    let headers = match request.headers {
        HeaderInput::Missing => Verdict::Allow,
        HeaderInput::Many => Verdict::Refuse,
        HeaderInput::One(h) => model.request_headers_verdict(h),
    };
    // Local Network Access replaced PNA preflights: asking without `private_network` is answered
    // as if the preflight had not asked; with it, the grant echoes the request.
    let requested = model.private_network
        && matches!(request.private_network, HeaderInput::One(v) if v.eq_ignore_ascii_case(b"true"));
    (combine(&[origin, method, headers]), requested)
}

/// Checks `policy.preflight(request)` against the model.
pub fn check_preflight_decision(
    model: &Model,
    policy: &Policy,
    request: &PreflightRequest<'_>,
) -> Check {
    let decision = policy.preflight(request);
    if request.origin == HeaderInput::Missing {
        ensure!(
            decision == Decision::NotCors,
            "preflight without Origin must be NotCors, got {decision:?}"
        );
        return Ok(());
    }
    let (verdict, requested_pna) = preflight_verdict(model, request);
    let allowed = matches!(decision, Decision::Allowed(_));
    ensure!(
        verdict.accepts(allowed),
        "preflight {request:?}: oracle says {verdict:?}, policy decided {decision:?}"
    );
    if let Decision::Allowed(grant) = decision {
        ensure!(
            (grant.allow_origin == AllowOrigin::Any) == model.answers_star(),
            "preflight ACAO kind {:?}",
            grant.allow_origin
        );
        ensure!(
            !(grant.allow_origin == AllowOrigin::Any && grant.allow_credentials),
            "preflight ACAO * with credentials"
        );
        ensure!(
            grant.allow_credentials == model.credentials,
            "preflight credentials"
        );
        ensure!(
            grant.max_age.map(str::to_string) == model.max_age.map(|a| a.to_string()),
            "max-age {:?}, model {:?}",
            grant.max_age,
            model.max_age
        );
        ensure!(
            grant.allow_private_network == requested_pna,
            "PNA granted {} but requested {}",
            grant.allow_private_network,
            requested_pna
        );
        ensure!(grant.expose_headers.is_none(), "expose on a preflight");
    }
    Ok(())
}

/// Who answers a request in a test app, for the HTTP-level oracle.
#[derive(Clone, Debug)]
pub enum RoutePolicy {
    /// `#[cors(...)]` (inline or named) with this model.
    Cors(Model),
    /// `#[cors(disable)]`.
    Disabled,
}

/// One route of a test app.
#[derive(Clone, Debug)]
pub struct RouteSpec {
    /// A concrete request path that reaches the route.
    pub path: &'static str,
    /// The route's methods.
    pub methods: &'static [&'static str],
    /// Its policy.
    pub policy: RoutePolicy,
    /// Whether a middleware inside the route rejects every request with 401 (the handler
    /// never runs).
    pub rejects: bool,
}

/// A test app as the oracle sees it.
#[derive(Clone, Debug, Default)]
pub struct AppSpec {
    /// The routes.
    pub routes: Vec<RouteSpec>,
    /// The default policy of routes without `#[cors]`, if any.
    pub default: Option<Model>,
    /// `Cors::on_refusal(OnRefusal::HeadersOnly)`: refused requests reach the handler (and
    /// still get no CORS headers).
    pub headers_only: bool,
}

/// A request sent to a test app and what came back.
pub struct Exchange<'a> {
    /// The request method.
    pub method: &'a Method,
    /// The request path.
    pub path: &'a str,
    /// The request headers.
    pub request: &'a HeaderMap,
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub response: &'a HeaderMap,
}

/// Response header set by every handler of the test apps.
pub const HANDLER_MARK: &str = "x-handler";

fn values<'h>(map: &'h HeaderMap, name: &str) -> Vec<&'h [u8]> {
    map.get_all(name).map(|v| v.as_bytes()).collect()
}

fn input<'h>(map: &'h HeaderMap, name: &str) -> HeaderInput<'h> {
    let v = values(map, name);
    match v.as_slice() {
        [] => HeaderInput::Missing,
        [one] => HeaderInput::One(one),
        _ => HeaderInput::Many,
    }
}

fn vary_tokens(map: &HeaderMap) -> Vec<String> {
    map.get_all(header::VARY)
        .flat_map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn varies_on(map: &HeaderMap, name: &str) -> bool {
    vary_tokens(map).iter().any(|t| t == name || t == "*")
}

const CORS_RESPONSE_HEADERS: &[&str] = &[
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "access-control-expose-headers",
    "access-control-allow-private-network",
];

fn no_cors_headers(map: &HeaderMap) -> Check {
    for name in CORS_RESPONSE_HEADERS {
        ensure!(!map.contains_key(*name), "unexpected {name} header");
    }
    Ok(())
}

/// Whether the test server could take the request for a same-origin one (which CORS never
/// blocks): `Sec-Fetch-Site: same-origin`, an `Origin` equal to the test server's own origin,
/// or request headers that change what the server believes its own origin is.
fn maybe_same_origin(request: &HeaderMap) -> bool {
    let first = |n: &str| request.get(n).map(|v| v.as_bytes());
    first("sec-fetch-site") == Some(b"same-origin".as_slice())
        || first("origin").is_some_and(|o| o.eq_ignore_ascii_case(b"http://localhost:8080"))
        || ["host", "forwarded", "x-forwarded-host", "x-forwarded-proto"]
            .iter()
            .any(|h| request.contains_key(*h))
}

/// Checks one exchange with a test app described by `app`.
pub fn check_exchange(app: &AppSpec, ex: &Exchange<'_>) -> Check {
    ensure!(
        !ex.status.is_server_error(),
        "server error {} for {} {}",
        ex.status,
        ex.method,
        ex.path
    );
    // Output header values are always valid field values.
    for (name, value) in ex.response {
        ensure!(
            value
                .as_bytes()
                .iter()
                .all(|&b| b == b'\t' || (b' '..0x7f).contains(&b)),
            "invalid bytes in response header {name}"
        );
    }
    for name in CORS_RESPONSE_HEADERS {
        ensure!(
            ex.response.get_all(*name).count() <= 1,
            "{name} sent more than once"
        );
    }
    ensure!(
        vary_tokens(ex.response)
            .iter()
            .filter(|t| *t == "origin")
            .count()
            <= 1,
        "Vary lists Origin more than once: {:?}",
        vary_tokens(ex.response)
    );
    let origins = values(ex.request, "origin");
    let acao = ex.response.get(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    let acac = ex.response.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
    if let Some(acao) = acao {
        ensure!(
            origins.len() == 1,
            "ACAO on a request with {} Origin headers",
            origins.len()
        );
        if acao.as_bytes() == b"*" {
            ensure!(acac.is_none(), "ACAO * together with ACAC");
        } else {
            ensure!(
                acao.as_bytes() == origins[0],
                "ACAO {:?} is not the request's origin {:?}",
                acao,
                show(origins[0])
            );
        }
    } else {
        ensure!(acac.is_none(), "ACAC without ACAO");
    }
    if let Some(acac) = acac {
        ensure!(acac == "true", "ACAC is {acac:?}");
    }

    let handler_ran = ex.response.contains_key(HANDLER_MARK);
    let is_preflight = ex.method == Method::OPTIONS
        && ex.request.contains_key(header::ORIGIN)
        && ex
            .request
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if is_preflight {
        ensure!(!handler_ran, "a handler ran for a preflight");
        let requested = ex
            .request
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        let route = app
            .routes
            .iter()
            .find(|r| r.path == ex.path && r.methods.iter().any(|m| m.as_bytes() == requested));
        return match route {
            Some(RouteSpec {
                policy: RoutePolicy::Cors(model),
                ..
            }) => check_preflight_exchange(model, ex),
            Some(RouteSpec {
                policy: RoutePolicy::Disabled,
                ..
            }) => {
                ensure!(
                    ex.status == StatusCode::FORBIDDEN,
                    "disabled route preflight answered {}",
                    ex.status
                );
                no_cors_headers(ex.response)
            }
            None => match &app.default {
                Some(model) => check_preflight_exchange(model, ex),
                None => {
                    ensure!(
                        ex.status != StatusCode::NO_CONTENT,
                        "preflight for {} {} (no such route) answered 204",
                        show(requested),
                        ex.path
                    );
                    no_cors_headers(ex.response)
                }
            },
        };
    }
    let route = app
        .routes
        .iter()
        .find(|r| r.path == ex.path && r.methods.iter().any(|m| *m == ex.method.as_str()));
    match route {
        Some(RouteSpec {
            policy: RoutePolicy::Cors(model),
            rejects,
            ..
        }) => check_actual_exchange(
            model,
            Routed::Cors {
                rejects: *rejects,
                blocks: !app.headers_only,
            },
            ex,
        ),
        Some(RouteSpec {
            policy: RoutePolicy::Disabled,
            ..
        }) => {
            ensure!(handler_ran, "disabled route: the handler must run");
            no_cors_headers(ex.response)
        }
        None => match &app.default {
            Some(model) => check_actual_exchange(model, Routed::Default, ex),
            None => no_cors_headers(ex.response),
        },
    }
}

fn check_preflight_exchange(model: &Model, ex: &Exchange<'_>) -> Check {
    // `Access-Control-Request-Headers` over several lines is one list (HTTP lets an
    // intermediary split a list-valued field): joined with `, `, refused past the bound on the
    // whole, as one value that long is.
    let lines = values(ex.request, "access-control-request-headers");
    let named: Vec<&[u8]> = lines
        .iter()
        .copied()
        .filter(|line| !line.trim_ascii().is_empty())
        .collect();
    let joined: Vec<u8> = named.join(&b", "[..]);
    let too_long = vec![b' '; cors_core::limits::MAX_REQUEST_HEADERS_LEN + 1];
    let requested = match lines.len() {
        0 | 1 => input(ex.request, "access-control-request-headers"),
        _ if joined.len() > cors_core::limits::MAX_REQUEST_HEADERS_LEN => {
            HeaderInput::One(&too_long)
        }
        _ => HeaderInput::One(&joined),
    };
    let request = PreflightRequest::new(
        input(ex.request, "origin"),
        input(ex.request, "access-control-request-method"),
    )
    .headers(requested)
    .private_network(input(ex.request, "access-control-request-private-network"));
    let (verdict, requested_pna) = preflight_verdict(model, &request);
    let allowed = ex.status == StatusCode::NO_CONTENT;
    ensure!(
        verdict.accepts(allowed),
        "preflight {request:?}: oracle says {verdict:?}, server answered {}",
        ex.status
    );
    for name in [
        "origin",
        "access-control-request-method",
        "access-control-request-headers",
    ] {
        ensure!(
            varies_on(ex.response, name),
            "preflight response without Vary: {name}"
        );
    }
    let r = ex.response;
    if !allowed {
        ensure!(
            ex.status == StatusCode::FORBIDDEN || ex.status == StatusCode::BAD_REQUEST,
            "refused preflight answered {}",
            ex.status
        );
        return no_cors_headers(r);
    }
    let acao = r
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .ok_or("allowed preflight without ACAO")?;
    ensure!(
        (acao == "*") == model.answers_star(),
        "preflight ACAO {acao:?} but answers_star is {}",
        model.answers_star()
    );
    ensure!(
        r.contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS) == model.credentials,
        "preflight ACAC presence differs from credentials={}",
        model.credentials
    );
    ensure!(
        r.get(header::ACCESS_CONTROL_ALLOW_METHODS)
            .map(|v| v.as_bytes())
            == ex
                .request
                .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                .map(|v| v.as_bytes()),
        "ACAM is not the requested method"
    );
    // The requested list: its lines joined with `, `, empty ones left out.
    let named: Vec<&[u8]> = values(ex.request, "access-control-request-headers")
        .into_iter()
        .filter(|v| !v.trim_ascii().is_empty())
        .collect();
    let acrh = (!named.is_empty()).then(|| named.join(&b", "[..]));
    ensure!(
        r.get(header::ACCESS_CONTROL_ALLOW_HEADERS)
            .map(|v| v.as_bytes())
            == acrh.as_deref(),
        "ACAH is not the requested headers"
    );
    ensure!(
        r.get(header::ACCESS_CONTROL_MAX_AGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            == model.max_age.map(|a| a.to_string()),
        "ACMA differs from max_age {:?}",
        model.max_age
    );
    ensure!(
        r.contains_key("access-control-allow-private-network") == requested_pna,
        "ACAPN presence differs from the request"
    );
    ensure!(
        !r.contains_key(header::ACCESS_CONTROL_EXPOSE_HEADERS),
        "ACEH on a preflight"
    );
    Ok(())
}

/// How an actual request reached a policy.
#[derive(Clone, Copy)]
enum Routed {
    /// A `#[cors]` route; `rejects`: an inner middleware answers 401 instead of the handler;
    /// `blocks`: refused requests are answered 403/400 (`OnRefusal::Block`).
    Cors { rejects: bool, blocks: bool },
    /// The default policy (no `#[cors]` route took the request; it may have no route at all).
    Default,
}

fn check_actual_exchange(model: &Model, routed: Routed, ex: &Exchange<'_>) -> Check {
    let r = ex.response;
    let blocking = matches!(routed, Routed::Cors { blocks: true, .. });
    let handler_ran = r.contains_key(HANDLER_MARK);
    if model.varies_by_origin() {
        ensure!(
            varies_on(r, "origin"),
            "response ({}) of a route whose ACAO depends on the origin has no Vary: Origin",
            ex.status
        );
    }
    let passed = match routed {
        Routed::Cors { rejects: true, .. } => ex.status == StatusCode::UNAUTHORIZED,
        Routed::Cors { rejects: false, .. } => handler_ran,
        // Whatever the app answered (its handler, 404 or 405) went through.
        Routed::Default => {
            !(ex.status == StatusCode::FORBIDDEN || ex.status == StatusCode::BAD_REQUEST)
        }
    };
    let verdict = match input(ex.request, "origin") {
        HeaderInput::Missing => {
            ensure!(passed, "request without Origin did not reach the handler");
            return no_cors_headers(r);
        }
        HeaderInput::Many => Verdict::Refuse,
        HeaderInput::One(o) => model.origin_verdict(o),
    };
    let allowed = r.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    ensure!(
        verdict.accepts(allowed),
        "actual {} {} from {:?}: oracle says {verdict:?}, ACAO present: {allowed}",
        ex.method,
        ex.path,
        values(ex.request, "origin")
            .iter()
            .map(|o| show(o))
            .collect::<Vec<_>>()
    );
    if allowed {
        ensure!(
            passed,
            "allowed request did not reach the handler ({})",
            ex.status
        );
        let acao = r
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .ok_or("ACAO vanished")?;
        ensure!(
            (acao == "*") == model.answers_star(),
            "ACAO {acao:?} but answers_star is {}",
            model.answers_star()
        );
        ensure!(
            r.contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS) == model.credentials,
            "ACAC presence differs from credentials={}",
            model.credentials
        );
        let aceh = r
            .get(header::ACCESS_CONTROL_EXPOSE_HEADERS)
            .and_then(|v| v.to_str().ok())
            .map(name_set);
        ensure!(
            aceh == model.expose_value().as_deref().map(name_set),
            "ACEH {aceh:?} differs from expose {:?}",
            model.expose
        );
    } else {
        no_cors_headers(r)?;
        if blocking && !maybe_same_origin(ex.request) {
            ensure!(
                !handler_ran
                    && (ex.status == StatusCode::FORBIDDEN || ex.status == StatusCode::BAD_REQUEST),
                "refused cross-origin request was not blocked: {} (handler ran: {handler_ran})",
                ex.status
            );
        }
    }
    Ok(())
}

/// Header names a fuzz input or a random request may set.
pub const REQUEST_HEADER_NAMES: &[&str] = &[
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "access-control-request-private-network",
    "sec-fetch-site",
];
