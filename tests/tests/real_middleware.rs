//! The middleware crates users put beside `Cors`, for real, over a real `HttpServer`:
//! actix-web-httpauth (bearer authentication on a scope), actix-governor (rate limiting) and
//! actix-session (cookie sessions of a credentialed single-page app). None of them knows
//! anything of CORS; `Cors`, outermost, answers preflights before they run, stops refused
//! origins before they run, and puts the route's headers on their `401` and `429`.

use actix_governor::{Governor, GovernorConfigBuilder};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::ServiceRequest;
use actix_web::error::ErrorUnauthorized;
use actix_web::{get, post, web, App, Error, HttpResponse, Responder};
use actix_web_httpauth::extractors::bearer::BearerAuth;
use actix_web_httpauth::middleware::HttpAuthentication;
use cors_actix::{cors, Cors};
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
    actix_web::rt::task::spawn_blocking(move || {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        wire::send(addr, method, path, &headers)
    })
    .await
    .expect("the request thread")
}

fn origin(o: &str) -> (&'static str, String) {
    ("Origin", o.to_owned())
}

// ---------------------------------------------------------------------------------------------
// actix-web-httpauth: bearer authentication on a scope.

#[cors(origins = ["https://app.example.com"], credentials, headers = ["Authorization"])]
#[get("/me")]
async fn me(calls: web::Data<Calls>, auth: BearerAuth) -> impl Responder {
    calls.hit();
    format!("token {}", auth.token())
}

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

#[actix_rt::test]
async fn httpauth_bearer_on_a_scope_never_sees_a_preflight_and_its_401_is_readable() {
    let calls = Calls::default();
    let (addr, handle) = wire::serve({
        let calls = calls.clone();
        move || {
            App::new()
                .app_data(web::Data::new(calls.clone()))
                .service(
                    web::scope("/api")
                        .wrap(HttpAuthentication::bearer(validator))
                        .service(me),
                )
                .wrap(Cors::new())
        }
    });

    // The preflight carries no token: answered at the door, the auth layer never sees it.
    let res = send(
        addr,
        "OPTIONS",
        "/api/me",
        vec![
            origin(APP),
            ("Access-Control-Request-Method", "GET".into()),
            ("Access-Control-Request-Headers", "authorization".into()),
        ],
    )
    .await;
    assert_eq!(res.status, 204, "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        res.header("access-control-allow-headers"),
        Some("authorization")
    );

    // No token: actix-web-httpauth's 401 (with its WWW-Authenticate), readable by the page.
    let res = send(addr, "GET", "/api/me", vec![origin(APP)]).await;
    assert_eq!(res.status, 401, "{res:?}");
    assert!(
        res.header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer")),
        "{res:?}"
    );
    assert_eq!(res.header("access-control-allow-origin"), Some(APP));
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));

    // A wrong token: the validator's 401, readable too.
    let bearer = |t: &str| ("Authorization", format!("Bearer {t}"));
    let res = send(addr, "GET", "/api/me", vec![origin(APP), bearer("nope")]).await;
    assert_eq!(res.status, 401, "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(APP));

    // The right token: the handler.
    let res = send(addr, "GET", "/api/me", vec![origin(APP), bearer("letmein")]).await;
    assert_eq!(
        (res.status, res.body.as_str()),
        (200, "token letmein"),
        "{res:?}"
    );
    assert_eq!(res.header("access-control-allow-origin"), Some(APP));
    assert_eq!(calls.count(), 1);

    // A refused origin, even with the right token: 403 at the door, nothing inside runs.
    let res = send(
        addr,
        "GET",
        "/api/me",
        vec![origin(EVIL), bearer("letmein")],
    )
    .await;
    assert_eq!(res.status, 403, "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), None);
    assert_eq!(calls.count(), 1);
    handle.stop(true).await;
}

// ---------------------------------------------------------------------------------------------
// actix-governor: rate limiting per client IP.

#[cors(origins = ["https://app.example.com"], expose = ["Retry-After", "X-RateLimit-After"])]
#[get("/search")]
async fn search(calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    "[]"
}

#[actix_rt::test]
async fn governor_never_counts_preflights_and_its_429_is_readable() {
    let calls = Calls::default();
    // Two requests, then one more every minute.
    let governor = GovernorConfigBuilder::default()
        .seconds_per_request(60)
        .burst_size(2)
        .finish()
        .expect("a valid governor configuration");
    let (addr, handle) = wire::serve({
        let calls = calls.clone();
        move || {
            App::new()
                .app_data(web::Data::new(calls.clone()))
                .service(search)
                .wrap(Governor::new(&governor))
                .wrap(Cors::new())
        }
    });
    let preflight = || {
        vec![
            origin(APP),
            ("Access-Control-Request-Method", "GET".into()),
            ("Access-Control-Request-Headers", "x-anything".into()),
        ]
    };
    // Preflights (even refused ones) are answered at the door: they spend none of the budget.
    for _ in 0..5 {
        let res = send(addr, "OPTIONS", "/search", preflight()).await;
        assert_eq!(res.status, 403, "x-anything is not allowed: {res:?}");
    }
    for _ in 0..2 {
        let res = send(addr, "GET", "/search", vec![origin(APP)]).await;
        assert_eq!(res.status, 200, "{res:?}");
        assert_eq!(res.header("access-control-allow-origin"), Some(APP));
    }
    // The third: actix-governor's 429, readable by the page, its retry header exposed.
    let res = send(addr, "GET", "/search", vec![origin(APP)]).await;
    assert_eq!(res.status, 429, "{res:?}");
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some(APP),
        "{res:?}"
    );
    assert!(res.header("retry-after").is_some(), "{res:?}");
    assert_eq!(
        res.header("access-control-expose-headers"),
        Some("Retry-After, X-RateLimit-After")
    );
    // A refused origin is stopped before the limiter: it spends nobody's budget.
    let res = send(addr, "GET", "/search", vec![origin(EVIL)]).await;
    assert_eq!(res.status, 403, "{res:?}");
    assert_eq!(calls.count(), 2);
    handle.stop(true).await;
}

