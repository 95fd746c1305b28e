//! A test kit: what a page in a browser sees when it calls your app, modelled on the Fetch
//! standard, for unit tests of a CORS configuration.
//!
//! [`page`]`(origin)` is a page on `origin`; [`Page::fetch`] is its `fetch(url, init)`. Sent
//! to an `actix_web::test` service ([`Fetch::send`]) or to a real server
//! ([`Fetch::send_to`]), it does what a browser does: decides whether the request is simple or
//! needs a preflight (methods, CORS-safelisted headers and `Content-Type` values), sends the
//! preflight and checks its answer (status, `Access-Control-Allow-Origin`/`-Credentials`,
//! methods, headers), sends the request, follows redirects (a cross-origin one turns the
//! page's origin into `null`), runs the CORS check on the response and keeps only the headers
//! the page may read. The result, [`Seen`], is what the page's JavaScript gets: the response,
//! or blocked with the reason a browser console prints.
//!
//! ```
//! use actix_web::{delete, test, App, Responder};
//! use cors_actix::test::{page, CorsError};
//! use cors_actix::{cors, Cors};
//!
//! #[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
//! #[delete("/items")]
//! async fn delete_items() -> impl Responder { "deleted" }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(App::new().service(delete_items).wrap(Cors::new())).await;
//!
//! let seen = page("https://app.example.com")
//!     .credentials()
//!     .fetch("DELETE", "/items")
//!     .header("Authorization", "Bearer 123")
//!     .send(&app)
//!     .await;
//! assert!(seen.preflighted);
//! assert_eq!((seen.status, seen.body.as_str()), (Some(200), "deleted"));
//!
//! let seen = page("https://evil.example").fetch("DELETE", "/items").send(&app).await;
//! assert_eq!(seen.blocked, Some(CorsError::PreflightMissingAllowOriginHeader));
//! println!("{}", seen.blocked.unwrap()); // the console's words
//! # });
//! ```
//!
//! The preflight cache is modelled (per origin, URL and credentials mode, for
//! `Access-Control-Max-Age` seconds, 5 without it; shared by a page's clones and fetches, like
//! one browser profile). What the kit does not model: cookies (credentials mode changes the
//! checks, no cookie is stored or sent), the engines' caps on max-age, mixed content, Private
//! Network Access, and the engines' own leniencies. Where Chromium, Firefox and
//! WebKit differ from the standard, the kit follows the standard: the repository's browser
//! suite runs each of its cases through the kit too, and says where an engine differs
//! (`docs/browsers.md`).

mod fetch;
mod transport;

use std::fmt;
use std::net::SocketAddr;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};

use crate::test::fetch::{
    cors_check, is_forbidden_method, is_forbidden_request_header, is_readable_header,
    is_safelisted_method, list, normalize_method, preflight_grants, unsafe_header_names,
};
use crate::test::transport::{Got, Sent};

/// The origin `actix_web::test` requests are addressed to (its default host).
const TEST_SERVICE_ORIGIN: &str = "http://localhost:8080";

/// A page on `origin` (`https://app.example.com`, as browsers serialize origins).
///
/// ```
/// let page = cors_actix::test::page("https://app.example.com");
/// # let _ = page;
/// ```
pub fn page(origin: &str) -> Page {
    Page {
        origin: origin.to_owned(),
        credentials: false,
        cache: Default::default(),
    }
}

/// A page, the source of [`fetch`](Page::fetch)es. Made by [`page`].
#[derive(Clone, Debug)]
pub struct Page {
    origin: String,
    credentials: bool,
    /// The preflight cache, shared by the page's clones and fetches (one browser profile).
    cache: std::sync::Arc<std::sync::Mutex<PreflightCache>>,
}

