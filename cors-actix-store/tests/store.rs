//! The store against the real databases: a SQLite file (always), and PostgreSQL when
//! `CORS_TEST_POSTGRES_URL` names one (`.ci/run` starts one; otherwise the PostgreSQL tests are
//! reported ignored with the reason, and fail with `CI=true`). Each test has a table of its
//! own; each takes under 3 seconds.

use std::future::Future;
use std::time::{Duration, Instant};

use cors_actix::{Policy, ProblemKind};
use cors_actix_store::{ChangeError, OriginStore};

/// A database to test against, and raw SQL on it (a writer other than the store).
#[derive(Clone)]
enum Db {
    Sqlite {
        url: String,
    },
    #[cfg(feature = "postgres")]
    Postgres {
        url: String,
    },
}

impl Db {
    fn url(&self) -> &str {
        match self {
            Db::Sqlite { url } => url,
            #[cfg(feature = "postgres")]
            Db::Postgres { url } => url,
        }
    }

    /// Runs `sql` (with `{t}` for the table) as another writer would.
    async fn exec(&self, table: &str, sql: &str) {
        let sql = sql.replace("{t}", table);
        match self {
            Db::Sqlite { url } => {
                use sqlx::Connection;
                let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
                sqlx::query(&sql).execute(&mut conn).await.unwrap();
            }
            #[cfg(feature = "postgres")]
            Db::Postgres { url } => {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query(&sql).execute(&mut conn).await.unwrap();
            }
        }
    }

    /// The table's rows, sorted.
    async fn rows(&self, table: &str) -> Vec<String> {
        let sql = format!("SELECT origin FROM {table} ORDER BY origin");
        match self {
            Db::Sqlite { url } => {
                use sqlx::Connection;
                let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
                sqlx::query_scalar(&sql).fetch_all(&mut conn).await.unwrap()
            }
            #[cfg(feature = "postgres")]
            Db::Postgres { url } => {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_scalar(&sql).fetch_all(&mut conn).await.unwrap()
            }
        }
    }
}

fn policy() -> Policy {
    Policy::builder()
        .allow_credentials()
        .allow_dynamic_origins()
        .build()
        .unwrap()
}

async fn open(db: &Db, table: &str) -> OriginStore {
    OriginStore::builder(db.url())
        .table(table)
        .open(&policy())
        .await
        .unwrap_or_else(|e| panic!("open {table}: {e}"))
}

