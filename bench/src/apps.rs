//! The app under test, four ways: no CORS, the headers by hand, actix-cors, cors-actix (same
//! policy). The measured route, `/api/items`, is registered after `ROUTES - 1` other routes
//! (`/api/r0`, `/api/r1`, ...; each with the same policy under cors-actix), so that the cost of
//! routing and of the door can be seen growing (or not) with the size of the app.

use actix_web::{get, web, HttpResponse, Responder};
use cors_actix::{cors, cors_policy, resource_policy};

async fn filler() -> impl Responder {
    "filler"
}

/// Registers the `routes - 1` routes before the measured one; `declared`: with a policy each
/// (with `PLAIN_FILLERS=half` in the environment, every other one: half of the app's services
/// are then plain, which the door does not know).
pub fn fillers(config: &mut web::ServiceConfig, routes: usize, declared: bool) {
    let half = std::env::var("PLAIN_FILLERS").is_ok_and(|v| v == "half");
    for i in 0..routes.saturating_sub(1) {
        let path = format!("/api/r{i}");
        config.service(web::resource(path.clone()).route(web::get().to(filler)));
        if declared && !(half && i % 2 == 1) {
            config.service(resource_policy(
                path,
                cors_policy!(
                    origins = ["https://app.example.com"],
                    credentials,
                    headers = ["Authorization", "X-Request-Id", "Content-Type"],
                    expose = ["X-Total-Count"],
                    max_age = 600,
                ),
            ));
        }
    }
}

/// Whether `PLAIN_FILLERS=half` asks for every other filler to be a plain service.
pub fn plain_half() -> bool {
    std::env::var("PLAIN_FILLERS").is_ok_and(|v| v == "half")
}

/// The number of routes, from the command line (default 1: the measured route alone).
pub fn routes_arg(arg: Option<String>) -> usize {
    arg.and_then(|n| n.parse().ok()).unwrap_or(1).max(1)
}

/// The handler, without CORS.
#[get("/api/items")]
pub async fn plain_items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .body("[1,2]")
}

/// The handler with `checked-floor`'s own route check (bench/src/route_floor.rs).
#[get("/api/items", wrap = "crate::route_floor::RouteCheck")]
pub async fn checked_items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .body("[1,2]")
}

/// The same handler with our policy.
#[cors(
    origins = ["https://app.example.com"],
    credentials,
    headers = ["Authorization", "X-Request-Id", "Content-Type"],
    expose = ["X-Total-Count"],
    max_age = 600,
)]
#[get("/api/items")]
pub async fn cors_items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .body("[1,2]")
}

/// The same handler under a named policy, for the dynamic and live modes.
#[cors(policy = "tenants")]
#[get("/api/items")]
pub async fn tenant_items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .body("[1,2]")
}

fn tenants_builder() -> cors_actix::PolicyBuilder {
    cors_actix::Policy::builder()
        .allow_credentials()
        .allow_headers(["Authorization", "X-Request-Id", "Content-Type"])
        .expose_headers(["X-Total-Count"])
        .max_age(600)
}

/// `cors-actix-lookup`: the same policy with no origin listed: `https://app.example.com` comes
/// from an [`OriginLookup`](cors_actix::OriginLookup) (answers cached for an hour, so that the
/// measured requests are cache hits). The lookup also allows every `https://*.tenants.example`,
/// so that the in-process bench can fill the cache first (`CACHED_ORIGINS=N`).
pub fn lookup_cors() -> cors_actix::Cors {
    let lookup = cors_actix::OriginLookup::builder(|origin: String| async move {
        Ok::<_, std::convert::Infallible>(
            origin == "https://app.example.com" || origin.ends_with(".tenants.example"),
        )
    })
    .max_entries(1_000_000)
    .max_lookups_per_second(u32::MAX)
    .allowed_ttl(std::time::Duration::from_secs(3600))
    .refused_ttl(std::time::Duration::from_secs(3600))
    .build();
    let policy = tenants_builder()
        .allow_dynamic_origins()
        .build()
        .expect("a valid policy");
    cors_actix::Cors::new().dynamic_policy("tenants", policy, lookup)
}

