//! Every kind of declaration fails closed, and a policy's headers reach only what it covers,
//! over real `HttpServer`s (SECURITY.md, guarantees 2, 11 and 12):
//!
//! - a path rewritten inside `Cors` (`NormalizePath`, an alias middleware written with
//!   `from_fn`) onto a builder-style route under a `scope_policy` or a `resource_policy` is
//!   refused by their path check before the handler, as onto a `#[cors]` route by its route
//!   door;
//! - a declared tail route registered after a plain scope with a default service never grants
//!   the scope's answers; a route of a `guard::Host` scope never grants the app's default
//!   service, which requests for another host fall through to;
//! - the early answers of the real actix-web-httpauth and actix-governor, at app, scope and
//!   route level, stay readable;
//! - the path checks leave actix-web's resource map as it was (`match_pattern` before routing),
//!   and the start-up and first-request findings name what cannot hold.

use actix_governor::{Governor, GovernorConfigBuilder};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::ErrorUnauthorized;
use actix_web::middleware::{from_fn, Next, NormalizePath, TrailingSlash};
use actix_web::{get, guard, web, App, Error, Responder};
use actix_web_httpauth::extractors::bearer::BearerAuth;
use actix_web_httpauth::middleware::HttpAuthentication;
use cors_actix::{cors, cors_policy, resource_policy, scope_policy, Cors};
use tests::wire::{self, WireResponse};
use tests::Calls;

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";

/// A blocking request over the socket, from the actix system's thread pool.
async fn send(
    addr: std::net::SocketAddr,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, String)>,
) -> WireResponse {
    send_to(addr, "api.test", method, path, headers).await
}

/// [`send`] with `Host: host`.
async fn send_to(
    addr: std::net::SocketAddr,
    host: &'static str,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, String)>,
) -> WireResponse {
    actix_web::rt::task::spawn_blocking(move || {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        wire::send_to(addr, host, method, path, &headers)
    })
    .await
    .expect("the request thread")
}

fn origin(o: &str) -> Vec<(&'static str, String)> {
    vec![("Origin", o.to_owned())]
}

fn form(o: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Origin", o.to_owned()),
        (
            "Content-Type",
            "application/x-www-form-urlencoded".to_owned(),
        ),
    ]
}

fn granted(res: &WireResponse) -> bool {
    res.headers
        .iter()
        .any(|(n, _)| n.starts_with("access-control-allow-"))
}

// ---------------------------------------------------------------------------------------------
// Paths rewritten inside `Cors` onto builder-style routes under path policies.

/// Maps the alias prefix `/v1/` onto `/api/`, as an app keeping an old API path does.
async fn alias(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(rest) = req.path().strip_prefix("/v1/") {
        let uri: actix_web::http::Uri = format!("/api/{rest}").parse().expect("a path");
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
    next.call(req).await
}

#[actix_rt::test]
async fn a_path_rewritten_inside_cors_onto_a_path_policy_is_refused_before_the_handler() {
    let calls = Calls::default();
    let (addr, handle) = wire::serve({
        let calls = calls.clone();
        move || {
            App::new()
                .app_data(web::Data::new(calls.clone()))
                .service(
                    web::scope("/api")
                        .configure(scope_policy(cors_policy!(
                            origins = ["https://app.example.com"],
                            credentials
                        )))
                        .route(
                            "/transfer",
                            web::post().to(|calls: web::Data<Calls>| async move {
                                calls.hit();
                                "moved"
                            }),
                        ),
                )
                // The policy first: its check comes before the resource.
                .service(resource_policy(
                    "/pay",
                    cors_policy!(origins = ["https://app.example.com"], credentials),
                ))
                .service(web::resource("/pay").route(web::post().to(
                    |calls: web::Data<Calls>| async move {
                        calls.hit();
                        "paid"
                    },
                )))
                .wrap(from_fn(alias))
                .wrap(NormalizePath::new(TrailingSlash::Trim))
                .wrap(Cors::new())
        }
    });
    // Control: the paths the door sees are decided by the door.
    let res = send(addr, "POST", "/api/transfer", form(APP)).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(APP));
    let res = send(addr, "POST", "/api/transfer", form(EVIL)).await;
    assert_eq!(res.status, 403, "{res:?}");
    assert_eq!(calls.count(), 1);
    // Rewritten inside `Cors`: the door saw another path, decided nothing for the scope or the
    // resource, and their checks refuse before the handler, whatever the origin.
    // A rewrite that keeps the request in the scope the door chose changes nothing: the door
    // decided for the scope, whose check lets the request in.
    for path in ["/api/transfer/", "/api//transfer"] {
        let res = send(addr, "POST", path, form(APP)).await;
        assert_eq!(res.status, 200, "{path}: {res:?}");
        assert_eq!(res.header("access-control-allow-origin"), Some(APP));
        let res = send(addr, "POST", path, form(EVIL)).await;
        assert_eq!(res.status, 403, "{path}: {res:?}");
    }
    assert_eq!(calls.count(), 3);
    // Onto a path policy from a path the door decided nothing for.
    for path in ["//api/transfer", "/v1/transfer", "/pay/", "//pay"] {
        for (o, what) in [(EVIL, "a refused origin"), (APP, "the allowed origin")] {
            let res = send(addr, "POST", path, form(o)).await;
            assert_eq!(res.status, 403, "{what}, {path}: {res:?}");
            assert!(!granted(&res), "{what}, {path}: {res:?}");
            assert!(
                res.body.starts_with("CORS request refused"),
                "{what}, {path}: {res:?}"
            );
            let res = send(addr, "GET", path, origin(o)).await;
            assert!(!granted(&res), "{what}, GET {path}: {res:?}");
        }
    }
    assert_eq!(
        calls.count(),
        3,
        "no handler ran for a path rewritten onto a path policy"
    );
    // Requests CORS does not concern still run: no `Origin`, or the server's own origin.
    let res = send(addr, "POST", "//api/transfer", vec![]).await;
    assert_eq!(res.status, 200, "{res:?}");
    let res = send(
        addr,
        "POST",
        "/v1/transfer",
        vec![
            ("Origin", "http://localhost".to_owned()),
            ("Sec-Fetch-Site", "same-origin".to_owned()),
        ],
    )
    .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert!(!granted(&res), "{res:?}");
    assert_eq!(calls.count(), 5);
    handle.stop(true).await;
}

