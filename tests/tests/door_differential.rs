//! Differential test of the door: for generated apps (random subsets of routes, in random
//! order, in random scopes) and every request of a path and method table, the route whose
//! policy `Cors` applies is the route actix-web runs.
//!
//! Each handler answers its id, and its policy allows only its own origin
//! (`https://h{id}.example`). For a request that actix-web routes to handler `k` (seen from a
//! request without `Origin`), the same request from `h{k}` must be allowed (the door chose
//! `k`: another route's policy would refuse it) and a preflight from `h{k}` must get `204`.
//! For a request no declared route serves, a request from an unknown origin must pass the door
//! (a declared route's policy would refuse it with a 403).

use actix_service::{IntoServiceFactory, Service, ServiceFactory};
use actix_web::dev::{AppConfig, ServiceResponse};
use actix_web::http::Method;
use actix_web::test::{self as atest};
use actix_web::{delete, get, post, put, web, App, Error, Responder};
use cors_actix::{cors, Cors};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::atomic::{AtomicUsize, Ordering};

macro_rules! handlers {
    ($($name:ident $id:literal $origin:literal $method:ident $path:literal;)*) => {
        $(
            #[cors(origins = [$origin])]
            #[$method($path)]
            async fn $name() -> impl Responder {
                stringify!($id)
            }
        )*

        /// Registers handler `id` in `config`.
        fn register(config: &mut web::ServiceConfig, id: usize) {
            match id {
                $($id => { config.service($name); })*
                _ => unreachable!(),
            }
        }
    };
}

handlers! {
    h0 0 "https://h0.example" get "/items";
    h1 1 "https://h1.example" post "/items";
    h2 2 "https://h2.example" get "/items/{id}";
    h3 3 "https://h3.example" get "/items/{id:\\d+}";
    h4 4 "https://h4.example" get "/items/new";
    h5 5 "https://h5.example" delete "/items/{id}";
    h6 6 "https://h6.example" get "/files/{tail}*";
    h7 7 "https://h7.example" get "/{name}";
    h8 8 "https://h8.example" get "";
    h9 9 "https://h9.example" get "/";
    h10 10 "https://h10.example" put "/items/{id}/tags";
    h11 11 "https://h11.example" get "/v1/items";
}

const HANDLERS: usize = 12;
const SCOPES: &[&str] = &["", "/v1", "/api", "/v1/{t}"];
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"];
const PATHS: &[&str] = &[
    "/",
    "/items",
    "/items/7",
    "/items/new",
    "/items/abc",
    "/items/7/tags",
    "/files/a/b",
    "/x",
    "/v1",
    "/v1/",
    "/v1/items",
    "/v1/items/7",
    "/v1/items/new",
    "/v1/acme/items/7",
    "/v1/acme",
    "/v1/acme/files/z",
    "/api",
    "/api/items",
    "/api/files/z",
    "/api/x",
    // How actix-web reads a path: percent-encoding, trailing slashes, empty segments.
    "/it%65ms",
    "/items/%37",
    "/items/new/",
    "/items//7",
    "/v1/items%2F7",
    "/api/files/a%20b",
];

/// One generated app: handlers with their scope, in registration order.
fn app_case() -> impl Strategy<Value = Vec<(usize, usize)>> {
    Just((0..HANDLERS).collect::<Vec<_>>())
        .prop_shuffle()
        .prop_flat_map(|order| {
            let n = order.len();
            (
                Just(order),
                proptest::collection::vec(0..SCOPES.len(), n),
                1..=n,
            )
        })
        .prop_map(|(order, scopes, take)| order.into_iter().zip(scopes).take(take).collect())
}

