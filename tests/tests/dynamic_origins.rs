//! Dynamic origins (a predicate, a cached lookup) and live policies, decided at the door:
//! over `actix_web::test` and a real `HttpServer`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_service::IntoServiceFactory;
use actix_web::dev::{AppConfig, ServiceFactory};
use actix_web::http::Method;
use actix_web::{get, post, test, web, App, HttpResponse, Responder};
use cors_actix::{
    cors, resource_policy, Cors, DynamicOrigins, LivePolicy, OriginLookup, Policy, PolicySlot,
};
use futures_util::future::join_all;
use tests::{actual, header, preflight, Calls};

#[cors(policy = "tenants")]
#[get("/api/me")]
async fn me(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    HttpResponse::Ok().body("{}")
}

#[cors(policy = "tenants")]
#[post("/api/orders")]
async fn order(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    HttpResponse::Created().body("{}")
}

/// A store of allowed origins, with a count of lookups per origin, a delay and a failure switch.
#[derive(Clone, Default)]
struct Store {
    origins: Arc<Mutex<HashSet<String>>>,
    asked: Arc<Mutex<Vec<String>>>,
    delay_ms: Arc<AtomicU64>,
    down: Arc<AtomicUsize>,
}

impl Store {
    fn with(origins: &[&str]) -> Store {
        let store = Store::default();
        store
            .origins
            .lock()
            .unwrap()
            .extend(origins.iter().map(|o| o.to_string()));
        store
    }

    fn add(&self, origin: &str) {
        self.origins.lock().unwrap().insert(origin.to_owned());
    }

    fn remove(&self, origin: &str) {
        self.origins.lock().unwrap().remove(origin);
    }

    fn asked(&self, origin: &str) -> usize {
        self.asked
            .lock()
            .unwrap()
            .iter()
            .filter(|o| *o == origin)
            .count()
    }

    fn asked_total(&self) -> usize {
        self.asked.lock().unwrap().len()
    }

    fn lookup(&self) -> cors_actix::OriginLookupBuilder {
        let store = self.clone();
        OriginLookup::builder(move |origin: String| {
            let store = store.clone();
            async move {
                store.asked.lock().unwrap().push(origin.clone());
                // The answer as the store has it when asked, delivered after the delay.
                let answer = if store.down.load(Ordering::SeqCst) > 0 {
                    Err("connection refused (store down)".to_owned())
                } else {
                    Ok(store.origins.lock().unwrap().contains(&origin))
                };
                let delay = store.delay_ms.load(Ordering::SeqCst);
                if delay > 0 {
                    actix_rt::time::sleep(Duration::from_millis(delay)).await;
                }
                answer
            }
        })
    }
}

fn tenants_policy() -> Policy {
    Policy::builder()
        .allow_origin("https://app.example.com")
        .allow_credentials()
        .allow_headers(["Authorization"])
        .allow_dynamic_origins()
        .build()
        .expect("a valid policy")
}

macro_rules! app {
    ($cors:expr, $calls:expr) => {
        test::init_service(
            App::new()
                .app_data(web::Data::new($calls.clone()))
                .service(me)
                .service(order)
                .wrap($cors),
        )
        .await
    };
}

async fn status_of<S, B>(app: &S, req: test::TestRequest) -> (u16, Option<String>)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
{
    let res = test::call_service(app, req.to_request()).await;
    (
        res.status().as_u16(),
        header(&res, "access-control-allow-origin"),
    )
}

/// A preflight for `POST /api/orders` with `Authorization`, from `origin`.
async fn orders_preflight<S, B>(app: &S, origin: &str) -> actix_web::dev::ServiceResponse<B>
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
{
    let req = preflight("/api/orders", origin, "POST", Some("authorization"));
    test::call_service(app, req.to_request()).await
}

