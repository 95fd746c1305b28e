//! Fixed policies and a fixed test app, shared by the fuzz targets, the fuzz-corpus regression
//! test and the adversarial tests. Each `#[cors(...)]` below is mirrored by a [`Model`]: the
//! oracle reads the model, the server runs the macro's static policy.

use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{delete, get, post, put, route, test, web, App, Error, HttpResponse};
use cors_actix::{cors, Cors, Policy};

use crate::invariants::{AppSpec, RoutePolicy, RouteSpec, HANDLER_MARK};
use crate::oracle::{Model, ModelPort};

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// A credentialed policy for one front end and its preview deployments.
pub fn credentialed() -> Model {
    Model {
        exact: s(&["https://app.example.com", "http://localhost:3000"]),
        subdomains: vec![(
            "https".into(),
            "preview.example.com".into(),
            ModelPort::Default,
        )],
        credentials: true,
        headers: s(&["Authorization", "X-Request-Id"]),
        methods: s(&["GET"]),
        expose: s(&["X-Total-Count"]),
        max_age: Some(600),
        ..Model::default()
    }
}

/// A public, credential-free policy.
pub fn public() -> Model {
    Model {
        any_origin: true,
        any_header: true,
        methods: s(&["PUT", "PATCH"]),
        expose: s(&["X-Total-Count"]),
        private_network: true,
        max_age: Some(0),
        ..Model::default()
    }
}

/// Every wildcard kind: any port, subdomains with a fixed port and with any port, a regex.
pub fn mixed() -> Model {
    Model {
        any_port: vec![
            ("http".into(), "localhost".into()),
            ("http".into(), "127.0.0.1".into()),
            ("http".into(), "[::1]".into()),
        ],
        subdomains: vec![
            ("https".into(), "example.com".into(), ModelPort::Exact(8443)),
            ("https".into(), "apps.example.org".into(), ModelPort::Any),
        ],
        regexes: vec![("https".into(), "partner.example".into())],
        headers: s(&["content-type"]),
        methods: s(&["PUT"]),
        private_network: true,
        ..Model::default()
    }
}

/// `null` allowed explicitly, with credentials.
pub fn with_null() -> Model {
    Model {
        exact: s(&["null", "https://a.example.com"]),
        credentials: true,
        methods: s(&["POST"]),
        ..Model::default()
    }
}

/// One exact origin, for the `DELETE /items` route.
pub fn admin() -> Model {
    Model {
        exact: s(&["https://admin.example.com"]),
        credentials: true,
        headers: s(&["Authorization"]),
        methods: s(&["DELETE"]),
        ..Model::default()
    }
}

/// Every fixed model.
pub fn models() -> Vec<Model> {
    vec![credentialed(), public(), mixed(), with_null(), admin()]
}

fn ran() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((HANDLER_MARK, "ran"))
        .insert_header(("x-total-count", "0"))
        .body("ok")
}

#[cors(
    origins = ["https://app.example.com", "http://localhost:3000", "https://*.preview.example.com"],
    credentials,
    headers = ["Authorization", "X-Request-Id"],
    expose = ["X-Total-Count"],
    max_age = 600,
)]
#[get("/items")]
async fn list_items() -> HttpResponse {
    ran()
}

#[cors(origins = ["https://admin.example.com"], credentials, headers = ["Authorization"])]
#[delete("/items")]
async fn delete_items() -> HttpResponse {
    ran()
}

#[cors(
    origins = "*",
    headers = "*",
    expose = ["X-Total-Count"],
    private_network,
    max_age = 0
)]
#[route("/public", method = "PUT", method = "PATCH")]
async fn public_route() -> HttpResponse {
    ran()
}

#[cors(policy = "mixed")]
#[put("/mixed/{id}")]
async fn mixed_route(_id: web::Path<u32>) -> HttpResponse {
    ran()
}

#[cors(policy = "null")]
#[post("/null")]
async fn null_route() -> HttpResponse {
    ran()
}

async fn reject(_req: ServiceRequest, _next: Next<BoxBody>) -> Result<ServiceResponse, Error> {
    Err(actix_web::error::ErrorUnauthorized("no credentials"))
}

#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/guarded", wrap = "actix_web::middleware::from_fn(reject)")]
async fn guarded() -> HttpResponse {
    ran()
}

#[cors(disable)]
#[get("/disabled")]
async fn disabled() -> HttpResponse {
    ran()
}

#[get("/plain")]
async fn plain() -> HttpResponse {
    ran()
}

