//! The Fetch standard's CORS-preflight cache
//! (<https://fetch.spec.whatwg.org/#cors-preflight-cache>): what a successful preflight
//! allowed, kept for `Access-Control-Max-Age` seconds, so the next fetch skips its preflight.

use crate::fetch::is_safelisted_method;

/// The Fetch standard's CORS-preflight cache: what a successful preflight allowed, for
/// `Access-Control-Max-Age` seconds (5 without it), per origin, URL and credentials mode.
#[derive(Debug, Default)]
pub(crate) struct PreflightCache {
    entries: Vec<CacheEntry>,
}

#[derive(Debug)]
struct CacheEntry {
    origin: String,
    url: String,
    credentials: bool,
    /// A method (case-sensitive), or a header name (lowercase).
    method: Option<String>,
    header: Option<String>,
    until: std::time::Instant,
}

impl PreflightCache {
    fn live(&mut self) -> &mut Vec<CacheEntry> {
        let now = std::time::Instant::now();
        self.entries.retain(|e| e.until > now);
        &mut self.entries
    }

    /// Whether cached entries cover `method` and every one of `names`.
    pub(crate) fn covers(
        &mut self,
        key: (&str, &str, bool),
        method: &str,
        names: &[String],
    ) -> bool {
        let (origin, url, credentials) = key;
        let entries = self.live();
        let matches =
            |e: &&CacheEntry| e.origin == origin && e.url == url && e.credentials == credentials;
        let method_ok = is_safelisted_method(method)
            || entries
                .iter()
                .filter(matches)
                .any(|e| e.method.as_deref() == Some(method));
        method_ok
            && names.iter().all(|n| {
                entries
                    .iter()
                    .filter(matches)
                    .any(|e| e.header.as_deref() == Some(n.as_str()))
            })
    }

    /// Records what a preflight allowed.
    pub(crate) fn store(
        &mut self,
        key: (&str, &str, bool),
        method: &str,
        names: &[String],
        max_age: Option<&str>,
    ) {
        let seconds = max_age
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(5);
        if seconds == 0 {
            return;
        }
        let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        let (origin, url, credentials) = key;
        let entry = |method: Option<String>, header: Option<String>| CacheEntry {
            origin: origin.to_owned(),
            url: url.to_owned(),
            credentials,
            method,
            header,
            until,
        };
        let entries = self.live();
        entries.push(entry(Some(method.to_owned()), None));
        entries.extend(names.iter().map(|n| entry(None, Some(n.clone()))));
    }
}
