//! Counting what the door decides, through the [`metrics`](https://docs.rs/metrics) facade
//! (feature `metrics`; without it every function here is empty and compiles to nothing). No
//! label holds a raw `Origin`: label values are the app's route patterns and fixed words, so
//! their number is bounded by the app's declarations and the reasons.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `cors_decisions_total` | counter | `route` (the declaration's pattern), `kind` (`preflight`, `request`), `outcome` (`allowed`, `refused`, `would_refuse`, `passed`, `failed_closed`), `reason` |
//! | `cors_origin_lookups_total` | counter | `outcome` (`allowed`, `refused`, `failed`) |
//! | `cors_origin_lookups_throttled_total` | counter | |
//! | `cors_origin_lookups_stale_total` | counter | (allowed answers served stale while refreshed) |
//! | `cors_origin_set_origins` | gauge | (origins held by the process's `OriginSet`s) |

/// `cors_decisions_total`.
#[cfg(feature = "metrics")]
pub(crate) const DECISIONS: &str = "cors_decisions_total";

/// Counts a decision about a request for `route`.
#[inline]
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn decision(
    route: &str,
    kind: &'static str,
    outcome: &'static str,
    reason: &'static str,
) {
    #[cfg(feature = "metrics")]
    metrics::counter!(
        DECISIONS,
        "route" => route.to_owned(),
        "kind" => kind,
        "outcome" => outcome,
        "reason" => reason
    )
    .increment(1);
}

/// Counts an origin lookup's answer: `allowed`, `refused` or `failed`.
#[inline]
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn lookup(outcome: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("cors_origin_lookups_total", "outcome" => outcome).increment(1);
}

/// Counts a lookup refused for want of budget.
#[inline]
pub(crate) fn lookup_throttled() {
    #[cfg(feature = "metrics")]
    metrics::counter!("cors_origin_lookups_throttled_total").increment(1);
}

/// Counts a request allowed from a stale answer.
#[inline]
pub(crate) fn lookup_stale() {
    #[cfg(feature = "metrics")]
    metrics::counter!("cors_origin_lookups_stale_total").increment(1);
}

/// Moves the number of origins the process's sets hold by `delta`.
#[inline]
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn origin_set_moved(delta: i64) {
    #[cfg(feature = "metrics")]
    {
        let gauge = metrics::gauge!("cors_origin_set_origins");
        if delta >= 0 {
            gauge.increment(delta as f64);
        } else {
            gauge.decrement(delta.unsigned_abs() as f64);
        }
    }
}
