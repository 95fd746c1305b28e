//! The shared headless Firefox (Debian's `firefox-esr`), driven over WebDriver through
//! geckodriver with fantoccini. WebDriver gives no network events: what Firefox sent is read
//! from the server's journal, and a blocked fetch only says `NetworkError` to the page.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Map, Value};

/// Where Debian installs Firefox ESR; `CORS_ACTIX_FIREFOX` overrides.
pub const FIREFOX_PATHS: [&str; 2] = ["/usr/lib/firefox-esr/firefox-esr", "/usr/bin/firefox-esr"];

/// What a page's `fetch()` got, in Firefox.
#[derive(Clone, Debug)]
pub struct FirefoxFetched {
    /// Whether the promise resolved (the response is readable by the page).
    pub readable: bool,
    /// Status, when readable.
    pub status: Option<u16>,
    /// Body, when readable.
    pub body: String,
    /// The exception, when blocked.
    pub error: Option<String>,
}

/// One job for the Firefox thread: open `page` (if any), then run an asynchronous `script`
/// (its last argument is the callback that returns its value) with `args`.
struct Job {
    page: Option<String>,
    script: String,
    args: Vec<Value>,
    reply: mpsc::Sender<Result<Value, String>>,
}

/// The headless Firefox of this test binary: one WebDriver session, used by one case at a time.
pub struct Firefox {
    jobs: Mutex<mpsc::Sender<Job>>,
    /// The browser's version, for the record.
    pub version: String,
}

/// The shared Firefox, started on first use; `None` (after a loud message) if Firefox or
/// geckodriver is not installed, so that the calling test skips its Firefox half.
///
/// # Panics
/// If either is missing and `CI=true` (CI must run the suite in both engines), or if the
/// browser fails to start.
pub fn firefox() -> Option<&'static Firefox> {
    static FIREFOX: OnceLock<Option<Firefox>> = OnceLock::new();
    FIREFOX
        .get_or_init(|| {
            let (Some(firefox), Some(driver)) = (find_firefox(), find_geckodriver()) else {
                let message = format!(
                    "Firefox or geckodriver is missing (looked for $CORS_ACTIX_FIREFOX, {}, and \
                     geckodriver on PATH or in ~/.cargo/bin): install them with \
                     `apt-get install -y firefox-esr` and `cargo install geckodriver --locked`",
                    FIREFOX_PATHS.join(", ")
                );
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!(
                        "CI=true and the Firefox half of the browser suite cannot run: {message}"
                    );
                }
                let banner = "!".repeat(100);
                eprintln!("\n{banner}\n!! FIREFOX CASES SKIPPED: {message}\n{banner}\n");
                return None;
            };
            Some(launch(&firefox, &driver))
        })
        .as_ref()
}

fn find_firefox() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CORS_ACTIX_FIREFOX") {
        return Some(PathBuf::from(path)).filter(|p| p.exists());
    }
    FIREFOX_PATHS.iter().map(PathBuf::from).find(|p| p.exists())
}

fn find_geckodriver() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("geckodriver"));
    let cargo_bin = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin/geckodriver"));
    on_path.chain(cargo_bin).find(|p| p.exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Starts geckodriver (killed with the thread that starts it, through `setpriv --pdeathsig`
/// when available) and one Firefox session on a thread of its own.
fn launch(firefox: &Path, driver: &Path) -> Firefox {
    let version = Command::new(firefox)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let port = free_port();
    let (sender, receiver) = mpsc::channel::<Job>();
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
    let firefox = firefox.to_owned();
    let driver = driver.to_owned();
    std::thread::Builder::new()
        .name("firefox".into())
        .spawn(move || {
            let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
                .iter()
                .find(|p| Path::new(p).exists());
            let mut command = match setpriv {
                Some(setpriv) => {
                    let mut c = Command::new(setpriv);
                    c.args(["--pdeathsig", "KILL", "--"]).arg(&driver);
                    c
                }
                None => Command::new(&driver),
            };
            let child = command
                .args(["--port", &port.to_string(), "--host", "127.0.0.1"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let mut child = match child {
                Ok(child) => child,
                Err(err) => {
                    let _ = ready_tx.send(Err(format!("starting geckodriver: {err}")));
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
                let client = match connect(port, &firefox).await {
                    Ok(client) => client,
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                while let Ok(job) = receiver.recv() {
                    let result = run(&client, &job).await;
                    let _ = job.reply.send(result);
                }
                let _ = client.close().await;
            });
            let _ = child.kill();
        })
        .expect("spawn the firefox thread");
    match ready_rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Ok(())) => Firefox {
            jobs: Mutex::new(sender),
            version,
        },
        Ok(Err(err)) => panic!("Firefox did not start: {err}"),
        Err(_) => panic!("Firefox did not start within 60 s"),
    }
}

async fn connect(port: u16, firefox: &Path) -> Result<Client, String> {
    let mut capabilities = Map::new();
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
    ClientBuilder::native()
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
            done({ readable: true, status: response.status, body });
        } catch (e) {
            done({ readable: false, error: String(e) });
        }
    })();
"#;

impl Firefox {
    /// Opens `page`, then runs `fetch(url, init)` there `times` times, one after the other
    /// (in the same page).
    ///
    /// # Panics
    /// If WebDriver fails.
    pub fn fetch(&self, page: &str, url: &str, init: &Value, times: usize) -> Vec<FirefoxFetched> {
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
                FirefoxFetched {
                    readable: value["readable"] == true,
                    status: value["status"].as_u64().map(|s| s as u16),
                    body: value["body"].as_str().unwrap_or_default().to_owned(),
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
    jobs.send(job).expect("the firefox thread runs");
    answer
        .recv_timeout(Duration::from_secs(60))
        .expect("Firefox answers within 60 s")
        .unwrap_or_else(|e| panic!("{e}"))
}