/// `cors-actix-named`: the same policy, fixed, `https://app.example.com` in its list: the
/// static baseline of `cors-actix-set` (the same route and policy name, the origin listed).
pub fn named_cors() -> cors_actix::Cors {
    let policy = tenants_builder()
        .allow_origin("https://app.example.com")
        .build()
        .expect("a valid policy");
    cors_actix::Cors::new().policy("tenants", policy)
}

/// `cors-actix-set`: the same policy with no origin listed: `https://app.example.com` is one
/// of the origins of an [`OriginSet`](cors_actix::OriginSet), with `SET_ORIGINS` others
/// (`https://tenant-N.customers.example`, default 10,000).
pub fn set_cors() -> cors_actix::Cors {
    let others: usize = std::env::var("SET_ORIGINS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let policy = tenants_builder()
        .allow_dynamic_origins()
        .build()
        .expect("a valid policy");
    let set = cors_actix::OriginSet::for_policy(&policy);
    let origins: Vec<String> = (0..others)
        .map(|i| format!("https://tenant-{i}.customers.example"))
        .chain(["https://app.example.com".to_owned()])
        .collect();
    set.replace_all(origins.iter().map(String::as_str))
        .expect("valid origins");
    cors_actix::Cors::new().dynamic_policy("tenants", policy, set)
}

/// `cors-actix-live`: the same policy as a [`LivePolicy`](cors_actix::LivePolicy).
pub fn live_cors() -> cors_actix::Cors {
    let policy = tenants_builder()
        .allow_origin("https://app.example.com")
        .build()
        .expect("a valid policy");
    cors_actix::Cors::new().policy("tenants", cors_actix::LivePolicy::new(policy))
}

/// actix-cors configured to the same policy, blocking refused origins like cors-actix does by
/// default (actix-cors' own default is to run the handler and omit the headers).
pub fn actix_cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .block_on_origin_mismatch(true)
        .allowed_origin("https://app.example.com")
        .allowed_methods(["GET"])
        .allowed_headers(["Authorization", "X-Request-Id", "Content-Type"])
        .expose_headers(["X-Total-Count"])
        .supports_credentials()
        .max_age(600)
}

/// The floor: the same answers written by hand in the handlers, with nothing checked but the
/// `Origin` header's bytes (no validation, no policy, no middleware). Any CORS layer costs at
/// least this much over `none`, because the CORS headers themselves must be produced and sent.
pub mod floor {
    use actix_web::http::header::{self, HeaderValue};
    use actix_web::{get, options, HttpRequest, HttpResponse, Responder};

    const APP: &[u8] = b"https://app.example.com";

    fn allowed(req: &HttpRequest) -> bool {
        req.headers().get(header::ORIGIN).map(HeaderValue::as_bytes) == Some(APP)
    }

    /// The allowed GET, or a 403 for another origin.
    #[get("/api/items")]
    pub async fn items(req: HttpRequest) -> impl Responder {
        if !allowed(&req) {
            return HttpResponse::Forbidden()
                .append_header((header::VARY, HeaderValue::from_static("Origin")))
                .body("CORS request refused: origin not allowed\n");
        }
        HttpResponse::Ok()
            .insert_header(("X-Total-Count", "2"))
            .append_header((
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("https://app.example.com"),
            ))
            .append_header((
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            ))
            .append_header((
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("X-Total-Count"),
            ))
            .append_header((header::VARY, HeaderValue::from_static("Origin")))
            .body("[1,2]")
    }

