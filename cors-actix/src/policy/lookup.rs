//! Dynamic origins looked up in a store (a database, a service), cached.

use std::fmt;
use std::future::Future;
use std::hash::BuildHasher;
use std::net::IpAddr;
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

/// How many budgets of lookups per client there are: clients are spread over them by a hash of
/// their IP address, so that the memory they take is fixed whatever the number of clients.
const CLIENT_BUDGETS: usize = 1024;

/// How soon a stale answer whose refresh found no budget asks again.
const REFRESH_RETRY: Duration = Duration::from_secs(1);

/// A verdict in the cache: the answer, until when it is fresh, and until when an allowed answer
/// may still be served while it is refreshed (stale-while-revalidate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Verdict {
    allowed: bool,
    fresh_until: Instant,
    serve_until: Instant,
}

impl Verdict {
    /// A fresh answer from the store, at `now`.
    fn answered(allowed: bool, now: Instant, settings: &LookupSettings) -> Verdict {
        let (ttl, stale) = if allowed {
            (settings.allowed_ttl, settings.stale_ttl)
        } else {
            (settings.refused_ttl, Duration::ZERO)
        };
        Verdict {
            allowed,
            fresh_until: now + ttl,
            serve_until: now + ttl + stale,
        }
    }

    /// A failure remembered as a refusal.
    fn failed(now: Instant, settings: &LookupSettings) -> Verdict {
        Verdict {
            allowed: false,
            fresh_until: now + settings.failure_ttl,
            serve_until: now + settings.failure_ttl,
        }
    }

    /// The answer, if it is still fresh at `now`.
    fn at(self, now: Instant) -> Option<bool> {
        (now < self.fresh_until).then_some(self.allowed)
    }

    /// Whether it is an allowed answer past its freshness that may still be served at `now`.
    fn stale_at(self, now: Instant) -> bool {
        self.allowed && now >= self.fresh_until && now < self.serve_until
    }

    /// The same stale answer, not to be refreshed again before `until`.
    fn held_until(self, until: Instant) -> Verdict {
        Verdict {
            fresh_until: until.min(self.serve_until),
            ..self
        }
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
///   lookups of new origins start per second (default 100, bursts of as many), and at most
///   [`max_lookups_per_second_per_client`](OriginLookupBuilder::max_lookups_per_second_per_client)
///   of them for one client (default a tenth of it; clients are told apart by IP address, in
///   1,024 budgets of fixed size); beyond either, uncached origins are refused without a lookup
///   (logged, not cached). So a flood of random origins can neither grow memory past the
///   cache's bound nor hammer the store, and a flood from one client leaves the budget of the
///   others untouched: another client's new tenant is looked up at once.
/// - **Known tenants are never locked out (stale-while-revalidate).** An allowed answer past its
///   `allowed_ttl` keeps being served, for at most [`stale_ttl`](OriginLookupBuilder::stale_ttl)
///   more (default 5 minutes), while one request refreshes it in the background, under a
///   budget of its own (as many refreshes per second as `max_lookups_per_second`), so no flood
///   of new origins can delay it. The refresh's answer replaces the entry (a removed tenant is
///   refused from then on); if the store fails, the allowed answer is served until `stale_ttl`
///   runs out. Refused and failed answers are never served stale.
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
    /// Lookups of origins that are not cached.
    limiter: DefaultDirectRateLimiter,
    /// The same, per client (by a hash of its IP address).
    clients: Box<[DefaultDirectRateLimiter]>,
    /// Refreshes of stale allowed answers.
    refreshes: DefaultDirectRateLimiter,
    settings: LookupSettings,
    lookups: AtomicU64,
    failures: AtomicU64,
    throttled: AtomicU64,
    served_stale: AtomicU64,
}

/// Why the store gave no answer.
enum Failure {
    /// The lookup function's error.
    Error(String),
    /// No answer within the timeout.
    Timeout(Duration),
}

impl Failure {
    /// What happened, for a log message: `failed`, `timed out after 2s`.
    fn what(&self) -> String {
        match self {
            Failure::Error(_) => "failed".to_owned(),
            Failure::Timeout(timeout) => format!("timed out after {timeout:?}"),
        }
    }

    /// The store's words, if it said any (`: connection refused`).
    fn detail(&self) -> String {
        match self {
            Failure::Error(error) => format!(": {error}"),
            Failure::Timeout(_) => String::new(),
        }
    }
}

impl Inner {
    /// Asks the store about `origin` (a lookup, counted; a failure or timeout, counted).
    async fn ask(&self, origin: &str) -> Result<bool, Failure> {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let timeout = self.settings.timeout;
        let failure = match tokio::time::timeout(timeout, (self.lookup)(origin.to_owned())).await {
            Ok(Ok(allowed)) => return Ok(allowed),
            Ok(Err(error)) => Failure::Error(error),
            Err(_) => Failure::Timeout(timeout),
        };
        self.failures.fetch_add(1, Ordering::Relaxed);
        Err(failure)
    }

