//! Decided at the door: `Cors` finds the route actix-web will run before anything inside it
//! runs, answers preflights itself, stops refused requests, and writes the route's headers on
//! whatever comes back. Each test proves whether the handler (and the middleware inside) ran.

use actix_service::IntoServiceFactory;
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{ErrorTooManyRequests, ErrorUnauthorized, ErrorUnprocessableEntity};
use actix_web::guard::Guard as _;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{from_fn, ErrorHandlerResponse, ErrorHandlers, Next};
use actix_web::{get, guard, post, put, test, web, App, Error, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, Cors};
use tests::{actual, preflight, reply, wire, Calls};

/// Handler calls and auth-middleware calls, counted separately.
#[derive(Clone, Default)]
struct Counters {
    handler: Calls,
    auth: Calls,
}

#[cors(
    origins = ["https://app.example.com"],
    credentials,
    headers = ["Authorization"],
)]
#[get("/items")]
async fn items(counters: web::Data<Counters>) -> impl Responder {
    counters.handler.hit();
    "[]"
}

#[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
#[put("/items/{id:\\d+}")]
async fn put_item(counters: web::Data<Counters>, id: web::Path<u32>) -> impl Responder {
    counters.handler.hit();
    id.to_string()
}

/// A bearer-token middleware written without any knowledge of CORS: every request without a
/// token is refused, preflights included.
async fn bearer_auth(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(counters) = req.app_data::<web::Data<Counters>>() {
        counters.auth.hit();
    }
    if req.headers().get("authorization").map(|v| v.as_bytes()) != Some(b"Bearer ok") {
        return Err(ErrorUnauthorized("log in first"));
    }
    next.call(req).await
}

/// A default policy that lacks `Authorization` and credentials: it must never decide for the
/// declared routes.
fn cors_with_default() -> Cors {
    Cors::new().default_policy(cors_policy!(origins = ["https://app.example.com"]))
}

