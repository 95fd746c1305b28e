//! Dynamic origins looked up in a store (a database, a service), cached: the cache and its
//! answers ([`verdict`]), the budget of lookups and its line of waiting requests ([`budget`]),
//! and who a request comes from ([`client`]).

mod budget;
pub(crate) mod client;
mod verdict;

use std::fmt;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::RequestHead;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use quick_cache::sync::{Cache, EntryAction, EntryResult};

use self::budget::{Budget, NoBudget};
use self::client::TrustedProxies;
use self::verdict::Verdict;

/// What the lookup function returns: whether the origin is allowed, or why it could not say.
type LookupFuture = Pin<Box<dyn Future<Output = Result<bool, String>>>>;
type LookupFn = dyn Fn(String) -> LookupFuture + Send + Sync;

/// How many budgets of lookups per client there are, when a per-client cap is set: clients are
/// spread over them by a hash of who they are, so that the memory they take is fixed whatever
/// the number of clients.
const CLIENT_BUDGETS: usize = 1024;

/// How soon a stale answer whose refresh found no budget asks again.
const REFRESH_RETRY: Duration = Duration::from_secs(1);

/// At most this many requests wait for the budget by default, whatever it is.
const MAX_WAITING: usize = 10_000;

/// Origins looked up per request in a store (a tenants table, an API), through a bounded cache:
/// for stores too large to hold in memory (for up to a few million origins, an
/// [`OriginSet`](crate::OriginSet) loaded and kept current by `cors-actix-store` decides from
/// memory and never asks the store on the request path). Give it to
/// [`Cors::dynamic_policy`](crate::Cors::dynamic_policy); keep a clone to tell it when the store
/// changes ([`mark_all_stale`](OriginLookup::mark_all_stale), [`forget`](OriginLookup::forget)).
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
/// - **Bounded load on the store; over it, requests wait their turn.** At most
///   [`max_lookups_per_second`](OriginLookupBuilder::max_lookups_per_second) lookups of new
///   origins start per second (default 100, bursts of as many). A request over it waits for the
///   budget, up to `timeout`, in a line that serves clients in turn, one request each: a client
///   sending many new origins (a flood, or every tenant behind one proxy) has the whole budget
///   while no one else waits, and one share of it as soon as others do. At most
///   [`max_waiting`](OriginLookupBuilder::max_waiting) requests wait (default: as many as the
///   budget serves within `timeout`, 200); when the line is full, the client with the most
///   requests in it gives up its last one (refused without a lookup, logged, not cached). So a
///   flood of random origins can neither grow memory past the cache's and the line's bounds nor
///   hammer the store, and it delays another client's new tenant by one turn.
/// - **Who a client is.** The peer's address; behind reverse proxies or load balancers, declare
///   them with [`trusted_proxies`](OriginLookupBuilder::trusted_proxies) so that the client
///   their `X-Forwarded-For` (or `Forwarded`) names takes turns, not the proxy. Without it every
///   client behind the proxy is one, which shares the whole budget: never less.
/// - **Known tenants are never locked out (stale-while-revalidate).** An allowed answer past its
///   `allowed_ttl`, or marked stale by a change signal, keeps being served, for at most
///   [`stale_ttl`](OriginLookupBuilder::stale_ttl) more (default 5 minutes), while one request
///   refreshes it in the background, under a budget of its own (as many refreshes per second
///   as `max_lookups_per_second`), so no flood of new origins can delay it. The refresh's answer
///   replaces the entry (a removed tenant is refused from then on); if the store fails, the
///   allowed answer is served until `stale_ttl` runs out. Refused and failed answers are never
///   served stale.
/// - **Changes.** [`mark_all_stale`](OriginLookup::mark_all_stale) when something changed in
///   the store (another instance's change, a revision that moved): every allowed answer is
///   refreshed at its next request while it keeps serving, every refused one is asked again.
///   [`forget`](OriginLookup::forget) an origin you know changed: its next request asks.
///
/// ```
/// use cors_actix::{Cors, OriginLookup, Policy, TrustedProxies};
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
///     // Behind the load balancers of this network.
///     .trusted_proxies(TrustedProxies::new(["10.0.0.0/8"])?)
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
/// // When another instance changed the store, and what is not known:
/// tenants.mark_all_stale();
/// # let _ = cors;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct OriginLookup {
    inner: Arc<Inner>,
}