/// The Fetch standard's CORS-preflight cache: what a successful preflight allowed, for
/// `Access-Control-Max-Age` seconds (5 without it), per origin, URL and credentials mode.
#[derive(Debug, Default)]
struct PreflightCache {
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
    fn covers(&mut self, key: (&str, &str, bool), method: &str, names: &[String]) -> bool {
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
    fn store(
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

impl Page {
    /// Its fetches are made with `credentials: "include"`: the response must then carry
    /// `Access-Control-Allow-Credentials: true` and an exact origin, never `*`.
    pub fn credentials(mut self) -> Page {
        self.credentials = true;
        self
    }

    /// `fetch(url, { method })`: `url` is a path on the app (`/items`) or an absolute URL
    /// (`http://api.example.com:8080/items`, whose host goes in the `Host` header).
    pub fn fetch(&self, method: &str, url: &str) -> Fetch {
        Fetch {
            page: self.clone(),
            method: method.to_owned(),
            url: url.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

/// A page's `fetch()`, to [`send`](Fetch::send). Made by [`Page::fetch`].
#[derive(Clone, Debug)]
pub struct Fetch {
    page: Page,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// What the page sees.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Seen {
    /// Whether the page can read the response (the promise resolves).
    pub readable: bool,
    /// The response's status, when readable.
    pub status: Option<u16>,
    /// The response's body, when readable.
    pub body: String,
    /// The response headers the page can read (lowercase names), when readable.
    pub headers: Vec<(String, String)>,
    /// Why the browser blocked it (the promise rejects with a `TypeError`).
    pub blocked: Option<CorsError>,
    /// Whether a preflight was sent.
    pub preflighted: bool,
    /// What was sent and answered: `(method, URL, status)`, preflights included.
    pub requests: Vec<(String, String, u16)>,
}

impl Seen {
    /// A readable response header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a browser blocked a request, named as Chromium names it (`corsErrorStatus.corsError`
/// in DevTools); its `Display` is the console's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CorsError {
    /// The response has no `Access-Control-Allow-Origin`.
    MissingAllowOriginHeader,
    /// Several `Access-Control-Allow-Origin` values.
    MultipleAllowOriginValues,
    /// `Access-Control-Allow-Origin` is another origin.
    AllowOriginMismatch,
    /// `Access-Control-Allow-Origin: *` for a credentialed request.
    WildcardOriginNotAllowed,
    /// A credentialed request without `Access-Control-Allow-Credentials: true`.
    InvalidAllowCredentials,
    /// The preflight's answer has no `Access-Control-Allow-Origin`.
    PreflightMissingAllowOriginHeader,
    /// The preflight's answer has several `Access-Control-Allow-Origin` values.
    PreflightMultipleAllowOriginValues,
    /// The preflight's `Access-Control-Allow-Origin` is another origin.
    PreflightAllowOriginMismatch,
    /// The preflight's `Access-Control-Allow-Origin: *` for a credentialed request.
    PreflightWildcardOriginNotAllowed,
    /// The preflight's answer lacks `Access-Control-Allow-Credentials: true`.
    PreflightInvalidAllowCredentials,
    /// The preflight's answer is not a 2xx.
    PreflightInvalidStatus,
    /// The method is not in the preflight's `Access-Control-Allow-Methods`.
    MethodDisallowedByPreflightResponse,
    /// A header is not in the preflight's `Access-Control-Allow-Headers`.
    HeaderDisallowedByPreflightResponse,
    /// Too many redirects, or a redirect that cannot be followed.
    RedirectFailed,
    /// `CONNECT`, `TRACE`, `TRACK`: `fetch()` refuses before sending.
    ForbiddenMethod,
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CorsError::*;
        let preflight = "Response to preflight request doesn't pass access control check: ";
        let (prefix, text) = match self {
            MissingAllowOriginHeader => ("", "No 'Access-Control-Allow-Origin' header is present on the requested resource."),
            PreflightMissingAllowOriginHeader => (preflight, "No 'Access-Control-Allow-Origin' header is present on the requested resource."),
            MultipleAllowOriginValues => ("", "The 'Access-Control-Allow-Origin' header contains multiple values, but only one is allowed."),
            PreflightMultipleAllowOriginValues => (preflight, "The 'Access-Control-Allow-Origin' header contains multiple values, but only one is allowed."),
            AllowOriginMismatch => ("", "The 'Access-Control-Allow-Origin' header has a value that is not equal to the supplied origin."),
            PreflightAllowOriginMismatch => (preflight, "The 'Access-Control-Allow-Origin' header has a value that is not equal to the supplied origin."),
            WildcardOriginNotAllowed => ("", "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
            PreflightWildcardOriginNotAllowed => (preflight, "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
            InvalidAllowCredentials => ("", "The value of the 'Access-Control-Allow-Credentials' header in the response must be 'true' when the request's credentials mode is 'include'."),
            PreflightInvalidAllowCredentials => (preflight, "The value of the 'Access-Control-Allow-Credentials' header in the response must be 'true' when the request's credentials mode is 'include'."),
            PreflightInvalidStatus => (preflight, "It does not have HTTP ok status."),
            MethodDisallowedByPreflightResponse => ("", "The method is not allowed by Access-Control-Allow-Methods in preflight response."),
            HeaderDisallowedByPreflightResponse => ("", "A request header field is not allowed by Access-Control-Allow-Headers in preflight response."),
            RedirectFailed => ("", "The request was redirected too many times, or to a URL that cannot be fetched."),
            ForbiddenMethod => ("", "The method is forbidden: fetch() refuses to send it."),
        };
        write!(f, "{prefix}{text}")
    }
}

impl Fetch {
    /// Sets a request header (a name the page cannot set, like `Cookie` or `Origin`, is left
    /// out, as `fetch()` does).
    pub fn header(mut self, name: &str, value: &str) -> Fetch {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Sets the body (give its `Content-Type` with [`header`](Fetch::header): only form and
    /// plain-text types are sent without a preflight).
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Fetch {
        self.body = body.into();
        self
    }

    /// Runs the fetch against an `actix_web::test` service (`test::init_service`), whose
    /// origin is `http://localhost:8080`.
    pub async fn send<S, B>(self, app: &S) -> Seen
    where
        S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
        B: MessageBody,
    {
        self.run(TEST_SERVICE_ORIGIN, |sent| transport::to_service(app, sent))
            .await
    }

    /// Runs the fetch against a real server listening on `addr`; a path is on
    /// `http://{addr}`, an absolute URL's host goes in `Host` (so `http://api.test:8080/x`
    /// reaches `addr` as `api.test:8080`, as a browser mapping names to loopback would).
    pub async fn send_to(self, addr: SocketAddr) -> Seen {
        let origin = format!("http://{addr}");
        self.run(&origin, move |sent| transport::to_server(addr, sent))
            .await
    }

    async fn run<F, Fut>(self, app_origin: &str, mut send: F) -> Seen
    where
        F: FnMut(Sent) -> Fut,
        Fut: std::future::Future<Output = Got>,
    {
        let mut seen = Seen {
            readable: false,
            status: None,
            body: String::new(),
            headers: Vec::new(),
            blocked: None,
            preflighted: false,
            requests: Vec::new(),
        };
        let blocked = |mut seen: Seen, why: CorsError| {
            seen.blocked = Some(why);
            seen
        };
        if is_forbidden_method(&self.method) {
            return blocked(seen, CorsError::ForbiddenMethod);
        }
        let page = self.page.origin.clone();
        let credentials = self.page.credentials;
        let mut method = normalize_method(&self.method);
        let mut headers: Vec<(String, String)> = self
            .headers
            .into_iter()
            .filter(|(n, _)| !is_forbidden_request_header(n))
            .collect();
        let mut body = self.body;
        let (mut origin, mut path) = split_url(&self.url, app_origin);
        let mut tainted = false;
        for _ in 0..20 {
            let cors = tainted || origin != page;
            let sent_origin = if tainted {
                "null".to_owned()
            } else {
                page.clone()
            };
            let url = format!("{origin}{path}");
            let unsafe_names = unsafe_header_names(&headers);
            let key = (sent_origin.as_str(), url.as_str(), credentials);
            let cached = || {
                self.page
                    .cache
                    .lock()
                    .map(|mut cache| cache.covers(key, &method, &unsafe_names))
                    .unwrap_or(false)
            };
            if cors && (!is_safelisted_method(&method) || !unsafe_names.is_empty()) && !cached() {
                let mut preflight = vec![
                    ("origin".to_owned(), sent_origin.clone()),
                    ("access-control-request-method".to_owned(), method.clone()),
                ];
                if !unsafe_names.is_empty() {
                    preflight.push((
                        "access-control-request-headers".to_owned(),
                        unsafe_names.join(","),
                    ));
                }
                let got = send(Sent {
                    method: "OPTIONS".into(),
                    origin: origin.clone(),
                    path: path.clone(),
                    headers: preflight,
                    body: Vec::new(),
                })
                .await;
                seen.preflighted = true;
                seen.requests
                    .push(("OPTIONS".into(), url.clone(), got.status));
                if let Err(why) = cors_check(
                    &sent_origin,
                    credentials,
                    &got.all("access-control-allow-origin"),
                    got.first("access-control-allow-credentials"),
                    true,
                ) {
                    return blocked(seen, why);
                }
                if !(200..300).contains(&got.status) {
                    return blocked(seen, CorsError::PreflightInvalidStatus);
                }
                let methods = list(&got.all("access-control-allow-methods"));
                let allowed = list(&got.all("access-control-allow-headers"));
                if let Err(why) =
                    preflight_grants(&method, &unsafe_names, credentials, &methods, &allowed)
                {
                    return blocked(seen, why);
                }
                if let Ok(mut cache) = self.page.cache.lock() {
                    cache.store(
                        key,
                        &method,
                        &unsafe_names,
                        got.first("access-control-max-age"),
                    );
                }
            }
            let mut sent_headers = headers.clone();
            if cors || !matches!(method.as_str(), "GET" | "HEAD") {
                sent_headers.push(("origin".to_owned(), sent_origin.clone()));
            }
            let got = send(Sent {
                method: method.clone(),
                origin: origin.clone(),
                path: path.clone(),
                headers: sent_headers,
                body: body.clone(),
            })
            .await;
            seen.requests.push((method.clone(), url, got.status));
            let check = || {
                cors_check(
                    &sent_origin,
                    credentials,
                    &got.all("access-control-allow-origin"),
                    got.first("access-control-allow-credentials"),
                    false,
                )
            };
            if cors {
                if let Err(why) = check() {
                    return blocked(seen, why);
                }
            }
            let location = got.first("location").map(str::to_owned);
            if let (301 | 302 | 303 | 307 | 308, Some(location)) = (got.status, location) {
                let (next_origin, next_path) = split_url(&location, &origin);
                // The Fetch standard's tainted origin: a redirect to another origin, from a
                // URL of another origin than the page's.
                if next_origin != origin && page != origin {
                    tainted = true;
                }
                if got.status == 303 || (matches!(got.status, 301 | 302) && method == "POST") {
                    method = "GET".into();
                    body.clear();
                    headers.retain(|(n, _)| {
                        !matches!(
                            n.as_str(),
                            "content-encoding"
                                | "content-language"
                                | "content-location"
                                | "content-type"
                        )
                    });
                }
                origin = next_origin;
                path = next_path;
                continue;
            }
            let expose = list(&got.all("access-control-expose-headers"));
            seen.readable = true;
            seen.status = Some(got.status);
            seen.body = String::from_utf8_lossy(&got.body).into_owned();
            seen.headers = got
                .headers
                .iter()
                .filter(|(n, _)| {
                    if cors {
                        is_readable_header(n, &expose, credentials)
                    } else {
                        n != "set-cookie" && n != "set-cookie2"
                    }
                })
                .cloned()
                .collect();
            return seen;
        }
        blocked(seen, CorsError::RedirectFailed)
    }
}

/// `(origin, path)` of `url`: absolute, or a path on `base`.
fn split_url(url: &str, base: &str) -> (String, String) {
    for scheme in ["http://", "https://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            let (authority, path) = match rest.find(['/', '?']) {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            };
            let path = if path.starts_with('?') {
                format!("/{path}")
            } else {
                path.to_owned()
            };
            return (format!("{scheme}{}", authority.to_ascii_lowercase()), path);
        }
    }
    let path = if url.starts_with('/') {
        url.to_owned()
    } else {
        format!("/{url}")
    };
    (base.to_owned(), path)
}
