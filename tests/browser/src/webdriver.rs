//! The WebDriver engines: Debian's Firefox ESR (through geckodriver) and WebKit (WebKitGTK's
//! `MiniBrowser --automation` through `WebKitWebDriver`, on a virtual display of its own:
//! Safari's engine), each one session per test binary, driven with fantoccini. WebDriver gives
//! no network events: what the engine sent is read from the server's journal, and a blocked
//! fetch only says `NetworkError` (Firefox) or `Load failed` (WebKit) to the page.
//!
//! The WebDriver servers listen on loopback and speak plain http: fantoccini connects through
//! hyper's plain `HttpConnector`, built without TLS (no OpenSSL headers needed to build the
//! workspace; `.ci/run` checks that `openssl-sys` is not in its tree).

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Map, Value};

use crate::engine::Engine;

/// Where Debian installs Firefox ESR; `CORS_ACTIX_FIREFOX` overrides.
pub const FIREFOX_PATHS: [&str; 2] = ["/usr/lib/firefox-esr/firefox-esr", "/usr/bin/firefox-esr"];

/// Where Debian's `libwebkit2gtk-4.1-0` installs MiniBrowser; `CORS_ACTIX_MINIBROWSER`
/// overrides.
pub const MINIBROWSER_PATHS: [&str; 2] = [
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
];

/// What a page's `fetch()` got, in a WebDriver engine.
#[derive(Clone, Debug)]
pub struct DriverFetched {
    /// Whether the promise resolved (the response is readable by the page).
    pub readable: bool,
    /// Status, when readable.
    pub status: Option<u16>,
    /// Body, when readable.
    pub body: String,
    /// The response headers the page can read (lowercase names), when readable.
    pub headers: std::collections::HashMap<String, String>,
    /// The exception, when blocked.
    pub error: Option<String>,
}

/// One job for the engine's thread: open `page` (if any), then run an asynchronous `script`
/// (its last argument is the callback that returns its value) with `args`.
struct Job {
    page: Option<String>,
    script: String,
    args: Vec<Value>,
    reply: mpsc::Sender<Result<Value, String>>,
}

/// A WebDriver engine of this test binary: one session, used by one case at a time.
pub struct WebDriver {
    jobs: Mutex<mpsc::Sender<Job>>,
    /// The browser's version, for the record.
    pub version: String,
    /// Which engine.
    pub engine: Engine,
}

