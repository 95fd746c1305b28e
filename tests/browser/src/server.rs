//! The server under test: a real `HttpServer` on an ephemeral port, on its own thread.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::dev::Service;
use actix_web::middleware::Condition;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use cors_actix::Cors;

/// What the server saw of one request (recorded outside the CORS middleware, so refusals are
/// recorded too).
#[derive(Clone, Debug)]
pub struct Seen {
    /// Request method.
    pub method: String,
    /// Request path (without the query).
    pub path: String,
    /// The request's `Origin` header, if any.
    pub origin: Option<String>,
    /// Whether it was a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`).
    pub preflight: bool,
    /// Status the server answered.
    pub status: u16,
}

/// What reached the server, per case. A case is identified by the `case=<token>` query parameter
/// of its URLs, so that cases can run in parallel against one server.
#[derive(Clone, Default)]
pub struct Journal {
    requests: Arc<Mutex<HashMap<String, Vec<Seen>>>>,
    handlers: Arc<Mutex<HashMap<String, usize>>>,
}

impl Journal {
    /// Requests with `case=<case>` the server answered, in order.
    pub fn requests(&self, case: &str) -> Vec<Seen> {
        self.requests
            .lock()
            .unwrap()
            .get(case)
            .cloned()
            .unwrap_or_default()
    }

    /// How many preflights of the case reached the server.
    pub fn preflights(&self, case: &str) -> usize {
        self.requests(case).iter().filter(|r| r.preflight).count()
    }

    /// How many times a handler ran for the case.
    pub fn handler_runs(&self, case: &str) -> usize {
        self.handlers
            .lock()
            .unwrap()
            .get(case)
            .copied()
            .unwrap_or(0)
    }

    fn record(&self, case: String, seen: Seen) {
        self.requests
            .lock()
            .unwrap()
            .entry(case)
            .or_default()
            .push(seen);
    }
}

/// The value of the `case` query parameter.
pub fn case_of(query: &str) -> Option<String> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("case="))
        .map(str::to_owned)
}

/// Records that a handler ran for `req`'s case: call it first thing in every handler under test.
///
/// # Panics
/// If the app has no [`Journal`] (it always has under [`TestServer`]).
pub fn ran(req: &HttpRequest) {
    let journal = req
        .app_data::<web::Data<Journal>>()
        .expect("the Journal is registered by TestServer");
    let case = case_of(req.query_string()).unwrap_or_default();
    *journal.handlers.lock().unwrap().entry(case).or_default() += 1;
}

/// A running server: `configure` registers the routes under test, behind `Cors::new()` (the
/// outermost middleware but one: a recorder outside it writes the [`Journal`]). `GET /page`
/// answers a blank HTML page for any `Host`, so each page origin is just a host name.
pub struct TestServer {
    /// The port, on `127.0.0.1`.
    pub port: u16,
    /// What reached the server.
    pub journal: Journal,
}

impl TestServer {
    /// Starts the server on its own thread (it runs until the process exits).
    ///
    /// # Panics
    /// If it cannot bind `127.0.0.1:0`.
    pub fn start(configure: fn(&mut web::ServiceConfig)) -> TestServer {
        TestServer::start_with(configure, || Some(Cors::new()))
    }

    /// A server without any CORS middleware, for endpoints that write their CORS headers by
    /// hand (what an engine does with a header this library never sends).
    ///
    /// # Panics
    /// If it cannot bind `127.0.0.1:0`.
    pub fn start_without_cors(configure: fn(&mut web::ServiceConfig)) -> TestServer {
        TestServer::start_with(configure, || None)
    }

    /// Like [`start`](TestServer::start), with the `Cors` that `cors` builds in each worker, or
    /// none when it returns `None` (named or live policies: a
    /// [`LivePolicy`](cors_actix::LivePolicy) cloned into it is shared by every worker).
    ///
    /// # Panics
    /// If it cannot bind `127.0.0.1:0`.
    pub fn start_with(
        configure: fn(&mut web::ServiceConfig),
        cors: impl Fn() -> Option<Cors> + Send + Clone + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let journal = Journal::default();
        let shared = journal.clone();
        let (ready, started) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("api-server".into())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let server = HttpServer::new(move || {
                        let recorder = shared.clone();
                        let cors = cors();
                        App::new()
                            .app_data(web::Data::new(shared.clone()))
                            .route("/page", web::get().to(page))
                            .configure(configure)
                            .wrap(Condition::new(cors.is_some(), cors.unwrap_or_default()))
                            .wrap_fn(move |req, srv| {
                                let case = case_of(req.query_string());
                                let headers = req.headers();
                                let preflight = req.method() == actix_web::http::Method::OPTIONS
                                    && headers.contains_key("access-control-request-method");
                                let origin = headers
                                    .get("origin")
                                    .and_then(|v| v.to_str().ok())
                                    .map(str::to_owned);
                                let (method, path) =
                                    (req.method().to_string(), req.path().to_owned());
                                let journal = recorder.clone();
                                let response = srv.call(req);
                                async move {
                                    let response = response.await;
                                    if let Some(case) = case {
                                        let status = match &response {
                                            Ok(res) => res.status(),
                                            Err(err) => err.error_response().status(),
                                        };
                                        let seen = Seen {
                                            method,
                                            path,
                                            origin,
                                            preflight,
                                            status: status.as_u16(),
                                        };
                                        journal.record(case, seen);
                                    }
                                    response
                                }
                            })
                    })
                    .workers(2)
                    .disable_signals()
                    .listen(listener)
                    .expect("listen")
                    .run();
                    ready.send(()).expect("test thread waits");
                    server.await.expect("server runs");
                });
            })
            .expect("spawn the server thread");
        started.recv().expect("server started");
        TestServer { port, journal }
    }

    /// `http://<host>:<port><path>`.
    pub fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }
}

/// A blank page for any host: the document the cases' JavaScript runs in.
async fn page(req: HttpRequest) -> HttpResponse {
    let host = req.connection_info().host().to_owned();
    let host = host.replace(['<', '>', '&', '"'], "");
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(format!(
            "<!doctype html><html><head><title>{host}</title></head><body><p>page on {host}</p></body></html>"
        ))
}
