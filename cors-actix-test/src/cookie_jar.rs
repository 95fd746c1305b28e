//! The page's cookies (RFC 6265bis as the engines apply it to `fetch()`): what a response's
//! `Set-Cookie` stores and which stored cookies the next request carries, with `SameSite`,
//! `Secure`, `Domain`, `Path`, expiry, the `__Host-`/`__Secure-` prefixes, and what the
//! engine does with cookies of another site than the page's ([`ThirdPartyCookies`]).
//!
//! `Set-Cookie` is parsed by the `cookie` crate (the one actix-web uses); the jar is written
//! here because it is the browser's side, which no crate models for a test.

use std::time::{Duration, Instant};

use cookie::{Cookie, SameSite};

use crate::site::{is_public_suffix, is_trustworthy, scheme_and_host};

/// What the browser does with the cookies of a cross-site request: a `fetch()` from a page
/// on one site to an API on another (`app.example.com` to `api.example.net`).
///
/// ```
/// use cors_actix_test::{page, ThirdPartyCookies};
///
/// // A page whose browser keeps third-party cookies in a jar of the page's site (Firefox).
/// let page = page("https://app.example.com").third_party_cookies(ThirdPartyCookies::Partitioned);
/// # let _ = page;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThirdPartyCookies {
    /// Neither stored nor sent: Safari and WebKit, and every engine's private windows
    /// (Chromium's off-the-record profiles, Incognito). The kit's default: a cross-site
    /// session that works in it works in every engine.
    #[default]
    Blocked,
    /// Stored and sent, in a jar of the page's site (Firefox's Total Cookie Protection): the
    /// same page gets its session back; the API's own site, or a page on a third site, does
    /// not see it.
    Partitioned,
    /// Stored and sent like any cookie (`SameSite=None; Secure` ones only): Chromium's
    /// default profile.
    Allowed,
}

/// One stored cookie.
#[derive(Clone, Debug)]
struct Stored {
    name: String,
    value: String,
    /// Lowercase, no leading dot.
    domain: String,
    host_only: bool,
    path: String,
    secure: bool,
    same_site: SameSite,
    expires: Option<Instant>,
    /// The page's site when the cookie was stored in a partitioned third-party jar.
    partition: Option<(String, String)>,
}

/// Where a request goes, as cookies see it.
pub(crate) struct Context<'a> {
    /// The URL's origin and path.
    pub(crate) origin: &'a str,
    pub(crate) path: &'a str,
    /// Whether the request (with its redirect chain) is cross-site from the page.
    pub(crate) cross_site: bool,
    /// The page's site.
    pub(crate) page_site: &'a (String, String),
}

/// A browser profile's cookie jar.
#[derive(Debug, Default)]
pub(crate) struct CookieJar {
    cookies: Vec<Stored>,
    pub(crate) third_party: ThirdPartyCookies,
}

impl CookieJar {
    /// The jar a cross-site request uses, or `None` when the engine blocks it.
    fn partition(&self, to: &Context<'_>) -> Option<Option<(String, String)>> {
        match (to.cross_site, self.third_party) {
            (false, _) | (true, ThirdPartyCookies::Allowed) => Some(None),
            (true, ThirdPartyCookies::Partitioned) => Some(Some(to.page_site.clone())),
            (true, ThirdPartyCookies::Blocked) => None,
        }
    }

    /// Stores what the `Set-Cookie` values of a response to `to` set.
    pub(crate) fn store(&mut self, set_cookies: &[&str], to: &Context<'_>) {
        let Some(partition) = self.partition(to) else {
            return;
        };
        let now = Instant::now();
        for line in set_cookies {
            if let Some(stored) = accept(line, to, partition.clone(), now) {
                self.cookies.retain(|c| {
                    !(c.name == stored.name
                        && c.domain == stored.domain
                        && c.path == stored.path
                        && c.partition == stored.partition)
                });
                if stored.expires.is_none_or(|t| t > now) {
                    self.cookies.push(stored);
                }
            }
        }
    }