/// The shared Firefox, started on first use, or why it cannot run.
pub fn firefox() -> Result<&'static WebDriver, String> {
    static FIREFOX: OnceLock<Result<WebDriver, String>> = OnceLock::new();
    FIREFOX
        .get_or_init(|| {
            let (firefox, driver) = firefox_parts()?;
            launch(Engine::Firefox, &firefox, &driver)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The shared WebKit, started on first use, or why it cannot run.
pub fn webkit() -> Result<&'static WebDriver, String> {
    static WEBKIT: OnceLock<Result<WebDriver, String>> = OnceLock::new();
    WEBKIT
        .get_or_init(|| {
            let (browser, driver) = webkit_parts()?;
            launch(Engine::WebKit, &browser, &driver)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Firefox and geckodriver, or what is missing.
pub(crate) fn firefox_parts() -> Result<(PathBuf, PathBuf), String> {
    match (find_firefox(), find_on_path("geckodriver")) {
        (Some(firefox), Some(driver)) => Ok((firefox, driver)),
        _ => Err(format!(
            "Firefox or geckodriver is missing (looked for $CORS_ACTIX_FIREFOX, {}, and geckodriver on PATH or in ~/.cargo/bin): install them with `apt-get install -y firefox-esr` and `cargo install geckodriver --locked`",
            FIREFOX_PATHS.join(", ")
        )),
    }
}

/// MiniBrowser, WebKitWebDriver and Xvfb, or what is missing.
pub(crate) fn webkit_parts() -> Result<(PathBuf, PathBuf), String> {
    let browser = std::env::var_os("CORS_ACTIX_MINIBROWSER")
        .map(PathBuf::from)
        .into_iter()
        .chain(MINIBROWSER_PATHS.iter().map(PathBuf::from))
        .find(|p| p.exists());
    match (browser, find_on_path("WebKitWebDriver"), find_on_path("Xvfb")) {
        (Some(browser), Some(driver), Some(_)) => Ok((browser, driver)),
        _ => Err(format!(
            "WebKit is missing (looked for $CORS_ACTIX_MINIBROWSER, {}, WebKitWebDriver and Xvfb on PATH): install it with `apt-get install -y webkit2gtk-driver xvfb`",
            MINIBROWSER_PATHS.join(", ")
        )),
    }
}

fn find_firefox() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CORS_ACTIX_FIREFOX") {
        return Some(PathBuf::from(path)).filter(|p| p.exists());
    }
    FIREFOX_PATHS.iter().map(PathBuf::from).find(|p| p.exists())
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(program));
    let cargo_bin =
        std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin").join(program));
    on_path.chain(cargo_bin).find(|p| p.exists())
}

/// `program`, killed with the thread that starts it through `setpriv --pdeathsig` when
/// available.
fn command(program: &Path) -> Command {
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .iter()
        .find(|p| Path::new(p).exists());
    match setpriv {
        Some(setpriv) => {
            let mut c = Command::new(setpriv);
            c.args(["--pdeathsig", "KILL", "--"]).arg(program);
            c
        }
        None => Command::new(program),
    }
}

/// A virtual display for WebKit: Xvfb picks a free display number and says it on stdout.
fn start_xvfb() -> Result<(Child, String), String> {
    let xvfb = find_on_path("Xvfb").ok_or("Xvfb is missing")?;
    let mut child = command(&xvfb)
        .args([
            "-displayfd",
            "1",
            "-nolisten",
            "tcp",
            "-screen",
            "0",
            "1280x1024x24",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting Xvfb: {e}"))?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("Xvfb has no stdout")?;
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("reading Xvfb's display: {e}"))?;
    let display = line.trim();
    if display.is_empty() {
        return Err("Xvfb did not say its display".to_owned());
    }
    Ok((child, format!(":{display}")))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Starts the engine's driver (and, for WebKit, its virtual display), killed with the thread
/// that starts them, and one session on a thread of its own.
fn launch(engine: Engine, browser: &Path, driver: &Path) -> Result<WebDriver, String> {
    let version = match engine {
        Engine::WebKit => Command::new("dpkg-query")
            .args(["-W", "-f=WebKitGTK ${Version}", "libwebkit2gtk-4.1-0"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_else(|_| "WebKitGTK".to_owned()),
        _ => Command::new(browser)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default(),
    };
    let port = free_port();
    let (sender, receiver) = mpsc::channel::<Job>();
    let (ready_tx, ready_rx) = mpsc::channel::<Result<String, String>>();
    let browser = browser.to_owned();
    let driver = driver.to_owned();
    std::thread::Builder::new()
        .name(engine.name().into())
        .spawn(move || {
            let mut display = None;
            let mut command = command(&driver);
            match engine {
                Engine::WebKit => {
                    let (xvfb, name) = match start_xvfb() {
                        Ok(started) => started,
                        Err(err) => {
                            let _ = ready_tx.send(Err(err));
                            return;
                        }
                    };
                    display = Some(xvfb);
                    command
                        .env("DISPLAY", name)
                        .arg(format!("--port={port}"))
                        .arg("--host=127.0.0.1");
                }
                _ => {
                    command.args(["--port", &port.to_string(), "--host", "127.0.0.1"]);
                }
            }
            let child = command
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let mut child = match child {
                Ok(child) => child,
                Err(err) => {
                    let _ = ready_tx.send(Err(format!("starting {}: {err}", driver.display())));
                    return;
                }
            };
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let deadline = Instant::now() + Duration::from_secs(20);
            while TcpStream::connect(addr).is_err() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(async move {
                let client = match connect(engine, port, &browser).await {
                    Ok(client) => client,
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                        return;
                    }
                };
                let version = match engine {
                    Engine::WebKit => client
                        .execute("return navigator.userAgent", vec![])
                        .await
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                let _ = ready_tx.send(Ok(version));
                while let Ok(job) = receiver.recv() {
                    let result = run(&client, &job).await;
                    let _ = job.reply.send(result);
                }
                let _ = client.close().await;
            });
            let _ = child.kill();
            if let Some(mut display) = display {
                let _ = display.kill();
            }
        })
        .expect("spawn the engine's thread");
    match ready_rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Ok(agent)) => Ok(WebDriver {
            jobs: Mutex::new(sender),
            version: if agent.is_empty() {
                version
            } else {
                format!("{version} ({agent})")
            },
            engine,
        }),
        Ok(Err(err)) => Err(format!("{} did not start: {err}", engine.name())),
        Err(_) => Err(format!("{} did not start within 60 s", engine.name())),
    }
}

async fn connect(engine: Engine, port: u16, browser: &Path) -> Result<Client, String> {
    let mut capabilities = Map::new();
    if engine == Engine::WebKit {
        // WebKit resolves every `*.localhost` name to loopback by itself: its pages live there.
        capabilities.insert(
            "webkitgtk:browserOptions".into(),
            json!({ "binary": browser, "args": ["--automation"] }),
        );
        return ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| format!("WebDriver session: {e}"));
    }
    let firefox = browser;
    capabilities.insert(
        "moz:firefoxOptions".into(),
        json!({
            "binary": firefox,
            "args": ["-headless"],
            "prefs": {
                // Every host name resolves to loopback: pages on app.test, evil.test, ...
                "network.dns.forceResolve": "127.0.0.1",
                "network.proxy.type": 0,
                "dom.security.https_first": false,
                "dom.security.https_only_mode": false,
                "app.update.enabled": false,
                "browser.shell.checkDefaultBrowser": false,
                "datareporting.policy.dataSubmissionEnabled": false,
                "toolkit.telemetry.enabled": false,
                "network.captive-portal-service.enabled": false,
                "network.connectivity-service.enabled": false,
                "browser.safebrowsing.malware.enabled": false,
                "browser.safebrowsing.phishing.enabled": false
            }
        }),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(|e| format!("WebDriver session: {e}"))
}

async fn run(client: &Client, job: &Job) -> Result<Value, String> {
    if let Some(page) = &job.page {
        client
            .goto(page)
            .await
            .map_err(|e| format!("open {page}: {e}"))?;
    }
    client
        .execute_async(&job.script, job.args.clone())
        .await
        .map_err(|e| format!("script: {e}"))
}

/// `fetch(url, init)` in the page, reporting what JavaScript could read.
const FETCH: &str = r#"
    const [url, init, done] = arguments;
    (async () => {
        try {
            const response = await fetch(url, init);
            const body = await response.text();
            const headers = {};
            response.headers.forEach((value, name) => { headers[name] = value; });
            done({ readable: true, status: response.status, body, headers });
        } catch (e) {
            done({ readable: false, error: String(e) });
        }
    })();
"#;

impl WebDriver {
    /// Opens `page`, then runs `fetch(url, init)` there `times` times, one after the other
    /// (in the same page).
    ///
    /// # Panics
    /// If WebDriver fails.
    pub fn fetch(&self, page: &str, url: &str, init: &Value, times: usize) -> Vec<DriverFetched> {
        // The page stays ours for every fetch.
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        (0..times)
            .map(|i| {
                let value = submit(
                    &jobs,
                    (i == 0).then_some(page),
                    FETCH,
                    vec![Value::from(url), init.clone()],
                );
                DriverFetched {
                    readable: value["readable"] == true,
                    status: value["status"].as_u64().map(|s| s as u16),
                    body: value["body"].as_str().unwrap_or_default().to_owned(),
                    headers: value["headers"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, v)| {
                            (
                                k.to_ascii_lowercase(),
                                v.as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect(),
                    error: value["error"].as_str().map(str::to_owned),
                }
            })
            .collect()
    }

    /// Opens `page` (if given), then runs an asynchronous `script` whose last argument is the
    /// callback that returns its (JSON) value.
    ///
    /// # Panics
    /// If WebDriver fails, or the script does not answer within 60 s.
    pub fn run(&self, page: Option<&str>, script: &str, args: Vec<Value>) -> Value {
        // One caller at a time: WebDriver drives one page.
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        submit(&jobs, page, script, args)
    }
}

/// Sends one job to the Firefox thread and waits for its answer.
fn submit(jobs: &mpsc::Sender<Job>, page: Option<&str>, script: &str, args: Vec<Value>) -> Value {
    let (reply, answer) = mpsc::channel();
    let job = Job {
        page: page.map(str::to_owned),
        script: script.to_owned(),
        args,
        reply,
    };
    jobs.send(job).expect("the engine's thread runs");
    answer
        .recv_timeout(Duration::from_secs(60))
        .expect("the engine answers within 60 s")
        .unwrap_or_else(|e| panic!("{e}"))
}
