//! The shared headless Chromium, one fresh browser context per case, and what DevTools shows of
//! a `fetch()`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::browser::BrowserContextId;
use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent, InitiatorType,
};
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use chromiumoxide::handler::viewport::Viewport;
use chromiumoxide::Page;
use futures_util::stream::{self, BoxStream, StreamExt};
use serde_json::Value;
use tokio::time::{timeout, timeout_at, Instant};

/// Where the Debian package installs Chromium, in order of preference: the real binary first
/// (the `/usr/bin/chromium` wrapper script adds flags from `/etc/chromium.d`). The environment
/// variable `CORS_ACTIX_CHROMIUM` overrides them.
pub const CHROMIUM_PATHS: [&str; 2] = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

/// The page's `fetch()` must settle within this time.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// DevTools must report the end of every request of a fetch within this time after it settled.
const EVENTS_TIMEOUT: Duration = Duration::from_secs(5);
/// Once every request seen has ended, wait this long for stragglers: DevTools events of the
/// preflight and of the main request come from different places and are not ordered.
const SETTLE: Duration = Duration::from_millis(50);

/// The headless Chromium of this test binary.
pub struct Chromium {
    browser: Browser,
}

/// The shared browser, launched on first use, or why it cannot run.
pub fn chromium() -> Result<&'static Chromium, String> {
    static CHROMIUM: OnceLock<Result<Chromium, String>> = OnceLock::new();
    CHROMIUM
        .get_or_init(|| {
            let executable = find_executable().ok_or_else(|| {
                crate::engine::Engine::Chromium
                    .installed()
                    .err()
                    .unwrap_or_default()
            })?;
            Ok(launch(&executable))
        })
        .as_ref()
        .map_err(Clone::clone)
}

pub(crate) fn find_executable() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CORS_ACTIX_CHROMIUM") {
        return Some(PathBuf::from(path)).filter(|p| p.exists());
    }
    CHROMIUM_PATHS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Launches Chromium from a thread that lives as long as the process and drives the DevTools
/// connection. Through `setpriv --pdeathsig KILL` (when available), the kernel kills Chromium
/// when that thread ends, so a test binary never leaves a browser behind, even when killed.
fn launch(executable: &Path) -> Chromium {
    // A fresh profile per process. A static is never dropped, so the directory outlives the
    // process: remove those of processes that are gone (not others', which may be running).
    const PREFIX: &str = "cors-actix-chromium-";
    let temp = std::env::temp_dir();
    for entry in std::fs::read_dir(&temp).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let pid = name.to_str().and_then(|n| n.strip_prefix(PREFIX));
        if pid.is_some_and(|pid| !Path::new("/proc").join(pid).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let profile = temp.join(format!("{PREFIX}{}", std::process::id()));
    let wrapper = Path::new(env!("CARGO_MANIFEST_DIR")).join("chromium-pdeathsig.sh");
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .iter()
        .any(|p| Path::new(p).exists());
    let launcher = if setpriv {
        wrapper.as_path()
    } else {
        executable
    };
    let config = BrowserConfig::builder()
        .chrome_executable(launcher)
        .env("CORS_ACTIX_CHROMIUM_EXE", executable.to_string_lossy())
        // Exactly these flags (keys without `--`, chromiumoxide adds them); headless and
        // `--no-sandbox` come from the builder.
        .disable_default_args()
        .no_sandbox()
        .user_data_dir(&profile)
        .args([
            "disable-gpu",
            "disable-background-networking",
            "disable-component-update",
            "disable-sync",
            "no-first-run",
            "no-default-browser-check",
            "disable-quic",
            "disable-dev-shm-usage",
        ])
        .arg(("host-resolver-rules", "MAP *.test 127.0.0.1"))
        .window_size(1000, 800)
        .viewport(Viewport {
            width: 1000,
            height: 800,
            device_scale_factor: Some(1.0),
            emulating_mobile: false,
            is_landscape: true,
            has_touch: false,
        })
        .launch_timeout(Duration::from_secs(30))
        .request_timeout(Duration::from_secs(15))
        .build()
        .expect("valid browser config");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("chromium".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(async move {
                match Browser::launch(config).await {
                    Ok((browser, mut handler)) => {
                        let _ = sender.send(Ok(browser));
                        // Drive the connection until the browser goes away.
                        while handler.next().await.is_some() {}
                    }
                    Err(err) => {
                        let _ = sender.send(Err(err.to_string()));
                    }
                }
            });
        })
        .expect("spawn the chromium thread");
    let browser = receiver
        .recv()
        .expect("chromium thread answers")
        .unwrap_or_else(|err| panic!("launching {} failed: {err}", executable.display()));
    Chromium { browser }
}

