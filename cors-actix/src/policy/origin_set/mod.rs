//! A set of allowed origins held in memory (every tenant's origin, loaded from a store), decided
//! at the door without a lookup: an origin in the set is allowed before it is even parsed, one
//! not in it is refused without asking anything.

mod compact;

use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use cors_core::{Key, KnownOrigin, Location, Origin, Policy, Problem, ProblemKind};

use self::compact::{Compact, Full, PRESENT, SECURE};

/// Changes kept beside the set's base before they are folded into it: at least this many, or a
/// sixteenth of the set.
const MIN_CHANGES: usize = 256;

/// The allowed origins of tenants, held in memory: give it to
/// [`Cors::dynamic_policy`](crate::Cors::dynamic_policy) (it converts into
/// [`DynamicOrigins`](crate::DynamicOrigins)), keep a clone, and change it while the server
/// runs. [`cors-actix-store`](https://docs.rs/cors-actix-store) loads it from a database
/// table and keeps every instance of a fleet in step; you can also fill it yourself.
///
/// - **Decided at the door, from memory.** A request whose `Origin` is, byte for byte, an
///   origin of the set is allowed without the origin being parsed (each was validated when it
///   was added), if the policy's rules admit it (with credentials, `https` or loopback `http`
///   only, unless the policy allows insecure origins). An origin not in the set is refused at
///   once: nothing is asked, so a flood of random origins costs a hash lookup each. No lock,
///   no allocation: one atomic load and one hash lookup per request.
/// - **Validated when added.** Each origin must be one exact origin as a browser sends it
///   (`https://acme.example`: lowercase, no default port, no path or trailing slash), never
///   `null` or a pattern; [`OriginSet::for_policy`] also applies a policy's rules (with
///   credentials, no plain-`http` origin but loopback). A bad origin is refused with its
///   problem and nothing of the change is applied.
/// - **Changed atomically.** Every change (one origin, a batch, the whole set) is seen whole by
///   every worker from the next request on, and never half. Changes are kept beside a compact
///   base and folded into it once they grow past a sixteenth of the set, so a change costs in
///   proportion to the recent changes, not to the set.
/// - **Compact.** About 48 bytes per origin of 37 characters, whatever the number (the text,
///   a 3-byte header and about 8 bytes of index; see `docs/BENCHMARKS.md`): 100,000 tenants
///   take 4.7 MB.
///
/// ```
/// use actix_web::{get, test, App, Responder};
/// use cors_actix::{cors, Cors, OriginSet, Policy};
///
/// #[cors(policy = "tenants")]
/// #[get("/api/me")]
/// async fn me() -> impl Responder { "{}" }
///
/// # actix_web::rt::System::new().block_on(async {
/// let policy = Policy::builder()
///     .allow_origin("https://app.example.com")
///     .allow_credentials()
///     .allow_dynamic_origins()
///     .build()?;
/// let tenants = OriginSet::for_policy(&policy);
/// tenants.replace_all(["https://acme.example", "https://globex.example"])?;
/// let app = test::init_service(
///     App::new().service(me).wrap(Cors::new().dynamic_policy("tenants", policy, tenants.clone())),
/// )
/// .await;
/// let from = |origin: &str| test::TestRequest::get().uri("/api/me").insert_header(("Origin", origin.to_owned())).to_request();
/// assert_eq!(test::call_service(&app, from("https://acme.example")).await.status(), 200);
///
/// // A tenant leaves, another arrives: seen by the next request.
/// tenants.remove("https://acme.example");
/// tenants.insert("https://initech.example")?;
/// assert_eq!(test::call_service(&app, from("https://acme.example")).await.status(), 403);
/// assert_eq!(test::call_service(&app, from("https://initech.example")).await.status(), 200);
///
/// // A bad origin is refused with its problem; the set is unchanged.
/// let err = tenants.insert("http://hooli.example").unwrap_err();
/// assert!(err.to_string().contains("plain http with `credentials`"));
/// assert_eq!(tenants.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct OriginSet {
    inner: Arc<Inner>,
}

