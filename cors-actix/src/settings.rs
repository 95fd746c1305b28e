//! The middleware's configuration.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::policy::slot::PolicySlot;
use crate::report::RouteReport;

/// What happens to an actual (non-preflight) request from an origin the policy refuses.
///
/// ```
/// use cors_actix::{Cors, OnRefusal};
///
/// let cors = Cors::new().on_refusal(OnRefusal::HeadersOnly);
/// # let _ = cors;
/// ```
///
#[doc = include_str!("../docs/refused-requests.md")]
///
#[doc = include_str!("../docs/links.md")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnRefusal {
    /// Answer `403 Forbidden` (`400` for a malformed `Origin`) with a short plain-text reason;
    /// nothing inside `Cors` runs (no middleware, no handler). This stops the side effects of
    /// cross-site requests a browser sends without a preflight (form posts, simple `fetch`es).
    /// The default.
    #[default]
    Block,
    /// Run the handler and send its response without CORS headers (any the app wrote are
    /// removed): the browser hides it from the page. Side effects happen. Choose this only if
    /// other clients than browsers send arbitrary `Origin` headers to your routes.
    ///
    /// Connection upgrades (WebSockets) from a refused origin are refused in this mode too:
    /// browsers do not apply CORS to them, so a missing header would not stop a page from using
    /// the socket with the user's cookies (cross-site WebSocket hijacking).
    HeadersOnly,
}

/// The status of an allowed preflight's answer (see [`Cors::preflight_status`](crate::Cors::preflight_status)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PreflightStatus {
    /// `204 No Content`, the default.
    #[default]
    NoContent,
    /// `200 OK`, for old clients that do not accept a 204.
    Ok,
}

impl PreflightStatus {
    /// The status code.
    ///
    /// ```
    /// use cors_actix::PreflightStatus;
    ///
    /// assert_eq!(PreflightStatus::default().code().as_u16(), 204);
    /// assert_eq!(PreflightStatus::Ok.code().as_u16(), 200);
    /// ```
    pub fn code(self) -> actix_web::http::StatusCode {
        match self {
            PreflightStatus::NoContent => actix_web::http::StatusCode::NO_CONTENT,
            PreflightStatus::Ok => actix_web::http::StatusCode::OK,
        }
    }
}

/// The middleware's settings, shared by all workers.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    pub(crate) default: Option<PolicySlot>,
    pub(crate) named: HashMap<String, PolicySlot>,
    pub(crate) on_refusal: OnRefusal,
    pub(crate) debug: bool,
    pub(crate) preflight_status: PreflightStatus,
    /// Cross-origin protection of the requests no policy covers, if opted in.
    pub(crate) cross_origin: Option<crate::cross_origin::CrossOriginProtection>,
    /// The route table of the first app this middleware (or a clone) was built into.
    pub(crate) table: Arc<OnceLock<Arc<crate::door::route_table::RouteTable>>>,
    /// The route report of the first app this middleware (or a clone) was built into.
    pub(crate) report: Arc<OnceLock<RouteReport>>,
    /// What its first request found (see the route report's findings).
    pub(crate) findings: Arc<std::sync::Mutex<Vec<String>>>,
}
