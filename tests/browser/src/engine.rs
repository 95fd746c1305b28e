//! The three browser engines of the suite, and how a page names hosts in each.

use std::fmt;

/// A browser engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// Debian's Chromium, over DevTools (chromiumoxide).
    Chromium,
    /// Debian's Firefox ESR, over WebDriver (geckodriver).
    Firefox,
    /// WebKitGTK's MiniBrowser, over WebDriver (WebKitWebDriver): Safari's engine.
    WebKit,
}

/// Every engine, in the order the suite reports them.
pub const ENGINES: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

impl Engine {
    /// Its name, as trials are prefixed with.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::WebKit => "webkit",
        }
    }

    /// Whether the engine can run on this machine (its programs are installed), or why not.
    /// Starting it may still fail: that is a test failure, not a skip.
    pub fn installed(self) -> Result<(), String> {
        match self {
            Engine::Chromium => crate::browser::find_executable().map(drop).ok_or_else(|| {
                format!(
                    "Chromium is not installed (looked for $CORS_ACTIX_CHROMIUM, {}): install it with `apt-get install -y chromium`",
                    crate::browser::CHROMIUM_PATHS.join(", ")
                )
            }),
            Engine::Firefox => crate::webdriver::firefox_parts().map(drop),
            Engine::WebKit => crate::webdriver::webkit_parts().map(drop),
        }
    }

    /// The host a page of this engine uses for `name` (written with `.test`): Chromium and
    /// Firefox map every `*.test` name to loopback (host-resolver rules, `network.dns.
    /// forceResolve`); WebKit offers no such switch but resolves every `*.localhost` name to
    /// loopback by itself, so its pages live on `app.localhost`, `evil.localhost`, ...
    pub fn host(self, name: &str) -> String {
        match self {
            Engine::WebKit => name.replace(".test", ".localhost"),
            _ => name.to_owned(),
        }
    }

    /// What a page's `fetch()` rejects with when the engine blocks a response.
    pub fn blocked_error(self) -> &'static str {
        match self {
            Engine::Chromium => "TypeError: Failed to fetch",
            Engine::Firefox => "TypeError: NetworkError when attempting to fetch resource.",
            Engine::WebKit => "TypeError: Load failed",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