#[actix_rt::test]
async fn normalize_path_inside_cors_is_reported_at_start_up() {
    let cors = Cors::new();
    let app = actix_web::test::init_service(
        App::new()
            .service(web::scope("/api").configure(scope_policy(cors_policy!(
                origins = ["https://app.example.com"]
            ))))
            .wrap(NormalizePath::trim())
            .wrap(cors.clone()),
    )
    .await;
    let report = cors.route_report().expect("started");
    assert!(
        report.findings().iter().any(
            |f| f.contains("`NormalizePath` is wrapped inside `Cors`") && f.contains("outside")
        ),
        "{:?}",
        report.findings()
    );
    drop(app);
    // Outside `Cors`, where it belongs: nothing to report.
    let cors = Cors::new();
    let _app = actix_web::test::init_service(
        App::new()
            .service(web::scope("/api").configure(scope_policy(cors_policy!(
                origins = ["https://app.example.com"]
            ))))
            .wrap(cors.clone())
            .wrap(NormalizePath::trim()),
    )
    .await;
    assert!(cors.route_report().expect("started").findings().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Services no policy covers, which the door's choice reached before.

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/files/{tail:.*}")]
async fn files(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "a file"
}

#[actix_rt::test]
async fn a_plain_scope_before_a_declared_tail_route_never_gets_its_grant() {
    let calls = Calls::default();
    let (addr, handle) = wire::serve({
        let calls = calls.clone();
        move || {
            App::new()
                .app_data(web::Data::new(calls.clone()))
                // A sub-application (a proxy, say) under the tail route's path.
                .service(
                    web::scope("/files/vault")
                        .default_service(web::to(|| async { "the vault's secrets" })),
                )
                .service(files)
                .wrap(Cors::new())
        }
    });
    let res = send(addr, "GET", "/files/vault/keys", origin(APP)).await;
    assert_eq!(res.body, "the vault's secrets", "{res:?}");
    assert!(!granted(&res), "the vault is not covered: {res:?}");
    assert_eq!(res.header("access-control-allow-credentials"), None);
    // The route itself is.
    let res = send(addr, "GET", "/files/readme", origin(APP)).await;
    assert_eq!(res.body, "a file", "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(APP));
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    handle.stop(true).await;
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/items")]
async fn tenant_items() -> impl Responder {
    "the tenant's items"
}

#[actix_rt::test]
async fn a_host_guarded_scope_falling_through_to_the_default_service_never_grants_it() {
    let (addr, handle) = wire::serve(|| {
        App::new()
            .service(
                web::scope("/api")
                    .guard(guard::Host("api.example.com"))
                    .service(tenant_items),
            )
            // A legacy backend behind the app's default service.
            .default_service(web::to(|| async { "the legacy backend's data" }))
            .wrap(Cors::new())
    });
    let res = send_to(addr, "other.example.com", "GET", "/api/items", origin(APP)).await;
    assert_eq!(res.body, "the legacy backend's data", "{res:?}");
    assert!(
        !granted(&res),
        "the default service is not covered: {res:?}"
    );
    let res = send_to(addr, "api.example.com", "GET", "/api/items", origin(APP)).await;
    assert_eq!(res.body, "the tenant's items", "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(APP));
    handle.stop(true).await;
}

// ---------------------------------------------------------------------------------------------
// Early answers of the real middleware in front of a route stay readable.

async fn validator(
    req: ServiceRequest,
    credentials: BearerAuth,
) -> Result<ServiceRequest, (Error, ServiceRequest)> {
    if credentials.token() == "letmein" {
        Ok(req)
    } else {
        Err((ErrorUnauthorized("wrong token"), req))
    }
}

#[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
#[get("/me")]
async fn me() -> impl Responder {
    "me"
}

#[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
#[get("/guarded", wrap = "HttpAuthentication::bearer(validator)")]
async fn guarded() -> impl Responder {
    "guarded"
}

async fn listing() -> &'static str {
    "listing"
}

/// Where the authentication stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    App,
    Scope,
}

#[actix_rt::test]
async fn authentication_answers_readably_at_app_scope_and_route_level() {
    use actix_web::middleware::Condition;
    for level in [Level::App, Level::Scope] {
        let (addr, handle) = wire::serve(move || {
            App::new()
                .service(
                    web::scope("/api")
                        .wrap(Condition::new(
                            level == Level::Scope,
                            HttpAuthentication::bearer(validator),
                        ))
                        .service(me)
                        .service(
                            web::scope("/admin")
                                .configure(scope_policy(cors_policy!(
                                    origins = ["https://app.example.com"],
                                    credentials,
                                    headers = ["Authorization"]
                                )))
                                .route("/list", web::get().to(listing)),
                        )
                        .service(resource_policy(
                            "/report",
                            cors_policy!(
                                origins = ["https://app.example.com"],
                                credentials,
                                headers = ["Authorization"]
                            ),
                        ))
                        .route("/report", web::get().to(listing)),
                )
                .wrap(Condition::new(
                    level == Level::App,
                    HttpAuthentication::bearer(validator),
                ))
                .wrap(Cors::new())
        });
        for path in ["/api/me", "/api/admin/list", "/api/report"] {
            let res = send(addr, "GET", path, origin(APP)).await;
            assert_eq!(res.status, 401, "{level:?} {path}: {res:?}");
            assert_eq!(
                res.header("access-control-allow-origin"),
                Some(APP),
                "{level:?} {path}: the 401 must be readable: {res:?}"
            );
            assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
            let mut with_token = origin(APP);
            with_token.push(("Authorization", "Bearer letmein".to_owned()));
            let res = send(addr, "GET", path, with_token).await;
            assert_eq!(res.status, 200, "{level:?} {path}: {res:?}");
            assert_eq!(res.header("access-control-allow-origin"), Some(APP));
            // A refused origin never reaches the authentication.
            let res = send(addr, "GET", path, origin(EVIL)).await;
            assert_eq!(res.status, 403, "{level:?} {path}: {res:?}");
        }
        handle.stop(true).await;
    }
    // At route level, under the route door.
    let (addr, handle) = wire::serve(|| App::new().service(guarded).wrap(Cors::new()));
    let res = send(addr, "GET", "/guarded", origin(APP)).await;
    assert_eq!(res.status, 401, "{res:?}");
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some(APP),
        "{res:?}"
    );
    handle.stop(true).await;
}

/// One request a minute after the first.
fn one_a_minute() -> actix_governor::GovernorConfig<
    actix_governor::PeerIpKeyExtractor,
    actix_governor::governor::middleware::NoOpMiddleware,
> {
    GovernorConfigBuilder::default()
        .seconds_per_request(60)
        .burst_size(1)
        .finish()
        .expect("a valid governor configuration")
}

#[actix_rt::test]
async fn rate_limits_answer_readably_at_app_scope_and_resource_level() {
    async fn second_is_readable(addr: std::net::SocketAddr, path: &'static str) {
        let res = send(addr, "GET", path, origin(APP)).await;
        assert_eq!(res.status, 200, "{path}: {res:?}");
        let res = send(addr, "GET", path, origin(APP)).await;
        assert_eq!(res.status, 429, "{path}: {res:?}");
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some(APP),
            "{path}: the 429 must be readable: {res:?}"
        );
    }
    let limit = one_a_minute();
    let (addr, handle) = wire::serve(move || {
        App::new()
            .service(
                web::scope("/app")
                    .configure(scope_policy(cors_policy!(
                        origins = ["https://app.example.com"]
                    )))
                    .route("/list", web::get().to(listing)),
            )
            .wrap(Governor::new(&limit))
            .wrap(Cors::new())
    });
    second_is_readable(addr, "/app/list").await;
    handle.stop(true).await;

    let limit = one_a_minute();
    let (addr, handle) = wire::serve(move || {
        App::new()
            .service(
                web::scope("/scoped")
                    .wrap(Governor::new(&limit))
                    .configure(scope_policy(cors_policy!(
                        origins = ["https://app.example.com"]
                    )))
                    .route("/list", web::get().to(listing)),
            )
            .wrap(Cors::new())
    });
    second_is_readable(addr, "/scoped/list").await;
    handle.stop(true).await;

    let limit = one_a_minute();
    let (addr, handle) = wire::serve(move || {
        App::new()
            .service(resource_policy(
                "/resource",
                cors_policy!(origins = ["https://app.example.com"]),
            ))
            .service(
                web::resource("/resource")
                    .wrap(Governor::new(&limit))
                    .route(web::get().to(listing)),
            )
            .service(me)
            .wrap(Cors::new())
    });
    second_is_readable(addr, "/resource").await;
    handle.stop(true).await;
}

// ---------------------------------------------------------------------------------------------
// What the checks leave as it was, and what they report.

/// What a logging middleware inside `Cors` reads before routing.
static SEEN: std::sync::Mutex<Vec<Option<String>>> = std::sync::Mutex::new(Vec::new());

async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    SEEN.lock().expect("the record").push(req.match_pattern());
    next.call(req).await
}

