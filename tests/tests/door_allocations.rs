//! The door allocates nothing per request: the same requests through the same app, with `Cors`
//! (every route declared) and without it, make the same number of heap allocations. Counted
//! exactly with dhat's testing mode, so it runs in CI.

use actix_web::http::header::HeaderValue;
use actix_web::http::Method;
use actix_web::web::{self, BytesMut};
use actix_web::{get, test, App, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, resource_policy, Cors};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[get("/api/items")]
async fn plain_items() -> impl Responder {
    HttpResponse::Ok().body("[1,2]")
}

#[cors(origins = ["https://app.example.com"], credentials, expose = ["X-Total-Count"])]
#[get("/api/items")]
async fn cors_items() -> impl Responder {
    HttpResponse::Ok().body("[1,2]")
}

async fn filler() -> impl Responder {
    "filler"
}

fn fillers(config: &mut web::ServiceConfig, declared: bool) {
    for i in 0..50 {
        let path = format!("/api/r{i}");
        config.service(web::resource(path.clone()).route(web::get().to(filler)));
        if declared {
            config.service(resource_policy(
                path,
                cors_policy!(origins = ["https://app.example.com"]),
            ));
        }
    }
}

/// A header value over shared bytes, as a real server's decoder makes them: echoing it is a
/// reference-count increment (a `TestRequest`'s own values would be copied on first clone).
fn shared(value: &'static str) -> HeaderValue {
    let mut buf = BytesMut::from(value.as_bytes());
    HeaderValue::from_maybe_shared(buf.split().freeze()).expect("a valid header value")
}

fn request(origin: Option<&'static str>) -> test::TestRequest {
    let req = test::TestRequest::default()
        .method(Method::GET)
        .uri("/api/items");
    match origin {
        Some(origin) => req.insert_header(("origin", shared(origin))),
        None => req,
    }
}

/// Heap blocks allocated by `n` requests (after one warm-up request).
async fn blocks<S, B>(app: &S, origin: Option<&'static str>, n: usize) -> u64
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    drop(test::call_service(app, request(origin).to_request()).await);
    // The fewest of three rounds: an allocation the door made per request is in every round,
    // while a one-time one is not: `cargo test --workspace` builds `cors-actix` with its
    // `metrics` feature (other members enable it), and a worker registers a decision's counter
    // once, at the first decision with those labels (three blocks, seen in a CI run's first
    // round).
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let mut total = 0;
        for _ in 0..n {
            let req = request(origin).to_request();
            let before = dhat::HeapStats::get().total_blocks;
            let res = test::call_service(app, req).await;
            assert!(res.status().is_success());
            drop(res);
            total += dhat::HeapStats::get().total_blocks - before;
        }
        fewest = fewest.min(total);
    }
    fewest
}

#[actix_rt::test]
async fn the_door_adds_no_allocation_per_request() {
    let _profiler = dhat::Profiler::builder()
        .testing()
        // The heap profile goes to the target directory, never into the source tree.
        .file_name(concat!(env!("CARGO_TARGET_TMPDIR"), "/dhat-heap.json"))
        .build();
    let plain = test::init_service(
        App::new()
            .configure(|c| fillers(c, false))
            .service(plain_items),
    )
    .await;
    let with_cors = test::init_service(
        App::new()
            .configure(|c| fillers(c, true))
            .service(cors_items)
            .wrap(Cors::new()),
    )
    .await;
    for origin in [None, Some("https://app.example.com")] {
        let without = blocks(&plain, origin, 20).await;
        let with = blocks(&with_cors, origin, 20).await;
        assert_eq!(
            with, without,
            "origin {origin:?}: {with} blocks with Cors, {without} without, for 20 requests"
        );
    }
    a_cached_dynamic_origin_adds_no_allocation().await;
    an_origin_from_a_set_adds_no_allocation().await;
    a_scope_policy_checked_after_routing_adds_no_allocation().await;
}

