//! The refusal ledger: which distinct refusals were seen how often, and how many lines were
//! written this second, so that refusals reach the operators' log at warn without a client
//! being able to grow memory or the log (see [`RefusalLog`]). One per process for each
//! setting: the workers of a server each build their own `Cors` (`HttpServer::new(|| ..)`),
//! and the log's budget is the process's.

use std::cell::RefCell;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;
use quick_cache::sync::{Cache, EntryAction, EntryResult};
use tracing::Level;

use crate::refusal_log::RefusalLog;

/// The longest origin a line shows (longer ones are cut, and say so): an `Origin` header is
/// the client's, and the log is not theirs to fill.
const SHOWN_ORIGIN: usize = 120;

/// What is remembered of refusals, and the log's budget.
#[derive(Debug)]
pub(crate) struct Ledger {
    level: Option<Level>,
    max_lines: u32,
    /// How many times each distinct refusal was seen, by a keyed hash of (declaration, reason,
    /// origin). quick_cache keeps the entries seen again and evicts those seen once first. The
    /// count is shared with the workers' [`Recent`] memories, which count a refusal seen again
    /// without looking it up.
    seen: Cache<u64, Counter>,
    /// The key of that hash, random per ledger: a client cannot aim two origins at one entry.
    /// foldhash rather than the standard library's SipHash: as keyed, and a fifth of the
    /// instructions for a refusal's 60 to 100 bytes, which every refusal pays (measured).
    keys: RandomState,
    budget: Mutex<Budget>,
    start: Instant,
}

/// The lines written in the current second, and the lines not written for want of budget.
#[derive(Debug, Default)]
struct Budget {
    second: u64,
    lines: u32,
    dropped: u64,
}

/// What makes a refusal distinct: the same declaration refusing the same origin for the same
/// reason is one refusal seen again.
pub(crate) struct Distinct<'a> {
    pub(crate) handler: &'a str,
    pub(crate) pattern: &'a str,
    /// The reason's static summary.
    pub(crate) summary: &'static str,
    /// The raw `Origin` header (empty if none).
    pub(crate) origin: &'a [u8],
}

/// How many times one distinct refusal was seen, by every worker.
type Counter = Arc<AtomicU64>;

/// A line to write: its level, how many times its refusal was seen, and how many lines were
/// not written before it for want of budget.
pub(crate) struct Line {
    level: Level,
    count: u64,
    dropped: u64,
}

/// How many refusals a worker remembers (see [`Recent`]).
const RECENT: usize = 8;

/// A worker's memory of the distinct refusals it counted last (one per door, so per worker):
/// a refusal seen again by the same worker, a client retrying, is counted on its shared counter
/// without hashing it or looking it up in the ledger's table, the price of every repeated
/// refusal (measured: docs/BENCHMARKS.md). A declaration is told by the address of its
/// handler's and pattern's text, which the door holds (with this memory) as long as it lives;
/// the origin by its bytes.
///
/// What it changes: a refusal the table forgot (evicted by a flood of others) while a worker
/// still remembers it is counted on by that worker, and anew by the others; its powers of two
/// may then be told twice, within the line budget.
#[derive(Default)]
pub(crate) struct Recent {
    slots: RefCell<[Option<Slot>; RECENT]>,
}

/// One refusal a worker remembers.
struct Slot {
    /// The addresses and lengths of the declaration's handler and pattern, and of the reason's
    /// summary (compared, never read through).
    handler: (usize, usize),
    pattern: (usize, usize),
    summary: (usize, usize),
    origin: Vec<u8>,
    /// Its key in the table, to tell the table that it is seen again when a line is written.
    key: u64,
    counter: Counter,
}

fn address(text: &str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
}

impl Slot {
    #[inline]
    fn is(&self, distinct: &Distinct<'_>) -> bool {
        self.handler == address(distinct.handler)
            && self.pattern == address(distinct.pattern)
            && self.summary == address(distinct.summary)
            && self.origin == distinct.origin
    }
}

impl Recent {
    /// The slot `distinct` would take.
    #[inline]
    fn index(distinct: &Distinct<'_>) -> usize {
        (distinct.origin.len() ^ (distinct.pattern.as_ptr() as usize >> 3)) % RECENT
    }
}