    /// Whether a lookup of a new origin for `client` may start now: within the client's budget
    /// and the shared one.
    fn admit(&self, client: Option<IpAddr>) -> bool {
        if let Some(ip) = client {
            // A fixed hasher: which budget a client has must not change between requests.
            let hash = foldhash::fast::FixedState::with_seed(0x636f_7273).hash_one(ip);
            let budget = &self.clients[(hash % CLIENT_BUDGETS as u64) as usize];
            if budget.check().is_err() {
                return false;
            }
        }
        self.limiter.check().is_ok()
    }
}

#[derive(Clone, Copy, Debug)]
struct LookupSettings {
    max_entries: usize,
    allowed_ttl: Duration,
    refused_ttl: Duration,
    failure_ttl: Duration,
    timeout: Duration,
    stale_ttl: Duration,
    per_second: NonZeroU32,
    /// `None`: a tenth of `per_second`.
    per_client: Option<NonZeroU32>,
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
    /// Uncached origins refused without a lookup: over `max_lookups_per_second` or the
    /// client's share of it.
    pub throttled: u64,
    /// Requests allowed from a stale answer while it was refreshed.
    pub served_stale: u64,
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
                stale_ttl: Duration::from_secs(300),
                per_second: NonZeroU32::new(100).unwrap_or(NonZeroU32::MIN),
                per_client: None,
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
            served_stale: self.inner.served_stale.load(Ordering::Relaxed),
        }
    }

    /// The cached answer for `origin`, if there is one that still holds: fresh, or allowed and
    /// stale within `stale_ttl` (then a refresh starts in the background, once). Allocates only
    /// to start a refresh.
    #[inline]
    pub(crate) fn cached(&self, origin: &[u8]) -> Option<bool> {
        let verdict = self.inner.cache.get(origin)?;
        let now = Instant::now();
        if let Some(allowed) = verdict.at(now) {
            return Some(allowed);
        }
        if verdict.stale_at(now) {
            self.inner.served_stale.fetch_add(1, Ordering::Relaxed);
            self.refresh(origin, verdict, now);
            return Some(true);
        }
        None
    }

    /// Starts refreshing a stale allowed answer, unless the refresh budget is spent (then the
    /// stale answer is held for [`REFRESH_RETRY`] and asked again after it). The entry is held
    /// fresh while the refresh runs, so the requests that follow neither wait nor start another.
    #[cold]
    fn refresh(&self, origin: &[u8], stale: Verdict, now: Instant) {
        let inner = &*self.inner;
        if inner.refreshes.check().is_err() {
            inner
                .cache
                .insert(origin.to_vec(), stale.held_until(now + REFRESH_RETRY));
            return;
        }
        let hold = stale.held_until(now + inner.settings.timeout + REFRESH_RETRY);
        inner.cache.insert(origin.to_vec(), hold);
        let Ok(origin) = String::from_utf8(origin.to_vec()) else {
            return; // Never: a cached origin was a valid (ASCII) origin.
        };
        let this = self.clone();
        // Requests are served by actix-web's workers, each a Tokio `LocalSet`: the lookup's
        // future need not be `Send`.
        actix_web::rt::spawn(async move { this.revalidate(origin, hold).await });
    }

    /// The refresh of a stale allowed answer: the store's answer replaces it (a removed tenant
    /// is refused from now on); a failure keeps serving it until its `stale_ttl` runs out.
    async fn revalidate(self, origin: String, hold: Verdict) {
        let inner = &*self.inner;
        let settings = inner.settings;
        let answer = inner.ask(&origin).await;
        let now = Instant::now();
        let verdict = match answer {
            Ok(allowed) => Verdict::answered(allowed, now, &settings),
            Err(failure) => {
                tracing::warn!(
                    target: "cors",
                    origin = %origin,
                    "refresh of a dynamic origin {}, its allowed answer is served until its stale_ttl runs out{}",
                    failure.what(),
                    failure.detail()
                );
                hold.held_until(now + settings.failure_ttl)
            }
        };
        // Not cached if `forget` or `forget_all` dropped the entry while the refresh ran (the
        // next request asks again), or if another answer replaced it.
        if inner.cache.get(origin.as_bytes()) == Some(hold) {
            inner.cache.insert(origin.into_bytes(), verdict);
        }
    }

    /// The answer for `origin`: from the cache, from a lookup in flight, or from a new lookup
    /// (within the shared budget and `client`'s). Every failure is a refusal (fail closed).
    pub(crate) async fn resolve(self, origin: String, client: Option<IpAddr>) -> bool {
        let inner = &*self.inner;
        let now = Instant::now();
        let entry =
            inner
                .cache
                .entry_async(origin.as_bytes(), |_, verdict| match verdict.at(now) {
                    Some(allowed) => EntryAction::Retain(allowed),
                    None if verdict.stale_at(now) => EntryAction::Retain(true),
                    None => EntryAction::ReplaceWithGuard,
                });
        let guard = match entry.await {
            EntryResult::Retained(allowed) => return allowed,
            EntryResult::Vacant(guard) | EntryResult::Replaced(guard, _) => guard,
            // Not returned by `entry_async`; removal is never asked for.
            EntryResult::Removed(..) | EntryResult::Timeout => return false,
        };
        if !inner.admit(client) {
            let throttled = inner.throttled.fetch_add(1, Ordering::Relaxed) + 1;
            // Logged at the 1st, 2nd, 4th, 8th... such refusal: a flood cannot flood the log.
            if throttled.is_power_of_two() {
                tracing::warn!(
                    target: "cors",
                    origin = %origin,
                    throttled,
                    "dynamic origin refused without a lookup: over max_lookups_per_second or the client's share of it ({throttled} so far)"
                );
            }
            // Not cached: the origin is looked up once the budget allows.
            drop(guard);
            return false;
        }
        let settings = inner.settings;
        let answer = inner.ask(&origin).await;
        let now = Instant::now();
        let verdict = match answer {
            Ok(allowed) => Verdict::answered(allowed, now, &settings),
            Err(failure) => {
                tracing::warn!(
                    target: "cors",
                    origin = %origin,
                    "dynamic origin lookup {}, request refused{}",
                    failure.what(),
                    failure.detail()
                );
                Verdict::failed(now, &settings)
            }
        };
        // Refused (and not cached) if `forget` or `forget_all` dropped the placeholder while the
        // lookup ran: this request keeps its answer, the next one asks again.
        let _ = guard.insert(verdict);
        verdict.allowed
    }
}

