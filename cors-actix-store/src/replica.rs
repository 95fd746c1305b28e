//! The table as this instance holds it: its valid origins in the [`OriginSet`] the door
//! decides from, its invalid rows reported (never served), and counters.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cors_actix::{OriginSet, RefusedOrigin};

/// At most this many invalid rows are written in one log event (all of them are listed by
/// [`OriginStore::invalid_rows`](crate::OriginStore::invalid_rows)).
const LOGGED_ROWS: usize = 100;

/// What this instance holds of the table.
pub(crate) struct Replica {
    pub(crate) set: OriginSet,
    /// Rows that fail validation, by their text.
    invalid: Mutex<BTreeMap<String, RefusedOrigin>>,
    pub(crate) reloads: AtomicU64,
    pub(crate) notified: AtomicU64,
    pub(crate) reconnects: AtomicU64,
    pub(crate) errors: AtomicU64,
    /// Failures since the store last answered.
    failing: AtomicU64,
    /// How long the last full load took, in microseconds.
    pub(crate) last_load_micros: AtomicU64,
}

impl Replica {
    pub(crate) fn new(set: OriginSet) -> Replica {
        Replica {
            set,
            invalid: Mutex::new(BTreeMap::new()),
            reloads: AtomicU64::new(0),
            notified: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            failing: AtomicU64::new(0),
            last_load_micros: AtomicU64::new(0),
        }
    }

    fn invalid(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, RefusedOrigin>> {
        self.invalid.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every invalid row now, in the order of their text.
    pub(crate) fn invalid_rows(&self) -> Vec<RefusedOrigin> {
        self.invalid().values().cloned().collect()
    }

    /// The whole table, read at `started`: its valid rows replace the set at once, its invalid
    /// rows are reported (logged when they differ from the last report).
    pub(crate) fn load(&self, rows: Vec<String>, started: Instant) {
        let mut valid = Vec::with_capacity(rows.len());
        let mut invalid = BTreeMap::new();
        for row in rows {
            match self.set.validate(&row) {
                Ok(()) => valid.push(row),
                Err(problem) => {
                    invalid.insert(
                        row.clone(),
                        RefusedOrigin {
                            origin: row,
                            problem,
                        },
                    );
                }
            }
        }
        // Every row was validated just now: nothing can be refused.
        if let Err(error) = self.set.replace_all(valid.iter().map(String::as_str)) {
            tracing::error!(target: "cors", "origin store: the loaded origins were refused: {error}");
            return;
        }
        let changed = {
            let mut held = self.invalid();
            let changed = held.keys().ne(invalid.keys());
            *held = invalid;
            changed
        };
        if changed {
            self.report_invalid();
        }
        self.reloads.fetch_add(1, Ordering::Relaxed);
        let took = started.elapsed();
        self.last_load_micros.store(
            took.as_micros().try_into().unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        tracing::info!(
            target: "cors",
            origins = self.set.len(),
            invalid_rows = self.invalid().len(),
            took_ms = took.as_millis() as u64,
            "origin store: loaded"
        );
    }

    /// Changed rows, as the table holds them now: `(origin, present)`. Present and valid: in
    /// the set; present and invalid: reported, not served; absent: out of both.
    pub(crate) fn apply(&self, rows: &[(String, bool)]) {
        let mut insert = Vec::new();
        let mut remove = Vec::new();
        let mut newly_invalid = Vec::new();
        {
            let mut invalid = self.invalid();
            for (origin, present) in rows {
                if !present {
                    remove.push(origin.as_str());
                    invalid.remove(origin);
                    continue;
                }
                match self.set.validate(origin) {
                    Ok(()) => {
                        insert.push(origin.as_str());
                        invalid.remove(origin);
                    }
                    Err(problem) => {
                        remove.push(origin.as_str());
                        let refused = RefusedOrigin {
                            origin: origin.clone(),
                            problem,
                        };
                        if invalid.insert(origin.clone(), refused.clone()).is_none() {
                            newly_invalid.push(refused);
                        }
                    }
                }
            }
        }
        if let Err(error) = self.set.update(insert, remove) {
            tracing::error!(target: "cors", "origin store: a change was refused: {error}");
        }
        for refused in newly_invalid {
            tracing::warn!(
                target: "cors",
                "origin store: a row of the table is not a valid origin and is not served: {refused}"
            );
        }
    }

    /// Logs the invalid rows (at most [`LOGGED_ROWS`] of them).
    fn report_invalid(&self) {
        let invalid = self.invalid();
        if invalid.is_empty() {
            return;
        }
        let mut list = String::new();
        for refused in invalid.values().take(LOGGED_ROWS) {
            list.push_str("\n  - ");
            list.push_str(&refused.to_string());
        }
        if invalid.len() > LOGGED_ROWS {
            list.push_str(&format!(
                "\n  ... and {} more (OriginStore::invalid_rows lists every one)",
                invalid.len() - LOGGED_ROWS
            ));
        }
        tracing::warn!(
            target: "cors",
            invalid_rows = invalid.len(),
            "origin store: {} rows of the table are not valid origins and are not served:{list}",
            invalid.len()
        );
    }

    /// Records a failure of the store, logged at the first of a run of them (a store that is
    /// down does not flood the log: see [`Replica::recovered`]).
    pub(crate) fn failed(&self, what: &str, error: &dyn std::fmt::Display) -> Duration {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let errors = self.failing.fetch_add(1, Ordering::Relaxed) + 1;
        if errors.is_power_of_two() {
            tracing::warn!(
                target: "cors",
                errors,
                "origin store: {what} failed, the origins held keep serving and it is tried again: {error}"
            );
        }
        // Tried again after a pause that grows with the failures in a row, up to 5 s.
        Duration::from_millis(100u64.saturating_mul(errors.min(50)))
    }

    /// The store answers again after failures.
    pub(crate) fn recovered(&self) {
        let errors = self.failing.swap(0, Ordering::Relaxed);
        if errors > 0 {
            tracing::info!(target: "cors", "origin store: reachable again after {errors} failures");
        }
    }
}
