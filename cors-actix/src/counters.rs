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
    handles::decision(route, kind, outcome, reason);
}

/// The decision counters each thread has registered, by their labels. Registering a counter
/// builds its key (the route's text copied, a vector of labels) and looks it up in the
/// recorder, ten to thirty times what incrementing it costs (measured: docs/BENCHMARKS.md); a
/// server's workers decide on their own threads, so each keeps its own handles, without a lock.
/// A handle holds what the recorder gave when it was registered: install the recorder before
/// the server starts.
#[cfg(feature = "metrics")]
mod handles {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::hash::{BuildHasher, Hash, Hasher};

    use foldhash::fast::FixedState;
    use metrics::Counter;

    /// At most this many handles a thread (the labels' values are the app's route patterns
    /// and fixed words, so an app stays far below it); beyond, counters are registered at each
    /// decision, as without the cache.
    const MOST: usize = 4096;

    struct Entry {
        route: Box<str>,
        /// The static labels, by address: the same word from another literal is another
        /// entry for the same counter, never a wrong one.
        words: [usize; 3],
        counter: Counter,
    }

    thread_local! {
        static DECISIONS: RefCell<HashMap<u64, Entry, FixedState>> =
            RefCell::new(HashMap::with_hasher(FixedState::default()));
    }

    pub(super) fn decision(
        route: &str,
        kind: &'static str,
        outcome: &'static str,
        reason: &'static str,
    ) {
        let words = [
            kind.as_ptr() as usize,
            outcome.as_ptr() as usize,
            reason.as_ptr() as usize,
        ];
        let mut hasher = FixedState::default().build_hasher();
        route.hash(&mut hasher);
        words.hash(&mut hasher);
        let key = hasher.finish();
        let counted = DECISIONS.try_with(|decisions| {
            let Ok(mut decisions) = decisions.try_borrow_mut() else {
                return false;
            };
            if let Some(entry) = decisions.get(&key) {
                if entry.words == words && *entry.route == *route {
                    entry.counter.increment(1);
                    return true;
                }
                // Another counter with the same hash: counted below, not cached.
                return false;
            }
            if decisions.len() >= MOST {
                return false;
            }
            let counter = register(route, kind, outcome, reason);
            counter.increment(1);
            let route = route.into();
            decisions.insert(
                key,
                Entry {
                    route,
                    words,
                    counter,
                },
            );
            true
        });
        if counted != Ok(true) {
            register(route, kind, outcome, reason).increment(1);
        }
    }

    fn register(
        route: &str,
        kind: &'static str,
        outcome: &'static str,
        reason: &'static str,
    ) -> Counter {
        metrics::counter!(
            super::DECISIONS,
            "route" => route.to_owned(),
            "kind" => kind,
            "outcome" => outcome,
            "reason" => reason
        )
    }
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
