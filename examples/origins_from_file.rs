//! Allowed origins in a file, reloaded while the server runs: the `"partners"` policy is a
//! [`LivePolicy`]; a watcher reads the file four times a second and, when its content changes,
//! replaces the policy for every worker at once. A file with a mistake is refused with every
//! problem (logged, and kept for `/admin/cors`); the previous policy keeps serving.
//!
//! ```sh
//! echo "https://partner.example" > cors-origins.txt
//! CORS_ORIGINS_FILE=cors-origins.txt cargo run --example origins_from_file
//! echo "https://other.example" >> cors-origins.txt        # allowed within a second
//! ```
//! The file holds one origin (or pattern, `https://*.partner.example`) per line; `#` starts a
//! comment.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{get, web, App, Responder};
use cors_actix::{cors, Cors, LivePolicy, Policy, PolicyBuilder};

#[cors(policy = "partners")]
#[get("/api/catalog")]
async fn catalog() -> impl Responder {
    "[]"
}

/// The policy a file's content declares (not yet validated).
pub fn declared(content: &str) -> PolicyBuilder {
    let origins = content
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty());
    Policy::builder()
        .allow_origins(origins)
        .allow_headers(["Content-Type"])
        .max_age(600)
}

/// A live policy kept in step with a file.
#[derive(Clone)]
pub struct FileOrigins {
    /// The policy the routes use.
    pub live: LivePolicy,
    /// The problems of the file's last content, if it was refused.
    pub last_error: Arc<Mutex<Option<String>>>,
}

impl FileOrigins {
    /// Loads `path` (every problem is returned if it is invalid: the server should not start
    /// with a broken file), then watches it from a background thread, every `every`.
    pub fn watch(path: impl Into<PathBuf>, every: Duration) -> Result<FileOrigins, String> {
        let path = path.into();
        let content = examples::read(&path)?;
        let policy = declared(&content)
            .build()
            .map_err(|err| format!("{}: {err}", path.display()))?;
        let origins = FileOrigins {
            live: LivePolicy::new(policy),
            last_error: Arc::default(),
        };
        let (watched, failed) = (origins.clone(), origins.clone());
        examples::watch_file(
            path,
            every,
            content,
            move |path, content| watched.apply(path, content),
            move |err| *failed.last_error.lock().unwrap() = Some(err),
        );
        Ok(origins)
    }

    fn apply(&self, path: &Path, content: &str) {
        let outcome = self.live.replace(declared(content));
        *self.last_error.lock().unwrap() = outcome
            .err()
            .map(|err| format!("{}: {err}", path.display()));
    }
}

/// Why the last change of the file was refused, if it was.
#[get("/admin/cors")]
async fn status(origins: web::Data<FileOrigins>) -> impl Responder {
    origins
        .last_error
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_else(|| "ok".to_owned())
}

/// The routes, for `App::configure` (with the `FileOrigins` as app data).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(catalog).service(status);
}

/// The middleware, with the file's live policy.
pub fn cors(origins: &FileOrigins) -> Cors {
    Cors::new().policy("partners", origins.live.clone())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    examples::init_logging("cors=info");
    let path = std::env::var("CORS_ORIGINS_FILE").unwrap_or_else(|_| "cors-origins.txt".into());
    if !Path::new(&path).exists() {
        std::fs::write(&path, "# one origin per line\nhttps://partner.example\n")?;
    }
    let origins = match FileOrigins::watch(&path, Duration::from_millis(250)) {
        Ok(origins) => origins,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(2);
        }
    };
    examples::serve(&format!("API (origins from {path})"), &[], move || {
        App::new()
            .app_data(web::Data::new(origins.clone()))
            .configure(routes)
            .wrap(cors(&origins))
    })
    .await
}