struct Inner {
    current: ArcSwap<Snapshot>,
    /// Per set, random: which slot an origin takes cannot be chosen from outside.
    hasher: foldhash::fast::RandomState,
    /// One change at a time (readers never wait for it).
    writer: Mutex<()>,
    /// The policy given to [`OriginSet::for_policy`], whose rules validate origins.
    rules: Option<Policy>,
    /// What the door learns about an origin of the set, by its `SECURE` flag (a
    /// [`KnownOrigin`] is only made by validating an origin).
    kinds: [KnownOrigin; 2],
    hits: AtomicU64,
    misses: AtomicU64,
    changes: AtomicU64,
    folds: AtomicU64,
}

/// A set dropped no longer holds its origins (the gauge counts the process's sets).
impl Drop for Inner {
    fn drop(&mut self) {
        crate::counters::origin_set_moved(-(self.current.load().len as i64));
    }
}

/// The set as requests see it: a compact base and the changes since it was laid out.
#[derive(Clone, Default)]
struct Snapshot {
    base: Arc<Compact>,
    /// Origins added (`PRESENT`) or removed since `base`.
    changes: Compact,
    len: usize,
}

impl Snapshot {
    /// The flags of `origin` if it is in the set.
    #[inline]
    fn find(&self, hash: u64, origin: &[u8]) -> Option<u8> {
        if !self.changes.is_empty() {
            if let Some(flags) = self.changes.find(hash, origin) {
                return (flags & PRESENT != 0).then_some(flags);
            }
        }
        self.base.find(hash, origin)
    }

    fn heap_bytes(&self) -> usize {
        self.base.heap_bytes() + self.changes.heap_bytes()
    }
}

/// An origin refused by a set (or a store), with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedOrigin {
    /// The origin as it was given (or as the store's row holds it).
    pub origin: String,
    /// What is wrong with it, and how to write it where that can be said.
    pub problem: Problem,
}

impl fmt::Display for RefusedOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The problem names the origin, but an empty or odd one is easier to spot quoted.
        write!(f, "{:?}: {}", self.origin, self.problem)
    }
}

/// A change to an [`OriginSet`] refused, with every origin that made it so; nothing of it was
/// applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginSetError {
    refused: Vec<RefusedOrigin>,
}

impl OriginSetError {
    /// Every refused origin, in the order given.
    pub fn refused(&self) -> &[RefusedOrigin] {
        &self.refused
    }
}

impl fmt::Display for OriginSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.refused.len();
        write!(
            f,
            "origins refused, nothing changed ({n} problem{}):",
            if n == 1 { "" } else { "s" }
        )?;
        for refused in &self.refused {
            write!(f, "\n  - {refused}")?;
        }
        Ok(())
    }
}

impl std::error::Error for OriginSetError {}

/// Counters and size of an [`OriginSet`], for metrics and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OriginSetStats {
    /// Origins in the set now.
    pub size: usize,
    /// Requests whose origin was found in the set.
    pub hits: u64,
    /// Requests whose origin was looked for and not found (refused without asking anything).
    pub misses: u64,
    /// Changes applied (each call that changed the set: one origin, a batch, the whole set).
    pub changes: u64,
    /// Times the recent changes were folded into the compact base.
    pub folds: u64,
    /// Bytes held on the heap by the set's origins and tables now.
    pub heap_bytes: usize,
}

impl Default for OriginSet {
    fn default() -> OriginSet {
        OriginSet::build(None)
    }
}

impl OriginSet {
    /// An empty set, accepting origins by the rules every policy's list obeys (see
    /// [`KnownOrigin::validate`]).
    pub fn new() -> OriginSet {
        OriginSet::default()
    }

    /// An empty set accepting only origins `policy` admits as dynamic origins
    /// ([`Policy::validate_dynamic_origin`]): with credentials, no plain-`http` origin but
    /// loopback, unless it allows insecure origins.
    pub fn for_policy(policy: &Policy) -> OriginSet {
        OriginSet::build(Some(policy.clone()))
    }

    fn build(rules: Option<Policy>) -> OriginSet {
        let kind = |origin: &[u8]| Origin::parse(origin).ok().and_then(|o| KnownOrigin::of(&o));
        let (Some(insecure), Some(secure)) =
            (kind(b"http://a.example"), kind(b"https://a.example"))
        else {
            unreachable!("two valid origins")
        };
        OriginSet {
            inner: Arc::new(Inner {
                current: ArcSwap::from_pointee(Snapshot::default()),
                hasher: foldhash::fast::RandomState::default(),
                writer: Mutex::new(()),
                rules,
                kinds: [insecure, secure],
                hits: AtomicU64::new(0),
                misses: AtomicU64::new(0),
                changes: AtomicU64::new(0),
                folds: AtomicU64::new(0),
            }),
        }
    }