// ---------------------------------------------------------------------------------------------
// actix-session: cookie sessions of a credentialed SPA on another site.

#[cors(origins = ["https://app.example.com"], credentials)]
#[post("/login")]
async fn login(session: Session, calls: web::Data<Calls>) -> Result<HttpResponse, Error> {
    calls.hit();
    session.insert("user", "ada")?;
    Ok(HttpResponse::Ok().body("logged in"))
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/whoami")]
async fn whoami(session: Session, calls: web::Data<Calls>) -> Result<String, Error> {
    calls.hit();
    Ok(session
        .get::<String>("user")?
        .unwrap_or_else(|| "nobody".into()))
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[post("/logout")]
async fn logout(session: Session, calls: web::Data<Calls>) -> impl Responder {
    calls.hit();
    session.purge();
    "logged out"
}

#[actix_rt::test]
async fn session_cookies_of_a_credentialed_spa_and_a_cross_site_post_that_never_runs() {
    let calls = Calls::default();
    let key = Key::generate();
    let (addr, handle) = wire::serve({
        let calls = calls.clone();
        move || {
            App::new()
                .app_data(web::Data::new(calls.clone()))
                .service(login)
                .service(whoami)
                .service(logout)
                .wrap(
                    // A page on another site sends the cookie only if it is `SameSite=None`,
                    // which browsers accept only with `Secure` (so over HTTPS).
                    SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                        .cookie_name("sid".into())
                        .cookie_same_site(SameSite::None)
                        .cookie_secure(true)
                        .build(),
                )
                .wrap(Cors::new())
        }
    });
    let res = send(addr, "POST", "/login", vec![origin(APP)]).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.header("access-control-allow-origin"), Some(APP));
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
    let set_cookie = res
        .header("set-cookie")
        .expect("a session cookie")
        .to_owned();
    for attribute in ["SameSite=None", "Secure", "HttpOnly"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    let res = send(
        addr,
        "GET",
        "/whoami",
        vec![origin(APP), ("Cookie", cookie.clone())],
    )
    .await;
    assert_eq!((res.status, res.body.as_str()), (200, "ada"), "{res:?}");
    assert_eq!(res.header("access-control-allow-credentials"), Some("true"));

    // Another site's page rides the cookie: a cross-site form post to /logout. Stopped at the
    // door; the session middleware and the handler never run, the session stays.
    let calls_before = calls.count();
    let res = send(
        addr,
        "POST",
        "/logout",
        vec![origin(EVIL), ("Cookie", cookie.clone())],
    )
    .await;
    assert_eq!(res.status, 403, "{res:?}");
    assert_eq!(res.header("set-cookie"), None, "{res:?}");
    assert_eq!(calls.count(), calls_before);
    let res = send(
        addr,
        "GET",
        "/whoami",
        vec![origin(APP), ("Cookie", cookie)],
    )
    .await;
    assert_eq!(res.body, "ada", "the session survived");
    handle.stop(true).await;
}