    /// The `Cookie` header of a request to `to`, if any cookie goes with it.
    pub(crate) fn header(&mut self, to: &Context<'_>) -> Option<String> {
        let partition = self.partition(to)?;
        let now = Instant::now();
        self.cookies.retain(|c| c.expires.is_none_or(|t| t > now));
        let (_, host) = scheme_and_host(to.origin);
        let host = host.to_ascii_lowercase();
        let trustworthy = is_trustworthy(to.origin);
        let mut sent: Vec<&Stored> = self
            .cookies
            .iter()
            .filter(|c| c.partition == partition)
            .filter(|c| domain_matches(&host, c))
            .filter(|c| path_matches(to.path, &c.path))
            .filter(|c| trustworthy || !c.secure)
            .filter(|c| !to.cross_site || c.same_site == SameSite::None)
            .collect();
        // Longer paths first, as RFC 6265bis orders them.
        sent.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
        let pairs: Vec<String> = sent
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// Every stored cookie's name and value, for the page's tests.
    pub(crate) fn pairs(&self) -> Vec<(String, String)> {
        let now = Instant::now();
        self.cookies
            .iter()
            .filter(|c| c.expires.is_none_or(|t| t > now))
            .map(|c| (c.name.clone(), c.value.clone()))
            .collect()
    }
}

/// The cookie `line` stores for a response to `to`, or `None` when the browser ignores it.
fn accept(
    line: &str,
    to: &Context<'_>,
    partition: Option<(String, String)>,
    now: Instant,
) -> Option<Stored> {
    let cookie = Cookie::parse(line.to_owned()).ok()?;
    let (_, host) = scheme_and_host(to.origin);
    let host = host.to_ascii_lowercase();
    let secure = cookie.secure().unwrap_or(false);
    // RFC 6265bis: a `Secure` cookie only from a secure origin; a missing `SameSite` is `Lax`;
    // `SameSite=None` needs `Secure` (the engines refuse it otherwise); a cross-site response
    // sets only `SameSite=None` cookies.
    if secure && !is_trustworthy(to.origin) {
        return None;
    }
    let same_site = cookie.same_site().unwrap_or(SameSite::Lax);
    if same_site == SameSite::None && !secure {
        return None;
    }
    if to.cross_site && same_site != SameSite::None {
        return None;
    }
    let (domain, host_only) = match cookie.domain() {
        Some(d) if !d.is_empty() => {
            let d = d.trim_start_matches('.').to_ascii_lowercase();
            if is_public_suffix(&d) && d != host {
                return None;
            }
            if !(host == d || host.ends_with(&format!(".{d}"))) {
                return None;
            }
            (d, false)
        }
        _ => (host.clone(), true),
    };
    let path = match cookie.path() {
        Some(p) if p.starts_with('/') => p.to_owned(),
        _ => default_path(to.path),
    };
    let name = cookie.name().to_owned();
    if name.starts_with("__Secure-") && !secure {
        return None;
    }
    if name.starts_with("__Host-") && !(secure && host_only && path == "/") {
        return None;
    }
    let expires = if let Some(max_age) = cookie.max_age() {
        let seconds = max_age.whole_seconds();
        Some(if seconds <= 0 {
            now
        } else {
            now + Duration::from_secs(seconds.unsigned_abs())
        })
    } else {
        cookie.expires_datetime().map(|at| {
            let left = at - cookie::time::OffsetDateTime::now_utc();
            now + Duration::from_secs(left.whole_seconds().max(0).unsigned_abs())
        })
    };
    Some(Stored {
        name,
        value: cookie.value().to_owned(),
        domain,
        host_only,
        path,
        secure,
        same_site,
        expires,
        partition,
    })
}

fn domain_matches(host: &str, cookie: &Stored) -> bool {
    host == cookie.domain || (!cookie.host_only && host.ends_with(&format!(".{}", cookie.domain)))
}

/// RFC 6265bis' path-match.
fn path_matches(request_path: &str, cookie_path: &str) -> bool {
    let request_path = request_path.split(['?', '#']).next().unwrap_or("/");
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/')
                || request_path.as_bytes().get(cookie_path.len()) == Some(&b'/')))
}

