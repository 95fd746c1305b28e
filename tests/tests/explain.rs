//! `Cors::explain`: which declaration the door takes a request for, where its policy comes
//! from, and the decision with its reason, without sending the request; checked against what
//! the same request really gets.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::{self, TestRequest};
use actix_web::{delete, get, post, web, App, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, resource_policy, scope_policy, Cors, Policy};
use tests::Calls;

#[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"], expose = ["X-Total"], max_age = 600)]
#[get("/items")]
async fn items(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    HttpResponse::Ok()
        .insert_header(("X-Total", "3"))
        .body("[]")
}

#[cors(policy = "partners")]
#[delete("/items")]
async fn delete_items(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    ""
}

#[cors(disable)]
#[post("/legacy")]
async fn legacy(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "legacy"
}

#[get("/plain")]
async fn plain(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "plain"
}

async fn builder_style(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "builder"
}

fn cors() -> Cors {
    Cors::new()
        .policy(
            "partners",
            Policy::builder()
                .allow_origin("https://partner.example")
                .build()
                .unwrap(),
        )
        .default_policy(cors_policy!(origins = ["https://default.example"]))
}

macro_rules! app {
    ($cors:expr, $calls:expr) => {
        test::init_service(
            App::new()
                .app_data(web::Data::new($calls.clone()))
                .service(items)
                .service(delete_items)
                .service(legacy)
                .service(plain)
                .service(resource_policy(
                    "/report",
                    cors_policy!(origins = ["https://reports.example"]),
                ))
                .service(web::resource("/report").route(web::get().to(builder_style)))
                .service(
                    web::scope("/admin")
                        .configure(scope_policy(cors_policy!(
                            origins = ["https://admin.example"],
                            credentials
                        )))
                        .route("/users", web::get().to(builder_style)),
                )
                .wrap($cors),
        )
        .await
    };
}

type Question = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str)],
);

const ACRM_GET: (&str, &str) = ("Access-Control-Request-Method", "GET");

/// Questions covering every kind of declaration and decision.
const QUESTIONS: &[Question] = &[
    ("GET", "/items", Some("https://app.example.com"), &[]),
    ("GET", "/items", Some("https://evil.example"), &[]),
    ("GET", "/items", None, &[]),
    (
        "GET",
        "/items",
        Some("http://localhost:8080"),
        &[("Host", "localhost:8080")],
    ), // same origin
    (
        "OPTIONS",
        "/items",
        Some("https://app.example.com"),
        &[
            ACRM_GET,
            ("Access-Control-Request-Headers", "authorization"),
        ],
    ),
    (
        "OPTIONS",
        "/items",
        Some("https://app.example.com"),
        &[ACRM_GET, ("Access-Control-Request-Headers", "x-secret")],
    ),
    (
        "OPTIONS",
        "/items",
        Some("https://evil.example"),
        &[ACRM_GET],
    ),
    ("DELETE", "/items", Some("https://partner.example"), &[]),
    (
        "OPTIONS",
        "/items",
        Some("https://partner.example"),
        &[("Access-Control-Request-Method", "DELETE")],
    ),
    ("POST", "/legacy", Some("https://evil.example"), &[]),
    ("GET", "/plain", Some("https://default.example"), &[]),
    ("GET", "/plain", Some("https://evil.example"), &[]),
    ("GET", "/report", Some("https://reports.example"), &[]),
    ("GET", "/admin/users", Some("https://admin.example"), &[]),
    ("GET", "/admin/users", Some("https://evil.example"), &[]),
    ("GET", "/items", Some("https://app.example.com/"), &[]), // malformed
];

