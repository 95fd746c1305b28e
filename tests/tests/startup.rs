//! The start-up check of named policies, in process: a route naming a policy the middleware
//! does not have stops the app from being created, with a message naming the handler and the
//! policy; apps built earlier on the same thread cannot cause false alarms.
//! (`examples/tests/startup.rs` runs a real `HttpServer` in a subprocess.)

use std::io::Write;
use std::sync::{Arc, Mutex};

use actix_service::IntoServiceFactory;
use actix_web::dev::{AppConfig, ServiceFactory};
use actix_web::http::Method;
use actix_web::{get, test, web, App, Responder};
use cors_actix::{cors, cors_policy, scope_policy, Cors, Policy};
use tests::actual;

#[cors(policy = "partners")]
#[get("/partners")]
async fn partners() -> impl Responder {
    "partners"
}

#[cors(policy = "mobile")]
#[get("/mobile")]
async fn mobile() -> impl Responder {
    "mobile"
}

#[cors(origins = ["https://app.example.com"])]
#[get("/items")]
async fn items() -> impl Responder {
    "[]"
}

fn policy() -> Policy {
    Policy::builder()
        .allow_origin("https://acme.partner.example")
        .build()
        .expect("valid policy")
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `f` with a subscriber capturing this thread's `cors` events; returns the log.
async fn capture_log<F: std::future::Future<Output = ()>>(f: F) -> String {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    f.await;
    drop(guard);
    let text = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    text
}

#[actix_rt::test]
async fn every_unregistered_name_is_reported_when_the_app_is_created() {
    let log = capture_log(async {
        let app = App::new()
            .service(web::scope("/v1").service(partners).service(mobile))
            .service(items)
            .wrap(Cors::new().policy("other", policy()));
        let started = app.into_factory().new_service(AppConfig::default()).await;
        assert!(started.is_err(), "the app must refuse to start");
    })
    .await;
    assert!(
        log.contains("ERROR cors: cors-actix: refusing to start"),
        "{log}"
    );
    assert!(
        log.contains(r#"handler `partners` uses `policy = "partners"`"#),
        "{log}"
    );
    assert!(
        log.contains(r#"handler `mobile` uses `policy = "mobile"`"#),
        "{log}"
    );
    assert!(log.contains("Cors::new().policy("), "{log}");
}

#[actix_rt::test]
async fn registered_names_start_and_serve() {
    let app = App::new()
        .service(web::scope("/v1").service(partners).service(mobile))
        .wrap(
            Cors::new()
                .policy("partners", policy())
                .policy("mobile", policy()),
        );
    let app = test::init_service(app).await;
    let res = test::call_service(
        &app,
        actual(
            Method::GET,
            "/v1/mobile",
            Some("https://acme.partner.example"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
}

/// An app built without `Cors` (whose routes are then plain actix-web routes) must not make a
/// later, correct app on the same thread refuse to start.
#[actix_rt::test]
async fn an_app_built_earlier_without_cors_is_not_blamed() {
    // Kept alive, and dropped: neither may leak its names into the next app.
    let kept = test::init_service(App::new().service(partners)).await;
    drop(test::init_service(App::new().service(mobile)).await);

    let app = App::new().service(items).wrap(Cors::new());
    let started = app.into_factory().new_service(AppConfig::default()).await;
    assert!(started.is_ok(), "a correct app must start");

    let res = test::call_service(
        &kept,
        actual(
            Method::GET,
            "/partners",
            Some("https://acme.partner.example"),
        )
        .to_request(),
    )
    .await;
    assert_eq!(
        res.status(),
        403,
        "without Cors the route's door refuses a cross-origin request no door decided"
    );
    assert_eq!(
        res.headers().get("access-control-allow-origin"),
        None,
        "without Cors nothing writes CORS headers"
    );
}

/// Names of an app whose build is abandoned before its `Cors` is created are forgotten too.
#[actix_rt::test]
async fn an_abandoned_app_build_is_not_blamed() {
    let factory = App::new()
        .service(partners)
        .wrap(Cors::new())
        .into_factory();
    // Registration happens here; the future (which would create `Cors`) is never polled.
    drop(factory.new_service(AppConfig::default()));
    drop(factory);

    let app = App::new().service(items).wrap(Cors::new());
    let started = app.into_factory().new_service(AppConfig::default()).await;
    assert!(started.is_ok(), "a correct app must start");
}

/// Whether the app starts, and what `Cors` logged while it tried.
async fn start<T, B>(app: App<T>) -> (bool, String)
where
    T: ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    let mut started = false;
    let log = capture_log(async {
        started = app
            .into_factory()
            .new_service(AppConfig::default())
            .await
            .is_ok();
    })
    .await;
    (started, log)
}

async fn plain() -> &'static str {
    "plain"
}

#[actix_rt::test]
async fn a_second_scope_policy_for_the_same_prefix_stops_the_app() {
    let (started, log) = start(
        App::new()
            .service(
                web::scope("/m")
                    .configure(scope_policy(cors_policy!(
                        origins = ["https://admin.example"]
                    )))
                    .route("/orders", web::get().to(plain)),
            )
            .service(
                web::scope("/m")
                    .configure(scope_policy(cors_policy!(origins = "*")))
                    .route("/export", web::get().to(plain)),
            )
            .wrap(Cors::new()),
    )
    .await;
    assert!(!started, "{log}");
    assert!(
        log.contains("`scope_policy(\"/m\")` and `scope_policy(\"/m\")` are scope policies of scopes with the same prefix: actix-web enters only the first scope registered"),
        "{log}"
    );
}

#[cors(origins = ["https://app.example.com"])]
#[get("/{name}")]
async fn any_name() -> impl Responder {
    "any"
}

#[actix_rt::test]
async fn a_scope_policy_an_earlier_scope_swallows_stops_the_app() {
    let (started, log) = start(
        App::new()
            .service(web::scope("/api/{version}").service(any_name))
            .service(
                web::scope("/api/v2")
                    .configure(scope_policy(cors_policy!(
                        origins = ["https://app.example.com"]
                    )))
                    .route("/export", web::get().to(plain)),
            )
            .wrap(Cors::new()),
    )
    .await;
    assert!(!started, "{log}");
    assert!(
        log.contains("`scope_policy(\"/api/v2\")` never applies: the scope `/api/{version}` of `any_name`, registered before it, takes every path under `/api/v2`"),
        "{log}"
    );
}

#[actix_rt::test]
async fn cors_on_a_scope_stops_the_app() {
    let (started, log) =
        start(App::new().service(web::scope("/api").service(items).wrap(Cors::new()))).await;
    assert!(!started, "{log}");
    assert!(
        log.contains("`Cors` is wrapped on a `web::scope`: the door must see requests before the app routes them; wrap it on the `App`"),
        "{log}"
    );
}

#[actix_rt::test]
async fn a_second_cors_stops_the_app() {
    let (started, log) = start(
        App::new()
            .service(items)
            .wrap(Cors::new())
            .wrap(actix_web::middleware::Logger::default())
            .wrap(Cors::new()),
    )
    .await;
    assert!(!started, "{log}");
    assert!(
        log.contains("a second `Cors` is wrapped inside this one"),
        "{log}"
    );
    // A second `Cors` on a scope, beside the app's: stopped too (by the scope's).
    let (started, log) = start(
        App::new()
            .service(web::scope("/api").service(any_name).wrap(Cors::new()))
            .service(items)
            .wrap(Cors::new()),
    )
    .await;
    assert!(!started, "{log}");
    assert!(log.contains("`Cors` is wrapped on a `web::scope`"), "{log}");
}

#[cors(origins = ["https://www.example"])]
#[get("/profile")]
async fn www_profile() -> impl Responder {
    "www"
}

#[cors(origins = ["https://admin.example"])]
#[get("/profile")]
async fn admin_profile() -> impl Responder {
    "admin"
}

#[actix_rt::test]
async fn twins_in_scopes_start_with_a_warning_and_are_reported() {
    let cors = Cors::new();
    let (started, log) = start(
        App::new()
            .service(
                web::scope("/g")
                    .guard(actix_web::guard::Host("admin.test"))
                    .service(admin_profile),
            )
            .service(
                web::scope("/g")
                    .guard(actix_web::guard::Host("www.test"))
                    .service(www_profile),
            )
            .wrap(cors.clone()),
    )
    .await;
    assert!(started, "{log}");
    assert!(
        log.contains("WARN cors: `admin_profile` and `www_profile` both declare GET /g/profile: if guards on their scopes split them"),
        "{log}"
    );
    let report = cors.route_report().expect("started").to_string();
    assert!(
        report.contains("GET /g/profile -> admin_profile: inline [https://admin.example] (twins, split by scope guards: www_profile)"),
        "{report}"
    );
}

#[actix_rt::test]
async fn the_report_lists_scope_policies_with_what_they_cover() {
    let cors = Cors::new();
    let (started, log) = start(
        App::new()
            .service(
                web::scope("/admin")
                    .configure(scope_policy(cors_policy!(
                        origins = ["https://app.example.com"]
                    )))
                    .route("/users", web::get().to(plain))
                    .service(items),
            )
            .wrap(cors.clone()),
    )
    .await;
    assert!(started, "{log}");
    let report = cors.route_report().expect("started").to_string();
    assert_eq!(
        report,
        "GET /admin/items -> items: inline [https://app.example.com]\n\
         * /admin/* -> scope_policy(\"/admin\"): [https://app.example.com] (every route under it but items, which have their own)\n\
         other paths: no CORS\n"
    );
}

#[cors(origins = ["https://app.example.com"])]
#[get("/api/status")]
async fn status() -> impl Responder {
    "ok"
}

#[actix_rt::test]
async fn a_declared_route_behind_a_plain_service_is_found_at_the_first_request() {
    let cors = Cors::new();
    let app = test::init_service(
        App::new()
            // No declaration inside: invisible to the door at start-up.
            .service(web::scope("/api").route("/other", web::get().to(plain)))
            .service(web::resource("/items").route(web::get().to(plain)))
            .service(status)
            .service(items)
            .wrap(cors.clone()),
    )
    .await;
    assert!(cors.route_report().expect("started").findings().is_empty());
    let log = capture_log(async {
        test::call_service(&app, actual(Method::GET, "/", None).to_request()).await;
    })
    .await;
    let report = cors.route_report().expect("started");
    assert_eq!(report.findings().len(), 2, "{report}");
    assert!(
        report.findings()[0].starts_with("`status` (GET /api/status) may be unreachable: actix-web routes `/api/status` to a scope without a route for it, registered before it"),
        "{report}"
    );
    assert!(
        report.findings()[1].starts_with("`items` (GET /items) may be unreachable: actix-web routes `/items` to the resource `/items`"),
        "{report}"
    );
    assert!(
        log.contains("WARN cors: `status` (GET /api/status) may be unreachable"),
        "{log}"
    );
}

#[cors(origins = ["https://app.example.com"])]
#[get("/pair")]
async fn pair_get() -> impl Responder {
    "got"
}

#[cors(origins = ["https://app.example.com"])]
#[actix_web::delete("/pair")]
async fn pair_delete() -> impl Responder {
    "deleted"
}

#[actix_rt::test]
async fn declared_routes_sharing_a_path_with_other_methods_are_not_reported_unreachable() {
    let cors = Cors::new();
    let app = test::init_service(
        App::new()
            .service(web::scope("/v1").service(pair_get).service(pair_delete))
            .wrap(cors.clone()),
    )
    .await;
    let res = test::call_service(
        &app,
        actual(Method::DELETE, "/v1/pair", Some("https://app.example.com")).to_request(),
    )
    .await;
    assert_eq!(res.status(), 200, "the second route is reached");
    let report = cors.route_report().expect("started");
    assert!(report.findings().is_empty(), "{report}");
}