/// A builder-style route under a `scope_policy`: the door marks the request and reads the
/// scope's mark after routing (scope app data) without allocating; the scope's path check,
/// which must match every path of the scope and stay out of actix-web's resource map, has a
/// dynamic pattern, which actix-web matches with exactly one allocation (see
/// `door/after/path_check.rs`).
async fn a_scope_policy_checked_after_routing_adds_no_allocation() {
    // `configure` gives both scopes app data, so that both push one data container per request.
    let plain = test::init_service(
        App::new().service(
            web::scope("/api")
                .configure(|_| {})
                .route("/items", web::get().to(plain_items_fn)),
        ),
    )
    .await;
    let with_cors = test::init_service(
        App::new()
            .service(
                web::scope("/api")
                    .configure(cors_actix::scope_policy(cors_policy!(
                        origins = ["https://app.example.com"]
                    )))
                    .route("/items", web::get().to(plain_items_fn)),
            )
            .wrap(Cors::new()),
    )
    .await;
    for origin in [None, Some("https://app.example.com")] {
        let without = blocks(&plain, origin, 20).await;
        let with = blocks(&with_cors, origin, 20).await;
        assert_eq!(
            with,
            without + 20,
            "scope policy, origin {origin:?}: {with} blocks with Cors, {without} without, for 20 requests (the path check's pattern match: one each)"
        );
    }
}

async fn plain_items_fn() -> &'static str {
    "[1,2]"
}

#[cors(policy = "tenants")]
#[get("/api/items")]
async fn tenant_items() -> impl Responder {
    HttpResponse::Ok().body("[1,2]")
}

/// A dynamic origin answered from the lookup's cache allocates no more than a listed origin.
/// (Called from the test above: dhat counts one profiler at a time.)
async fn a_cached_dynamic_origin_adds_no_allocation() {
    let listed = test::init_service(
        App::new()
            .configure(|c| fillers(c, true))
            .service(cors_items)
            .wrap(Cors::new()),
    )
    .await;
    let lookup = cors_actix::OriginLookup::builder(|origin: String| async move {
        Ok::<_, std::convert::Infallible>(origin == "https://app.example.com")
    })
    .build();
    let policy = tenants_policy();
    let dynamic = test::init_service(
        App::new()
            .configure(|c| fillers(c, true))
            .service(tenant_items)
            .wrap(Cors::new().dynamic_policy("tenants", policy, lookup.clone())),
    )
    .await;
    let origin = Some("https://app.example.com");
    // `blocks` sends a warm-up request first: it fills the cache (one lookup).
    let from_list = blocks(&listed, origin, 20).await;
    let from_cache = blocks(&dynamic, origin, 20).await;
    assert_eq!(lookup.stats().lookups, 1);
    assert_eq!(
        from_cache, from_list,
        "{from_cache} blocks for 20 cached dynamic decisions, {from_list} for 20 listed ones"
    );
}

/// The tenants' policy of both dynamic cases: `cors_items`'s, its origins dynamic.
fn tenants_policy() -> cors_actix::Policy {
    cors_actix::Policy::builder()
        .allow_credentials()
        .expose_headers(["X-Total-Count"])
        .allow_dynamic_origins()
        .build()
        .expect("a valid policy")
}

/// An origin of an `OriginSet` allocates no more than a listed origin. (Called from the test
/// above: dhat counts one profiler at a time.)
async fn an_origin_from_a_set_adds_no_allocation() {
    let listed = test::init_service(
        App::new()
            .configure(|c| fillers(c, true))
            .service(cors_items)
            .wrap(Cors::new()),
    )
    .await;
    let policy = tenants_policy();
    let set = cors_actix::OriginSet::for_policy(&policy);
    set.update(["https://app.example.com", "https://other.example"], [])
        .unwrap();
    let dynamic = test::init_service(
        App::new()
            .configure(|c| fillers(c, true))
            .service(tenant_items)
            .wrap(Cors::new().dynamic_policy("tenants", policy, set.clone())),
    )
    .await;
    let origin = Some("https://app.example.com");
    let from_list = blocks(&listed, origin, 20).await;
    let from_set = blocks(&dynamic, origin, 20).await;
    // The warm-up request, then three rounds of 20.
    assert_eq!(set.stats().hits, 61);
    assert_eq!(
        from_set, from_list,
        "{from_set} blocks for 20 decisions from a set, {from_list} for 20 listed ones"
    );
}