/// Waits until `check` holds, at most `within`; how long it took.
async fn within<F, Fut>(within: Duration, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() <= within {
        if check().await {
            return Some(started.elapsed());
        }
        actix_rt::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

/// The table's schema is made, its rows loaded, its invalid rows reported (all, with why) and
/// never served.
async fn the_table_is_loaded_and_its_invalid_rows_reported(db: Db, table: String) {
    let first = open(&db, &table).await;
    assert_eq!(first.origins().len(), 0);
    drop(first);
    db.exec(
        &table,
        "INSERT INTO {t} (origin) VALUES ('https://acme.example'), ('https://globex.example'),
            ('http://insecure.example'), ('https://trailing.example/'), ('*'), ('HTTPS://UPPER.example')",
    )
    .await;
    let store = open(&db, &table).await;
    let set = store.origins();
    assert_eq!(
        set.origins(),
        ["https://acme.example", "https://globex.example"]
    );
    let invalid = store.invalid_rows();
    let rows: Vec<&str> = invalid.iter().map(|r| r.origin.as_str()).collect();
    assert_eq!(
        rows,
        [
            "*",
            "HTTPS://UPPER.example",
            "http://insecure.example",
            "https://trailing.example/"
        ]
    );
    let kinds: Vec<ProblemKind> = invalid.iter().map(|r| r.problem.kind).collect();
    assert!(kinds.contains(&ProblemKind::InsecureOrigin), "{invalid:?}");
    for bad in &rows {
        assert!(!set.contains(bad), "{bad} is served");
    }
    assert_eq!(store.stats().invalid_rows, 4);
    // Fixed with SQL: the row is no longer reported, and is served.
    db.exec(&table, "UPDATE {t} SET origin = 'https://trailing.example' WHERE origin = 'https://trailing.example/'")
        .await;
    let fixed = within(Duration::from_secs(1), || async {
        set.contains("https://trailing.example") && store.invalid_rows().len() == 3
    })
    .await;
    assert!(fixed.is_some(), "{:?}", store.invalid_rows());
}

/// A change with a refused origin is refused whole, with every refused origin and why; the
/// table and the set are unchanged.
async fn a_refused_change_changes_nothing(db: Db, table: String) {
    let store = open(&db, &table).await;
    store.add("https://acme.example").await.unwrap();
    let err = store
        .add_all([
            "https://globex.example",
            "https://*.bad.example",
            "null",
            "http://plain.example",
        ])
        .await
        .unwrap_err();
    let ChangeError::Invalid(err) = err else {
        panic!("{err}")
    };
    let refused: Vec<&str> = err.refused().iter().map(|r| r.origin.as_str()).collect();
    assert_eq!(
        refused,
        ["https://*.bad.example", "null", "http://plain.example"]
    );
    assert_eq!(db.rows(&table).await, ["https://acme.example"]);
    assert_eq!(store.origins().origins(), ["https://acme.example"]);
    let err = store
        .replace("https://acme.example", "https://acme.example/")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("did you mean \"https://acme.example\"?"),
        "{err}"
    );
    assert_eq!(db.rows(&table).await, ["https://acme.example"]);
    // Valid: applied.
    store
        .replace("https://acme.example", "https://acme.test")
        .await
        .unwrap();
    assert_eq!(db.rows(&table).await, ["https://acme.test"]);
    assert_eq!(store.origins().origins(), ["https://acme.test"]);
    store
        .replace_all(["https://a.example", "https://b.example"])
        .await
        .unwrap();
    assert_eq!(
        db.rows(&table).await,
        ["https://a.example", "https://b.example"]
    );
    assert_eq!(
        store.origins().origins(),
        ["https://a.example", "https://b.example"]
    );
    assert!(store.remove("https://a.example").await.unwrap());
    assert!(!store.remove("https://a.example").await.unwrap());
    assert_eq!(store.origins().origins(), ["https://b.example"]);
}

/// Two instances of the table: a change through either, or with SQL, reaches the other within
/// a second.
async fn a_change_anywhere_reaches_every_instance_within_a_second(db: Db, table: String) {
    let a = open(&db, &table).await;
    let b = open(&db, &table).await;
    let (sa, sb) = (a.origins(), b.origins());
    let seen = |set: &cors_actix::OriginSet, origin: &'static str, present: bool| {
        let set = set.clone();
        async move {
            within(Duration::from_secs(1), || {
                let set = set.clone();
                async move { set.contains(origin) == present }
            })
            .await
        }
    };
    a.add("https://acme.example").await.unwrap();
    assert!(
        sa.contains("https://acme.example"),
        "the instance that changed holds it at once"
    );
    assert!(seen(&sb, "https://acme.example", true).await.is_some());
    b.remove("https://acme.example").await.unwrap();
    assert!(seen(&sa, "https://acme.example", false).await.is_some());
    b.replace("https://old.example", "https://new.example")
        .await
        .unwrap();
    assert!(seen(&sa, "https://new.example", true).await.is_some());
    // Plain SQL, as an admin would.
    db.exec(
        &table,
        "INSERT INTO {t} (origin) VALUES ('https://sql.example')",
    )
    .await;
    assert!(seen(&sa, "https://sql.example", true).await.is_some());
    assert!(seen(&sb, "https://sql.example", true).await.is_some());
    db.exec(
        &table,
        "DELETE FROM {t} WHERE origin = 'https://sql.example'",
    )
    .await;
    assert!(seen(&sa, "https://sql.example", false).await.is_some());
    assert!(seen(&sb, "https://sql.example", false).await.is_some());
    // An invalid row put there with SQL: reported by both, served by neither.
    db.exec(
        &table,
        "INSERT INTO {t} (origin) VALUES ('https://bad.example/')",
    )
    .await;
    let reported = within(Duration::from_secs(1), || async {
        a.invalid_rows().len() == 1 && b.invalid_rows().len() == 1
    })
    .await;
    assert!(reported.is_some());
    assert!(!sa.contains("https://bad.example/") && !sb.contains("https://bad.example/"));
    // Many at once (one transaction): all seen.
    let many: Vec<String> = (0..300).map(|i| format!("https://t{i}.example")).collect();
    a.add_all(many.iter().map(String::as_str)).await.unwrap();
    let all = within(Duration::from_secs(1), || async { sb.len() == 301 }).await;
    assert!(all.is_some(), "{}", sb.len());
    assert!(b.stats().notified >= 300, "{:?}", b.stats());
}

/// SQLite: an instance whose log position was pruned away reads the whole table.
async fn a_pruned_log_makes_an_instance_read_everything(db: Db, table: String) {
    let store = open(&db, &table).await;
    let reloads = store.stats().reloads;
    db.exec(
        &table,
        "UPDATE {t}_meta SET value = 1000000 WHERE key = 'pruned_through'",
    )
    .await;
    db.exec(
        &table,
        "INSERT INTO {t} (origin) VALUES ('https://after.example')",
    )
    .await;
    let set = store.origins();
    let seen = within(Duration::from_secs(1), || async {
        set.contains("https://after.example")
    })
    .await;
    assert!(seen.is_some());
    assert!(store.stats().reloads > reloads, "{:?}", store.stats());
}