#[actix_rt::test]
async fn path_checks_leave_the_resource_map_as_it_was() {
    async fn seen(policies: bool) -> Vec<Option<String>> {
        SEEN.lock().expect("the record").clear();
        let mut api = web::scope("/api");
        let mut app = App::new();
        if policies {
            api = api.configure(scope_policy(cors_policy!(
                origins = ["https://app.example.com"]
            )));
            app = app.service(resource_policy(
                "/pay/{id}",
                cors_policy!(origins = ["https://app.example.com"]),
            ));
        }
        let app = actix_web::test::init_service(
            app.service(web::resource("/pay/{id}").route(web::get().to(listing)))
                .service(
                    api.route("/users/{id}", web::get().to(listing))
                        .route("/", web::get().to(listing)),
                )
                .wrap(from_fn(record))
                .wrap(Cors::new()),
        )
        .await;
        for path in ["/api/users/7", "/api/", "/api/missing", "/pay/3", "/other"] {
            let req = actix_web::test::TestRequest::get().uri(path).to_request();
            let _ = actix_web::test::call_service(&app, req).await;
        }
        let seen = SEEN.lock().expect("the record").clone();
        seen
    }
    let with = seen(true).await;
    assert_eq!(with, seen(false).await);
    assert_eq!(
        with,
        vec![
            Some("/api/users/{id}".to_owned()),
            Some("/api/".to_owned()),
            None,
            Some("/pay/{id}".to_owned()),
            None
        ]
    );
}