/// The app: scopes nest as their prefixes say (`/v1/{t}` is `/{t}` inside `/v1`), one instance
/// each, placed where its first handler appears. (Sibling scopes whose prefixes extend one
/// another cannot be told from nested ones: see the crate's Limitations.)
fn build(
    routes: &[(usize, usize)],
) -> App<
    impl ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    /// Top-level group of a scope index: root, `/v1` (with `/v1/{t}`), `/api`.
    fn group(scope: usize) -> usize {
        match scope {
            3 => 1,
            other => other,
        }
    }
    let mut groups: Vec<usize> = Vec::new();
    for (_, scope) in routes {
        if !groups.contains(&group(*scope)) {
            groups.push(group(*scope));
        }
    }
    let routes = routes.to_vec();
    App::new()
        .configure(move |config| {
            for g in groups {
                let members: Vec<(usize, usize)> = routes
                    .iter()
                    .copied()
                    .filter(|(_, s)| group(*s) == g)
                    .collect();
                match g {
                    0 => members.iter().for_each(|(id, _)| register(config, *id)),
                    // A scope level without declared routes of its own is invisible to the
                    // door (Limitations): `/{t}` alone inside `/v1` is written as one scope.
                    1 if members.iter().all(|(_, s)| *s == 3) => {
                        config.service(web::scope("/v1/{t}").configure(|scope| {
                            members.iter().for_each(|(id, _)| register(scope, *id));
                        }));
                    }
                    _ => {
                        config.service(web::scope(SCOPES[g]).configure(|scope| {
                            let mut nested_placed = false;
                            for (id, s) in &members {
                                if *s == 3 {
                                    if !nested_placed {
                                        nested_placed = true;
                                        let nested: Vec<usize> = members
                                            .iter()
                                            .filter(|(_, s)| *s == 3)
                                            .map(|(id, _)| *id)
                                            .collect();
                                        scope.service(web::scope("/{t}").configure(|inner| {
                                            nested.iter().for_each(|id| register(inner, *id));
                                        }));
                                    }
                                } else {
                                    register(scope, *id);
                                }
                            }
                        }));
                    }
                }
            }
        })
        .wrap(Cors::new())
}

async fn call<S, B>(app: &S, req: atest::TestRequest) -> (u16, Option<String>, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: actix_web::body::MessageBody,
{
    let res = match app.call(req.to_request()).await {
        Ok(res) => res,
        Err(err) => {
            return (
                err.as_response_error().status_code().as_u16(),
                None,
                String::new(),
            )
        }
    };
    let status = res.status().as_u16();
    let acao = res
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let body = String::from_utf8_lossy(&atest::read_body(res).await).into_owned();
    (status, acao, body)
}

static STARTED: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);

fn check(routes: &[(usize, usize)]) -> Result<(), TestCaseError> {
    actix_web::rt::System::new().block_on(async {
        let factory = build(routes).into_factory();
        let Ok(app) = factory.new_service(AppConfig::default()).await else {
            // A shadowed or duplicate declaration: refusing to start is the door's answer
            // (tests/door.rs checks the messages).
            REFUSED.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        };
        STARTED.fetch_add(1, Ordering::Relaxed);
        for method in METHODS {
            let m = Method::from_bytes(method.as_bytes()).expect("method");
            for path in PATHS {
                let plain = atest::TestRequest::default().method(m.clone()).uri(path);
                let (status, _, body) = call(&app, plain).await;
                let ran: Option<usize> = (status == 200).then(|| body.parse().ok()).flatten();
                match ran {
                    Some(k) => {
                        let origin = format!("https://h{k}.example");
                        let req = atest::TestRequest::default()
                            .method(m.clone())
                            .uri(path)
                            .insert_header(("origin", origin.clone()));
                        let (status, acao, body) = call(&app, req).await;
                        let id = k.to_string();
                        prop_assert_eq!(
                            (status, acao.as_deref(), body.as_str()),
                            (200, Some(origin.as_str()), id.as_str()),
                            "{} {} runs h{} in {:?}",
                            method,
                            path,
                            k,
                            routes
                        );
                        let req = atest::TestRequest::default()
                            .method(Method::OPTIONS)
                            .uri(path)
                            .insert_header(("origin", origin.clone()))
                            .insert_header(("access-control-request-method", *method));
                        let (status, _, _) = call(&app, req).await;
                        prop_assert_eq!(
                            status,
                            204,
                            "preflight {} {} in {:?}",
                            method,
                            path,
                            routes
                        );
                    }
                    None => {
                        let req = atest::TestRequest::default()
                            .method(m.clone())
                            .uri(path)
                            .insert_header(("origin", "https://nobody.example"));
                        let (with_origin, _, _) = call(&app, req).await;
                        prop_assert_eq!(
                            with_origin,
                            status,
                            "{} {} runs no declared route in {:?}, but the door decided",
                            method,
                            path,
                            routes
                        );
                    }
                }
            }
        }
        Ok(())
    })
}

#[test]
fn the_door_chooses_the_route_actix_web_runs() {
    let mut runner = TestRunner::new(Config {
        cases: 256,
        ..Config::default()
    });
    runner
        .run(&app_case(), |routes| check(&routes))
        .unwrap_or_else(|e| panic!("{e}"));
    let (started, refused) = (
        STARTED.load(Ordering::Relaxed),
        REFUSED.load(Ordering::Relaxed),
    );
    // The property must be exercised on apps that start, not only on refused ones.
    assert!(
        started >= 40,
        "only {started} of {} generated apps started",
        started + refused
    );
}
