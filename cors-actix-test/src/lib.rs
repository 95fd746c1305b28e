//! # cors-actix-test
//!
//! A test kit: what a page in a browser sees when it calls your app, modelled on the Fetch
//! standard, for unit tests of a CORS configuration. Take it as a dev-dependency:
//!
//! ```toml
//! [dev-dependencies]
//! cors-actix-test = "0.1"
//! ```
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
//! use cors_actix::{cors, Cors};
//! use cors_actix_test::{page, CorsError};
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
//! A page's fetches share one browser profile: the Fetch standard's preflight cache (per
//! origin, URL and credentials mode, for `Access-Control-Max-Age` seconds, 5 without it) and a
//! cookie jar (RFC 6265bis: `SameSite`, `Secure`, `Domain`, `Path`, expiry; cookies of another
//! site than the page's as [`ThirdPartyCookies`] says, blocked by default). Requests to a
//! potentially trustworthy URL (`https`, `localhost`, loopback) carry `Sec-Fetch-Site`,
//! `Sec-Fetch-Mode: cors` and `Sec-Fetch-Dest: empty`, as the engines send them. What the kit
//! does not model: the engines' caps on max-age, mixed content, Private Network Access, and
//! the engines' own leniencies. Where Chromium, Firefox and WebKit differ from the standard,
//! the kit follows the standard: the repository's browser suite runs each of its cases
//! through the kit too, and says where an engine differs (`docs/browsers.md`).
//!
//! The kit needs nothing of `cors-actix`: it sends requests to any `actix_web` service or to
//! any server on a socket, so it also tests an app that sets its CORS headers by hand or with
//! another middleware. It is a crate of its own so that production builds compile neither its
//! HTTP/1.1 client nor its cookie jar.
//!
//! Features: `public-suffix-list` (default): sites (for `Sec-Fetch-Site` and cookies) are
//! scheme and registrable domain from the Public Suffix List; without it, a site is a host's
//! last two labels (wrong under suffixes such as `co.uk`).
//!
//! Minimum supported Rust version: 1.89.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cookie_jar;
mod fetch;
mod preflight_cache;
mod seen;
mod site;
mod transport;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};

use crate::cookie_jar::{Context, CookieJar};
use crate::fetch::{
    cors_check, is_forbidden_method, is_forbidden_request_header, is_safelisted_method, list,
    normalize_method, preflight_grants, unsafe_header_names,
};
use crate::preflight_cache::PreflightCache;
use crate::site::{is_trustworthy, site, FetchSite};
use crate::transport::{Got, Sent};

pub use crate::cookie_jar::ThirdPartyCookies;
pub use crate::seen::{CorsError, Seen};

/// The origin `actix_web::test` requests are addressed to (its default host).
const TEST_SERVICE_ORIGIN: &str = "http://localhost:8080";

/// A page on `origin` (`https://app.example.com`, as browsers serialize origins).
///
/// ```
/// let page = cors_actix_test::page("https://app.example.com");
/// # let _ = page;
/// ```
pub fn page(origin: &str) -> Page {
    Page {
        origin: origin.to_owned(),
        credentials: false,
        profile: Default::default(),
    }
}

/// A page, the source of [`fetch`](Page::fetch)es. Made by [`page`].
#[derive(Clone, Debug)]
pub struct Page {
    origin: String,
    credentials: bool,
    /// Shared by the page's clones and fetches.
    profile: Arc<Mutex<Profile>>,
}

/// One browser profile: what a page's fetches remember.
#[derive(Debug, Default)]
struct Profile {
    preflights: PreflightCache,
    cookies: CookieJar,
}

impl Page {
    /// Its fetches are made with `credentials: "include"`: the response must then carry
    /// `Access-Control-Allow-Credentials: true` and an exact origin, never `*`; cookies go
    /// with cross-origin requests and their `Set-Cookie` is stored. Without it (the default
    /// `credentials: "same-origin"`), only same-origin requests carry and store cookies.
    pub fn credentials(mut self) -> Page {
        self.credentials = true;
        self
    }