/// PostgreSQL: when the listening connection is lost, what was notified meanwhile is read
/// again with the whole table.
#[cfg(feature = "postgres")]
async fn a_lost_connection_is_followed_by_a_full_read(db: Db, table: String) {
    let store = open(&db, &table).await;
    let set = store.origins();
    // Every listening connection of this table (the store's).
    db.exec(
        &table,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN \"{t}\"%'",
    )
    .await;
    db.exec(
        &table,
        "INSERT INTO {t} (origin) VALUES ('https://meanwhile.example')",
    )
    .await;
    let seen = within(Duration::from_secs(2), || async {
        set.contains("https://meanwhile.example")
    })
    .await;
    assert!(seen.is_some(), "{:?}", store.stats());
    let reconnected = within(Duration::from_secs(2), || async {
        store.stats().reconnects >= 1
    })
    .await;
    assert!(reconnected.is_some(), "{:?}", store.stats());
    // And notifications flow again.
    db.exec(
        &table,
        "INSERT INTO {t} (origin) VALUES ('https://after.example')",
    )
    .await;
    let seen = within(Duration::from_secs(1), || async {
        set.contains("https://after.example")
    })
    .await;
    assert!(seen.is_some(), "{:?}", store.stats());
}

/// Bad settings are refused with their reason, never a panic.
async fn bad_settings_are_refused(db: Db, _table: String) {
    let err = OriginStore::builder(db.url())
        .table("Bad-Name")
        .open(&policy())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("table name"), "{err}");
    let err = OriginStore::open("mysql://db/app", &policy())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`mysql:`"), "{err}");
}

type Case = fn(Db, String) -> std::pin::Pin<Box<dyn Future<Output = ()>>>;

macro_rules! case {
    ($name:ident) => {
        (
            stringify!($name),
            (|db, table| Box::pin($name(db, table))) as Case,
        )
    };
}

fn main() {
    use libtest_mimic::{Arguments, Failed, Trial};
    let args = Arguments::from_args();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let dir = std::env::temp_dir().join(format!("cors-store-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cases: Vec<(&str, Case)> = vec![
        case!(the_table_is_loaded_and_its_invalid_rows_reported),
        case!(a_refused_change_changes_nothing),
        case!(a_change_anywhere_reaches_every_instance_within_a_second),
        case!(bad_settings_are_refused),
    ];
    let sqlite_only: Vec<(&str, Case)> =
        vec![case!(a_pruned_log_makes_an_instance_read_everything)];
    #[cfg(feature = "postgres")]
    let postgres_only: Vec<(&str, Case)> =
        vec![case!(a_lost_connection_is_followed_by_a_full_read)];
    #[cfg(not(feature = "postgres"))]
    let postgres_only: Vec<(&str, Case)> = Vec::new();
    let postgres: Result<String, String> = if cfg!(feature = "postgres") {
        std::env::var("CORS_TEST_POSTGRES_URL").map_err(|_| {
            "CORS_TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL and sets it; or `bash .ci/postgres.sh start DIR PORT`)".to_owned()
        })
    } else {
        Err("built without the feature `postgres` (cargo test --workspace turns it on)".to_owned())
    };
    let run = |case: Case, db: Db, table: String| -> Result<(), Failed> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            actix_rt::System::new().block_on(case(db, table))
        }))
        .map_err(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "the test panicked".to_owned())
                .into()
        })
    };
    let mut trials = Vec::new();
    let pid = std::process::id();
    for (name, case) in cases.iter().chain(&sqlite_only) {
        let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
        let (name, case) = (*name, *case);
        trials.push(Trial::test(format!("sqlite::{name}"), move || {
            run(case, Db::Sqlite { url }, "cors_origins".to_owned())
        }));
    }
    cases.extend(postgres_only);
    for (i, (name, case)) in cases.into_iter().enumerate() {
        let given = postgres.clone();
        let trial = Trial::test(format!("postgres::{name}"), move || match given {
            #[cfg(feature = "postgres")]
            Ok(url) => run(case, Db::Postgres { url }, format!("t{pid}_{i}")),
            #[cfg(not(feature = "postgres"))]
            Ok(_) => {
                let _ = (case, i, pid);
                Ok(())
            }
            Err(why) => Err(format!("CI=true and the PostgreSQL test cannot run: {why}").into()),
        })
        .with_ignored_flag(postgres.is_err() && !ci);
        trials.push(trial);
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if let (Err(why), false, false) = (&postgres, ci, args.list) {
        println!("not run: postgres::* (reported ignored): {why}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    conclusion.exit()
}
