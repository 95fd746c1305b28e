//! The stores of the dynamic-origin examples, for real: a file reloaded while the app serves,
//! tenants in SQLite (a file database, two instances sharing it), and the same code against
//! PostgreSQL (`CORS_TEST_POSTGRES_URL`, which `.ci/run` sets, or a throwaway cluster this test
//! starts and stops when Debian's `postgresql` is installed).

use std::future::Future;
use std::io::Write as _;
use std::time::{Duration, Instant};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::{self, TestRequest};
use actix_web::{web, App};

#[allow(dead_code)] // `main`
#[path = "../origins_from_file.rs"]
mod origins_from_file;

#[allow(dead_code)]
#[path = "../origins_from_database.rs"]
mod origins_from_database;

#[allow(dead_code)]
#[path = "../origins_from_config.rs"]
mod origins_from_config;

use cors_actix_store::OriginStore;
use origins_from_file::FileOrigins;

fn get(path: &str, origin: &str) -> TestRequest {
    TestRequest::get()
        .uri(path)
        .insert_header(("Origin", origin))
}

async fn status<S, B>(app: &S, req: TestRequest) -> u16
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    match test::try_call_service(app, req.to_request()).await {
        Ok(res) => res.status().as_u16(),
        Err(err) => err.as_response_error().status_code().as_u16(),
    }
}