struct Inner {
    lookup: Box<LookupFn>,
    cache: Cache<Vec<u8>, Verdict>,
    /// Lookups of origins that are not cached, and the requests waiting for them.
    budget: Budget,
    /// A cap per client (by a hash of who it is), if one was set.
    clients: Option<Box<[DefaultDirectRateLimiter]>>,
    /// Requests waiting for their client's cap now (at most `max_waiting`).
    capped: std::sync::atomic::AtomicUsize,
    /// Refreshes of stale allowed answers.
    refreshes: DefaultDirectRateLimiter,
    settings: LookupSettings,
    proxies: TrustedProxies,
    /// Answers given in an earlier generation are stale ([`OriginLookup::mark_all_stale`]).
    generation: AtomicU64,
    lookups: AtomicU64,
    failures: AtomicU64,
    throttled: AtomicU64,
    waited: AtomicU64,
    served_stale: AtomicU64,
    refreshes_started: AtomicU64,
    marked_stale: AtomicU64,
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
            Ok(Ok(allowed)) => {
                crate::counters::lookup(if allowed { "allowed" } else { "refused" });
                return Ok(allowed);
            }
            Ok(Err(error)) => Failure::Error(error),
            Err(_) => Failure::Timeout(timeout),
        };
        self.failures.fetch_add(1, Ordering::Relaxed);
        crate::counters::lookup("failed");
        Err(failure)
    }

    /// Waits until a lookup of a new origin for `client` may start: within the client's cap,
    /// if one is set, then the shared budget, each waited for up to the timeout.
    async fn admit(&self, client: Option<u64>) -> Result<(), NoBudget> {
        let mut waited = false;
        if let (Some(clients), Some(client)) = (&self.clients, client) {
            let cap = &clients[(client % CLIENT_BUDGETS as u64) as usize];
            if cap.check().is_err() {
                // As many may wait for their client's cap as for the budget; beyond, refused.
                let counted = Counted::new(&self.capped);
                if counted.before >= self.settings.max_waiting() {
                    return Err(NoBudget::LineFull);
                }
                self.wait_for_cap(cap).await?;
                drop(counted);
                waited = true;
            }
        }
        // Without a peer address (a request made in a test), one client.
        waited |= self.budget.take(client.unwrap_or(0)).await?;
        if waited {
            self.waited.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Waits for a client's cap to allow a lookup, up to the timeout.
    async fn wait_for_cap(&self, cap: &DefaultDirectRateLimiter) -> Result<(), NoBudget> {
        use governor::clock::Clock;
        let deadline = tokio::time::Instant::now() + self.settings.timeout;
        while let Err(not_until) = cap.check() {
            let pause = not_until.wait_time_from(cap.clock().now());
            if tokio::time::Instant::now() + pause > deadline {
                return Err(NoBudget::TimedOut);
            }
            tokio::time::sleep(pause.max(Duration::from_millis(1))).await;
        }
        Ok(())
    }
}

/// One more in a count while it lives (whatever ends the wait: its answer, or its request
/// dropped).
struct Counted<'a> {
    count: &'a std::sync::atomic::AtomicUsize,
    /// The count before this one.
    before: usize,
}

