//! Runnable examples of `cors-actix` (see `examples/*.rs`, `cargo run --example NAME`).
//!
//! The modules below hold documents of the repository, so that the Rust code in them is
//! compiled and run as doctests and cannot go stale.

/// The setup every example shares: logs to stderr, filtered by `RUST_LOG`, or by `default`
/// (e.g. `"cors=debug"`: every CORS decision with its reason) when it is not set.
pub fn init_logging(default: &str) {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default)),
        )
        .init();
}

/// Reads `path` every `every` on a background thread and calls `changed` with its content
/// whenever it differs from `seen` (the content already applied), or `unreadable` with why the
/// file cannot be read. The thread ends with the process.
///
/// Polling rather than inotify (the `notify` crate): it sees every way a file changes (editors
/// that replace it, bind mounts, network filesystems) for one small read per interval.
pub fn watch_file(
    path: std::path::PathBuf,
    every: std::time::Duration,
    seen: String,
    changed: impl Fn(&std::path::Path, &str) + Send + 'static,
    unreadable: impl Fn(String) + Send + 'static,
) {
    std::thread::spawn(move || {
        let mut seen = seen;
        loop {
            std::thread::sleep(every);
            match read(&path) {
                Ok(content) if content != seen => {
                    changed(&path, &content);
                    seen = content;
                }
                Ok(_) => {}
                Err(err) => unreadable(err),
            }
        }
    });
}

/// The content of `path`, or why it cannot be read (with the path).
pub fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))
}

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};

/// Where every example serves.
pub const ADDRESS: (&str, u16) = ("127.0.0.1", 8080);

/// The server every example runs: prints `"{what} on http://127.0.0.1:8080."` and the commands
/// in `tries`, then serves the apps `app` makes (one per worker) on [`ADDRESS`].
pub async fn serve<F, T, B>(what: &str, tries: &[&str], app: F) -> std::io::Result<()>
where
    F: Fn() -> actix_web::App<T> + Send + Clone + 'static,
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    let (host, port) = ADDRESS;
    let try_these = if tries.is_empty() { "" } else { " Try:" };
    println!("{what} on http://{host}:{port}.{try_these}");
    for command in tries {
        println!("  {command}");
    }
    actix_web::HttpServer::new(app).bind(ADDRESS)?.run().await
}

#[doc = include_str!("../../docs/coming-from-actix-cors.md")]
pub mod coming_from_actix_cors {}

#[doc = include_str!("../../cors-macros/README.md")]
pub mod cors_macros_readme {}
