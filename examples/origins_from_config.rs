//! CORS policies from a configuration file (TOML here; JSON and YAML work the same through
//! their serde crates), reloaded while the server runs: the file's `[default]` and each of its
//! `[policies.NAME]` is a [`LivePolicy`]. A watcher reads the file every 250 ms and, when it
//! changed, validates all of it: if every policy is valid, each is replaced for every worker at
//! once; otherwise nothing is, every problem is logged with its key path (or its line, for a
//! syntax error) and kept for `GET /admin/cors`, and the previous policies keep serving.
//!
//! ```sh
//! cargo run --example origins_from_config      # reads examples/stores/cors.toml, or $CORS_CONFIG
//! ```
//!
//! The names are fixed when the server starts (routes refer to them): a reload that drops a
//! name is refused, a new name is reported and ignored until a restart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{delete, get, web, App, Responder};
use cors_actix::{cors, BuiltConfig, Cors, CorsConfig, LivePolicy};

#[cors(policy = "partners")]
#[get("/api/catalog")]
async fn catalog() -> impl Responder {
    "[]"
}

#[cors(policy = "admin")]
#[delete("/api/catalog/{id}")]
async fn remove(id: web::Path<u32>) -> impl Responder {
    format!("removed {id}")
}

/// No `#[cors]`: the file's default policy.
async fn status() -> impl Responder {
    "ok"
}

/// Every policy of a file's content, or every problem (with the file's name).
pub fn parse(path: &Path, content: &str) -> Result<BuiltConfig, String> {
    let config: CorsConfig =
        toml::from_str(content).map_err(|err| format!("{}: {err}", path.display()))?;
    config
        .build()
        .map_err(|err| format!("{}: {err}", path.display()))
}

/// The file's policies, live, kept in step with the file.
#[derive(Clone)]
pub struct ConfigPolicies {
    /// The default policy.
    pub default: Option<LivePolicy>,
    /// The named policies.
    pub named: BTreeMap<String, LivePolicy>,
    /// Why the file's last content was refused, if it was.
    pub last_error: Arc<Mutex<Option<String>>>,
}

impl ConfigPolicies {
    /// Loads `path` (every problem is returned if it is invalid: the server should not start
    /// with a broken file), then watches it from a background thread, every `every`.
    pub fn watch(path: impl Into<PathBuf>, every: Duration) -> Result<ConfigPolicies, String> {
        let path = path.into();
        let content = examples::read(&path)?;
        let built = parse(&path, &content)?;
        let policies = ConfigPolicies {
            default: built.default.map(LivePolicy::new),
            named: built
                .policies
                .into_iter()
                .map(|(name, policy)| (name, LivePolicy::new(policy)))
                .collect(),
            last_error: Arc::default(),
        };
        let (watched, failed) = (policies.clone(), policies.clone());
        examples::watch_file(
            path,
            every,
            content,
            move |path, content| watched.apply(path, content),
            move |err| *failed.last_error.lock().unwrap() = Some(err),
        );
        Ok(policies)
    }

    /// Applies a new content of the file: all of it, or nothing.
    fn apply(&self, path: &Path, content: &str) {
        let outcome = parse(path, content).and_then(|built| {
            let missing: Vec<&String> = self
                .named
                .keys()
                .filter(|name| !built.policies.contains_key(*name))
                .collect();
            if !missing.is_empty() || built.default.is_some() != self.default.is_some() {
                return Err(format!(
                    "{}: the server's policies are {:?}{}; a reload cannot remove one (restart instead)",
                    path.display(),
                    self.named.keys().collect::<Vec<_>>(),
                    if self.default.is_some() { " and a default" } else { "" },
                ));
            }
            for name in built.policies.keys().filter(|n| !self.named.contains_key(*n)) {
                tracing::warn!(target: "cors", "{}: new policy `{name}` ignored until a restart", path.display());
            }
            if let (Some(live), Some(policy)) = (&self.default, built.default) {
                live.set(policy);
            }
            for (name, policy) in built.policies {
                if let Some(live) = self.named.get(&name) {
                    live.set(policy);
                }
            }
            Ok(())
        });
        if let Err(err) = &outcome {
            tracing::warn!(target: "cors", "configuration refused, the previous policies keep serving: {err}");
        }
        *self.last_error.lock().unwrap() = outcome.err();
    }

    /// The middleware, with the file's policies.
    pub fn cors(&self) -> Cors {
        let cors = Cors::new().maybe_default_policy(self.default.clone());
        self.named.iter().fold(cors, |cors, (name, live)| {
            cors.policy(name.clone(), live.clone())
        })
    }
}

/// Why the last change of the file was refused, if it was.
#[get("/admin/cors")]
async fn admin_status(policies: web::Data<ConfigPolicies>) -> impl Responder {
    policies
        .last_error
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_else(|| "ok".to_owned())
}

/// The routes, for `App::configure` (with the `ConfigPolicies` as app data).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(catalog)
        .service(remove)
        .service(admin_status)
        .route("/status", web::get().to(status));
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    examples::init_logging("cors=info");
    let path = std::env::var("CORS_CONFIG")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/cors.toml").into());
    let policies = match ConfigPolicies::watch(&path, Duration::from_millis(250)) {
        Ok(policies) => policies,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(2);
        }
    };
    examples::serve(&format!("API (policies from {path})"), &[], move || {
        App::new()
            .app_data(web::Data::new(policies.clone()))
            .configure(routes)
            .wrap(policies.cors())
    })
    .await
}