    /// What the page's browser does with cookies of another site than the page's (the
    /// setting of the profile, which the page's clones share); [`ThirdPartyCookies::Blocked`]
    /// unless set.
    ///
    /// ```
    /// use actix_web::{post, test, App, HttpResponse};
    /// use cors_actix_test::{page, ThirdPartyCookies};
    /// use cors_actix::{cors, Cors};
    ///
    /// #[cors(origins = ["https://app.example.com"], credentials)]
    /// #[post("/login")]
    /// async fn login() -> HttpResponse {
    ///     HttpResponse::Ok().append_header(("Set-Cookie", "sid=1; SameSite=None; Secure")).finish()
    /// }
    ///
    /// # actix_web::rt::System::new().block_on(async {
    /// let app = test::init_service(App::new().service(login).wrap(Cors::new())).await;
    /// // The test service is http://localhost:8080, another site than the page's.
    /// let safari = page("https://app.example.com").credentials();
    /// safari.fetch("POST", "/login").send(&app).await;
    /// assert_eq!(safari.cookies(), []);
    ///
    /// let firefox = page("https://app.example.com")
    ///     .credentials()
    ///     .third_party_cookies(ThirdPartyCookies::Partitioned);
    /// firefox.fetch("POST", "/login").send(&app).await;
    /// assert_eq!(firefox.cookies(), [("sid".to_owned(), "1".to_owned())]);
    /// # });
    /// ```
    pub fn third_party_cookies(self, treatment: ThirdPartyCookies) -> Page {
        self.profile().cookies.third_party = treatment;
        self
    }

    /// The cookies the page's browser holds (name and value), in every jar.
    pub fn cookies(&self) -> Vec<(String, String)> {
        self.profile().cookies.pairs()
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

    fn profile(&self) -> MutexGuard<'_, Profile> {
        // A test that panicked while holding the profile leaves it as it was: use it.
        self.profile
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
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

    /// The fetch, hop by hop along its redirects: for each URL, the preflight when one is
    /// needed and not cached, the request, the CORS check, then the next URL or what the page
    /// reads.
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
        if is_forbidden_method(&self.method) {
            seen.blocked = Some(CorsError::ForbiddenMethod);
            return seen;
        }
        let page = &self.page;
        let (origin, path) = split_url(&self.url, app_origin);
        let mut hop = Hop {
            method: normalize_method(&self.method),
            headers: self
                .headers
                .into_iter()
                .filter(|(n, _)| !is_forbidden_request_header(n))
                .collect(),
            body: self.body,
            origin,
            path,
            tainted: false,
            chain: FetchSite::SameOrigin,
        };
        let page_site = site(&page.origin);
        for _ in 0..20 {
            hop.chain = hop.chain.max(FetchSite::of(&page.origin, &hop.origin));
            let cors = hop.tainted || hop.origin != page.origin;
            let sent_origin = if hop.tainted {
                "null"
            } else {
                page.origin.as_str()
            };
            let url = format!("{}{}", hop.origin, hop.path);
            if cors {
                if let Err(why) = hop
                    .preflight(page, sent_origin, &url, &mut send, &mut seen)
                    .await
                {
                    seen.blocked = Some(why);
                    return seen;
                }
            }
            let to = Context {
                origin: &hop.origin,
                path: &hop.path,
                cross_site: hop.chain == FetchSite::CrossSite,
                page_site: &page_site,
            };
            // `credentials: "include"`, or the default "same-origin" on a same-origin URL.
            let with_cookies = page.credentials || !cors;
            let mut sent_headers = hop.headers.clone();
            if cors || !matches!(hop.method.as_str(), "GET" | "HEAD") {
                sent_headers.push(("origin".to_owned(), sent_origin.to_owned()));
            }
            hop.fetch_metadata(&mut sent_headers);
            if with_cookies {
                if let Some(cookie) = page.profile().cookies.header(&to) {
                    sent_headers.push(("cookie".to_owned(), cookie));
                }
            }
            let got = send(hop.sent("", sent_headers)).await;
            if with_cookies {
                page.profile().cookies.store(&got.all("set-cookie"), &to);
            }
            seen.requests.push((hop.method.clone(), url, got.status));
            if cors {
                let allow_origin = got.all("access-control-allow-origin");
                let allow_credentials = got.first("access-control-allow-credentials");
                let checked = cors_check(
                    sent_origin,
                    page.credentials,
                    &allow_origin,
                    allow_credentials,
                    false,
                );
                if let Err(why) = checked {
                    seen.blocked = Some(why);
                    return seen;
                }
            }
            match got.first("location").map(str::to_owned) {
                Some(location) if matches!(got.status, 301 | 302 | 303 | 307 | 308) => {
                    hop.redirect(&page.origin, got.status, &location);
                }
                _ => {
                    seen.read(got, cors, page.credentials);
                    return seen;
                }
            }
        }
        seen.blocked = Some(CorsError::RedirectFailed);
        seen
    }
}