/// The CORS headers and `Vary` of a response, as `Explanation::headers` lists them.
fn cors_headers<B>(res: &ServiceResponse<B>) -> Vec<(String, String)> {
    res.headers()
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("access-control-") || n.as_str() == "vary")
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[actix_rt::test]
async fn explain_tells_what_a_real_request_gets() {
    let calls = Calls::default();
    let cors = cors();
    assert!(
        cors.explain("GET", "/items", None, &[]).is_none(),
        "no table before the app started"
    );
    let app = app!(cors.clone(), calls);
    for &(method, path, origin, headers) in QUESTIONS {
        let explained = cors
            .explain(method, path, origin, headers)
            .expect("the app started");
        let mut req = TestRequest::default()
            .method(method.parse().unwrap())
            .uri(path);
        for &h in origin.map(|o| ("Origin", o)).iter().chain(headers) {
            req = req.append_header(h);
        }
        let before = calls.count();
        let res = app.call(req.to_request()).await.unwrap();
        let ran = calls.count() > before;
        let what = format!("{method} {path} from {origin:?} {headers:?}: {explained}");
        match explained.status {
            Some(status) => {
                assert_eq!(res.status().as_u16(), status, "{what}");
                assert!(!ran, "the door answered, yet the handler ran: {what}");
            }
            None => assert!(ran, "explained as going on, yet nothing ran: {what}"),
        }
        assert_eq!(explained.headers, cors_headers(&res), "{what}");
        let _ = res.into_body().try_into_bytes();
    }
}

#[actix_rt::test]
async fn explain_names_the_declaration_the_policy_and_the_reason() {
    let calls = Calls::default();
    let cors = cors();
    let _app = app!(cors.clone(), calls);
    let e = |m, p, o, h| cors.explain(m, p, o, h).unwrap();

    let x = e("GET", "/items", Some("https://app.example.com"), &[]);
    assert_eq!(x.route.as_deref(), Some("GET /items -> items"));
    assert_eq!(
        x.policy,
        "inline [https://app.example.com] with credentials"
    );
    assert_eq!(x.decision, "allowed");
    assert!(!x.preflight);

    let x = e(
        "OPTIONS",
        "/items",
        Some("https://evil.example"),
        &[ACRM_GET],
    );
    assert!(x.preflight);
    assert_eq!(x.status, Some(403));
    assert!(
        x.decision.starts_with("refused: ") && x.decision.contains("https://evil.example"),
        "{x}"
    );

    let x = e(
        "OPTIONS",
        "/items",
        Some("https://app.example.com"),
        &[ACRM_GET, ("Access-Control-Request-Headers", "x-secret")],
    );
    assert!(x.decision.contains("x-secret"), "{x}");

    let x = e("DELETE", "/items", Some("https://partner.example"), &[]);
    assert_eq!(x.route.as_deref(), Some("DELETE /items -> delete_items"));
    assert_eq!(x.policy, "policy \"partners\" [https://partner.example]");

    let x = e("GET", "/plain", Some("https://default.example"), &[]);
    assert_eq!(x.route, None);
    assert_eq!(x.policy, "default policy [https://default.example]");

    let x = e("GET", "/admin/users", Some("https://admin.example"), &[]);
    assert_eq!(
        x.route.as_deref(),
        Some("/admin/* -> scope_policy(\"/admin\")"),
        "{x}"
    );
    assert_eq!(
        x.policy,
        "scope policy [https://admin.example] with credentials"
    );

    let x = e("GET", "/report", Some("https://reports.example"), &[]);
    assert!(x.policy.contains("https://reports.example"), "{x}");

    let x = e("POST", "/legacy", Some("https://evil.example"), &[]);
    assert_eq!(x.policy, "CORS disabled");

    let x = e("GET", "/items", None, &[]);
    assert!(x.decision.starts_with("not a CORS request"), "{x}");

    let x = e(
        "GET",
        "/items",
        Some("http://localhost:8080"),
        &[("Host", "localhost:8080")],
    );
    assert!(x.decision.starts_with("same-origin"), "{x}");

    // The same from the route report.
    let report = cors.route_report().unwrap();
    assert_eq!(
        report.explain("GET", "/items", Some("https://app.example.com"), &[]),
        cors.explain("GET", "/items", Some("https://app.example.com"), &[])
    );

    // The Display is one line, for logs.
    let x = e("GET", "/items", Some("https://evil.example"), &[]);
    let line = x.to_string();
    assert!(
        line.starts_with("request for GET /items -> items, inline [https://app.example.com] with credentials: refused: "),
        "{line}"
    );
    assert!(line.contains("; answered 403 by the door"), "{line}");
    assert!(!line.contains('\n'), "{line}");
}

