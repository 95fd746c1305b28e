//! How refusals are logged for operators: the `RefusalLog` option of `Cors`.

use tracing::Level;

/// How the door logs refusals for operators (target `cors`): once per distinct (route, reason,
/// origin), at warn by default, so that a browser refused in production shows up in the logs
/// at the usual level without letting a client flood them.
///
/// - The first refusal of each distinct (declaration, reason, origin) is logged, with the
///   route's pattern and handler, the origin, the reason and what to change; repeats are
///   logged at their 2nd, 4th, 8th ... occurrence, with their count.
/// - What it remembers is a fixed-size table ([`distinct`](RefusalLog::distinct) entries):
///   entries seen only once are forgotten first, so a flood of random origins evicts its own
///   entries, not a refusal that keeps coming back. A forgotten refusal that comes back is
///   logged again as a first one. Each worker also remembers the last few refusals it counted
///   (a client retrying is counted without a lookup).
/// - At most [`lines_per_second`](RefusalLog::lines_per_second) lines are written a second;
///   the refusals past that are counted, and the next refusal after that second writes one
///   line saying how many were not logged.
///
/// - One table and one budget per process for each setting: the workers of a server, each
///   building its own `Cors` in `HttpServer::new(|| ..)`, share them.
///
/// Every refusal is still an event at debug level, as before, for debugging one request.
///
/// ```
/// use cors_actix::{Cors, RefusalLog};
/// use tracing::Level;
///
/// // The default: warn, 20 lines a second, 4,096 distinct refusals remembered.
/// let cors = Cors::new().refusal_log(RefusalLog::new());
/// // Quieter: info, 5 lines a second.
/// let cors = Cors::new().refusal_log(RefusalLog::new().level(Level::INFO).lines_per_second(5));
/// // Off (refusals are then only debug events).
/// let cors = Cors::new().refusal_log(RefusalLog::off());
/// # let _ = cors;
/// ```
///
#[doc = include_str!("../docs/operations.md")]
///
#[doc = include_str!("../docs/links.md")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefusalLog {
    level: Option<Level>,
    lines_per_second: u32,
    distinct: usize,
}

impl Default for RefusalLog {
    fn default() -> RefusalLog {
        RefusalLog::new()
    }
}

impl RefusalLog {
    /// Refusals logged at warn, at most 20 lines a second, 4,096 distinct refusals remembered.
    pub const fn new() -> RefusalLog {
        RefusalLog {
            level: Some(Level::WARN),
            lines_per_second: 20,
            distinct: 4096,
        }
    }

    /// No refusal logged for operators (each is still a debug event).
    ///
    /// ```
    /// use cors_actix::RefusalLog;
    ///
    /// assert_eq!(RefusalLog::off().level_of(), None);
    /// ```
    pub const fn off() -> RefusalLog {
        RefusalLog {
            level: None,
            ..RefusalLog::new()
        }
    }

    /// The level of the lines (warn by default).
    ///
    /// ```
    /// use cors_actix::RefusalLog;
    /// use tracing::Level;
    ///
    /// assert_eq!(RefusalLog::new().level(Level::ERROR).level_of(), Some(Level::ERROR));
    /// ```
    pub const fn level(mut self, level: Level) -> RefusalLog {
        self.level = Some(level);
        self
    }

    /// At most this many lines a second (20 by default; at least 1).
    ///
    /// ```
    /// use cors_actix::RefusalLog;
    ///
    /// let log = RefusalLog::new().lines_per_second(5);
    /// # let _ = log;
    /// ```
    pub const fn lines_per_second(mut self, lines: u32) -> RefusalLog {
        self.lines_per_second = if lines == 0 { 1 } else { lines };
        self
    }

    /// How many distinct (route, reason, origin) refusals are remembered (4,096 by default; at
    /// least 16): about 110 bytes each with its count, 448 KiB for the default.
    ///
    /// ```
    /// use cors_actix::RefusalLog;
    ///
    /// let log = RefusalLog::new().distinct(65_536);
    /// # let _ = log;
    /// ```
    pub const fn distinct(mut self, entries: usize) -> RefusalLog {
        self.distinct = if entries < 16 { 16 } else { entries };
        self
    }

    /// The level lines are written at, `None` when off.
    ///
    /// ```
    /// use cors_actix::RefusalLog;
    /// use tracing::Level;
    ///
    /// assert_eq!(RefusalLog::new().level_of(), Some(Level::WARN));
    /// ```
    pub const fn level_of(&self) -> Option<Level> {
        self.level
    }

    pub(crate) const fn max_lines_per_second(&self) -> u32 {
        self.lines_per_second
    }

    pub(crate) const fn capacity(&self) -> usize {
        self.distinct
    }
}