/// One refusal, as the operators' line tells it.
pub(crate) struct Refused<'a> {
    /// The declaration that refused (a handler, a scope policy, the default policy...).
    pub(crate) handler: &'a str,
    /// Its path pattern.
    pub(crate) pattern: &'a str,
    /// `preflight` or `request`.
    pub(crate) kind: &'static str,
    /// The raw `Origin` header, if any.
    pub(crate) origin: &'a [u8],
    /// The reason in full.
    pub(crate) reason: &'a dyn fmt::Display,
    /// What to change if the request should have been allowed.
    pub(crate) fix: &'a dyn fmt::Display,
    /// What was done about it.
    pub(crate) action: &'static str,
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
}

impl Ledger {
    pub(crate) fn new(config: RefusalLog) -> Ledger {
        Ledger {
            level: config.level_of(),
            max_lines: config.max_lines_per_second(),
            // Off, it remembers nothing: the smallest table.
            seen: Cache::new(if config.level_of().is_some() {
                config.capacity()
            } else {
                1
            }),
            keys: RandomState::default(),
            budget: Mutex::new(Budget::default()),
            start: Instant::now(),
        }
    }

    /// The ledger of this process for `config`, made by the first door that asks for it, kept
    /// while a door holds it.
    pub(crate) fn shared(config: RefusalLog) -> Arc<Ledger> {
        static LEDGERS: Mutex<Vec<(RefusalLog, Weak<Ledger>)>> = Mutex::new(Vec::new());
        let mut ledgers = LEDGERS.lock().unwrap_or_else(|e| e.into_inner());
        ledgers.retain(|(_, ledger)| ledger.strong_count() > 0);
        if let Some(ledger) = ledgers
            .iter()
            .find(|(c, _)| *c == config)
            .and_then(|(_, ledger)| ledger.upgrade())
        {
            return ledger;
        }
        let ledger = Arc::new(Ledger::new(config));
        ledgers.push((config, Arc::downgrade(&ledger)));
        ledger
    }

    /// The level of the operators' lines, `None` when off.
    #[inline]
    pub(crate) fn level(&self) -> Option<Level> {
        self.level
    }

    /// Counts `refused` and writes its line if it is the 1st, 2nd, 4th, 8th ... of its kind and
    /// the second's budget allows.
    #[cfg(test)]
    pub(crate) fn note(&self, refused: &Refused<'_>) {
        let distinct = Distinct {
            handler: refused.handler,
            pattern: refused.pattern,
            summary: "origin not allowed",
            origin: refused.origin,
        };
        if let Some(line) = self.count(&Recent::default(), &distinct) {
            self.write(line, refused);
        }
    }

    /// Counts a refusal: `Some` when its line is to be written now (the 1st, 2nd, 4th, 8th ...
    /// of its kind, within the second's budget), so that the line's parts are gathered only
    /// then (the door pays for this on every refusal: see docs/BENCHMARKS.md). A refusal the
    /// worker counted last (`recent`) is counted without a lookup.
    #[inline]
    pub(crate) fn count(&self, recent: &Recent, distinct: &Distinct<'_>) -> Option<Line> {
        let level = self.level?;
        let index = Recent::index(distinct);
        // (Never borrowed twice: a refusal is counted once, and nothing it calls counts.)
        let Ok(mut slots) = recent.slots.try_borrow_mut() else {
            let count = self.count_in_table(None, distinct)?;
            return self.line(level, count);
        };
        let slot = &mut slots[index];
        let count = match slot {
            Some(slot) if slot.is(distinct) => {
                let count = slot.counter.fetch_add(1, Ordering::Relaxed) + 1;
                if count.is_power_of_two() {
                    // Seen again, as the table's eviction wants to know (only then: cheap).
                    let _ = self.seen.get(&slot.key);
                }
                count
            }
            _ => self.count_in_table(Some(slot), distinct)?,
        };
        drop(slots);
        self.line(level, count)
    }

    /// The line of a refusal seen `count` times, if it is the 1st, 2nd, 4th, 8th ... and the
    /// second's budget allows.
    #[inline]
    fn line(&self, level: Level, count: u64) -> Option<Line> {
        if !count.is_power_of_two() {
            return None;
        }
        let dropped = self.spend()?;
        Some(Line {
            level,
            count,
            dropped,
        })
    }

