//! A cached answer of the store: allowed or not, until when it is fresh, until when an allowed
//! answer may still be served while it is refreshed, and the generation of the cache it was
//! given in (a change signal starts a new one: older answers are stale).

use std::time::{Duration, Instant};

use crate::policy::lookup::LookupSettings;

/// A verdict in the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Verdict {
    pub(super) allowed: bool,
    fresh_until: Instant,
    serve_until: Instant,
    /// The generation it was answered in; see [`OriginLookup::mark_all_stale`](crate::OriginLookup::mark_all_stale).
    generation: u64,
}

impl Verdict {
    /// A fresh answer from the store, at `now`, asked in `generation`.
    pub(super) fn answered(
        allowed: bool,
        now: Instant,
        settings: &LookupSettings,
        generation: u64,
    ) -> Verdict {
        let (ttl, stale) = if allowed {
            (settings.allowed_ttl, settings.stale_ttl)
        } else {
            (settings.refused_ttl, Duration::ZERO)
        };
        Verdict {
            allowed,
            fresh_until: now + ttl,
            serve_until: now + ttl + stale,
            generation,
        }
    }

    /// A failure remembered as a refusal.
    pub(super) fn failed(now: Instant, settings: &LookupSettings, generation: u64) -> Verdict {
        Verdict {
            allowed: false,
            fresh_until: now + settings.failure_ttl,
            serve_until: now + settings.failure_ttl,
            generation,
        }
    }

    /// The answer, if it is still fresh at `now` in `generation`.
    #[inline]
    pub(super) fn at(self, now: Instant, generation: u64) -> Option<bool> {
        (now < self.fresh_until && self.generation == generation).then_some(self.allowed)
    }

    /// Whether it is an allowed answer (not fresh) that may still be served at `now`.
    #[inline]
    pub(super) fn stale_at(self, now: Instant) -> bool {
        self.allowed && now < self.serve_until
    }

    /// The same stale answer, held as fresh in `generation` until `until` (while it is
    /// refreshed, or before it is tried again): the requests that follow neither wait nor
    /// start another refresh.
    pub(super) fn held_until(self, until: Instant, generation: u64) -> Verdict {
        Verdict {
            fresh_until: until.min(self.serve_until),
            generation,
            ..self
        }
    }
}
