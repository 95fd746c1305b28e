//! Dynamic origins looked up in a store (a database, a service), cached.

use std::fmt;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use quick_cache::sync::{Cache, EntryAction, EntryResult};

/// What the lookup function returns: whether the origin is allowed, or why it could not say.
type LookupFuture = Pin<Box<dyn Future<Output = Result<bool, String>>>>;
type LookupFn = dyn Fn(String) -> LookupFuture + Send + Sync;

/// A verdict in the cache: the answer, and until when it holds.
#[derive(Clone, Copy, Debug)]
struct Verdict {
    allowed: bool,
    until: Instant,
}

impl Verdict {
    /// The answer, if it still holds at `now`.
    fn at(self, now: Instant) -> Option<bool> {
        (now < self.until).then_some(self.allowed)
    }
}

/// Origins looked up per request in a store (a tenants table, an API), through a bounded cache.
/// Give it to [`Cors::dynamic_policy`](crate::Cors::dynamic_policy); keep a clone to
/// [`forget`](OriginLookup::forget) origins when the store changes.
///
/// The lookup function gets the request's origin, already parsed, validated and admitted by the
/// policy's rules (never `null`, never a malformed value, never plain `http` with credentials
/// unless the policy allows insecure origins), serialized: `https://acme.example`. It returns
/// whether the origin is allowed, or an error.
///
/// - **Cache.** Answers are cached per origin, allowed ones for [`allowed_ttl`](OriginLookupBuilder::allowed_ttl)
///   (default 60 s), refused ones for [`refused_ttl`](OriginLookupBuilder::refused_ttl) (default 10 s),
///   at most [`max_entries`](OriginLookupBuilder::max_entries) origins (default 10,000): at most
///   that many times 600 bytes (an origin is at most 512 bytes). A cached answer decides without
///   allocating.
/// - **One lookup per origin in flight.** Requests for an origin being looked up wait for that
///   lookup's answer.
/// - **Failures fail closed.** An error or a lookup slower than [`timeout`](OriginLookupBuilder::timeout)
///   (default 2 s) refuses the request, is logged (`warn`, target `cors`) and is remembered for
///   [`failure_ttl`](OriginLookupBuilder::failure_ttl) (default 1 s), so that a store that is
///   down is asked at most once a second per origin.
/// - **Bounded load on the store.** At most [`max_lookups_per_second`](OriginLookupBuilder::max_lookups_per_second)
///   lookups start per second (default 100, bursts of as many); beyond it, uncached origins are
///   refused without a lookup (logged, not cached): a flood of random origins can neither grow
///   memory past the cache's bound nor hammer the store.
///
/// ```
/// use cors_actix::{Cors, OriginLookup, Policy};
/// use std::time::Duration;
///
/// // A stand-in for a database query.
/// async fn tenant_exists(origin: &str) -> Result<bool, std::io::Error> {
///     Ok(origin.ends_with(".tenants.example"))
/// }
///
/// let tenants = OriginLookup::builder(|origin: String| async move { tenant_exists(&origin).await })
///     .allowed_ttl(Duration::from_secs(300))
///     .max_lookups_per_second(50)
///     .build();
/// let policy = Policy::builder()
///     .allow_credentials()
///     .allow_headers(["Authorization"])
///     .allow_dynamic_origins()
///     .build()?;
/// let cors = Cors::new().dynamic_policy("tenants", policy, tenants.clone());
///
/// // When a tenant changes its domain:
/// tenants.forget("https://old.tenants.example");
/// # let _ = cors;
/// # Ok::<(), cors_actix::PolicyError>(())
/// ```
#[derive(Clone)]
pub struct OriginLookup {
    inner: Arc<Inner>,
}

struct Inner {
    lookup: Box<LookupFn>,
    cache: Cache<Vec<u8>, Verdict>,
    limiter: DefaultDirectRateLimiter,
    settings: LookupSettings,
    lookups: AtomicU64,
    failures: AtomicU64,
    throttled: AtomicU64,
}

#[derive(Clone, Copy, Debug)]
struct LookupSettings {
    max_entries: usize,
    allowed_ttl: Duration,
    refused_ttl: Duration,
    failure_ttl: Duration,
    timeout: Duration,
    per_second: NonZeroU32,
}

/// Configures an [`OriginLookup`]; made by [`OriginLookup::builder`].
pub struct OriginLookupBuilder {
    lookup: Box<LookupFn>,
    settings: LookupSettings,
}

/// Counters of an [`OriginLookup`], for metrics and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LookupStats {
    /// Origins in the cache now (at most `max_entries`).
    pub cached: usize,
    /// Lookups started (calls of the lookup function).
    pub lookups: u64,
    /// Lookups that failed or timed out.
    pub failures: u64,
    /// Uncached origins refused without a lookup: over `max_lookups_per_second`.
    pub throttled: u64,
}

impl OriginLookup {
    /// A lookup calling `lookup` for origins that are not cached.
    pub fn builder<F, Fut, E>(lookup: F) -> OriginLookupBuilder
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<bool, E>> + 'static,
        E: fmt::Display + 'static,
    {
        let lookup: Box<LookupFn> = Box::new(move |origin| {
            let answer = lookup(origin);
            Box::pin(async move { answer.await.map_err(|e| e.to_string()) })
        });
        OriginLookupBuilder {
            lookup,
            settings: LookupSettings {
                max_entries: 10_000,
                allowed_ttl: Duration::from_secs(60),
                refused_ttl: Duration::from_secs(10),
                failure_ttl: Duration::from_secs(1),
                timeout: Duration::from_secs(2),
                per_second: NonZeroU32::new(100).unwrap_or(NonZeroU32::MIN),
            },
        }
    }

