//! Harness of the end-to-end suite: real browsers of three engines (Debian's Chromium, Firefox
//! ESR and WebKitGTK, never downloaded) drive pages on several origins against an actix-web
//! server of this project. Every case runs in every engine, as a trial of its own
//! ([`harness`]): `chromium::case`, `firefox::case`, `webkit::case`; an engine that is not
//! installed makes its trials *ignored*, with the reason after the summary (failures with
//! `CI=true`).
//!
//! - [`firefox()`] and [`webkit()`] start one session per test binary, driven over WebDriver
//!   (geckodriver, WebKitWebDriver; fantoccini), checked against the server's journal
//!   (WebDriver has no network events).
//!
//! - [`chromium()`] launches one browser per test binary and shares it; each case opens a
//!   [`Tab`] in a fresh browser context (own cookies, own preflight cache).
//! - [`Tab::fetch`] runs `fetch()` in the page and reports what the page's JavaScript could read
//!   and what DevTools saw on the network: the preflight, and Chromium's own CORS error
//!   (`corsErrorStatus` of `Network.loadingFailed`).
//! - [`TestServer`] serves the routes under test on `127.0.0.1:<ephemeral>` behind
//!   [`cors_actix::Cors`], plus a blank page for every host name, and keeps a [`Journal`] of
//!   what reached the server and which handlers ran: the server is the truth for side effects.
//!
//! Chromium resolves every `*.test` name to `127.0.0.1` (`--host-resolver-rules`), so pages live
//! on `http://app.test:PORT`, `http://evil.test:PORT`, ... and the API on `http://api.test:PORT`.
#![warn(missing_docs)]

mod browser;
mod engine;
pub mod harness;
mod server;
mod webdriver;

pub use browser::{chromium, Chromium, CorsFailure, Fetched, Network, Tab, CHROMIUM_PATHS};
pub use engine::{Engine, ENGINES};
pub use server::{case_of, ran, Journal, Seen, TestServer};
pub use webdriver::{firefox, webkit, DriverFetched, WebDriver, FIREFOX_PATHS, MINIBROWSER_PATHS};