impl Chromium {
    /// Opens `url` in a new page of a new browser context, listening to the network before
    /// navigating.
    ///
    /// # Panics
    /// If DevTools fails.
    pub async fn open(&'static self, url: &str) -> Tab {
        let context = self
            .browser
            .create_browser_context(CreateBrowserContextParams::default())
            .await
            .expect("Target.createBrowserContext");
        let mut target = CreateTargetParams::new("about:blank");
        target.browser_context_id = Some(context.clone());
        let page = self.browser.new_page(target).await.expect("new page");
        let sent = page
            .event_listener::<EventRequestWillBeSent>()
            .await
            .expect("listen to Network.requestWillBeSent");
        let finished = page
            .event_listener::<EventLoadingFinished>()
            .await
            .expect("listen to Network.loadingFinished");
        let failed = page
            .event_listener::<EventLoadingFailed>()
            .await
            .expect("listen to Network.loadingFailed");
        let events = stream::select(
            stream::select(
                sent.map(|e| Net::Sent {
                    id: e.request_id.inner().clone(),
                    url: e.request.url.clone(),
                    preflight: e.initiator.r#type == InitiatorType::Preflight
                        && e.request.method == "OPTIONS",
                }),
                finished.map(|e| Net::Finished {
                    id: e.request_id.inner().clone(),
                }),
            ),
            failed.map(|e| Net::Failed {
                id: e.request_id.inner().clone(),
                error_text: e.error_text.clone(),
                cors: e.cors_error_status.as_ref().map(|s| CorsFailure {
                    error: s.cors_error.as_ref().to_owned(),
                    failed_parameter: s.failed_parameter.clone(),
                }),
            }),
        )
        .boxed();
        page.goto(url)
            .await
            .unwrap_or_else(|e| panic!("navigate to {url}: {e}"));
        Tab {
            chromium: self,
            page,
            context,
            events,
        }
    }
}

/// A page in its own browser context.
pub struct Tab {
    chromium: &'static Chromium,
    /// The page, for anything the harness does not wrap (evaluate, screenshots).
    pub page: Page,
    context: BrowserContextId,
    events: BoxStream<'static, Net>,
}

/// A network event of DevTools, reduced to what the suite needs.
#[derive(Debug)]
enum Net {
    Sent {
        id: String,
        url: String,
        preflight: bool,
    },
    Finished {
        id: String,
    },
    Failed {
        id: String,
        error_text: String,
        cors: Option<CorsFailure>,
    },
}

/// Chromium's reason for blocking a request (`corsErrorStatus` of `Network.loadingFailed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorsFailure {
    /// E.g. `MissingAllowOriginHeader`, `PreflightMissingAllowOriginHeader`.
    pub error: String,
    /// The header value or parameter at fault, if Chromium names one.
    pub failed_parameter: String,
}

/// What DevTools saw of one `fetch()`.
#[derive(Clone, Debug)]
pub struct Network {
    /// Preflights Chromium sent (`requestWillBeSent` with initiator `preflight`, method OPTIONS).
    pub preflights: usize,
    /// Chromium's CORS error for the main request, if it blocked it.
    pub cors: Option<CorsFailure>,
    /// The main request's `errorText`, if it failed (`net::ERR_FAILED` for CORS errors).
    pub error_text: Option<String>,
}