impl OriginLookupBuilder {
    /// How many origins the cache holds at most (default 10,000; at least 1).
    pub fn max_entries(mut self, entries: usize) -> Self {
        self.settings.max_entries = entries.max(1);
        self
    }

    /// How long an allowed origin stays fresh in the cache (default 60 s). A removed origin can
    /// still be allowed that long, unless you [`forget`](OriginLookup::forget) it, plus the
    /// requests served while its refresh asks the store (see [`stale_ttl`](Self::stale_ttl)).
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

    /// How many lookups of new origins may start per second, in bursts of as many (default
    /// 100; at least 1). Refreshes of stale answers have a budget of their own, as large.
    pub fn max_lookups_per_second(mut self, per_second: u32) -> Self {
        self.settings.per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        self
    }

    /// How many of those lookups one client may start per second, in bursts of as many
    /// (default a tenth of `max_lookups_per_second`, at least 1). Clients are told apart by the
    /// IP address of the connection (behind a reverse proxy, that is the proxy: set this to
    /// `max_lookups_per_second` there), spread over 1,024 budgets by a hash of it.
    ///
    /// ```
    /// use cors_actix::OriginLookup;
    ///
    /// let tenants = OriginLookup::builder(|origin: String| async move {
    ///     Ok::<_, std::io::Error>(origin.ends_with(".tenants.example"))
    /// })
    /// .max_lookups_per_second(200)
    /// .max_lookups_per_second_per_client(20)
    /// .build();
    /// # let _ = tenants;
    /// ```
    pub fn max_lookups_per_second_per_client(mut self, per_second: u32) -> Self {
        self.settings.per_client = Some(NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN));
        self
    }

    /// How long past its `allowed_ttl` an allowed answer may still be served while it is
    /// refreshed (default 5 minutes; `Duration::ZERO`: never served stale). It bounds how long
    /// a removed origin can stay allowed when the store cannot answer: `allowed_ttl +
    /// stale_ttl`. When the store answers, a removed origin is refused from the refresh on.
    pub fn stale_ttl(mut self, stale: Duration) -> Self {
        self.settings.stale_ttl = stale;
        self
    }

    /// The lookup, ready to give to [`Cors::dynamic_policy`](crate::Cors::dynamic_policy).
    pub fn build(self) -> OriginLookup {
        let settings = self.settings;
        let per_client = settings.per_client.unwrap_or_else(|| {
            NonZeroU32::new(settings.per_second.get() / 10).unwrap_or(NonZeroU32::MIN)
        });
        let per_client = per_client.min(settings.per_second);
        OriginLookup {
            inner: Arc::new(Inner {
                lookup: self.lookup,
                cache: Cache::new(settings.max_entries),
                limiter: RateLimiter::direct(Quota::per_second(settings.per_second)),
                clients: (0..CLIENT_BUDGETS)
                    .map(|_| RateLimiter::direct(Quota::per_second(per_client)))
                    .collect(),
                refreshes: RateLimiter::direct(Quota::per_second(settings.per_second)),
                settings,
                lookups: AtomicU64::new(0),
                failures: AtomicU64::new(0),
                throttled: AtomicU64::new(0),
                served_stale: AtomicU64::new(0),
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