    /// Whether `origin` would be accepted, and if not, why.
    ///
    /// ```
    /// use cors_actix::OriginSet;
    ///
    /// let set = OriginSet::new();
    /// assert!(set.validate("https://acme.example").is_ok());
    /// let problem = set.validate("https://acme.example/").unwrap_err();
    /// assert_eq!(problem.suggestion.as_deref(), Some("did you mean \"https://acme.example\"?"));
    /// ```
    pub fn validate(&self, origin: &str) -> Result<(), Problem> {
        self.known(origin).map(|_| ())
    }

    /// Whether every origin of `origins` would be accepted; if not, every refused one, with
    /// why. Nothing is applied.
    ///
    /// ```
    /// use cors_actix::OriginSet;
    ///
    /// let set = OriginSet::new();
    /// let err = set.validate_all(["https://a.example", "https://b.example/", "null"]).unwrap_err();
    /// let refused: Vec<&str> = err.refused().iter().map(|r| r.origin.as_str()).collect();
    /// assert_eq!(refused, ["https://b.example/", "null"]);
    /// ```
    pub fn validate_all<'a>(
        &self,
        origins: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), OriginSetError> {
        self.validated(origins).map(|_| ())
    }

    fn known(&self, origin: &str) -> Result<KnownOrigin, Problem> {
        match &self.inner.rules {
            Some(policy) => policy.validate_dynamic_origin(origin),
            None => KnownOrigin::validate(origin),
        }
    }

    /// Adds `origin` (validated first); `Ok(false)` if it was already in the set.
    pub fn insert(&self, origin: &str) -> Result<bool, OriginSetError> {
        let (added, _) = self.apply([origin], [])?;
        Ok(added > 0)
    }

    /// Removes `origin`; whether it was in the set.
    pub fn remove(&self, origin: &str) -> bool {
        // Removals are never refused.
        self.apply([], [origin])
            .is_ok_and(|(_, removed)| removed > 0)
    }

    /// Applies a batch of changes as one: every origin of `insert` is validated first, and if
    /// any is refused, nothing is applied and every refused origin is returned. Removals are
    /// applied before insertions (an origin in both stays).
    ///
    /// ```
    /// use cors_actix::OriginSet;
    ///
    /// let set = OriginSet::new();
    /// set.update(["https://a.example", "https://b.example"], [])?;
    /// let err = set.update(["https://c.example", "https://*.d.example", "null"], ["https://a.example"]).unwrap_err();
    /// assert_eq!(err.refused().len(), 2);
    /// assert_eq!(set.len(), 2); // nothing applied
    /// set.update(["https://c.example"], ["https://a.example"])?;
    /// assert!(set.contains("https://c.example") && !set.contains("https://a.example"));
    /// # Ok::<(), cors_actix::OriginSetError>(())
    /// ```
    pub fn update<'a>(
        &self,
        insert: impl IntoIterator<Item = &'a str>,
        remove: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), OriginSetError> {
        self.apply(insert, remove).map(|_| ())
    }

    /// [`update`](OriginSet::update), saying how many origins were added and removed.
    fn apply<'a>(
        &self,
        insert: impl IntoIterator<Item = &'a str>,
        remove: impl IntoIterator<Item = &'a str>,
    ) -> Result<(usize, usize), OriginSetError> {
        let insert = self.validated(insert)?;
        let remove: Vec<&str> = remove.into_iter().collect();
        let inner = &*self.inner;
        let _writer = inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        let current = inner.current.load_full();
        let mut changes = current.changes.clone();
        let hash_of = |o: &[u8]| inner.hasher.hash_one(o);
        // The flags of `origin` in the set as changed so far.
        let present = |changes: &Compact, hash: u64, origin: &[u8]| match changes.find(hash, origin)
        {
            Some(flags) => (flags & PRESENT != 0).then_some(flags),
            None => current.base.find(hash, origin),
        };
        let (mut added, mut removed) = (0, 0);
        let mut full = false;
        for origin in remove {
            let origin = origin.as_bytes();
            let hash = hash_of(origin);
            if let Some(flags) = present(&changes, hash, origin) {
                full |= changes
                    .insert(hash, origin, flags & !PRESENT, hash_of)
                    .is_err();
                removed += 1;
            }
        }
        for (origin, known) in insert {
            let origin = origin.as_bytes();
            let hash = hash_of(origin);
            if present(&changes, hash, origin).is_none() {
                let flags = PRESENT | if known.is_secure() { SECURE } else { 0 };
                full |= changes.insert(hash, origin, flags, hash_of).is_err();
                added += 1;
            }
        }
        if full {
            return Err(too_large());
        }
        if added == 0 && removed == 0 {
            return Ok((0, 0));
        }
        let len = current.len + added - removed;
        let next = if changes.len() > MIN_CHANGES.max(current.base.len() / 16) {
            inner.folds.fetch_add(1, Ordering::Relaxed);
            let base = fold(&current.base, &changes, len, hash_of).map_err(|Full| too_large())?;
            Snapshot {
                base: Arc::new(base),
                changes: Compact::default(),
                len,
            }
        } else {
            Snapshot {
                base: Arc::clone(&current.base),
                changes,
                len,
            }
        };
        inner.current.store(Arc::new(next));
        inner.changes.fetch_add(1, Ordering::Relaxed);
        crate::counters::origin_set_moved(added as i64 - removed as i64);
        Ok((added, removed))
    }

    /// Replaces the whole set with `origins` (duplicates count once), atomically: every origin
    /// is validated first, and if any is refused, nothing is applied and every refused origin
    /// is returned.
    pub fn replace_all<'a>(
        &self,
        origins: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), OriginSetError> {
        let origins = self.validated(origins)?;
        let inner = &*self.inner;
        let hash_of = |o: &[u8]| inner.hasher.hash_one(o);
        let bytes = origins.iter().map(|(o, _)| o.len()).sum();
        let mut base = Compact::with_capacity(origins.len(), bytes);
        for (origin, known) in &origins {
            let origin = origin.as_bytes();
            let flags = PRESENT | if known.is_secure() { SECURE } else { 0 };
            base.insert(hash_of(origin), origin, flags, hash_of)
                .map_err(|Full| too_large())?;
        }
        base.shrink(hash_of);
        let len = base.len();
        let _writer = inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        let before = inner.current.load().len;
        inner.current.store(Arc::new(Snapshot {
            base: Arc::new(base),
            changes: Compact::default(),
            len,
        }));
        crate::counters::origin_set_moved(len as i64 - before as i64);
        inner.changes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Each origin with what validation learnt, or every refused one.
    fn validated<'a>(
        &self,
        origins: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<(&'a str, KnownOrigin)>, OriginSetError> {
        let mut valid = Vec::new();
        let mut refused = Vec::new();
        for origin in origins {
            match self.known(origin) {
                Ok(known) => valid.push((origin, known)),
                Err(problem) => refused.push(RefusedOrigin {
                    origin: origin.to_owned(),
                    problem,
                }),
            }
        }
        if refused.is_empty() {
            Ok(valid)
        } else {
            Err(OriginSetError { refused })
        }
    }

    /// Whether `origin` (as a browser sends it) is in the set.
    pub fn contains(&self, origin: &str) -> bool {
        let origin = origin.as_bytes();
        let hash = self.inner.hasher.hash_one(origin);
        self.inner.current.load().find(hash, origin).is_some()
    }

    /// How many origins the set holds.
    pub fn len(&self) -> usize {
        self.inner.current.load().len
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every origin of the set now, sorted.
    pub fn origins(&self) -> Vec<String> {
        let snapshot = self.inner.current.load_full();
        let mut origins: Vec<String> = snapshot
            .base
            .iter()
            .filter(|(origin, _)| {
                let hash = self.inner.hasher.hash_one(*origin);
                snapshot.find(hash, origin).is_some()
            })
            .map(|(origin, _)| origin)
            .chain(
                snapshot
                    .changes
                    .iter()
                    .filter(|(_, flags)| flags & PRESENT != 0)
                    .map(|(origin, _)| origin),
            )
            .map(|origin| String::from_utf8_lossy(origin).into_owned())
            .collect();
        origins.sort_unstable();
        origins.dedup();
        origins
    }

    /// The counters and the size.
    pub fn stats(&self) -> OriginSetStats {
        let inner = &*self.inner;
        let snapshot = inner.current.load();
        OriginSetStats {
            size: snapshot.len,
            hits: inner.hits.load(Ordering::Relaxed),
            misses: inner.misses.load(Ordering::Relaxed),
            changes: inner.changes.load(Ordering::Relaxed),
            folds: inner.folds.load(Ordering::Relaxed),
            heap_bytes: snapshot.heap_bytes(),
        }
    }

    /// At the door: what the set knows of `origin`, the `Origin` header's bytes before they are
    /// parsed; `None` if it is not in the set (counted either way). Never allocates.
    #[inline]
    pub(crate) fn find(&self, origin: &[u8]) -> Option<KnownOrigin> {
        let inner = &*self.inner;
        let hash = inner.hasher.hash_one(origin);
        match inner.current.load().find(hash, origin) {
            Some(flags) => {
                inner.hits.fetch_add(1, Ordering::Relaxed);
                Some(inner.kinds[usize::from(flags & SECURE)])
            }
            None => {
                inner.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }
}

/// The error of a set grown past what its 32-bit offsets address (4 GB of origins).
fn too_large() -> OriginSetError {
    OriginSetError {
        refused: vec![RefusedOrigin {
            origin: String::new(),
            problem: Problem {
                kind: ProblemKind::InvalidOrigin,
                location: Location::Key(Key::Origins),
                message: "the set holds 4 GB of origins already: no more can be added".to_owned(),
                suggestion: None,
            },
        }],
    }
}

/// `base` with `changes` applied, laid out anew.
fn fold(
    base: &Compact,
    changes: &Compact,
    len: usize,
    hash_of: impl Fn(&[u8]) -> u64 + Copy,
) -> Result<Compact, Full> {
    let bytes = base.text_bytes() + changes.text_bytes();
    let mut folded = Compact::with_capacity(len, bytes);
    for (origin, flags) in base.iter() {
        let hash = hash_of(origin);
        if changes.find(hash, origin).is_none() {
            folded.insert(hash, origin, flags, hash_of)?;
        }
    }
    for (origin, flags) in changes.iter() {
        if flags & PRESENT != 0 {
            folded.insert(hash_of(origin), origin, flags, hash_of)?;
        }
    }
    folded.shrink(hash_of);
    Ok(folded)
}

impl fmt::Debug for OriginSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginSet")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_fold_into_the_base_and_every_origin_stays_findable() {
        let set = OriginSet::new();
        let all: Vec<String> = (0..2000).map(|i| format!("https://t{i}.example")).collect();
        set.replace_all(all[..1000].iter().map(String::as_str))
            .unwrap();
        // One at a time: past MIN_CHANGES they fold into the base.
        for origin in &all[1000..] {
            assert!(set.insert(origin).unwrap());
        }
        for origin in &all[..500] {
            assert!(set.remove(origin));
            assert!(!set.remove(origin));
        }
        assert!(set.stats().folds > 0);
        assert_eq!(set.len(), 1500);
        for (i, origin) in all.iter().enumerate() {
            assert_eq!(set.contains(origin), i >= 500, "{origin}");
        }
        assert_eq!(set.origins().len(), 1500);
        // Removed, then added again.
        assert!(set.insert(&all[0]).unwrap());
        assert!(!set.insert(&all[0]).unwrap());
        assert!(set.contains(&all[0]));
        assert_eq!(set.len(), 1501);
        assert_eq!(set.origins().len(), 1501);
    }

    #[test]
    fn the_door_learns_whether_an_origin_is_secure() {
        let set = OriginSet::new();
        set.update(
            [
                "https://a.example",
                "http://b.example",
                "http://localhost:3000",
            ],
            [],
        )
        .unwrap();
        let secure = |o: &str| set.find(o.as_bytes()).map(KnownOrigin::is_secure);
        assert_eq!(secure("https://a.example"), Some(true));
        assert_eq!(secure("http://b.example"), Some(false));
        assert_eq!(secure("http://localhost:3000"), Some(true));
        assert_eq!(secure("https://c.example"), None);
        let stats = set.stats();
        assert_eq!((stats.hits, stats.misses, stats.size), (3, 1, 3));
    }
}