#[actix_rt::test]
async fn a_predicate_allows_origins_besides_the_list_within_the_policys_rules() {
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    // A careless predicate that says yes to everything: the policy's rules still bind.
    let everything = DynamicOrigins::predicate(move |_origin, _head| {
        counter.fetch_add(1, Ordering::SeqCst);
        true
    });
    let calls = Calls::default();
    let app = app!(
        Cors::new().dynamic_policy("tenants", tenants_policy(), everything),
        calls
    );
    let get = |origin: &str| actual(Method::GET, "/api/me", Some(origin));

    // Listed: decided by the list, the predicate is not asked.
    let (status, allow) = status_of(&app, get("https://app.example.com")).await;
    assert_eq!(
        (status, allow.as_deref()),
        (200, Some("https://app.example.com"))
    );
    assert_eq!(asked.load(Ordering::SeqCst), 0);

    let (status, allow) = status_of(&app, get("https://acme.example")).await;
    assert_eq!(
        (status, allow.as_deref()),
        (200, Some("https://acme.example"))
    );
    assert_eq!(asked.load(Ordering::SeqCst), 1);

    // Never asked for what the rules refuse: `null`, malformed, plain http with credentials.
    for refused in [
        "null",
        "https://acme.example/",
        "http://acme.example",
        "HTTPS://A.example",
    ] {
        let res = test::call_service(&app, get(refused).to_request()).await;
        assert!(
            res.status().is_client_error(),
            "{refused}: {}",
            res.status()
        );
        assert_eq!(
            header(&res, "access-control-allow-origin"),
            None,
            "{refused}"
        );
    }
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    // Loopback http is admitted with credentials, as in a list.
    let (status, _) = status_of(&app, get("http://localhost:3000")).await;
    assert_eq!(status, 200);
    // Handler ran for the 3 allowed requests only.
    assert_eq!(calls.count(), 3);
}

#[actix_rt::test]
async fn a_predicate_sees_the_request_head() {
    // Allowed only for requests carrying a tenant header naming the origin's host.
    let by_header = DynamicOrigins::predicate(|origin, head| {
        head.headers
            .get("x-tenant")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|tenant| origin.host() == format!("{tenant}.tenants.example"))
    });
    let calls = Calls::default();
    let app = app!(
        Cors::new().dynamic_policy("tenants", tenants_policy(), by_header),
        calls
    );
    let req = |tenant: &str| {
        actual(Method::GET, "/api/me", Some("https://acme.tenants.example"))
            .insert_header(("x-tenant", tenant.to_owned()))
    };
    assert_eq!(status_of(&app, req("acme")).await.0, 200);
    assert_eq!(status_of(&app, req("other")).await.0, 403);
    assert_eq!(calls.count(), 1);
}

#[actix_rt::test]
async fn a_lookup_is_cached_for_allowed_and_refused_origins() {
    let store = Store::with(&["https://acme.example"]);
    let lookup = store.lookup().build();
    let calls = Calls::default();
    let app = app!(
        Cors::new().dynamic_policy("tenants", tenants_policy(), lookup.clone()),
        calls
    );
    for _ in 0..5 {
        let (status, allow) = status_of(
            &app,
            actual(Method::GET, "/api/me", Some("https://acme.example")),
        )
        .await;
        assert_eq!(
            (status, allow.as_deref()),
            (200, Some("https://acme.example"))
        );
        let (status, allow) = status_of(
            &app,
            actual(Method::POST, "/api/orders", Some("https://evil.example")),
        )
        .await;
        assert_eq!((status, allow), (403, None));
    }
    // The refused origin's form post never reached the handler.
    assert_eq!(calls.count(), 5);
    assert_eq!(store.asked("https://acme.example"), 1);
    assert_eq!(store.asked("https://evil.example"), 1);
    let stats = lookup.stats();
    assert_eq!((stats.cached, stats.lookups, stats.failures), (2, 2, 0));

    // Preflights use the same cache.
    let res = orders_preflight(&app, "https://acme.example").await;
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("https://acme.example")
    );
    assert_eq!(
        header(&res, "access-control-allow-credentials").as_deref(),
        Some("true")
    );
    assert_eq!(store.asked("https://acme.example"), 1);
}

