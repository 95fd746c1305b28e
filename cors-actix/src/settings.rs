//! The middleware's configuration.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::on_refusal::OnRefusal;
use crate::policy::slot::PolicySlot;
use crate::preflight_status::PreflightStatus;

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
    /// How refusals reach the operators' log.
    pub(crate) refusal_log: crate::refusal_log::RefusalLog,
    /// Report-only mode: every decision made, logged and counted, no request refused.
    pub(crate) report_only: bool,
    /// What its first request found (see the route report's findings).
    pub(crate) findings: Arc<std::sync::Mutex<Vec<String>>>,
}