/// The outcome of a `fetch()`: what the page's JavaScript saw, and what DevTools saw.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// Whether the promise resolved (the response is readable by the page).
    pub readable: bool,
    /// Status, when readable.
    pub status: Option<u16>,
    /// Body, when readable.
    pub body: String,
    /// The response headers JavaScript can read (lowercase names), when readable.
    pub headers: BTreeMap<String, String>,
    /// The exception, when blocked (`TypeError: Failed to fetch`: JavaScript never sees why).
    pub error: Option<String>,
    /// What DevTools saw.
    pub network: Network,
}

impl Tab {
    /// Runs `fetch(url, init)` in the page and waits until DevTools reported the end of every
    /// request it made (the preflight, if any, and the main request).
    ///
    /// # Panics
    /// On timeouts (`fetch` 10 s, events 5 s after it settled) or DevTools failures.
    pub async fn fetch(&mut self, url: &str, init: &Value) -> Fetched {
        let script = format!(
            r#"(async () => {{
                try {{
                    const response = await fetch({url}, {init});
                    const headers = {{}};
                    response.headers.forEach((value, name) => {{ headers[name] = value; }});
                    const body = await response.text();
                    return {{ readable: true, status: response.status, headers, body }};
                }} catch (e) {{
                    return {{ readable: false, error: String(e) }};
                }}
            }})()"#,
            url = Value::from(url),
        );
        let result: Value = timeout(FETCH_TIMEOUT, self.page.evaluate(script))
            .await
            .unwrap_or_else(|_| panic!("fetch({url}) did not settle in {FETCH_TIMEOUT:?}"))
            .unwrap_or_else(|e| panic!("evaluating fetch({url}): {e}"))
            .into_value()
            .expect("fetch result is JSON");
        let network = self.network(url).await;
        Fetched {
            readable: result["readable"] == true,
            status: result["status"].as_u64().map(|s| s as u16),
            body: result["body"].as_str().unwrap_or_default().to_owned(),
            headers: result["headers"]
                .as_object()
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
            error: result["error"].as_str().map(str::to_owned),
            network,
        }
    }

    /// Collects the DevTools events of the requests to `url` until each has ended.
    async fn network(&mut self, url: &str) -> Network {
        let deadline = Instant::now() + EVENTS_TIMEOUT;
        let mut preflights: Vec<String> = Vec::new();
        let mut mains: Vec<String> = Vec::new();
        let mut ends: HashMap<String, Net> = HashMap::new();
        let mut settle_until: Option<Instant> = None;
        loop {
            let ended = |id: &String| ends.contains_key(id);
            let done = !mains.is_empty() && mains.iter().all(ended) && preflights.iter().all(ended);
            if !done {
                settle_until = None;
            } else if settle_until.is_none() {
                settle_until = Some(Instant::now() + SETTLE);
            }
            match timeout_at(settle_until.unwrap_or(deadline), self.events.next()).await {
                Ok(Some(event)) => match event {
                    Net::Sent {
                        id,
                        url: sent,
                        preflight,
                    } => {
                        let ids = if preflight {
                            &mut preflights
                        } else {
                            &mut mains
                        };
                        if sent == url && !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    Net::Finished { ref id } | Net::Failed { ref id, .. } => {
                        let id = id.clone();
                        ends.insert(id, event);
                    }
                },
                Ok(None) => panic!("DevTools event stream ended while waiting for {url}"),
                Err(_) if done => break,
                Err(_) => panic!(
                    "DevTools did not report the end of every request to {url} within \
                     {EVENTS_TIMEOUT:?} (requests {mains:?}, preflights {preflights:?}, ended \
                     {:?}); an event chromiumoxide cannot parse is dropped silently",
                    ends.keys().collect::<Vec<_>>()
                ),
            }
        }
        let main = mains.last().and_then(|id| ends.get(id));
        let (cors, error_text) = match main {
            Some(Net::Failed {
                cors, error_text, ..
            }) => (cors.clone(), Some(error_text.clone())),
            _ => (None, None),
        };
        Network {
            preflights: preflights.len(),
            cors,
            error_text,
        }
    }

    /// Closes the page and disposes of its browser context.
    pub async fn close(self) {
        let _ = self.page.close().await;
        let _ = self
            .chromium
            .browser
            .dispose_browser_context(self.context)
            .await;
    }
}