    /// Counts a refusal in the table (the general path), and remembers it in `slot`.
    #[inline(never)]
    fn count_in_table(
        &self,
        slot: Option<&mut Option<Slot>>,
        distinct: &Distinct<'_>,
    ) -> Option<u64> {
        let mut hasher = self.keys.build_hasher();
        (distinct.handler, distinct.pattern, distinct.summary).hash(&mut hasher);
        distinct.origin.hash(&mut hasher);
        let key = hasher.finish();
        // Never waits: another worker inserting the same refusal right now counts it.
        let counter = match self.seen.entry(&key, Some(Duration::ZERO), |_, counter| {
            EntryAction::Retain(Arc::clone(counter))
        }) {
            EntryResult::Retained(counter) => counter,
            EntryResult::Vacant(guard) => {
                let counter = Counter::default();
                let _ = guard.insert(Arc::clone(&counter));
                counter
            }
            _ => return None,
        };
        let count = counter.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(slot) = slot {
            // The slot's buffer is kept: no allocation once it is as long as the origins.
            let mut origin = slot.take().map(|old| old.origin).unwrap_or_default();
            origin.clear();
            origin.extend_from_slice(distinct.origin);
            *slot = Some(Slot {
                handler: address(distinct.handler),
                pattern: address(distinct.pattern),
                summary: address(distinct.summary),
                origin,
                key,
                counter,
            });
        }
        Some(count)
    }

    /// Writes the line [`count`](Ledger::count) asked for, after the one saying how many were
    /// not written for want of budget, if any.
    #[cold]
    pub(crate) fn write(&self, line: Line, refused: &Refused<'_>) {
        if line.dropped > 0 {
            emit_dropped(line.level, line.dropped, self.max_lines);
        }
        emit(line.level, refused, line.count);
    }

    /// Takes one line from this second's budget: `Some(lines dropped in earlier seconds, not
    /// yet told)`, or `None` when the budget is spent (the line is then counted as dropped).
    fn spend(&self) -> Option<u64> {
        let second = self.start.elapsed().as_secs();
        let Ok(mut budget) = self.budget.lock() else {
            return None;
        };
        let mut told = 0;
        if budget.second != second {
            told = std::mem::take(&mut budget.dropped);
            budget.second = second;
            budget.lines = 0;
        }
        // (A new second starts with no line written: `told` is always written.)
        if budget.lines >= self.max_lines {
            budget.dropped += 1;
            return None;
        }
        budget.lines += 1;
        Some(told)
    }

    /// How many distinct refusals are remembered now, and the bytes the table holds: its own,
    /// and each entry's counter (an allocation of 24 bytes, which glibc's allocator serves
    /// with a chunk of 32).
    #[cfg(test)]
    pub(crate) fn held(&self) -> (usize, usize) {
        let entries = self.seen.len();
        (entries, self.seen.memory_used().total() + entries * 32)
    }
}