#[actix_rt::test]
async fn a_preflight_from_an_unknown_origin_waits_for_the_lookup() {
    let store = Store::with(&["https://acme.example"]);
    let calls = Calls::default();
    let app = app!(
        Cors::new().dynamic_policy("tenants", tenants_policy(), store.lookup().build()),
        calls
    );
    let res = orders_preflight(&app, "https://acme.example").await;
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(
        header(&res, "vary")
            .as_deref()
            .map(|v| v.contains("Origin")),
        Some(true)
    );
    let res = test::call_service(
        &app,
        preflight("/api/orders", "https://evil.example", "POST", None).to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(header(&res, "access-control-allow-origin"), None);
    assert_eq!(calls.count(), 0);
}

#[actix_rt::test]
async fn concurrent_requests_for_one_origin_make_one_lookup() {
    let store = Store::with(&["https://acme.example"]);
    store.delay_ms.store(150, Ordering::SeqCst);
    let calls = Calls::default();
    let app = app!(
        Cors::new().dynamic_policy("tenants", tenants_policy(), store.lookup().build()),
        calls
    );
    let requests = (0..25).map(|_| {
        test::call_service(
            &app,
            actual(Method::GET, "/api/me", Some("https://acme.example")).to_request(),
        )
    });
    let responses = join_all(requests).await;
    assert!(responses.iter().all(|r| r.status().as_u16() == 200));
    assert_eq!(store.asked("https://acme.example"), 1);
    assert_eq!(calls.count(), 25);
}

#[actix_rt::test]
async fn ttls_and_forget_bound_how_long_a_change_takes() {
    let store = Store::with(&["https://acme.example"]);
    let lookup = store
        .lookup()
        .allowed_ttl(Duration::from_millis(300))
        .refused_ttl(Duration::from_millis(300))
        .build();
    let calls = Calls::default();
    let app = app!(
        Cors::new().dynamic_policy("tenants", tenants_policy(), lookup.clone()),
        calls
    );
    let get = |origin: &str| actual(Method::GET, "/api/me", Some(origin));
    assert_eq!(status_of(&app, get("https://acme.example")).await.0, 200);
    assert_eq!(status_of(&app, get("https://new.example")).await.0, 403);

    // The store changes; cached answers hold until their TTL.
    store.remove("https://acme.example");
    store.add("https://new.example");
    assert_eq!(status_of(&app, get("https://acme.example")).await.0, 200);
    assert_eq!(status_of(&app, get("https://new.example")).await.0, 403);
    actix_rt::time::sleep(Duration::from_millis(350)).await;
    // Past its TTL, an allowed answer is served once more while the store is asked again
    // (stale-while-revalidate); the refresh's answer holds from then on. Refused answers are
    // never served stale.
    assert_eq!(status_of(&app, get("https://acme.example")).await.0, 200);
    assert_eq!(status_of(&app, get("https://new.example")).await.0, 200);
    actix_rt::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(status_of(&app, get("https://acme.example")).await.0, 403);
    assert_eq!(lookup.stats().served_stale, 1);

    // `forget` makes the next request look up again, TTL or not.
    store.add("https://acme.example");
    assert_eq!(status_of(&app, get("https://acme.example")).await.0, 403);
    lookup.forget("https://acme.example");
    assert_eq!(status_of(&app, get("https://acme.example")).await.0, 200);
    store.remove("https://new.example");
    lookup.forget_all();
    assert_eq!(lookup.stats().cached, 0);
    assert_eq!(status_of(&app, get("https://new.example")).await.0, 403);
}

#[actix_rt::test]
async fn an_answer_looked_up_across_a_forget_is_not_cached() {
    for forget_all in [false, true] {
        answer_looked_up_across_a_forget(forget_all).await;
    }
}

async fn answer_looked_up_across_a_forget(forget_all: bool) {
    let store = Store::with(&["https://acme.example"]);
    store.delay_ms.store(200, Ordering::SeqCst);
    let lookup = store.lookup().build();
    let calls = Calls::default();
    let app = app!(
        Cors::new().dynamic_policy("tenants", tenants_policy(), lookup.clone()),
        calls
    );
    let get = || actual(Method::GET, "/api/me", Some("https://acme.example"));
    // The tenant is removed while its lookup is in flight.
    let in_flight = status_of(&app, get());
    let change = async {
        actix_rt::time::sleep(Duration::from_millis(50)).await;
        store.remove("https://acme.example");
        if forget_all {
            lookup.forget_all();
        } else {
            lookup.forget("https://acme.example");
        }
    };
    let ((status, _), ()) = futures_util::join!(in_flight, change);
    assert_eq!(
        status, 200,
        "the request in flight keeps the answer it was given"
    );
    // Not cached: the next request asks again and sees the removal.
    assert_eq!(status_of(&app, get()).await.0, 403);
    assert_eq!(store.asked("https://acme.example"), 2);
}

#[actix_rt::test]
async fn store_errors_and_timeouts_fail_closed_and_are_not_retried_at_once() {
    let store = Store::with(&["https://acme.example"]);
    store.down.store(1, Ordering::SeqCst);
    let lookup = store
        .lookup()
        .failure_ttl(Duration::from_millis(300))
        .timeout(Duration::from_millis(100))
        .build();
    let calls = Calls::default();
    let app = app!(
        Cors::new().dynamic_policy("tenants", tenants_policy(), lookup.clone()),
        calls
    );
    let get = || actual(Method::GET, "/api/me", Some("https://acme.example"));
    // Down: refused, handler not run.
    assert_eq!(status_of(&app, get()).await.0, 403);
    assert_eq!(status_of(&app, get()).await.0, 403);
    assert_eq!(
        store.asked("https://acme.example"),
        1,
        "a failure is remembered"
    );
    assert_eq!(lookup.stats().failures, 1);

    // Back up: allowed after the failure TTL.
    store.down.store(0, Ordering::SeqCst);
    actix_rt::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(status_of(&app, get()).await.0, 200);

    // Slow: a lookup over the timeout refuses, within the timeout (plus scheduling).
    store.delay_ms.store(2_000, Ordering::SeqCst);
    let started = Instant::now();
    let (status, _) = status_of(
        &app,
        actual(Method::GET, "/api/me", Some("https://slow.example")),
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        started.elapsed() < Duration::from_millis(1_500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(lookup.stats().failures, 2);
    assert_eq!(calls.count(), 1);
}

/// 4,000 random origins, in waves of 200 at once: every one refused, the cache within its
/// bound, the store asked within the budget (requests over it wait their turn, at most as many
/// as the budget serves within the timeout; the others are refused without a lookup), and a
/// known tenant keeps working from the cache between the waves.
#[actix_rt::test]
async fn a_flood_of_random_origins_neither_grows_the_cache_nor_hammers_the_store() {
    let store = Store::with(&["https://acme.example"]);
    let lookup = store
        .lookup()
        .max_entries(200)
        .max_lookups_per_second(50)
        .timeout(Duration::from_millis(200))
        .build();
    let calls = Calls::default();
    let app = app!(
        Cors::new().dynamic_policy("tenants", tenants_policy(), lookup.clone()),
        calls
    );
    // A tenant's origin, cached before the flood.
    assert_eq!(
        status_of(
            &app,
            actual(Method::GET, "/api/me", Some("https://acme.example"))
        )
        .await
        .0,
        200
    );
    let started = Instant::now();
    let mut refused = 0;
    for wave in 0..20u32 {
        let requests = (0..200u32).map(|i| {
            let n = wave * 200 + i;
            let origin = format!(
                "https://r{n:x}{}.attacker.example",
                n.wrapping_mul(2654435761)
            );
            test::call_service(
                &app,
                actual(Method::GET, "/api/me", Some(&origin)).to_request(),
            )
        });
        refused += join_all(requests)
            .await
            .iter()
            .filter(|res| res.status().as_u16() == 403)
            .count();
        // The tenant keeps working during the flood, from the cache.
        for _ in 0..20 {
            let res = test::call_service(
                &app,
                actual(Method::GET, "/api/me", Some("https://acme.example")).to_request(),
            )
            .await;
            assert_eq!(
                res.status().as_u16(),
                200,
                "tenant refused during the flood at wave {wave}"
            );
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let stats = lookup.stats();
    assert_eq!(refused, 4_000);
    assert!(
        stats.cached <= 200,
        "cache grew to {} entries",
        stats.cached
    );
    // The burst (50) plus 50 per second elapsed, plus one for rounding.
    let bound = 50 + (50.0 * elapsed).ceil() as u64 + 1;
    assert!(
        stats.lookups <= bound && store.asked_total() as u64 <= bound + 1,
        "{} lookups in {elapsed:.2}s (bound {bound})",
        stats.lookups
    );
    assert!(stats.throttled > 0 && stats.waited > 0, "{stats:?}");
    assert_eq!(stats.waiting, 0);
    assert_eq!(
        store.asked("https://acme.example"),
        1,
        "the tenant's answer stayed cached"
    );
    assert_eq!(calls.count(), 1 + 400);
}

async fn plain_catalog() -> impl Responder {
    "[]"
}

#[actix_rt::test]
async fn default_and_resource_policies_take_live_and_dynamic_policies() {
    let previews =
        DynamicOrigins::predicate(|origin, _| origin.host().ends_with(".previews.example"));
    let default = PolicySlot::from(
        Policy::builder()
            .allow_origin("https://app.example.com")
            .allow_dynamic_origins()
            .build()
            .unwrap(),
    )
    .with_dynamic_origins(previews);
    let live = LivePolicy::new(
        Policy::builder()
            .allow_origin("https://partner.example")
            .build()
            .unwrap(),
    );
    let app = test::init_service(
        App::new()
            .service(web::resource("/catalog").route(web::get().to(plain_catalog)))
            .service(resource_policy("/catalog", live.clone()))
            .route("/other", web::get().to(plain_catalog))
            .wrap(Cors::new().default_policy(default)),
    )
    .await;
    let get = |path: &str, origin: &str| actual(Method::GET, path, Some(origin));
    // The default policy, with its dynamic origins.
    assert_eq!(
        status_of(&app, get("/other", "https://pr-1.previews.example"))
            .await
            .0,
        200
    );
    assert_eq!(
        status_of(&app, get("/other", "https://evil.example"))
            .await
            .0,
        403
    );
    // The resource's live policy, replaced.
    assert_eq!(
        status_of(&app, get("/catalog", "https://partner.example"))
            .await
            .0,
        200
    );
    live.replace(Policy::builder().allow_origin("https://new.example"))
        .unwrap();
    assert_eq!(
        status_of(&app, get("/catalog", "https://partner.example"))
            .await
            .0,
        403
    );
    assert_eq!(
        status_of(&app, get("/catalog", "https://new.example"))
            .await
            .0,
        200
    );
}

#[actix_rt::test]
async fn a_default_policy_with_dynamic_origins_but_without_allow_dynamic_origins_refuses_to_start()
{
    let policy = Policy::builder()
        .allow_origin("https://app.example.com")
        .build()
        .unwrap();
    let slot =
        PolicySlot::from(policy).with_dynamic_origins(DynamicOrigins::predicate(|_, _| true));
    let app = App::new()
        .service(me)
        .wrap(Cors::new().default_policy(slot));
    let started = app.into_factory().new_service(AppConfig::default()).await;
    assert!(started.is_err(), "the app started");
}

#[actix_rt::test]
async fn a_dynamic_policy_built_without_allow_dynamic_origins_refuses_to_start() {
    let policy = Policy::builder()
        .allow_origin("https://app.example.com")
        .build()
        .unwrap();
    let cors =
        Cors::new().dynamic_policy("tenants", policy, DynamicOrigins::predicate(|_, _| true));
    let app = App::new().service(me).wrap(cors);
    let started = app.into_factory().new_service(AppConfig::default()).await;
    assert!(started.is_err(), "the app started");
}

#[actix_rt::test]
async fn a_live_policy_is_replaced_for_every_worker_and_a_bad_replacement_keeps_the_old_one() {
    let live = LivePolicy::new(
        Policy::builder()
            .allow_origin("https://partner.example")
            .build()
            .unwrap(),
    );
    let calls = Calls::default();
    let cors = Cors::new().policy("tenants", live.clone());
    let factory = {
        let calls = calls.clone();
        move || {
            App::new()
                .app_data(web::Data::new(calls.clone()))
                .service(me)
                .wrap(cors.clone())
        }
    };
    // Two workers: the replacement must reach both.
    let (addr, handle) = tests::wire::serve_on_workers(2, factory);
    let get = move |origin: &'static str| {
        actix_web::rt::task::spawn_blocking(move || {
            tests::wire::send(addr, "GET", "/api/me", &[("Origin", origin)])
        })
    };
    for _ in 0..4 {
        let res = get("https://partner.example").await.unwrap();
        assert_eq!(res.status, 200);
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("https://partner.example")
        );
        assert_eq!(get("https://new.example").await.unwrap().status, 403);
    }

    live.replace(Policy::builder().allow_origins(["https://new.example"]))
        .expect("a valid replacement");
    for _ in 0..4 {
        assert_eq!(get("https://partner.example").await.unwrap().status, 403);
        let res = get("https://new.example").await.unwrap();
        assert_eq!(res.status, 200);
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("https://new.example")
        );
    }

    // Every problem of a bad replacement, and the old policy keeps serving.
    let err = live
        .replace(
            Policy::builder()
                .allow_origins(["https://*.com", "https://x.example/"])
                .allow_credentials()
                .expose_headers(["*"]),
        )
        .unwrap_err();
    assert_eq!(err.problems().len(), 3, "{err}");
    for _ in 0..4 {
        assert_eq!(get("https://new.example").await.unwrap().status, 200);
    }
    handle.stop(true).await;
}

#[actix_rt::test]
async fn a_live_policy_can_carry_dynamic_origins() {
    let store = Store::with(&["https://acme.example"]);
    let live = LivePolicy::new(tenants_policy());
    let calls = Calls::default();
    let app = app!(
        Cors::new().dynamic_policy("tenants", live.clone(), store.lookup().build()),
        calls
    );
    let get = |origin: &str| actual(Method::GET, "/api/me", Some(origin));
    assert_eq!(status_of(&app, get("https://acme.example")).await.0, 200);
    // Replaced with a list only: dynamic origins are no longer asked.
    live.replace(
        Policy::builder()
            .allow_origin("https://app.example.com")
            .allow_credentials(),
    )
    .unwrap();
    assert_eq!(status_of(&app, get("https://acme.example")).await.0, 403);
    assert_eq!(status_of(&app, get("https://app.example.com")).await.0, 200);
}

/// Issue 20's flood, over a real `HttpServer`: one client (127.0.0.2) sends a sustained flood
/// of random origins over 16 connections at once while a known tenant, whose cache entry has
/// expired, and a new tenant make requests from other clients (127.0.0.3, 127.0.0.4). The
/// known tenant is never refused (served from its stale entry while it is refreshed, under the
/// refresh budget), the new one is looked up within a turn of the line (the flood's client has
/// the most requests in it, so it gives up its last), the cache stays within its bound and the
/// store is asked within the budgets.
#[actix_rt::test]
async fn a_flood_from_one_client_locks_out_neither_a_known_tenant_nor_a_new_one() {
    use std::net::{IpAddr, Ipv4Addr};
    const FLOOD: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    const KNOWN: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3));
    const NEW: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 4));
    let store = Store::with(&["https://known.example", "https://new.example"]);
    let lookup = store
        .lookup()
        .allowed_ttl(Duration::from_millis(200))
        .max_entries(300)
        .max_lookups_per_second(100)
        // At most 8 requests wait: the flood's 16 connections overflow the line.
        .max_waiting(8)
        .build();
    let calls = Calls::default();
    let cors = Cors::new().dynamic_policy("tenants", tenants_policy(), lookup.clone());
    let factory = {
        let calls = calls.clone();
        move || {
            App::new()
                .app_data(web::Data::new(calls.clone()))
                .service(me)
                .wrap(cors.clone())
        }
    };
    let (addr, handle) = tests::wire::serve_on_workers(2, factory);
    let get = move |from: IpAddr, origin: String| {
        actix_web::rt::task::spawn_blocking(move || {
            let started = Instant::now();
            let res = tests::wire::send_from(from, addr, "GET", "/api/me", &[("Origin", &origin)]);
            (res.status, started.elapsed())
        })
    };

    // The known tenant is looked up once, then its entry expires.
    assert_eq!(
        get(KNOWN, "https://known.example".into()).await.unwrap().0,
        200
    );
    actix_rt::time::sleep(Duration::from_millis(250)).await;

    // The flood: 1.5 s of random origins from one client, over 16 connections at once, as
    // fast as they are answered.
    let flood = actix_web::rt::task::spawn_blocking(move || {
        let started = Instant::now();
        let counts: Vec<(u32, u32)> = std::thread::scope(|scope| {
            let senders: Vec<_> = (0..16u32)
                .map(|thread| {
                    scope.spawn(move || {
                        let (mut sent, mut refused) = (0u32, 0u32);
                        while started.elapsed() < Duration::from_millis(1500) {
                            let n = (sent << 4) | thread;
                            let origin = format!(
                                "https://r{:x}.attacker.example",
                                n.wrapping_mul(2654435761)
                            );
                            let res = tests::wire::send_from(
                                FLOOD,
                                addr,
                                "GET",
                                "/api/me",
                                &[("Origin", &origin)],
                            );
                            sent += 1;
                            refused += u32::from(res.status == 403);
                        }
                        (sent, refused)
                    })
                })
                .collect();
            senders.into_iter().map(|s| s.join().unwrap()).collect()
        });
        let sent = counts.iter().map(|c| c.0).sum::<u32>();
        let refused = counts.iter().map(|c| c.1).sum::<u32>();
        (sent, refused, started.elapsed())
    });

    // During it: the known tenant every 25 ms, the new tenant once, half-way.
    let mut known = Vec::new();
    let mut new_tenant = None;
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1400) {
        known.push(get(KNOWN, "https://known.example".into()).await.unwrap());
        if new_tenant.is_none() && started.elapsed() > Duration::from_millis(700) {
            new_tenant = Some(get(NEW, "https://new.example".into()).await.unwrap());
        }
        actix_rt::time::sleep(Duration::from_millis(25)).await;
    }
    let (sent, refused, flood_time) = flood.await.unwrap();
    let stats = lookup.stats();
    handle.stop(true).await;

    assert!(sent > 300, "the flood was a flood: {sent} requests");
    assert_eq!(refused, sent, "every random origin refused");
    assert!(
        known.iter().all(|(status, _)| *status == 200),
        "the known tenant was refused during the flood: {known:?}"
    );
    let (status, took) = new_tenant.expect("the new tenant asked");
    assert_eq!(status, 200, "the new tenant was refused during the flood");
    assert!(
        store.asked("https://new.example") == 1,
        "the new tenant was looked up at its first request"
    );
    // The budget: a burst of 100 and 100 per second (the flood has it all while no one else
    // waits); the known tenant's refreshes (one per 200 ms at most); the new tenant's lookup;
    // the first lookup of the known tenant.
    let secs = flood_time.as_secs_f64() + 0.5;
    let bound = 100 + (100.0 * secs).ceil() as u64 + (5.0 * secs).ceil() as u64 + 2 + 1;
    assert!(
        stats.lookups <= bound,
        "{} lookups (bound {bound}) for {sent} flooding requests",
        stats.lookups
    );
    assert!(stats.throttled >= u64::from(sent) - bound, "{stats:?}");
    assert!(stats.cached <= 300, "cache grew to {}", stats.cached);
    assert!(stats.served_stale > 0, "{stats:?}");
    println!(
        "flood: {sent} requests in {flood_time:?}, {} lookups, {} throttled; known tenant: {} requests, all 200; new tenant answered in {took:?}",
        stats.lookups,
        stats.throttled,
        known.len()
    );
}