#[actix_rt::test]
async fn a_check_after_what_it_covers_is_reported() {
    let cors = Cors::new();
    let app = actix_web::test::init_service(
        App::new()
            // The resource first: its policy's check comes too late to refuse before it.
            .service(web::resource("/pay").route(web::get().to(listing)))
            .service(resource_policy(
                "/pay",
                cors_policy!(origins = ["https://app.example.com"]),
            ))
            // A route before the scope's policy: not checked by it.
            .service(
                web::scope("/api")
                    .route("/early", web::get().to(listing))
                    .configure(scope_policy(cors_policy!(
                        origins = ["https://app.example.com"]
                    ))),
            )
            .wrap(cors.clone()),
    )
    .await;
    for path in ["/pay", "/api/early"] {
        let req = actix_web::test::TestRequest::get()
            .uri(path)
            .insert_header(("Origin", APP))
            .to_request();
        let res = actix_web::test::call_service(&app, req).await;
        assert_eq!(res.status(), 200, "{path}");
    }
    let findings = cors.route_report().expect("started").findings().to_vec();
    assert!(
        findings
            .iter()
            .any(|f| f.contains("resource_policy(\"/pay\")")
                && f.contains("register `resource_policy(\"..\")` before its resource")),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f.contains("scope_policy(\"/api\")")
            && f.contains(".configure(scope_policy(..))` before its services")),
        "{findings:?}"
    );
}