    /// Drops the cached answer for `origin` (as the browser sends it): the next request from it
    /// is looked up again. Call it when the store changes. A lookup in flight when it is called
    /// answers its request but is not cached.
    pub fn forget(&self, origin: &str) {
        // Removing the key also drops a lookup in flight's placeholder: its answer is not cached.
        self.inner.cache.remove(origin.as_bytes());
    }

    /// Drops every cached answer. Lookups in flight answer their requests but are not cached.
    pub fn forget_all(&self) {
        // Clearing also drops the placeholders of lookups in flight: their answers are not cached.
        self.inner.cache.clear();
    }

    /// The counters.
    pub fn stats(&self) -> LookupStats {
        LookupStats {
            cached: self.inner.cache.len(),
            lookups: self.inner.lookups.load(Ordering::Relaxed),
            failures: self.inner.failures.load(Ordering::Relaxed),
            throttled: self.inner.throttled.load(Ordering::Relaxed),
        }
    }

    /// The cached answer for `origin`, if there is one that still holds. Never allocates.
    #[inline]
    pub(crate) fn cached(&self, origin: &[u8]) -> Option<bool> {
        self.inner
            .cache
            .get(origin)
            .and_then(|v| v.at(Instant::now()))
    }

    /// The answer for `origin`: from the cache, from a lookup in flight, or from a new lookup.
    /// Every failure is a refusal (fail closed).
    pub(crate) async fn resolve(self, origin: String) -> bool {
        let inner = &*self.inner;
        let now = Instant::now();
        let entry =
            inner
                .cache
                .entry_async(origin.as_bytes(), |_, verdict| match verdict.at(now) {
                    Some(allowed) => EntryAction::Retain(allowed),
                    None => EntryAction::ReplaceWithGuard,
                });
        let guard = match entry.await {
            EntryResult::Retained(allowed) => return allowed,
            EntryResult::Vacant(guard) | EntryResult::Replaced(guard, _) => guard,
            // Not returned by `entry_async`; removal is never asked for.
            EntryResult::Removed(..) | EntryResult::Timeout => return false,
        };
        if inner.limiter.check().is_err() {
            let throttled = inner.throttled.fetch_add(1, Ordering::Relaxed) + 1;
            // Logged at the 1st, 2nd, 4th, 8th... such refusal: a flood cannot flood the log.
            if throttled.is_power_of_two() {
                tracing::warn!(
                    target: "cors",
                    origin = %origin,
                    throttled,
                    "dynamic origin refused without a lookup: over max_lookups_per_second ({throttled} so far)"
                );
            }
            // Not cached: the origin is looked up once the budget allows.
            drop(guard);
            return false;
        }
        inner.lookups.fetch_add(1, Ordering::Relaxed);
        let settings = inner.settings;
        let answer = tokio::time::timeout(settings.timeout, (inner.lookup)(origin.clone())).await;
        let (allowed, ttl) = match answer {
            Ok(Ok(true)) => (true, settings.allowed_ttl),
            Ok(Ok(false)) => (false, settings.refused_ttl),
            Ok(Err(error)) => {
                inner.failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    target: "cors",
                    origin = %origin,
                    "dynamic origin lookup failed, request refused: {error}"
                );
                (false, settings.failure_ttl)
            }
            Err(_) => {
                inner.failures.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    target: "cors",
                    origin = %origin,
                    "dynamic origin lookup timed out after {:?}, request refused",
                    settings.timeout
                );
                (false, settings.failure_ttl)
            }
        };
        // Refused (and not cached) if `forget` or `forget_all` dropped the placeholder while the
        // lookup ran: this request keeps its answer, the next one asks again.
        let _ = guard.insert(Verdict {
            allowed,
            until: Instant::now() + ttl,
        });
        allowed
    }
}

impl OriginLookupBuilder {
    /// How many origins the cache holds at most (default 10,000; at least 1).
    pub fn max_entries(mut self, entries: usize) -> Self {
        self.settings.max_entries = entries.max(1);
        self
    }

    /// How long an allowed origin stays cached (default 60 s): the longest a removed origin can
    /// still be allowed, unless you [`forget`](OriginLookup::forget) it.
    pub fn allowed_ttl(mut self, ttl: Duration) -> Self {
        self.settings.allowed_ttl = ttl;
        self
    }

    /// How long a refused origin stays cached (default 10 s): the longest a newly added origin
    /// can still be refused, unless you [`forget`](OriginLookup::forget) it.
    pub fn refused_ttl(mut self, ttl: Duration) -> Self {
        self.settings.refused_ttl = ttl;
        self
    }

    /// How long a failed or timed-out lookup is remembered as a refusal (default 1 s).
    pub fn failure_ttl(mut self, ttl: Duration) -> Self {
        self.settings.failure_ttl = ttl;
        self
    }

    /// How long a lookup may take before the request is refused (default 2 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// How many lookups may start per second, in bursts of as many (default 100; at least 1).
    pub fn max_lookups_per_second(mut self, per_second: u32) -> Self {
        self.settings.per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        self
    }

    /// The lookup, ready to give to [`Cors::dynamic_policy`](crate::Cors::dynamic_policy).
    pub fn build(self) -> OriginLookup {
        let settings = self.settings;
        OriginLookup {
            inner: Arc::new(Inner {
                lookup: self.lookup,
                cache: Cache::new(settings.max_entries),
                limiter: RateLimiter::direct(Quota::per_second(settings.per_second)),
                settings,
                lookups: AtomicU64::new(0),
                failures: AtomicU64::new(0),
                throttled: AtomicU64::new(0),
            }),
        }
    }
}

impl fmt::Debug for OriginLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginLookup")
            .field("settings", &self.inner.settings)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for OriginLookupBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginLookupBuilder")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}