#[actix_rt::test]
async fn a_method_no_route_declares_without_a_default_policy_passes_untouched() {
    let calls = Calls::default();
    let cors = Cors::new();
    let _app = test::init_service(
        App::new()
            .app_data(web::Data::new(calls.clone()))
            .service(items)
            .wrap(cors.clone()),
    )
    .await;
    let x = cors
        .explain("POST", "/items", Some("https://evil.example"), &[])
        .unwrap();
    assert_eq!(x.route, None);
    assert!(
        x.policy
            .starts_with("no policy (declared routes of /items serve GET only)"),
        "{x}"
    );
    assert!(
        x.decision
            .starts_with("no policy: the request passes untouched"),
        "{x}"
    );
    assert_eq!(x.status, None);
}

#[actix_rt::test]
async fn questions_that_are_not_requests_are_explained_not_panicked_on() {
    let calls = Calls::default();
    let cors = cors();
    let _app = app!(cors.clone(), calls);
    for (method, path, origin, headers, why) in [
        ("G E T", "/items", None, &[][..], "is not an HTTP method"),
        (
            "GET",
            "no spaces allowed",
            None,
            &[][..],
            "is not a request path",
        ),
        (
            "GET",
            "/items",
            Some("https://a\nb"),
            &[][..],
            "is not a valid header",
        ),
        (
            "GET",
            "/items",
            None,
            &[("bad name", "x")][..],
            "is not a valid header",
        ),
    ] {
        let x = cors.explain(method, path, origin, headers).unwrap();
        assert!(x.decision.ends_with(why), "{x}");
        assert_eq!((x.status, x.route.as_deref()), (None, None));
    }
    assert_eq!(calls.count(), 0);
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/files/{tail:.*}")]
async fn files(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "a file"
}

/// Where the door's choice is corrected after routing, the explanation says so, and its status
/// and headers are still those of the real request; debug mode changes a decision, and the
/// explanation follows the middleware's own setting.
#[actix_rt::test]
async fn explain_agrees_with_routing_that_corrects_the_door_and_with_debug_mode() {
    for debug in [false, true] {
        let calls = Calls::default();
        let cors = Cors::new().debug(debug);
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(calls.clone()))
                .service(
                    web::scope("/files/vault").default_service(web::to(|| async { "the vault" })),
                )
                .service(files)
                .service(items)
                .wrap(cors.clone()),
        )
        .await;
        let questions: &[Question] = &[
            (
                "GET",
                "/files/vault/keys",
                Some("https://app.example.com"),
                &[],
            ),
            ("GET", "/files/readme", Some("https://app.example.com"), &[]),
            // A preflight for a method no route of the path serves: passed on to the app
            // (404), refused by the door in debug mode only.
            (
                "OPTIONS",
                "/items",
                Some("https://app.example.com"),
                &[("Access-Control-Request-Method", "PUT")],
            ),
            ("GET", "/items", Some("https://app.example.com"), &[]),
        ];
        // The app's first request teaches the door (and `explain`) what actix-web's map says.
        let _ = app.call(TestRequest::get().uri("/").to_request()).await;
        for &(method, path, origin, headers) in questions {
            let explained = cors
                .explain(method, path, origin, headers)
                .expect("the app started");
            let mut req = TestRequest::default()
                .method(method.parse().unwrap())
                .uri(path);
            for &h in origin.map(|o| ("Origin", o)).iter().chain(headers) {
                req = req.append_header(h);
            }
            let res = app.call(req.to_request()).await.unwrap();
            let what = format!("debug {debug}: {method} {path}: {explained}");
            match explained.status {
                Some(status) => assert_eq!(res.status().as_u16(), status, "{what}"),
                None => assert!(
                    !(res.headers().contains_key("x-cors-refusal")
                        || (res.status() == 403 && explained.preflight)),
                    "explained as going on, yet the door answered {}: {what}",
                    res.status()
                ),
            }
            assert_eq!(explained.headers, cors_headers(&res), "{what}");
            if path == "/files/vault/keys" {
                assert!(
                    explained
                        .after_routing
                        .as_deref()
                        .is_some_and(|a| a.starts_with("actix-web runs")),
                    "{what}"
                );
                assert!(
                    !explained
                        .headers
                        .iter()
                        .any(|(n, _)| n.starts_with("access-control-allow-")),
                    "{what}"
                );
            }
            if method == "OPTIONS" {
                assert_eq!(explained.status, debug.then_some(403), "{what}");
            }
            let _ = res.into_body().try_into_bytes();
        }
    }
}