/// RFC 6265bis' default-path: the request path up to its last `/`.
fn default_path(request_path: &str) -> String {
    let path = request_path.split(['?', '#']).next().unwrap_or("/");
    match path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => path[..i].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(s: &str) -> (String, String) {
        ("https".into(), s.into())
    }

    fn to<'a>(
        origin: &'a str,
        path: &'a str,
        cross: bool,
        page: &'a (String, String),
    ) -> Context<'a> {
        Context {
            origin,
            path,
            cross_site: cross,
            page_site: page,
        }
    }

    #[test]
    fn a_same_site_cookie_comes_back_on_matching_domain_and_path() {
        let page = site("example.com");
        let mut jar = CookieJar::default();
        let api = "https://api.example.com";
        jar.store(
            &["sid=1; Path=/app", "all=2; Domain=example.com; Path=/"],
            &to(api, "/app/login", false, &page),
        );
        assert_eq!(
            jar.header(&to(api, "/app/me", false, &page)).as_deref(),
            Some("sid=1; all=2")
        );
        assert_eq!(
            jar.header(&to(api, "/application", false, &page))
                .as_deref(),
            Some("all=2")
        );
        // Host-only without Domain; Domain covers subdomains.
        assert_eq!(
            jar.header(&to("https://www.example.com", "/app", false, &page))
                .as_deref(),
            Some("all=2")
        );
        assert_eq!(
            jar.header(&to("https://example.org", "/", false, &page)),
            None
        );
    }

    #[test]
    fn cross_site_only_samesite_none_secure_and_as_the_engine_treats_third_parties() {
        let page = site("app.example");
        let api = "https://api.example.net";
        let line = "sid=1; SameSite=None; Secure; Path=/";
        for (mode, back) in [
            (ThirdPartyCookies::Blocked, None),
            (ThirdPartyCookies::Partitioned, Some("sid=1")),
            (ThirdPartyCookies::Allowed, Some("sid=1")),
        ] {
            let mut jar = CookieJar {
                third_party: mode,
                ..CookieJar::default()
            };
            jar.store(
                &[line, "lax=1; Path=/", "insecure=1; SameSite=None; Path=/"],
                &to(api, "/login", true, &page),
            );
            assert_eq!(
                jar.header(&to(api, "/me", true, &page)).as_deref(),
                back,
                "{mode:?}"
            );
            // A page on a third site: only an unpartitioned jar shares the cookie.
            let other = site("other.example");
            let elsewhere = jar.header(&to(api, "/me", true, &other));
            assert_eq!(
                elsewhere.is_some(),
                mode == ThirdPartyCookies::Allowed,
                "{mode:?}"
            );
        }
    }

    #[test]
    fn secure_prefixes_expiry_and_public_suffixes() {
        let page = site("example.com");
        let mut jar = CookieJar::default();
        let plain = "http://api.test:8080";
        jar.store(
            &[
                "__Secure-a=1",
                "__Host-b=1; Secure; Path=/x",
                "__Host-c=1; Secure; Domain=example.com; Path=/",
            ],
            &to("https://a.example.com", "/", false, &page),
        );
        assert_eq!(jar.pairs(), []);
        jar.store(&["s=1; Secure"], &to(plain, "/", false, &page));
        assert_eq!(jar.pairs(), [], "Secure from an insecure origin");
        jar.store(
            &["k=1", "suffix=1; Domain=com"],
            &to("https://a.example.com", "/", false, &page),
        );
        assert_eq!(jar.pairs(), [("k".to_owned(), "1".to_owned())]);
        jar.store(
            &["k=1; Max-Age=0"],
            &to("https://a.example.com", "/", false, &page),
        );
        assert_eq!(jar.pairs(), []);
        jar.store(
            &["old=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT"],
            &to("https://a.example.com", "/", false, &page),
        );
        assert_eq!(jar.pairs(), []);
    }

    #[test]
    fn default_and_matching_paths() {
        assert_eq!(default_path("/a/b/c?x=1"), "/a/b");
        assert_eq!(default_path("/a"), "/");
        assert!(path_matches("/a/b", "/a"));
        assert!(path_matches("/a/", "/a/"));
        assert!(!path_matches("/ab", "/a"));
    }
}
