//! Cross-origin protection for the requests no CORS policy covers: state-changing requests
//! from another site refused before anything inside `Cors` runs.

use actix_web::dev::ServiceRequest;
use actix_web::http::{header, Method};
use cors_core::{Origin, OriginError};

/// Protection against cross-site requests (CSRF) for the routes that have no CORS policy,
/// opt-in with [`Cors::cross_origin_protection`](crate::Cors::cross_origin_protection).
///
/// Routes with a policy are already protected: a refused origin's request is stopped at the
/// door. A route without one passes every request untouched, and a page on another site can
/// still make the user's browser send it a form post with the user's cookies: the browser
/// hides the response, but the handler runs. With this protection, such a request is refused
/// with `403` before anything inside `Cors` runs, when:
///
/// - its method is not `GET`, `HEAD` or `OPTIONS` (those must not change state: they pass,
///   and so do navigations), and
/// - the browser says it comes from another origin: `Sec-Fetch-Site` is `cross-site` or
///   `same-site` (every current browser sends it, and pages cannot set it); or, when that
///   header is absent (older browsers), an `Origin` that is not the request's own scheme and
///   host (as actix-web sees them through `Forwarded`/`X-Forwarded-*`), and
/// - its `Origin` is not one you [trust](CrossOriginProtection::trust_origin), and its path
///   is not [bypassed](CrossOriginProtection::bypass_path).
///
/// Requests with neither header (not from a browser: `curl`, server-to-server calls) pass:
/// this protects browser users' sessions, it is not authentication. The same rules as Go 1.25's
/// `http.CrossOriginProtection`.
///
/// ```
/// use actix_web::{post, test, App, Responder};
/// use cors_actix::{Cors, CrossOriginProtection};
///
/// // No CORS policy: a same-origin form posts here.
/// #[post("/transfer")]
/// async fn transfer() -> impl Responder { "done" }
///
/// # actix_web::rt::System::new().block_on(async {
/// let protection = CrossOriginProtection::new()
///     .trust_origin("https://partner.example")?
///     .bypass_path("/webhooks/");
/// let app = test::init_service(
///     App::new().service(transfer).wrap(Cors::new().cross_origin_protection(protection)),
/// )
/// .await;
///
/// let from = |site: &str, origin: &str| {
///     test::TestRequest::post()
///         .uri("/transfer")
///         .insert_header(("Sec-Fetch-Site", site))
///         .insert_header(("Origin", origin))
///         .to_request()
/// };
/// let res = test::call_service(&app, from("cross-site", "https://evil.example")).await;
/// assert_eq!(res.status(), 403);
/// let res = test::call_service(&app, from("same-origin", "http://localhost:8080")).await;
/// assert_eq!(res.status(), 200);
/// let res = test::call_service(&app, from("cross-site", "https://partner.example")).await;
/// assert_eq!(res.status(), 200);
/// # Ok::<(), cors_actix::OriginError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct CrossOriginProtection {
    /// Serialized origins, as browsers send them.
    trusted: Vec<String>,
    /// Exact paths, or prefixes when they end with `/`.
    bypass: Vec<String>,
}

/// Why a request was refused, for the log and the debug-mode body.
pub(crate) const CROSS_SITE: &str =
    "cross-origin protection: a state-changing request from another site, to a route without a CORS policy (Sec-Fetch-Site)";
pub(crate) const FOREIGN_ORIGIN: &str =
    "cross-origin protection: a state-changing request whose Origin is not this server's, to a route without a CORS policy";

impl CrossOriginProtection {
    /// Protection with no trusted origin and no bypassed path.
    pub fn new() -> CrossOriginProtection {
        CrossOriginProtection::default()
    }

    /// Lets state-changing requests from `origin` through (a partner's front end that posts
    /// forms to you). `origin` must be written as browsers send it (`https://partner.example`,
    /// no path, no trailing slash); anything else is an error, as in a policy.
    pub fn trust_origin(mut self, origin: &str) -> Result<CrossOriginProtection, OriginError> {
        Origin::parse(origin.as_bytes())?;
        self.trusted.push(origin.to_owned());
        Ok(self)
    }

    /// Lets every request to `path` through: an exact path (`/login`), or every path under a
    /// prefix ending with `/` (`/webhooks/`). Paths are compared as actix-web routes them.
    pub fn bypass_path(mut self, path: impl Into<String>) -> CrossOriginProtection {
        self.bypass.push(path.into());
        self
    }

    /// Why `req` is refused, or `None` if it may go on.
    pub(crate) fn refusal(&self, req: &ServiceRequest) -> Option<&'static str> {
        if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
            return None;
        }
        let (mut site, mut origin) = (None, None);
        for (name, value) in req.headers().iter() {
            if *name == header::ORIGIN {
                if origin.is_some() {
                    // Several: never a browser's, never the server's own.
                    return Some(FOREIGN_ORIGIN);
                }
                origin = Some(value.as_bytes());
            } else if name.as_str() == "sec-fetch-site" {
                site = Some(value.as_bytes());
            }
        }
        let reason = match site {
            Some(b"same-origin" | b"none") => return None,
            Some(_) => CROSS_SITE,
            None => {
                let origin = origin?;
                let info = req.connection_info();
                if cors_core::is_same_origin(origin, info.scheme(), info.host()) {
                    return None;
                }
                FOREIGN_ORIGIN
            }
        };
        if let Some(origin) = origin {
            if self.trusted.iter().any(|t| t.as_bytes() == origin) {
                return None;
            }
        }
        let path = req.path();
        let bypassed = self.bypass.iter().any(|b| {
            if b.ends_with('/') {
                path.starts_with(b.as_str())
            } else {
                path == b
            }
        });
        (!bypassed).then_some(reason)
    }
}
