//! Moving from actix-cors one scope at a time, over a real `HttpServer`: an app whose scopes not
//! moved yet still wrap `actix_cors::Cors` (0.7), inside the app's `Cors`, beside scopes moved to
//! `scope_policy` and routes moved to `#[cors]`.
//!
//! Without a default policy, each response carries the CORS headers of exactly one of them:
//! actix-cors' on its scopes (its statuses too: `200` preflights, `400` refusals), ours on
//! the declared routes and scopes (`204`, `403`); never both, never a mix.
//!
//! Where a policy of ours covers a request under an actix-cors scope (a default policy, or a
//! `#[cors]` route moved inside a scope that still wraps actix-cors), `Cors` decides it: it
//! answers the preflight and refuses the origin itself, and replaces actix-cors' headers with
//! the policy's. The one mix left is actix-cors' own refusal: with
//! `block_on_origin_mismatch(true)`, an origin our policy allows and actix-cors does not gets
//! actix-cors' `400` carrying our `Access-Control-Allow-Origin`.

use std::net::SocketAddr;

use actix_web::{get, web, App, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, scope_policy, Cors};
use tests::wire::{self, WireResponse};

/// The origin the legacy scopes' actix-cors allows.
const OLD: &str = "https://old.example";
/// The origin the moved scope and the declared routes allow.
const NEW: &str = "https://new.example";
/// An origin nobody allows.
const EVIL: &str = "https://evil.example";

/// actix-cors' `Vary` (without its `draft-private-network-access` feature).
const ACTIX_CORS_VARY: [&str; 3] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
];
/// actix-cors' refusal body.
const ACTIX_CORS_REFUSED: &str = "Origin is not allowed to make this request";
/// Ours, outside debug mode.
const OURS_REFUSED: &str = "CORS request refused: origin not allowed\n";

// ---------------------------------------------------------------------------------------------
// The app: two scopes not moved yet, one moved to `scope_policy`, routes moved to `#[cors]`.

/// A scope not moved yet: credentialed, and actix-cors' default `block_on_origin_mismatch(false)`
/// (the handler runs for a refused origin; the response has no `Access-Control-Allow-Origin`).
fn legacy_cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allowed_origin(OLD)
        .allowed_methods(["GET", "POST"])
        .allowed_header("X-Legacy")
        .expose_headers(["X-Total-Count"])
        .supports_credentials()
        .max_age(3600)
}

/// A scope not moved yet, without credentials, that blocks refused origins (`400`).
fn strict_cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allowed_origin(OLD)
        .allowed_methods(["GET", "POST"])
        .allowed_header("X-Legacy")
        .block_on_origin_mismatch(true)
}

async fn legacy_items() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "1"))
        .body("legacy")
}

async fn strict_items() -> &'static str {
    "strict"
}

async fn moved_items() -> &'static str {
    "moved"
}

#[cors(origins = ["https://new.example"], headers = ["X-New"], expose = ["X-Total-Count"])]
#[get("/declared/items")]
async fn declared_items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .body("declared")
}

/// The scopes that still wrap actix-cors.
fn legacy_scopes(config: &mut web::ServiceConfig) {
    config
        .service(
            web::scope("/legacy")
                .wrap(legacy_cors())
                .route("/items", web::get().to(legacy_items))
                .route("/items", web::post().to(legacy_items)),
        )
        .service(
            web::scope("/strict")
                .wrap(strict_cors())
                .route("/items", web::get().to(strict_items))
                .route("/items", web::post().to(strict_items)),
        );
}

/// What has moved: a scope with `scope_policy`, a `#[cors]` route.
fn moved(config: &mut web::ServiceConfig) {
    config
        .service(
            web::scope("/moved")
                .configure(scope_policy(cors_policy!(
                    origins = ["https://new.example"],
                    credentials,
                    headers = ["X-New"],
                )))
                .route("/items", web::get().to(moved_items)),
        )
        .service(declared_items);
}

// ---------------------------------------------------------------------------------------------
// The client, and what tells one middleware's headers from the other's.

/// A blocking request over the socket, from the actix system's thread pool.
async fn send(
    addr: SocketAddr,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, &'static str)>,
) -> WireResponse {
    actix_web::rt::task::spawn_blocking(move || wire::send(addr, method, path, &headers))
        .await
        .expect("the request thread")
}

/// A preflight from `origin` for `method` with the request header `header`.
async fn preflight(
    addr: SocketAddr,
    path: &'static str,
    origin: &'static str,
    method: &'static str,
    header: &'static str,
) -> WireResponse {
    let headers = vec![
        ("Origin", origin),
        ("Access-Control-Request-Method", method),
        ("Access-Control-Request-Headers", header),
    ];
    send(addr, "OPTIONS", path, headers).await
}