/// Where a fetch is along its redirects, and what it sends there.
struct Hop {
    method: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The URL's origin and path.
    origin: String,
    path: String,
    /// The Fetch standard's tainted origin: the request's `Origin` is `null`.
    tainted: bool,
    /// How the URLs so far relate to the page (`Sec-Fetch-Site` of the chain).
    chain: FetchSite,
}

impl Hop {
    /// The request to this URL, as `method` (`""`: the hop's) with `headers`.
    fn sent(&self, method: &str, headers: Vec<(String, String)>) -> Sent {
        let preflight = !method.is_empty();
        Sent {
            method: if preflight { method } else { &self.method }.to_owned(),
            origin: self.origin.clone(),
            path: self.path.clone(),
            headers,
            body: if preflight {
                Vec::new()
            } else {
                self.body.clone()
            },
        }
    }

    /// `Sec-Fetch-Site`, `-Mode` and `-Dest` of a `fetch()`, to a potentially trustworthy URL.
    fn fetch_metadata(&self, headers: &mut Vec<(String, String)>) {
        if is_trustworthy(&self.origin) {
            headers.push(("sec-fetch-site".into(), self.chain.as_str().into()));
            headers.push(("sec-fetch-mode".into(), "cors".into()));
            headers.push(("sec-fetch-dest".into(), "empty".into()));
        }
    }

    /// The CORS preflight of a cross-origin request that needs one (a method other than
    /// `GET`/`HEAD`/`POST`, or a header that is not safelisted) and that the preflight cache
    /// does not cover: sent, checked, and what it allowed cached.
    async fn preflight<F, Fut>(
        &self,
        page: &Page,
        sent_origin: &str,
        url: &str,
        send: &mut F,
        seen: &mut Seen,
    ) -> Result<(), CorsError>
    where
        F: FnMut(Sent) -> Fut,
        Fut: std::future::Future<Output = Got>,
    {
        let unsafe_names = unsafe_header_names(&self.headers);
        if is_safelisted_method(&self.method) && unsafe_names.is_empty() {
            return Ok(());
        }
        let key = (sent_origin, url, page.credentials);
        if page
            .profile()
            .preflights
            .covers(key, &self.method, &unsafe_names)
        {
            return Ok(());
        }
        let mut headers = vec![
            ("origin".to_owned(), sent_origin.to_owned()),
            (
                "access-control-request-method".to_owned(),
                self.method.clone(),
            ),
        ];
        if !unsafe_names.is_empty() {
            headers.push((
                "access-control-request-headers".to_owned(),
                unsafe_names.join(","),
            ));
        }
        self.fetch_metadata(&mut headers);
        let got = send(self.sent("OPTIONS", headers)).await;
        seen.preflighted = true;
        seen.requests
            .push(("OPTIONS".into(), url.to_owned(), got.status));
        cors_check(
            sent_origin,
            page.credentials,
            &got.all("access-control-allow-origin"),
            got.first("access-control-allow-credentials"),
            true,
        )?;
        if !(200..300).contains(&got.status) {
            return Err(CorsError::PreflightInvalidStatus);
        }
        let methods = list(&got.all("access-control-allow-methods"));
        let allowed = list(&got.all("access-control-allow-headers"));
        preflight_grants(
            &self.method,
            &unsafe_names,
            page.credentials,
            &methods,
            &allowed,
        )?;
        page.profile().preflights.store(
            key,
            &self.method,
            &unsafe_names,
            got.first("access-control-max-age"),
        );
        Ok(())
    }

    /// Follows a redirect with `status` to `location`.
    fn redirect(&mut self, page_origin: &str, status: u16, location: &str) {
        let (next_origin, next_path) = split_url(location, &self.origin);
        // A redirect to another origin, from a URL of another origin than the page's.
        if next_origin != self.origin && page_origin != self.origin {
            self.tainted = true;
        }
        if status == 303 || (matches!(status, 301 | 302) && self.method == "POST") {
            self.method = "GET".into();
            self.body.clear();
            self.headers.retain(|(n, _)| {
                !matches!(
                    n.as_str(),
                    "content-encoding" | "content-language" | "content-location" | "content-type"
                )
            });
        }
        self.origin = next_origin;
        self.path = next_path;
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

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