impl<'a> Counted<'a> {
    fn new(count: &'a std::sync::atomic::AtomicUsize) -> Counted<'a> {
        let before = count.fetch_add(1, Ordering::Relaxed);
        Counted { count, before }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct LookupSettings {
    pub(super) max_entries: usize,
    pub(super) allowed_ttl: Duration,
    pub(super) refused_ttl: Duration,
    pub(super) failure_ttl: Duration,
    pub(super) timeout: Duration,
    pub(super) stale_ttl: Duration,
    pub(super) per_second: NonZeroU32,
    /// `None`: no cap per client (the line's turns share the budget).
    pub(super) per_client: Option<NonZeroU32>,
    /// `None`: as many as the budget serves within the timeout.
    pub(super) max_waiting: Option<usize>,
}

impl LookupSettings {
    /// How many requests may wait for the budget.
    pub(super) fn max_waiting(&self) -> usize {
        self.max_waiting.unwrap_or_else(|| {
            let within = self.timeout.as_secs_f64().max(0.001);
            ((f64::from(self.per_second.get()) * within).ceil() as usize).clamp(1, MAX_WAITING)
        })
    }
}

/// Configures an [`OriginLookup`]; made by [`OriginLookup::builder`].
pub struct OriginLookupBuilder {
    lookup: Box<LookupFn>,
    settings: LookupSettings,
    proxies: TrustedProxies,
}

/// Counters of an [`OriginLookup`], for metrics and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LookupStats {
    /// Origins in the cache now (at most `max_entries`).
    pub cached: usize,
    /// Lookups started (calls of the lookup function), refreshes included.
    pub lookups: u64,
    /// Lookups that failed or timed out.
    pub failures: u64,
    /// Uncached origins refused without a lookup: dropped from a full line of waiting
    /// requests, or still waiting for the budget when `timeout` ran out.
    pub throttled: u64,
    /// Requests that waited for the budget before their lookup started.
    pub waited: u64,
    /// Requests waiting for the budget now (at most `max_waiting`).
    pub waiting: usize,
    /// Requests allowed from a stale answer while it was refreshed.
    pub served_stale: u64,
    /// Refreshes of stale answers started.
    pub refreshes: u64,
    /// Calls of [`OriginLookup::mark_all_stale`].
    pub marked_stale: u64,
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
                max_waiting: None,
            },
            proxies: TrustedProxies::default(),
        }
    }

    /// Marks every cached answer stale: call it when the store changed and you do not know
    /// which origins (another instance's change, a revision number that moved). No answer is
    /// dropped: an allowed one keeps serving while its next request refreshes it (under the
    /// refresh budget), so no known tenant is refused for it; a refused or failed one is asked
    /// again at its next request (under the budget of new origins), so an added tenant is
    /// allowed at once. Costs nothing now: answers are looked at as requests come.
    ///
    /// A removed origin is refused once its refresh answers: the refresh starts at its first
    /// request after this call and answers within `timeout` (when more stale origins are
    /// requested than refreshes may start in a second, an origin waits up to a second more per
    /// attempt); whatever happens, an allowed answer is never served past `allowed_ttl +
    /// stale_ttl` after the store gave it.
    pub fn mark_all_stale(&self) {
        self.inner.generation.fetch_add(1, Ordering::Relaxed);
        self.inner.marked_stale.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops the cached answer for `origin` (as the browser sends it): the next request from it
    /// is looked up again, whatever its TTL. Call it for a change you know by origin. A lookup
    /// in flight when it is called answers its request but is not cached.
    pub fn forget(&self, origin: &str) {
        // Removing the key also drops a lookup in flight's placeholder: its answer is not cached.
        self.inner.cache.remove(origin.as_bytes());
    }

    /// Drops every cached answer: every origin is then new, looked up under the budget of new
    /// origins (requests over it wait their turn). For when no old answer may be served at all
    /// (the store was replaced); on a change signal, [`mark_all_stale`](OriginLookup::mark_all_stale)
    /// keeps known tenants served while they are asked again. A removed origin is refused from
    /// its next request. Lookups in flight answer their requests but are not cached.
    pub fn forget_all(&self) {
        // Clearing also drops the placeholders of lookups in flight: their answers are not cached.
        self.inner.cache.clear();
    }

    /// The counters.
    pub fn stats(&self) -> LookupStats {
        let inner = &*self.inner;
        LookupStats {
            cached: inner.cache.len(),
            lookups: inner.lookups.load(Ordering::Relaxed),
            failures: inner.failures.load(Ordering::Relaxed),
            throttled: inner.throttled.load(Ordering::Relaxed),
            waited: inner.waited.load(Ordering::Relaxed),
            waiting: inner.budget.waiting() + inner.capped.load(Ordering::Relaxed),
            served_stale: inner.served_stale.load(Ordering::Relaxed),
            refreshes: inner.refreshes_started.load(Ordering::Relaxed),
            marked_stale: inner.marked_stale.load(Ordering::Relaxed),
        }
    }

    /// The cached answer for `origin`, if there is one that still holds: fresh, or allowed and
    /// stale within `stale_ttl` (then a refresh starts in the background, once). Allocates only
    /// to start a refresh.
    #[inline]
    pub(crate) fn cached(&self, origin: &[u8]) -> Option<bool> {
        let verdict = self.inner.cache.get(origin)?;
        let now = Instant::now();
        let generation = self.inner.generation.load(Ordering::Relaxed);
        if let Some(allowed) = verdict.at(now, generation) {
            return Some(allowed);
        }
        if verdict.stale_at(now) {
            self.inner.served_stale.fetch_add(1, Ordering::Relaxed);
            crate::counters::lookup_stale();
            self.refresh(origin, verdict, now, generation);
            return Some(true);
        }
        None
    }

    /// Starts refreshing a stale allowed answer, unless the refresh budget is spent (then the
    /// stale answer is held for [`REFRESH_RETRY`] and asked again after it). The entry is held
    /// fresh while the refresh runs, so the requests that follow neither wait nor start another.
    #[cold]
    fn refresh(&self, origin: &[u8], stale: Verdict, now: Instant, generation: u64) {
        let inner = &*self.inner;
        if inner.refreshes.check().is_err() {
            inner.cache.insert(
                origin.to_vec(),
                stale.held_until(now + REFRESH_RETRY, generation),
            );
            return;
        }
        inner.refreshes_started.fetch_add(1, Ordering::Relaxed);
        let hold = stale.held_until(now + inner.settings.timeout + REFRESH_RETRY, generation);
        inner.cache.insert(origin.to_vec(), hold);
        let Ok(origin) = String::from_utf8(origin.to_vec()) else {
            return; // Never: a cached origin was a valid (ASCII) origin.
        };
        let this = self.clone();
        // Requests are served by actix-web's workers, each a Tokio `LocalSet`: the lookup's
        // future need not be `Send`.
        actix_web::rt::spawn(async move { this.revalidate(origin, hold, generation).await });
    }

    /// The refresh of a stale allowed answer: the store's answer replaces it (a removed tenant
    /// is refused from now on); a failure keeps serving it until its `stale_ttl` runs out.
    async fn revalidate(self, origin: String, hold: Verdict, generation: u64) {
        let inner = &*self.inner;
        let settings = inner.settings;
        let answer = inner.ask(&origin).await;
        let now = Instant::now();
        let verdict = match answer {
            // In the generation the question was asked in: a change signal since makes it
            // stale again.
            Ok(allowed) => Verdict::answered(allowed, now, &settings, generation),
            Err(failure) => {
                tracing::warn!(
                    target: "cors",
                    origin = %origin,
                    "refresh of a dynamic origin {}, its allowed answer is served until its stale_ttl runs out{}",
                    failure.what(),
                    failure.detail()
                );
                hold.held_until(now + settings.failure_ttl, generation)
            }
        };
        // Not cached if `forget` or `forget_all` dropped the entry while the refresh ran (the
        // next request asks again), or if another answer replaced it.
        if inner.cache.get(origin.as_bytes()) == Some(hold) {
            inner.cache.insert(origin.into_bytes(), verdict);
        }
    }

    /// The answer for `origin`, from the request `head`: from the cache, from a lookup in
    /// flight, or from a new lookup (within the budget, waiting for it if needed, in turn with
    /// other clients: who the client is, is read from `head` now). Every failure is a refusal
    /// (fail closed).
    pub(crate) fn resolve(
        self,
        origin: String,
        head: &RequestHead,
    ) -> impl Future<Output = bool> + 'static {
        let client = self.inner.proxies.client(head);
        async move { self.resolve_for(origin, client).await }
    }

    async fn resolve_for(self, origin: String, client: Option<u64>) -> bool {
        let inner = &*self.inner;
        let now = Instant::now();
        let generation = inner.generation.load(Ordering::Relaxed);
        let entry = inner.cache.entry_async(origin.as_bytes(), |_, verdict| {
            match verdict.at(now, generation) {
                Some(allowed) => EntryAction::Retain(allowed),
                None if verdict.stale_at(now) => EntryAction::Retain(true),
                None => EntryAction::ReplaceWithGuard,
            }
        });
        let guard = match entry.await {
            EntryResult::Retained(allowed) => return allowed,
            EntryResult::Vacant(guard) | EntryResult::Replaced(guard, _) => guard,
            // Not returned by `entry_async`; removal is never asked for.
            EntryResult::Removed(..) | EntryResult::Timeout => return false,
        };
        if let Err(why) = inner.admit(client).await {
            let throttled = inner.throttled.fetch_add(1, Ordering::Relaxed) + 1;
            crate::counters::lookup_throttled();
            // Logged at the 1st, 2nd, 4th, 8th... such refusal: a flood cannot flood the log.
            if throttled.is_power_of_two() {
                let why = match why {
                    NoBudget::LineFull => "the line of requests waiting for max_lookups_per_second is full, and this client has the most requests in it",
                    NoBudget::TimedOut => "it waited for max_lookups_per_second (or the client's cap) as long as the lookup timeout",
                };
                tracing::warn!(
                    target: "cors",
                    origin = %origin,
                    throttled,
                    "dynamic origin refused without a lookup: {why} ({throttled} so far)"
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
            Ok(allowed) => Verdict::answered(allowed, now, &settings, generation),
            Err(failure) => {
                tracing::warn!(
                    target: "cors",
                    origin = %origin,
                    "dynamic origin lookup {}, request refused{}",
                    failure.what(),
                    failure.detail()
                );
                Verdict::failed(now, &settings, generation)
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
    /// still be allowed that long, unless you [`forget`](OriginLookup::forget) it or
    /// [`mark_all_stale`](OriginLookup::mark_all_stale), plus the requests served while its
    /// refresh asks the store (see [`stale_ttl`](Self::stale_ttl)).
    pub fn allowed_ttl(mut self, ttl: Duration) -> Self {
        self.settings.allowed_ttl = ttl;
        self
    }

    /// How long a refused origin stays cached (default 10 s): the longest a newly added origin
    /// can still be refused, unless you [`forget`](OriginLookup::forget) it or
    /// [`mark_all_stale`](OriginLookup::mark_all_stale).
    pub fn refused_ttl(mut self, ttl: Duration) -> Self {
        self.settings.refused_ttl = ttl;
        self
    }

    /// How long a failed or timed-out lookup is remembered as a refusal (default 1 s).
    pub fn failure_ttl(mut self, ttl: Duration) -> Self {
        self.settings.failure_ttl = ttl;
        self
    }

    /// How long a lookup may take before the request is refused (default 2 s); a request may
    /// also wait this long for the budget before its lookup starts.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// How many lookups of new origins may start per second, in bursts of as many (default
    /// 100; at least 1). Requests over it wait their turn (see [`max_waiting`](Self::max_waiting)).
    /// Refreshes of stale answers have a budget of their own, as large.
    pub fn max_lookups_per_second(mut self, per_second: u32) -> Self {
        self.settings.per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        self
    }

    /// How many requests may wait for the budget at once (default: as many as it serves within
    /// `timeout`, `max_lookups_per_second` × `timeout`, 200 with the defaults, at most 10,000;
    /// at least 1). Clients take turns; when the line is full, the client with the most
    /// requests in it gives up its last one, refused without a lookup.
    pub fn max_waiting(mut self, waiting: usize) -> Self {
        self.settings.max_waiting = Some(waiting.max(1));
        self
    }

    /// A cap on the lookups one client may start per second, in bursts of as many (default
    /// none: clients take turns in the line, so one alone may use the whole budget). A request
    /// over its client's cap waits for it, up to `timeout` (at most `max_waiting` such
    /// requests at once; beyond, they are refused without a lookup). Clients are who
    /// [`trusted_proxies`](Self::trusted_proxies) says, spread over 1,024 caps by a hash of it.
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

    /// The reverse proxies and load balancers in front of the app, whose `X-Forwarded-For` (or
    /// `Forwarded`) names the client (default none: the client is the peer). Never believed
    /// from any other peer.
    pub fn trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.proxies = proxies;
        self
    }

    /// How long past its `allowed_ttl` (or past a [`mark_all_stale`](OriginLookup::mark_all_stale))
    /// an allowed answer may still be served while it is refreshed (default 5 minutes;
    /// `Duration::ZERO`: never served stale). It bounds how long a removed origin can stay
    /// allowed when the store cannot answer: `allowed_ttl + stale_ttl` after its last answer.
    /// When the store answers, a removed origin is refused from the refresh on.
    pub fn stale_ttl(mut self, stale: Duration) -> Self {
        self.settings.stale_ttl = stale;
        self
    }

    /// The lookup, ready to give to [`Cors::dynamic_policy`](crate::Cors::dynamic_policy).
    pub fn build(self) -> OriginLookup {
        let settings = self.settings;
        let clients = settings.per_client.map(|per_client| {
            let per_client = per_client.min(settings.per_second);
            (0..CLIENT_BUDGETS)
                .map(|_| RateLimiter::direct(Quota::per_second(per_client)))
                .collect()
        });
        OriginLookup {
            inner: Arc::new(Inner {
                lookup: self.lookup,
                cache: Cache::new(settings.max_entries),
                budget: Budget::new(
                    settings.per_second,
                    settings.max_waiting(),
                    settings.timeout,
                ),
                clients,
                capped: std::sync::atomic::AtomicUsize::new(0),
                refreshes: RateLimiter::direct(Quota::per_second(settings.per_second)),
                settings,
                proxies: self.proxies,
                generation: AtomicU64::new(0),
                lookups: AtomicU64::new(0),
                failures: AtomicU64::new(0),
                throttled: AtomicU64::new(0),
                waited: AtomicU64::new(0),
                served_stale: AtomicU64::new(0),
                refreshes_started: AtomicU64::new(0),
                marked_stale: AtomicU64::new(0),
            }),
        }
    }
}

impl fmt::Debug for OriginLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginLookup")
            .field("settings", &self.inner.settings)
            .field("proxies", &self.inner.proxies)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for OriginLookupBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginLookupBuilder")
            .field("settings", &self.settings)
            .field("proxies", &self.proxies)
            .finish_non_exhaustive()
    }
}