/// The origin as a line shows it: escaped (it is the client's text), at most [`SHOWN_ORIGIN`]
/// bytes of it.
struct Shown<'a>(&'a [u8]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(none)");
        }
        let cut = self.0.len() > SHOWN_ORIGIN;
        let bytes = &self.0[..self.0.len().min(SHOWN_ORIGIN)];
        write!(f, "{}", bytes.escape_ascii())?;
        if cut {
            write!(f, "... ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// Writes one event at a level chosen at run time (tracing's macros take a constant one).
macro_rules! at_level {
    ($level:expr, $($rest:tt)+) => {
        match $level {
            Level::ERROR => tracing::error!(target: "cors", $($rest)+),
            Level::WARN => tracing::warn!(target: "cors", $($rest)+),
            Level::INFO => tracing::info!(target: "cors", $($rest)+),
            Level::DEBUG => tracing::debug!(target: "cors", $($rest)+),
            _ => tracing::trace!(target: "cors", $($rest)+),
        }
    };
}

#[cold]
fn emit(level: Level, r: &Refused<'_>, count: u64) {
    let origin = Shown(r.origin);
    let seen = if count == 1 {
        String::from("first time")
    } else {
        format!("{count} times")
    };
    at_level!(
        level,
        handler = r.handler,
        route = r.pattern,
        method = r.method,
        path = r.path,
        request = r.kind,
        origin = %origin,
        reason = %r.reason,
        seen = count,
        action = r.action,
        "CORS {} refused for {origin} ({seen}) by `{}` ({}): {}. {}. Fix: {}",
        r.kind,
        r.handler,
        r.pattern,
        r.reason,
        r.action,
        r.fix
    );
}

#[cold]
fn emit_dropped(level: Level, dropped: u64, max: u32) {
    at_level!(
        level,
        not_logged = dropped,
        "{dropped} more CORS refusals not logged (at most {max} lines a second)"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused<'a>(origin: &'a [u8]) -> Refused<'a> {
        Refused {
            handler: "items",
            pattern: "/items",
            kind: "request",
            origin,
            reason: &"origin not allowed",
            fix: &"add it",
            action: "blocked",
            method: "GET",
            path: "/items",
        }
    }

    #[test]
    fn counts_each_distinct_refusal() {
        let ledger = Ledger::new(RefusalLog::new());
        for _ in 0..5 {
            ledger.note(&refused(b"https://a.example"));
        }
        ledger.note(&refused(b"https://b.example"));
        assert_eq!(ledger.held().0, 2);
    }

    #[test]
    fn a_flood_of_origins_holds_a_bounded_table() {
        let ledger = Ledger::new(RefusalLog::new().distinct(256).lines_per_second(3));
        for i in 0..20_000u32 {
            ledger.note(&refused(format!("https://{i}.example").as_bytes()));
        }
        let (entries, bytes) = ledger.held();
        assert!(entries <= 256 + 256 / 8, "{entries} entries");
        assert!(bytes < 64 * 1024, "{bytes} bytes");
        // The budget: 3 lines in this second (maybe 6 if the second turned), the rest dropped.
        let budget = ledger.budget.lock().unwrap();
        assert!(budget.lines <= 3);
        assert!(budget.dropped >= 20_000 - 6, "{}", budget.dropped);
    }

    /// The memory the default table holds after a flood of 100,000 random origins (printed,
    /// for the docs), bounded whatever the flood.
    #[test]
    fn the_default_table_after_a_flood() {
        let ledger = Ledger::new(RefusalLog::new().lines_per_second(1));
        let mut most = 0;
        for i in 0..100_000u32 {
            ledger.note(&refused(format!("https://{i:x}.flood.example").as_bytes()));
            if i % 1000 == 0 {
                most = most.max(ledger.held().1);
            }
        }
        let (entries, bytes) = ledger.held();
        println!(
            "after 100,000 random origins: {entries} entries, {bytes} bytes (most seen {most})"
        );
        assert!(
            entries <= 4096 + 512 && bytes.max(most) < 512 * 1024,
            "{entries} {bytes}"
        );
    }

    /// The fast path (a worker's memory of its last refusals) against the general path (the
    /// table alone, a fresh memory for every refusal): the same lines at the same counts, for
    /// refusals from a few declarations, reasons and origins, seen by two workers whose
    /// declarations' texts are at different addresses (each worker has its own door).
    #[test]
    fn remembered_refusals_are_counted_as_the_table_counts_them() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        // Equal texts, at other addresses for each worker.
        let texts = || -> Vec<(String, String)> {
            (0..3)
                .map(|d| (format!("handler{d}"), format!("/route{d}")))
                .collect()
        };
        let workers = [texts(), texts()];
        const SUMMARIES: [&str; 2] = ["origin not allowed", "method not allowed"];
        const ORIGINS: [&[u8]; 4] = [
            b"https://a.example",
            b"https://b.example",
            b"https://bb.example",
            b"",
        ];
        let step = (0..2usize, 0..3usize, 0..2usize, 0..4usize);
        let mut runner = TestRunner::new(Config {
            cases: 256,
            ..Config::default()
        });
        runner
            .run(&proptest::collection::vec(step, 1..400), |steps| {
                let fast = Ledger::new(RefusalLog::new().lines_per_second(u32::MAX));
                let general = Ledger::new(RefusalLog::new().lines_per_second(u32::MAX));
                let recent = [Recent::default(), Recent::default()];
                for (worker, declaration, summary, origin) in steps {
                    let (handler, pattern) = &workers[worker][declaration];
                    let distinct = Distinct {
                        handler,
                        pattern,
                        summary: SUMMARIES[summary],
                        origin: ORIGINS[origin],
                    };
                    let counted = |line: Option<Line>| line.map(|line| line.count);
                    prop_assert_eq!(
                        counted(fast.count(&recent[worker], &distinct)),
                        counted(general.count(&Recent::default(), &distinct))
                    );
                }
                // The memories were used.
                prop_assert!(recent
                    .iter()
                    .any(|r| r.slots.borrow().iter().any(Option::is_some)));
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn long_origins_are_cut_and_escaped() {
        let long = vec![b'a'; 500];
        let shown = Shown(&long).to_string();
        assert!(
            shown.len() < 150 && shown.ends_with("(500 bytes)"),
            "{shown}"
        );
        assert_eq!(Shown(b"https://x\x01").to_string(), "https://x\\x01");
    }
}