/// An actual `GET` from `origin`.
async fn get_from(addr: SocketAddr, path: &'static str, origin: &'static str) -> WireResponse {
    send(addr, "GET", path, vec![("Origin", origin)]).await
}

/// The names listed by the response's `Vary` headers, lowercase, in order.
fn vary(res: &WireResponse) -> Vec<String> {
    res.headers
        .iter()
        .filter(|(name, _)| name == "vary")
        .flat_map(|(_, value)| value.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect()
}

/// One set of CORS headers: no `Access-Control-*` header twice, no name listed twice in `Vary`.
fn assert_one_set(res: &WireResponse) {
    let cors: Vec<&str> = res
        .headers
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| name.starts_with("access-control-"))
        .collect();
    for name in &cors {
        let times = cors.iter().filter(|n| *n == name).count();
        assert_eq!(times, 1, "{name} {times} times: {res:?}");
    }
    let vary = vary(res);
    for name in &vary {
        let times = vary.iter().filter(|n| *n == name).count();
        assert_eq!(times, 1, "Vary lists {name} {times} times: {res:?}");
    }
}

/// actix-cors' answer to an allowed preflight of a legacy scope: its `200`, its whole method
/// list (ours echoes the requested method), its `Max-Age`, its `Vary`.
fn assert_actix_cors_preflight(res: &WireResponse, credentials: bool) {
    assert_one_set(res);
    assert_eq!(res.status, 200, "actix-cors answers 200: {res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(OLD));
    let methods = res.header("access-control-allow-methods").unwrap_or("");
    assert!(
        methods.contains("GET") && methods.contains("POST"),
        "actix-cors lists its methods: {res:?}"
    );
    assert_eq!(
        res.header("access-control-allow-headers"),
        Some("x-legacy"),
        "{res:?}"
    );
    assert_eq!(
        res.header("access-control-allow-credentials"),
        credentials.then_some("true"),
        "{res:?}"
    );
    assert_eq!(vary(res), ACTIX_CORS_VARY, "{res:?}");
}

/// Our answer to an allowed preflight: `204`, the requested method and headers echoed.
fn assert_our_preflight(res: &WireResponse, origin: &str, method: &str, header: &str) {
    assert_one_set(res);
    assert_eq!(res.status, 204, "ours answers 204: {res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(origin));
    assert_eq!(res.header("access-control-allow-methods"), Some(method));
    assert_eq!(res.header("access-control-allow-headers"), Some(header));
    assert_eq!(res.header("access-control-max-age"), None, "{res:?}");
}

/// Our refusal: `403`, our body, no CORS headers.
fn assert_our_refusal(res: &WireResponse) {
    assert_one_set(res);
    assert_eq!(res.status, 403, "{res:?}");
    assert_eq!(res.body, OURS_REFUSED);
    assert_eq!(res.header("access-control-allow-origin"), None, "{res:?}");
}

/// actix-cors' refusal: `400`, its body, no `Access-Control-Allow-Origin`.
fn assert_actix_cors_refusal(res: &WireResponse) {
    assert_one_set(res);
    assert_eq!(res.status, 400, "{res:?}");
    assert_eq!(res.body, ACTIX_CORS_REFUSED);
    assert_eq!(res.header("access-control-allow-origin"), None, "{res:?}");
}

// ---------------------------------------------------------------------------------------------
// Without a default policy: each part answers with its own headers only.

#[actix_rt::test]
async fn legacy_scopes_keep_actix_cors_headers_and_moved_ones_get_ours_never_both() {
    let (addr, handle) = wire::serve(|| {
        App::new()
            .configure(legacy_scopes)
            .configure(moved)
            .wrap(Cors::new())
    });

    // --- /legacy: actix-cors', credentialed, not blocking. ---
    let res = preflight(addr, "/legacy/items", OLD, "POST", "x-legacy").await;
    assert_actix_cors_preflight(&res, true);
    assert_eq!(res.header("access-control-max-age"), Some("3600"));
    // The origin of the moved parts is not the legacy scope's: actix-cors refuses its preflight
    // with its 400 (even without `block_on_origin_mismatch`), our door does not step in.
    for origin in [NEW, EVIL] {
        let res = preflight(addr, "/legacy/items", origin, "POST", "x-legacy").await;
        assert_actix_cors_refusal(&res);
    }
    let res = get_from(addr, "/legacy/items", OLD).await;
    assert_one_set(&res);
    assert_eq!((res.status, res.body.as_str()), (200, "legacy"), "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(OLD));
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        res.header("access-control-expose-headers"),
        Some("x-total-count")
    );
    assert_eq!(vary(&res), ACTIX_CORS_VARY, "actix-cors' Vary: {res:?}");
    // A refused origin: the handler runs (actix-cors' default), no `Access-Control-Allow-Origin`.
    // What actix-cors writes anyway (`Allow-Credentials`, `Expose-Headers`) is its own, alone.
    for origin in [NEW, EVIL] {
        let res = get_from(addr, "/legacy/items", origin).await;
        assert_one_set(&res);
        assert_eq!((res.status, res.body.as_str()), (200, "legacy"), "{res:?}");
        assert_eq!(res.header("access-control-allow-origin"), None, "{res:?}");
        assert_eq!(vary(&res), ACTIX_CORS_VARY, "{res:?}");
    }
    let res = send(addr, "GET", "/legacy/items", vec![]).await;
    assert_eq!((res.status, res.body.as_str()), (200, "legacy"), "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), None, "{res:?}");

    // --- /strict: actix-cors', blocking refused origins with 400. ---
    let res = preflight(addr, "/strict/items", OLD, "POST", "x-legacy").await;
    assert_actix_cors_preflight(&res, false);
    let res = get_from(addr, "/strict/items", OLD).await;
    assert_one_set(&res);
    assert_eq!((res.status, res.body.as_str()), (200, "strict"), "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(OLD));
    assert_eq!(vary(&res), ACTIX_CORS_VARY, "{res:?}");
    for origin in [NEW, EVIL] {
        let res = preflight(addr, "/strict/items", origin, "POST", "x-legacy").await;
        assert_actix_cors_refusal(&res);
        let res = get_from(addr, "/strict/items", origin).await;
        assert_actix_cors_refusal(&res);
        assert_eq!(vary(&res), ACTIX_CORS_VARY, "{res:?}");
    }

    // --- /moved: scope_policy, ours. ---
    let res = preflight(addr, "/moved/items", NEW, "GET", "x-new").await;
    assert_our_preflight(&res, NEW, "GET", "x-new");
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    let res = get_from(addr, "/moved/items", NEW).await;
    assert_one_set(&res);
    assert_eq!((res.status, res.body.as_str()), (200, "moved"), "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(NEW));
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(vary(&res), ["origin"], "our Vary: {res:?}");
    // The legacy scopes' origin is not the moved scope's: refused with our 403.
    for origin in [OLD, EVIL] {
        assert_our_refusal(&preflight(addr, "/moved/items", origin, "GET", "x-new").await);
        assert_our_refusal(&get_from(addr, "/moved/items", origin).await);
    }

    // --- /declared/items: #[cors], ours. ---
    let res = preflight(addr, "/declared/items", NEW, "GET", "x-new").await;
    assert_our_preflight(&res, NEW, "GET", "x-new");
    assert_eq!(res.header("access-control-allow-credentials"), None);
    let res = get_from(addr, "/declared/items", NEW).await;
    assert_one_set(&res);
    assert_eq!(
        (res.status, res.body.as_str()),
        (200, "declared"),
        "{res:?}"
    );
    assert_eq!(res.header("access-control-allow-origin"), Some(NEW));
    assert_eq!(
        res.header("access-control-expose-headers"),
        Some("X-Total-Count")
    );
    assert_eq!(vary(&res), ["origin"], "{res:?}");
    for origin in [OLD, EVIL] {
        assert_our_refusal(&preflight(addr, "/declared/items", origin, "GET", "x-new").await);
        assert_our_refusal(&get_from(addr, "/declared/items", origin).await);
    }
    handle.stop(true).await;
}

// ---------------------------------------------------------------------------------------------
// With a default policy: it covers the legacy scopes too, and takes them over.

#[actix_rt::test]
async fn a_default_policy_decides_the_legacy_scopes_and_actix_cors_keeps_only_its_400() {
    let (addr, handle) = wire::serve(|| {
        App::new()
            .configure(legacy_scopes)
            .configure(moved)
            .wrap(Cors::new().default_policy(cors_policy!(
                origins = ["https://old.example", "https://new.example"],
                headers = ["X-Legacy"],
            )))
    });

    // The preflight is answered at the door with the default's headers: actix-cors never sees
    // it, so the legacy scope's credentials and max age are gone.
    let res = preflight(addr, "/legacy/items", OLD, "POST", "x-legacy").await;
    assert_our_preflight(&res, OLD, "POST", "x-legacy");
    assert_eq!(res.header("access-control-allow-credentials"), None);
    // An origin actix-cors refuses (its 400) is allowed by the default.
    let res = preflight(addr, "/legacy/items", NEW, "POST", "x-legacy").await;
    assert_our_preflight(&res, NEW, "POST", "x-legacy");
    // And one the default refuses gets our 403, not actix-cors' 400.
    assert_our_refusal(&preflight(addr, "/legacy/items", EVIL, "POST", "x-legacy").await);
    assert_our_refusal(&get_from(addr, "/legacy/items", EVIL).await);

    // Actual requests: actix-cors runs and writes its headers, `Cors` replaces them with the
    // default's (one set: no `Access-Control-Allow-Credentials` any more). actix-cors' `Vary`
    // stays: it lists `Origin` already, so `Cors` adds nothing to it.
    let res = get_from(addr, "/legacy/items", OLD).await;
    assert_one_set(&res);
    assert_eq!((res.status, res.body.as_str()), (200, "legacy"), "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(OLD));
    assert_eq!(res.header("access-control-allow-credentials"), None);
    assert_eq!(res.header("access-control-expose-headers"), None);
    assert_eq!(vary(&res), ACTIX_CORS_VARY, "{res:?}");
    let res = get_from(addr, "/legacy/items", NEW).await;
    assert_one_set(&res);
    assert_eq!((res.status, res.body.as_str()), (200, "legacy"), "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(NEW));
    assert_eq!(res.header("access-control-allow-credentials"), None);

    // The mix: `Cors` lets NEW in (the default allows it), actix-cors blocks it (its list does
    // not): actix-cors' 400 and body, with our `Access-Control-Allow-Origin` on it.
    let res = get_from(addr, "/strict/items", NEW).await;
    assert_one_set(&res);
    assert_eq!(
        (res.status, res.body.as_str()),
        (400, ACTIX_CORS_REFUSED),
        "{res:?}"
    );
    assert_eq!(res.header("access-control-allow-origin"), Some(NEW));

    // The moved parts are as without a default policy.
    let res = get_from(addr, "/moved/items", NEW).await;
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    assert_our_refusal(&get_from(addr, "/declared/items", OLD).await);
    handle.stop(true).await;
}

// ---------------------------------------------------------------------------------------------
// Half a scope moved: `#[cors]` routes inside a scope that still wraps actix-cors.

#[cors(origins = ["https://new.example"], headers = ["X-New"])]
#[get("/moving")]
async fn moving() -> impl Responder {
    "moving"
}

#[cors(origins = ["https://new.example"], headers = ["X-New"])]
#[get("/moving")]
async fn moving_strict() -> impl Responder {
    "moving strict"
}

#[actix_rt::test]
async fn a_cors_route_inside_an_actix_cors_scope_is_decided_by_its_own_policy() {
    let (addr, handle) = wire::serve(|| {
        App::new()
            .service(
                web::scope("/legacy")
                    .wrap(legacy_cors())
                    .service(moving)
                    .route("/items", web::get().to(legacy_items)),
            )
            .service(
                web::scope("/strict")
                    .wrap(strict_cors())
                    .service(moving_strict),
            )
            .wrap(Cors::new())
    });

    // The route's policy, at the door: actix-cors never sees the preflight.
    let res = preflight(addr, "/legacy/moving", NEW, "GET", "x-new").await;
    assert_our_preflight(&res, NEW, "GET", "x-new");
    assert_our_refusal(&preflight(addr, "/legacy/moving", OLD, "GET", "x-new").await);
    assert_our_refusal(&get_from(addr, "/legacy/moving", OLD).await);
    let res = get_from(addr, "/legacy/moving", NEW).await;
    assert_one_set(&res);
    assert_eq!((res.status, res.body.as_str()), (200, "moving"), "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(NEW));
    // actix-cors' `Allow-Credentials` and `Expose-Headers` (written for every origin) removed.
    assert_eq!(res.header("access-control-allow-credentials"), None);
    assert_eq!(res.header("access-control-expose-headers"), None);
    // The scope's other routes are still actix-cors'.
    let res = preflight(addr, "/legacy/items", OLD, "GET", "x-legacy").await;
    assert_actix_cors_preflight(&res, true);

    // The mix again, under a blocking actix-cors: its 400 with our header.
    let res = get_from(addr, "/strict/moving", NEW).await;
    assert_one_set(&res);
    assert_eq!(
        (res.status, res.body.as_str()),
        (400, ACTIX_CORS_REFUSED),
        "{res:?}"
    );
    assert_eq!(res.header("access-control-allow-origin"), Some(NEW));
    handle.stop(true).await;
}