    /// The preflight.
    #[options("/api/items")]
    pub async fn preflight(req: HttpRequest) -> impl Responder {
        if !allowed(&req) {
            return HttpResponse::Forbidden().finish();
        }
        let requested = req
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned();
        let mut res = HttpResponse::NoContent();
        res.append_header((
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("https://app.example.com"),
        ))
        .append_header((
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        ))
        .append_header((
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET"),
        ))
        .append_header((
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        ))
        .append_header((
            header::VARY,
            HeaderValue::from_static(
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
        ));
        if let Some(requested) = requested {
            res.append_header((header::ACCESS_CONTROL_ALLOW_HEADERS, requested));
        }
        res.finish()
    }
}

/// The floor of any middleware at the door, written by hand with nothing but what CORS must do:
/// `door_floor::Door` refuses a request whose `Origin` is present and not
/// `https://app.example.com` with a static `403` (with `Vary: Origin`) before anything inside
/// runs, and otherwise calls the app and appends `Vary: Origin` to its response (the route's
/// answer depends on the origin). No route lookup, no policy, no CORS headers: what a
/// no-Origin request costs in this mode is the least any door costs, what a refused request
/// costs is the least a refusal at the door can cost.
pub mod door_floor {
    use std::future::{ready, Ready};

    use actix_web::body::EitherBody;
    use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
    use actix_web::http::header::{self, HeaderValue};
    use actix_web::HttpResponse;

    /// The middleware factory.
    pub struct Door;

    impl<S, B> Transform<S, ServiceRequest> for Door
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
        S::Future: 'static,
    {
        type Response = ServiceResponse<EitherBody<B>>;
        type Error = actix_web::Error;
        type Transform = DoorService<S>;
        type InitError = ();
        type Future = Ready<Result<Self::Transform, Self::InitError>>;

        fn new_transform(&self, service: S) -> Self::Future {
            ready(Ok(DoorService { service }))
        }
    }

    /// The middleware.
    pub struct DoorService<S> {
        service: S,
    }

    impl<S, B> Service<ServiceRequest> for DoorService<S>
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
        S::Future: 'static,
    {
        type Response = ServiceResponse<EitherBody<B>>;
        type Error = actix_web::Error;
        type Future = futures_util::future::Either<
            futures_util::future::MapOk<
                S::Future,
                fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>>,
            >,
            Ready<Result<Self::Response, Self::Error>>,
        >;

        forward_ready!(service);

        fn call(&self, req: ServiceRequest) -> Self::Future {
            use futures_util::TryFutureExt;
            let refused = req
                .headers()
                .get(header::ORIGIN)
                .is_some_and(|o| o.as_bytes() != b"https://app.example.com");
            if refused {
                let response = HttpResponse::Forbidden()
                    .append_header((header::VARY, HeaderValue::from_static("Origin")))
                    .body("CORS request refused: origin not allowed\n");
                return futures_util::future::Either::Right(ready(Ok(req
                    .into_response(response)
                    .map_into_right_body())));
            }
            let left: fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>> = |mut response| {
                response
                    .headers_mut()
                    .append(header::VARY, HeaderValue::from_static("Origin"));
                response.map_into_left_body()
            };
            futures_util::future::Either::Left(self.service.call(req).map_ok(left))
        }
    }
}

/// The floor of a door that does all CORS must for one policy, written by hand: no route table,
/// the `Origin` compared byte for byte; an allowed request gets `Access-Control-Allow-Origin`,
/// `-Credentials`, `-Expose-Headers` and `Vary: Origin`; a preflight from the allowed origin a
/// `204` with the allow headers (the requested headers echoed) and `Vary`; another origin a
/// static `403` with `Vary: Origin`; a request without `Origin` only `Vary: Origin`. What any
/// correct single-policy door costs at least.
pub mod single_floor {
    use std::future::{ready, Ready};

    use actix_web::body::EitherBody;
    use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
    use actix_web::http::header::{self, HeaderValue};
    use actix_web::http::Method;
    use actix_web::HttpResponse;