/// Waits until `check` is true, at most `within`; returns how long it took.
async fn eventually<F, Fut>(within: Duration, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() <= within {
        if check().await {
            return Some(started.elapsed());
        }
        actix_rt::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

async fn origins_in_a_file_are_reloaded_and_a_bad_file_keeps_the_old_policy() {
    let dir = std::env::temp_dir().join(format!("cors-origins-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("origins.txt");
    std::fs::write(&path, "# partners\nhttps://partner.example\n").unwrap();
    let origins = FileOrigins::watch(&path, Duration::from_millis(50)).expect("a valid file");
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(origins.clone()))
            .configure(origins_from_file::routes)
            .wrap(origins_from_file::cors(&origins)),
    )
    .await;
    assert_eq!(
        status(&app, get("/api/catalog", "https://partner.example")).await,
        200
    );
    assert_eq!(
        status(&app, get("/api/catalog", "https://other.example")).await,
        403
    );

    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    writeln!(file, "https://other.example").unwrap();
    drop(file);
    let took = eventually(Duration::from_secs(1), || async {
        status(&app, get("/api/catalog", "https://other.example")).await == 200
    })
    .await;
    assert!(
        took.is_some(),
        "the new origin was not allowed within a second"
    );

    // A broken file: refused with every problem, the previous policy keeps serving.
    std::fs::write(
        &path,
        "https://partner.example/\n*\nhttps://other.example\n",
    )
    .unwrap();
    let refused = eventually(Duration::from_secs(1), || async {
        origins.last_error.lock().unwrap().is_some()
    })
    .await;
    assert!(refused.is_some(), "the broken file was not reported");
    let error = origins.last_error.lock().unwrap().clone().unwrap();
    assert!(
        error.contains("origins[0]") && error.contains("origins[2]"),
        "{error}"
    );
    assert_eq!(
        status(&app, get("/api/catalog", "https://partner.example")).await,
        200
    );
    assert_eq!(
        status(&app, get("/api/catalog", "https://other.example")).await,
        200
    );
    let res = test::call_service(&app, TestRequest::get().uri("/admin/cors").to_request()).await;
    let body = test::read_body(res).await;
    assert!(String::from_utf8_lossy(&body).contains("origins[0]"));

    // Fixed: applied, the error cleared.
    std::fs::write(&path, "https://other.example\n").unwrap();
    let took = eventually(Duration::from_secs(1), || async {
        status(&app, get("/api/catalog", "https://partner.example")).await == 403
    })
    .await;
    assert!(took.is_some());
    assert!(origins.last_error.lock().unwrap().is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The example's TOML file, reloaded: a change applied within a second; a file with problems in
/// two policies refused with all of them (key paths, and the line of a syntax error), the
/// previous policies serving; a reload cannot drop a policy the routes use.
async fn policies_in_a_toml_file_are_reloaded_and_a_bad_file_keeps_the_old_ones() {
    use origins_from_config::ConfigPolicies;
    let dir = std::env::temp_dir().join(format!("cors-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cors.toml");
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/cors.toml"))
        .expect("the example's file");
    std::fs::write(&path, &example).unwrap();
    let policies = ConfigPolicies::watch(&path, Duration::from_millis(50)).expect("a valid file");
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(policies.clone()))
            .configure(origins_from_config::routes)
            .wrap(policies.cors()),
    )
    .await;
    let delete = |origin: &str| {
        TestRequest::delete()
            .uri("/api/catalog/7")
            .insert_header(("Origin", origin))
    };
    assert_eq!(
        status(&app, get("/api/catalog", "https://eu.partner.example")).await,
        200
    );
    assert_eq!(
        status(&app, get("/api/catalog", "https://other.example")).await,
        403
    );
    assert_eq!(status(&app, delete("https://admin.example.com")).await, 200);
    assert_eq!(status(&app, delete("https://partner.example")).await, 403);
    // The default policy, on a builder-style route.
    let res = test::call_service(&app, get("/status", "https://anyone.example").to_request()).await;
    assert_eq!(
        res.headers().get("access-control-allow-origin").unwrap(),
        "*"
    );

    // A new partner origin: applied within a second.
    let changed = example.replace(
        r#"origins = ["https://partner.example", "https://*.partner.example"]"#,
        r#"origins = ["https://partner.example", "https://*.partner.example", "https://other.example"]"#,
    );
    assert_ne!(changed, example);
    std::fs::write(&path, &changed).unwrap();
    let took = eventually(Duration::from_secs(1), || async {
        status(&app, get("/api/catalog", "https://other.example")).await == 200
    })
    .await;
    assert!(
        took.is_some(),
        "the new origin was not allowed within a second"
    );

    // Problems in two policies: all reported, nothing applied.
    let broken = changed
        .replace(r#"https://other.example"]"#, r#"https://other.example/"]"#)
        .replace("credentials = true", "credential = true");
    std::fs::write(&path, &broken).unwrap();
    let refused = eventually(Duration::from_secs(1), || async {
        policies.last_error.lock().unwrap().is_some()
    })
    .await;
    assert!(refused.is_some(), "the broken file was not reported");
    let error = policies.last_error.lock().unwrap().clone().unwrap();
    assert!(
        error.contains("policies.partners.origins[2]")
            && error.contains(
                "policies.admin.credential: unknown key (help: did you mean `credentials`?)"
            ),
        "{error}"
    );
    assert_eq!(
        status(&app, get("/api/catalog", "https://other.example")).await,
        200
    );
    assert_eq!(status(&app, delete("https://admin.example.com")).await, 200);
    let res = test::call_service(&app, TestRequest::get().uri("/admin/cors").to_request()).await;
    let body = test::read_body(res).await;
    assert!(String::from_utf8_lossy(&body).contains("policies.admin.credential"));

    // A syntax error: the format's message, with its line.
    std::fs::write(
        &path,
        changed.replace("[policies.admin]", "[policies.admin"),
    )
    .unwrap();
    refused_with(&policies, "line ").await;

    // Dropping a policy the routes use: refused.
    let without_admin = &changed[..changed.find("# #[cors(policy = \"admin\")]").unwrap()];
    std::fs::write(&path, without_admin).unwrap();
    refused_with(&policies, "cannot remove").await;
    assert_eq!(status(&app, delete("https://admin.example.com")).await, 200);

    // Fixed: applied, the error cleared.
    std::fs::write(&path, &example).unwrap();
    let took = eventually(Duration::from_secs(1), || async {
        status(&app, get("/api/catalog", "https://other.example")).await == 403
    })
    .await;
    assert!(took.is_some());
    assert!(policies.last_error.lock().unwrap().is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits (at most a second) until the watcher has refused the file with an error containing
/// `needle`.
async fn refused_with(policies: &origins_from_config::ConfigPolicies, needle: &str) {
    let found = eventually(Duration::from_secs(1), || async {
        policies
            .last_error
            .lock()
            .unwrap()
            .as_deref()
            .is_some_and(|e| e.contains(needle))
    })
    .await;
    assert!(
        found.is_some(),
        "not refused with {needle:?}: {:?}",
        policies.last_error.lock().unwrap()
    );
}

/// Two instances sharing one table: each serves the tenants it found at start-up; a change
/// through one is seen by both within a second; a bad origin is refused with its reason.
async fn fleet(url: &str) {
    let a = origins_from_database::open(url)
        .await
        .expect("open instance a");
    a.replace_all(["https://known.example"]).await.unwrap();
    let b = origins_from_database::open(url)
        .await
        .expect("open instance b");
    let app = |tenants: OriginStore| {
        test::init_service(
            App::new()
                .app_data(web::Data::new(tenants.clone()))
                .configure(origins_from_database::routes)
                .wrap(origins_from_database::cors(&tenants)),
        )
    };
    let app_a = app(a.clone()).await;
    let app_b = app(b.clone()).await;
    let acme = || get("/api/me", "https://acme.example");
    // The company's own front end is in the list; a known tenant is served by the instance
    // opened after it was added, from its first request; acme is not in the table.
    assert_eq!(
        status(&app_a, get("/api/me", "https://app.example.com")).await,
        200
    );
    assert_eq!(
        status(&app_b, get("/api/me", "https://known.example")).await,
        200
    );
    assert_eq!(status(&app_a, acme()).await, 403);
    assert_eq!(status(&app_b, acme()).await, 403);

    let add = TestRequest::post().uri("/admin/tenants?origin=https://acme.example");
    assert_eq!(status(&app_a, add).await, 201);
    assert_eq!(
        status(&app_a, acme()).await,
        200,
        "instance a holds it at once"
    );
    let took = eventually(Duration::from_secs(1), || async {
        status(&app_b, acme()).await == 200
    })
    .await;
    assert!(
        took.is_some(),
        "instance b did not see the new tenant within a second"
    );

    let remove = TestRequest::delete().uri("/admin/tenants?origin=https://acme.example");
    assert_eq!(status(&app_b, remove).await, 204);
    assert_eq!(status(&app_b, acme()).await, 403);
    let took = eventually(Duration::from_secs(1), || async {
        status(&app_a, acme()).await == 403
    })
    .await;
    assert!(
        took.is_some(),
        "instance a did not see the removal within a second"
    );

    // Refused with its reason, nothing changed.
    let bad = TestRequest::post().uri("/admin/tenants?origin=http://acme.example");
    let res = test::call_service(&app_a, bad.to_request()).await;
    assert_eq!(res.status(), 422);
    let body = test::read_body(res).await;
    assert!(
        String::from_utf8_lossy(&body).contains("plain http with `credentials`"),
        "{body:?}"
    );
    assert_eq!(a.origins().origins(), ["https://known.example"]);
    // b learnt of a's addition from the store.
    assert!(b.stats().notified >= 1, "{:?}", b.stats());
}

async fn tenants_in_sqlite_shared_by_two_instances() {
    let dir = std::env::temp_dir().join(format!("cors-tenants-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("tenants.db").display());
    fleet(&url).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A throwaway PostgreSQL cluster started with `.ci/postgres.sh` (Debian's `postgresql`
/// package), stopped when dropped.
struct Throwaway {
    dir: std::path::PathBuf,
    url: String,
}

impl Throwaway {
    /// Starts one on a free loopback port, if PostgreSQL is installed.
    fn start() -> Option<Throwaway> {
        let installed = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .any(|version| version.path().join("bin/initdb").exists());
        if !installed {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .ok()?;
        let dir = std::env::temp_dir().join(format!("cors-test-postgres-{}", std::process::id()));
        let status = std::process::Command::new("bash")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../.ci/postgres.sh"
            ))
            .args(["start", &dir.to_string_lossy(), &port.to_string()])
            .status()
            .ok()?;
        assert!(status.success(), "could not start a throwaway PostgreSQL");
        Some(Throwaway {
            dir,
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        })
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../.ci/postgres.sh"
            ))
            .args(["stop", &self.dir.to_string_lossy()])
            .status();
    }
}

/// Where the PostgreSQL test runs: the server `CORS_TEST_POSTGRES_URL` names (`.ci/run` starts
/// one), or a throwaway cluster if Debian's `postgresql` is installed; or why it cannot run.
fn postgres_available() -> Result<Option<String>, String> {
    if let Ok(url) = std::env::var("CORS_TEST_POSTGRES_URL") {
        return Ok(Some(url));
    }
    let installed = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| {
            dir.flatten()
                .any(|version| version.path().join("bin/initdb").exists())
        })
        .unwrap_or(false);
    if installed {
        Ok(None)
    } else {
        Err(
            "PostgreSQL is not installed (`apt-get install -y postgresql`) and \
             CORS_TEST_POSTGRES_URL is not set"
                .to_owned(),
        )
    }
}

async fn tenants_in_postgresql_shared_by_two_instances(url: Option<String>) {
    let throwaway;
    let url = match url {
        Some(url) => url,
        None => {
            throwaway = Throwaway::start().expect("PostgreSQL is installed");
            throwaway.url.clone()
        }
    };
    fleet(&url).await;
}

/// A custom harness (libtest-mimic), so that the PostgreSQL test is reported *ignored*, with
/// its reason after the summary, when PostgreSQL is missing (a failure with `CI=true`), and
/// never `ok` without having run.
fn main() {
    use libtest_mimic::{Arguments, Failed, Trial};
    fn on_actix(test: impl std::future::Future<Output = ()>) -> Result<(), Failed> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            actix_rt::System::new().block_on(test)
        }))
        .map_err(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "the test panicked".to_owned())
                .into()
        })
    }
    let args = Arguments::from_args();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let postgres = postgres_available();
    let why_not = postgres.as_ref().err().cloned();
    let trials = vec![
        Trial::test(
            "origins_in_a_file_are_reloaded_and_a_bad_file_keeps_the_old_policy",
            || on_actix(origins_in_a_file_are_reloaded_and_a_bad_file_keeps_the_old_policy()),
        ),
        Trial::test(
            "policies_in_a_toml_file_are_reloaded_and_a_bad_file_keeps_the_old_ones",
            || on_actix(policies_in_a_toml_file_are_reloaded_and_a_bad_file_keeps_the_old_ones()),
        ),
        Trial::test("tenants_in_sqlite_shared_by_two_instances", || {
            on_actix(tenants_in_sqlite_shared_by_two_instances())
        }),
        Trial::test(
            "tenants_in_postgresql_shared_by_two_instances",
            move || match postgres {
                Ok(url) => on_actix(tenants_in_postgresql_shared_by_two_instances(url)),
                Err(why) => {
                    Err(format!("CI=true and the PostgreSQL test cannot run: {why}").into())
                }
            },
        )
        .with_ignored_flag(why_not.is_some() && !ci),
    ];
    let conclusion = libtest_mimic::run(&args, trials);
    if let (Some(why), false, false) = (why_not, ci, args.list) {
        println!(
            "not run: tenants_in_postgresql_shared_by_two_instances (reported ignored): {why}"
        );
    }
    conclusion.exit()
}