#[actix_rt::test]
async fn scope_auth_that_knows_nothing_of_cors_never_sees_preflights() {
    let counters = Counters::default();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(counters.clone()))
            .service(
                web::scope("/api")
                    .wrap(from_fn(bearer_auth))
                    .service(items)
                    .service(put_item),
            )
            .wrap(cors_with_default()),
    )
    .await;
    // The preflight is answered with the route's policy; auth and handler never see it.
    let res = reply(
        &app,
        preflight(
            "/api/items",
            "https://app.example.com",
            "GET",
            Some("authorization"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        res.header("access-control-allow-headers"),
        Some("authorization")
    );
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    let res = reply(
        &app,
        preflight("/api/items/7", "https://app.example.com", "PUT", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(counters.auth.count(), 0);
    // The 401 from auth carries the route's headers: the page can read it.
    let res = reply(
        &app,
        actual(Method::GET, "/api/items", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status, 401);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(counters.auth.count(), 1);
    // With the token, the handler runs.
    let res = reply(
        &app,
        actual(Method::GET, "/api/items", Some("https://app.example.com"))
            .insert_header(("authorization", "Bearer ok"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(counters.handler.count(), 1);
    // A refused origin is stopped at the door: neither auth nor the handler runs.
    let res = reply(
        &app,
        actual(Method::GET, "/api/items", Some("https://evil.example"))
            .insert_header(("authorization", "Bearer ok"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    assert_eq!(res.header("access-control-allow-origin"), None);
    assert_eq!((counters.auth.count(), counters.handler.count()), (2, 1));
}

#[actix_rt::test]
async fn app_level_auth_inside_cors_never_sees_preflights() {
    let counters = Counters::default();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(counters.clone()))
            .service(items)
            .wrap(from_fn(bearer_auth))
            .wrap(Cors::new()),
    )
    .await;
    let res = reply(
        &app,
        preflight(
            "/items",
            "https://app.example.com",
            "GET",
            Some("authorization"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(counters.auth.count(), 0);
    let res = reply(
        &app,
        actual(Method::GET, "/items", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status, 401);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(res.header("vary"), Some("Origin"));
    assert_eq!((counters.auth.count(), counters.handler.count()), (1, 0));
}

/// An app-level rate limiter answering with a 429 before routing.
async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.headers().contains_key("x-over-limit") {
        return Err(ErrorTooManyRequests("slow down"));
    }
    next.call(req).await
}

#[actix_rt::test]
async fn a_rate_limiters_429_carries_the_routes_headers() {
    let counters = Counters::default();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(counters.clone()))
            .service(items)
            .wrap(from_fn(rate_limit))
            .wrap(Cors::new()),
    )
    .await;
    let res = reply(
        &app,
        actual(Method::GET, "/items", Some("https://app.example.com"))
            .insert_header(("x-over-limit", "1"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status, 429);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(counters.handler.count(), 0);
}

#[cors(origins = ["https://app.example.com"], expose = ["X-Error-Id"])]
#[post("/validate")]
async fn validate() -> Result<HttpResponse, Error> {
    Err(ErrorUnprocessableEntity("bad input"))
}

fn json_error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // A fresh response: nothing of the original's headers survives here.
    let (req, _) = res.into_parts();
    let page = HttpResponse::UnprocessableEntity()
        .insert_header(("x-error-id", "42"))
        .body(r#"{"error":"invalid"}"#);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, page).map_into_right_body(),
    ))
}

#[actix_rt::test]
async fn a_response_rebuilt_by_error_handlers_keeps_the_routes_headers() {
    let app = test::init_service(
        App::new()
            .service(validate)
            .wrap(ErrorHandlers::new().handler(StatusCode::UNPROCESSABLE_ENTITY, json_error_page))
            .wrap(Cors::new()),
    )
    .await;
    let res = reply(
        &app,
        actual(Method::POST, "/validate", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status, 422);
    assert_eq!(res.body, r#"{"error":"invalid"}"#);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        res.header("access-control-expose-headers"),
        Some("X-Error-Id")
    );
}

async fn side_effect(counters: web::Data<Counters>) -> impl Responder {
    counters.handler.hit();
    "done"
}

#[actix_rt::test]
async fn builder_style_routes_under_the_default_policy_are_decided_at_the_door() {
    let counters = Counters::default();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(counters.clone()))
            .service(web::resource("/form").route(web::post().to(side_effect)))
            .route("/plain", web::get().to(side_effect))
            .wrap(cors_with_default()),
    )
    .await;
    // A cross-site form post from a refused origin never reaches the handler.
    let res = reply(
        &app,
        actual(Method::POST, "/form", Some("https://evil.example")).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    assert_eq!(counters.handler.count(), 0);
    let res = reply(
        &app,
        actual(Method::GET, "/plain", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let res = reply(
        &app,
        preflight("/form", "https://app.example.com", "POST", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(counters.handler.count(), 1);
}

#[cors(origins = ["https://tenants.example"])]
#[get("/items/{id:\\d+}")]
async fn tenant_item(path: web::Path<(String, u32)>) -> impl Responder {
    format!("{}:{}", path.0, path.1)
}

#[cors(origins = ["https://files.example"])]
#[get("/files/{tail}*")]
async fn tenant_files() -> impl Responder {
    "file"
}

fn tenant_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/t/{tenant}")
            .service(tenant_item)
            .service(tenant_files),
    );
}

#[actix_rt::test]
async fn configure_nested_scopes_regex_and_tail_segments() {
    let cors = Cors::new();
    let app = test::init_service(
        App::new()
            .service(web::scope("/v2").configure(tenant_routes))
            .wrap(cors.clone()),
    )
    .await;
    let report = cors.route_report().expect("the app has started");
    let patterns: Vec<&str> = report.routes().iter().map(|r| r.pattern.as_str()).collect();
    assert_eq!(
        patterns,
        [
            "/v2/t/{tenant}/items/{id:\\d+}",
            "/v2/t/{tenant}/files/{tail}*"
        ]
    );
    for (path, origin, status, why) in [
        (
            "/v2/t/acme/items/12",
            "https://tenants.example",
            204,
            "the items route",
        ),
        (
            "/v2/t/acme/files/a/b/c.txt",
            "https://files.example",
            204,
            "the tail route",
        ),
        (
            "/v2/t/acme/files/x",
            "https://tenants.example",
            403,
            "the files policy is not the items policy",
        ),
        // `{id:\d+}` does not match `abc`: no route, no policy; the preflight goes on to actix-web.
        (
            "/v2/t/acme/items/abc",
            "https://tenants.example",
            404,
            "no route matches",
        ),
    ] {
        let res = reply(&app, preflight(path, origin, "GET", None).to_request()).await;
        assert_eq!(res.status, status, "{path} from {origin}: {why}");
    }
    let res = reply(
        &app,
        actual(
            Method::GET,
            "/v2/t/acme/items/12",
            Some("https://tenants.example"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body, "acme:12");
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://tenants.example")
    );
}

#[cors(origins = ["https://a.example"])]
#[get("/tenant", guard = "is_host_a")]
async fn tenant_a() -> impl Responder {
    "a"
}

#[cors(origins = ["https://b.example"])]
#[get("/tenant")]
async fn tenant_b() -> impl Responder {
    "b"
}

fn is_host_a(ctx: &guard::GuardContext<'_>) -> bool {
    guard::Host("a.api.example").check(ctx)
}

#[actix_rt::test]
async fn route_guards_are_evaluated_at_the_door() {
    let app = test::init_service(
        App::new()
            .service(tenant_a)
            .service(tenant_b)
            .wrap(Cors::new()),
    )
    .await;
    // Preflights to the other host get the other route's policy, as its actual requests do.
    for (origin, host, status) in [
        ("https://b.example", "b.api.example", 204),
        ("https://a.example", "b.api.example", 403),
        ("https://a.example", "a.api.example", 204),
    ] {
        let req = preflight("/tenant", origin, "GET", None).insert_header(("host", host));
        let res = reply(&app, req.to_request()).await;
        assert_eq!(res.status, status, "{origin} on {host}");
    }
    let req = actual(Method::GET, "/tenant", Some("https://a.example"))
        .insert_header(("host", "a.api.example"));
    let res = reply(&app, req.to_request()).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body, "a");
}

#[cors(origins = ["https://app.example.com"])]
#[get("/things/{id}")]
async fn thing() -> impl Responder {
    "thing"
}

#[cors(origins = ["https://app.example.com"])]
#[get("/things/new")]
async fn new_thing() -> impl Responder {
    "new"
}

#[cors(origins = ["https://other.example.com"])]
#[get("/things/{id}")]
async fn thing_again() -> impl Responder {
    "again"
}

async fn starts<T, B>(app: App<T>) -> bool
where
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    app.into_factory()
        .new_service(AppConfig::default())
        .await
        .is_ok()
}

#[actix_rt::test]
async fn shadowed_and_duplicate_declarations_stop_the_app_at_start_up() {
    assert!(
        !starts(
            App::new()
                .service(thing)
                .service(new_thing)
                .wrap(Cors::new())
        )
        .await,
        "/things/{{id}} registered first shadows /things/new"
    );
    assert!(
        starts(
            App::new()
                .service(new_thing)
                .service(thing)
                .wrap(Cors::new())
        )
        .await,
        "the specific route first is fine"
    );
    assert!(
        !starts(
            App::new()
                .service(thing)
                .service(thing_again)
                .wrap(Cors::new())
        )
        .await,
        "two declarations of GET /things/{{id}}"
    );
}

#[actix_rt::test]
async fn over_a_real_server_the_shapes_work_on_the_wire() {
    let counters = Counters::default();
    let data = web::Data::new(counters.clone());
    let (addr, handle) = wire::serve(move || {
        App::new()
            .app_data(data.clone())
            .service(web::scope("/api").wrap(from_fn(bearer_auth)).service(items))
            .route("/form", web::post().to(side_effect))
            .wrap(from_fn(rate_limit))
            .wrap(cors_with_default())
    });
    let [preflight, unauthorized, refused, limited, form] =
        actix_web::rt::task::spawn_blocking(move || {
            let app = ("Origin", "https://app.example.com");
            let evil = ("Origin", "https://evil.example");
            let token = ("Authorization", "Bearer ok");
            [
                wire::send(
                    addr,
                    "OPTIONS",
                    "/api/items",
                    &[
                        app,
                        ("Access-Control-Request-Method", "GET"),
                        ("Access-Control-Request-Headers", "authorization"),
                    ],
                ),
                wire::send(addr, "GET", "/api/items", &[app]),
                wire::send(addr, "GET", "/api/items", &[evil, token]),
                wire::send(
                    addr,
                    "GET",
                    "/api/items",
                    &[app, token, ("X-Over-Limit", "1")],
                ),
                wire::send(addr, "POST", "/form", &[evil]),
            ]
        })
        .await
        .expect("the client thread");
    handle.stop(true).await;
    // The scope's auth never sees the preflight, which the route's policy answers.
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("authorization")
    );
    // Its 401 is readable, with the route's credentials.
    assert_eq!(unauthorized.status, 401);
    assert_eq!(
        unauthorized.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        unauthorized.header("access-control-allow-credentials"),
        Some("true")
    );
    // A refused origin stops at the door.
    assert_eq!(refused.status, 403);
    assert_eq!(refused.header("access-control-allow-origin"), None);
    // The rate limiter's 429 (app level, before routing) carries the route's headers.
    assert_eq!(limited.status, 429);
    assert_eq!(
        limited.header("access-control-allow-credentials"),
        Some("true")
    );
    // A builder-style route under the default policy: the refused form post never runs it.
    assert_eq!(form.status, 403);
    // Auth ran once (the 401); no handler ran.
    assert_eq!((counters.auth.count(), counters.handler.count()), (1, 0));
}

async fn listed(counters: web::Data<Counters>) -> impl Responder {
    counters.handler.hit();
    "listed"
}

#[get("/users")]
async fn admin_users() -> impl Responder {
    "users"
}

#[cors(origins = ["https://audit.example.com"], credentials)]
#[get("/audit")]
async fn admin_audit() -> impl Responder {
    "audit"
}

#[actix_rt::test]
async fn resource_and_scope_policies_cover_builder_style_routes() {
    let counters = Counters::default();
    let cors = Cors::new();
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(counters.clone()))
            .service(web::resource("/list").route(web::post().to(listed)))
            .service(cors_actix::resource_policy(
                "/list",
                cors_policy!(origins = ["https://list.example.com"]),
            ))
            .service(
                web::scope("/admin")
                    .configure(cors_actix::scope_policy(cors_policy!(
                        origins = ["https://admin.example.com"]
                    )))
                    .service(admin_users)
                    .service(admin_audit)
                    .route("/builder", web::delete().to(listed)),
            )
            .wrap(cors.clone()),
    )
    .await;
    let report = cors.route_report().expect("started").to_string();
    assert!(
        report.contains("* /list -> resource_policy(\"/list\"): [https://list.example.com]"),
        "{report}"
    );
    assert!(
        report.contains("* /admin/* -> scope_policy(\"/admin\"): [https://admin.example.com]"),
        "{report}"
    );
    // The resource's policy, decided at the door: a refused form post never runs the handler.
    let res = reply(
        &app,
        actual(Method::POST, "/list", Some("https://evil.example")).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    assert_eq!(counters.handler.count(), 0);
    let res = reply(
        &app,
        preflight("/list", "https://list.example.com", "POST", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 204);
    // The scope's policy covers its plain and builder-style routes...
    for (method, path) in [("GET", "/admin/users"), ("DELETE", "/admin/builder")] {
        let res = reply(
            &app,
            preflight(path, "https://admin.example.com", method, None).to_request(),
        )
        .await;
        assert_eq!(res.status, 204, "{method} {path}");
    }
    // ...and a route's own declaration overrides it.
    let res = reply(
        &app,
        preflight("/admin/audit", "https://admin.example.com", "GET", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 403);
    let res = reply(
        &app,
        actual(
            Method::GET,
            "/admin/audit",
            Some("https://audit.example.com"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
}

#[cors(origins = ["https://app.example.com"])]
#[actix_web::routes]
#[get("/a")]
#[post("/b")]
async fn several_paths() -> impl Responder {
    "several"
}

#[cors(origins = ["https://app.example.com"])]
#[actix_web::query("/search")]
async fn query_search() -> impl Responder {
    "found"
}

#[actix_rt::test]
async fn routes_with_several_paths_and_the_query_method() {
    let app = test::init_service(
        App::new()
            .service(several_paths)
            .service(query_search)
            .wrap(Cors::new()),
    )
    .await;
    for (method, path, status) in [
        ("GET", "/a", 204),
        ("POST", "/b", 204),
        ("QUERY", "/search", 204),
    ] {
        let res = reply(
            &app,
            preflight(path, "https://app.example.com", method, None).to_request(),
        )
        .await;
        assert_eq!(res.status, status, "{method} {path}");
    }
    // `POST /a` is not a route: no policy answers, actix-web does (404).
    let res = reply(
        &app,
        preflight("/a", "https://app.example.com", "POST", None).to_request(),
    )
    .await;
    assert_eq!(res.status, 404);
    let res = reply(
        &app,
        actual(Method::POST, "/b", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
}