/// The model of `/guarded`.
pub fn guarded_model() -> Model {
    Model {
        exact: s(&["https://app.example.com"]),
        credentials: true,
        methods: s(&["GET"]),
        ..Model::default()
    }
}

/// The default policy of the fixed app (routes without `#[cors]`).
pub fn default_model() -> Model {
    Model {
        exact: s(&["https://default.example.com"]),
        ..Model::default()
    }
}

/// Registers the fixed app's routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list_items)
        .service(delete_items)
        .service(public_route)
        .service(mixed_route)
        .service(null_route)
        .service(guarded)
        .service(disabled)
        .service(plain);
}

fn build(model: &Model) -> Policy {
    match model.build() {
        Ok(p) => p,
        Err(e) => panic!("fixture model does not validate: {e}"),
    }
}

/// The fixed app's middleware, without a default policy.
pub fn middleware() -> Cors {
    Cors::new()
        .policy("mixed", build(&mixed()))
        .policy("null", build(&with_null()))
}

/// The fixed app's middleware with its default policy.
pub fn middleware_with_default() -> Cors {
    middleware().default_policy(build(&default_model()))
}

/// The fixed app as the oracle sees it.
pub fn app_spec(with_default: bool) -> AppSpec {
    let route = |path, methods, model: Option<Model>, rejects| RouteSpec {
        path,
        methods,
        policy: model.map_or(RoutePolicy::Disabled, RoutePolicy::Cors),
        rejects,
    };
    AppSpec {
        routes: vec![
            route("/items", &["GET"], Some(credentialed()), false),
            route("/items", &["DELETE"], Some(admin()), false),
            route("/public", &["PUT", "PATCH"], Some(public()), false),
            route("/mixed/7", &["PUT"], Some(mixed()), false),
            route("/null", &["POST"], Some(with_null()), false),
            route("/guarded", &["GET"], Some(guarded_model()), true),
            route("/disabled", &["GET"], None, false),
        ],
        default: with_default.then(default_model),
        headers_only: false,
    }
}

/// Paths of the fixed app, including one no route serves.
pub const PATHS: &[&str] = &[
    "/items",
    "/public",
    "/mixed/7",
    "/null",
    "/guarded",
    "/disabled",
    "/plain",
    "/nowhere",
];

/// What a test app answered.
#[derive(Debug)]
pub struct Answer {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
}

type BoxedApp = Box<
    dyn Service<
        actix_http::Request,
        Response = ServiceResponse<BoxBody>,
        Error = Error,
        Future = futures_util::future::LocalBoxFuture<
            'static,
            Result<ServiceResponse<BoxBody>, Error>,
        >,
    >,
>;

/// A test app with its own actix system, for synchronous callers (fuzz targets, proptest).
pub struct Harness {
    system: actix_web::rt::SystemRunner,
    app: BoxedApp,
}

struct Boxed<S> {
    inner: S,
}

impl<S, B> Service<actix_http::Request> for Boxed<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    S::Future: 'static,
    B: actix_web::body::MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self::Response, Error>>;

    actix_web::dev::forward_ready!(inner);

    fn call(&self, req: actix_http::Request) -> Self::Future {
        let fut = self.inner.call(req);
        Box::pin(async move { fut.await.map(ServiceResponse::map_into_boxed_body) })
    }
}

impl Harness {
    /// The fixed app.
    pub fn fixed(with_default: bool) -> Harness {
        if with_default {
            Harness::new(|| App::new().configure(routes).wrap(middleware_with_default()))
        } else {
            Harness::new(|| App::new().configure(routes).wrap(middleware()))
        }
    }

    /// Any app.
    pub fn new<F, T, B>(make: F) -> Harness
    where
        F: FnOnce() -> App<T>,
        T: actix_web::dev::ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<B>,
                Error = Error,
                InitError = (),
            > + 'static,
        B: actix_web::body::MessageBody + 'static,
    {
        let system = actix_web::rt::System::new();
        let app = system.block_on(async { test::init_service(make()).await });
        Harness {
            system,
            app: Box::new(Boxed { inner: app }),
        }
    }

    /// Sends one request; an error is rendered as actix-web renders it for a client.
    pub fn call(&self, req: actix_http::Request) -> Answer {
        let result = self.system.block_on(self.app.call(req));
        match result {
            Ok(res) => Answer {
                status: res.status(),
                headers: res.headers().clone(),
            },
            Err(err) => {
                let res = err.error_response();
                Answer {
                    status: res.status(),
                    headers: res.headers().clone(),
                }
            }
        }
    }
}