    const APP: &str = "https://app.example.com";
    // Header values made at compile time, as the cheapest door would have them.
    const V_APP: HeaderValue = HeaderValue::from_static(APP);
    const V_PREFLIGHT_VARY: HeaderValue = HeaderValue::from_static(
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    );
    const V_ORIGIN: HeaderValue = HeaderValue::from_static("Origin");
    const V_TRUE: HeaderValue = HeaderValue::from_static("true");
    const V_GET: HeaderValue = HeaderValue::from_static("GET");
    const V_600: HeaderValue = HeaderValue::from_static("600");
    const V_X_TOTAL_COUNT: HeaderValue = HeaderValue::from_static("X-Total-Count");

    /// The middleware factory.
    pub struct Door;

    impl<S, B> Transform<S, ServiceRequest> for Door
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
        S::Future: 'static,
    {
        type Response = ServiceResponse<EitherBody<B>>;
        type Error = actix_web::Error;
        type Transform = DoorService<S>;
        type InitError = ();
        type Future = Ready<Result<Self::Transform, Self::InitError>>;

        fn new_transform(&self, service: S) -> Self::Future {
            ready(Ok(DoorService { service }))
        }
    }

    /// The middleware.
    pub struct DoorService<S> {
        service: S,
    }

    type Map<B> = fn(ServiceResponse<B>) -> ServiceResponse<EitherBody<B>>;

    impl<S, B> Service<ServiceRequest> for DoorService<S>
    where
        S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
        S::Future: 'static,
    {
        type Response = ServiceResponse<EitherBody<B>>;
        type Error = actix_web::Error;
        type Future = futures_util::future::Either<
            futures_util::future::MapOk<S::Future, Map<B>>,
            Ready<Result<Self::Response, Self::Error>>,
        >;

        forward_ready!(service);

        fn call(&self, req: ServiceRequest) -> Self::Future {
            use futures_util::future::Either;
            use futures_util::TryFutureExt;
            let origin = req.headers().get(header::ORIGIN).map(HeaderValue::as_bytes);
            let allowed = match origin {
                None => {
                    let vary: Map<B> = |mut res| {
                        res.headers_mut().append(header::VARY, V_ORIGIN);
                        res.map_into_left_body()
                    };
                    return Either::Left(self.service.call(req).map_ok(vary));
                }
                Some(origin) => origin == APP.as_bytes(),
            };
            if !allowed {
                let res = HttpResponse::Forbidden()
                    .append_header((header::VARY, V_ORIGIN))
                    .body("CORS request refused: origin not allowed\n");
                return Either::Right(ready(Ok(req.into_response(res).map_into_right_body())));
            }
            if req.method() == Method::OPTIONS
                && req
                    .headers()
                    .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
            {
                let mut res = HttpResponse::NoContent();
                res.append_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, V_APP))
                    .append_header((header::ACCESS_CONTROL_ALLOW_CREDENTIALS, V_TRUE))
                    .append_header((header::ACCESS_CONTROL_ALLOW_METHODS, V_GET))
                    .append_header((header::ACCESS_CONTROL_MAX_AGE, V_600))
                    .append_header((header::VARY, V_PREFLIGHT_VARY));
                if let Some(requested) = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
                    res.append_header((header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone()));
                }
                let res = res.finish();
                return Either::Right(ready(Ok(req.into_response(res).map_into_right_body())));
            }
            let allow: Map<B> = |mut res| {
                let headers = res.headers_mut();
                headers.append(header::ACCESS_CONTROL_ALLOW_ORIGIN, V_APP);
                headers.append(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, V_TRUE);
                headers.append(header::ACCESS_CONTROL_EXPOSE_HEADERS, V_X_TOTAL_COUNT);
                headers.append(header::VARY, V_ORIGIN);
                res.map_into_left_body()
            };
            Either::Left(self.service.call(req).map_ok(allow))
        }
    }
}
