//! The README's quickstart: an API with per-route CORS policies, and a demo page that calls it
//! from other origins, so that you can watch a browser apply them.
//!
//! Run it with `cargo run --example quickstart`, then open <http://app.localhost:8081> (browsers
//! resolve `*.localhost` to your own machine) or try the `curl` commands it prints.
//! Set `RUST_LOG=cors=debug` to see every CORS decision and the reason for each refusal.
//!
//! The demo page (`quickstart.html`) runs a few `fetch()`es from `http://app.localhost:8081`
//! and, through iframes, from `http://admin.localhost:8081` and `http://evil.localhost:8081`,
//! and shows for each what the page's JavaScript could see next to what the API answered.

use std::collections::HashMap;
use std::io;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::dev::Service;
use actix_web::{delete, get, put, web, App, HttpRequest, HttpResponse, HttpServer, Responder};
use cors_actix::{cors, Cors};

/// Public, read-only: any origin, no credentials.
#[cors(origins = "*")]
#[get("/status")]
async fn status() -> impl Responder {
    "ok"
}

/// Credentialed API for the front end (served on any port of `app.localhost` in development)
/// and its preview deployments.
#[cors(
    origins = ["http://app.localhost:*", "https://*.preview.example.com"],
    credentials,
    headers = ["Authorization", "X-Request-Id"],
    expose = ["X-Total-Count"],
    max_age = 600,
)]
#[get("/items")]
async fn list_items() -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("X-Total-Count", "2"))
        .json(["apple", "pear"])
}

/// Same path, another method, another policy: a DELETE preflight gets this one.
#[cors(origins = ["http://admin.localhost:*"], credentials, headers = ["Authorization"])]
#[delete("/items")]
async fn delete_items() -> impl Responder {
    HttpResponse::NoContent().finish()
}

/// Partner integrations, matched by an anchored regex.
#[cors(origins = [regex(r"^https://[a-z0-9-]+\.partner\.example$")])]
#[put("/users/{id}")]
async fn put_user(id: web::Path<u32>) -> impl Responder {
    id.to_string()
}

/// The API's routes.
fn api(cfg: &mut web::ServiceConfig) {
    cfg.service(status).service(
        web::scope("/v1")
            .service(list_items)
            .service(delete_items)
            .service(put_user),
    );
}

#[actix_web::main]
async fn main() -> io::Result<()> {
    examples::init_logging("cors=debug");

    let api = TcpListener::bind(("127.0.0.1", 8080))?;
    let pages = TcpListener::bind(("127.0.0.1", 8081))?;
    println!("API on http://localhost:8080 (CORS decisions are logged; RUST_LOG=cors=trace shows allowed ones too)");
    println!("Demo page: open http://app.localhost:8081 in a browser\n");
    println!("Try:");
    println!("  curl -i http://localhost:8080/status -H 'Origin: https://anyone.example'");
    println!("  curl -i http://localhost:8080/v1/items -H 'Origin: http://app.localhost:8081'");
    println!("  curl -i http://localhost:8080/v1/items -H 'Origin: https://evil.example'");
    println!("  curl -i -X OPTIONS http://localhost:8080/v1/items -H 'Origin: http://admin.localhost:8081' -H 'Access-Control-Request-Method: DELETE'");
    println!("  curl -i -X OPTIONS http://localhost:8080/v1/users/7 -H 'Origin: https://acme.partner.example' -H 'Access-Control-Request-Method: PUT'");
    serve(api, pages).await
}

/// Serves the API on `api` and the demo pages on `pages` until the process stops.
pub async fn serve(api_listener: TcpListener, pages_listener: TcpListener) -> io::Result<()> {
    let ports = Ports {
        api: api_listener.local_addr()?.port(),
        pages: pages_listener.local_addr()?.port(),
    };
    let exchanges = Exchanges::default();
    let recorder = exchanges.clone();
    let api_server = HttpServer::new(move || {
        let recorder = recorder.clone();
        App::new()
            .configure(api)
            // Debug mode: a refusal says why in an `X-Cors-Refusal` header, which the demo page
            // shows. Leave it off in production: the reasons reveal the policy to anyone.
            .wrap(Cors::new().debug(true)) // outermost but for the demo's recorder
            // The demo's recorder: keeps what the API answered to the demo page's requests.
            .wrap_fn(move |req, srv| {
                let exchange = recorder.start(&req);
                let response = srv.call(req);
                let recorder = recorder.clone();
                async move {
                    let response = response.await?;
                    if let Some(exchange) = exchange {
                        recorder.finish(exchange, response.response());
                    }
                    Ok(response)
                }
            })
    })
    .listen(api_listener)?
    .run();
    let pages_server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(exchanges.clone()))
            .app_data(web::Data::new(ports))
            .route("/", web::get().to(demo_page))
            .route("/exchanges", web::get().to(exchanges_of))
    })
    .listen(pages_listener)?
    .run();
    let pages_server = actix_web::rt::spawn(pages_server);
    api_server.await?;
    pages_server.await.map_err(io::Error::other)?
}

// ---------------------------------------------------------------------------------------------
// The demo page, and what it shows of the requests it made: everything below is the demo's.

/// The ports of the API and of the demo pages, for the demo page's URLs.
#[derive(Clone, Copy)]
struct Ports {
    api: u16,
    pages: u16,
}

/// One request the API answered, as the demo page shows it.
#[derive(Clone)]
struct Exchange {
    run: String,
    request: String,
    asks: Vec<String>,
    status: u16,
    headers: Vec<(String, String)>,
}

/// The API's answers to the demo page's requests (those with `?demo=<id>`), by id.
#[derive(Clone, Default)]
struct Exchanges(Arc<Mutex<HashMap<String, Vec<Exchange>>>>);

impl Exchanges {
    /// The request side of an exchange, if the demo page made it.
    fn start(&self, req: &actix_web::dev::ServiceRequest) -> Option<Exchange> {
        let run = req
            .query_string()
            .split('&')
            .find_map(|pair| pair.strip_prefix("demo="))?
            .to_owned();
        let asks = [
            "access-control-request-method",
            "access-control-request-headers",
        ]
        .iter()
        .filter_map(|name| {
            let value = req.headers().get(*name)?.to_str().unwrap_or("?");
            Some(format!("{name}: {value}"))
        })
        .collect();
        Some(Exchange {
            run,
            request: format!("{} {}", req.method(), req.path()),
            asks,
            status: 0,
            headers: Vec::new(),
        })
    }

    /// Records the response side: the CORS headers and the refusal reason, in a logical order.
    fn finish<B>(&self, mut exchange: Exchange, response: &HttpResponse<B>) {
        const SHOWN: [&str; 8] = [
            "access-control-allow-origin",
            "access-control-allow-credentials",
            "access-control-allow-methods",
            "access-control-allow-headers",
            "access-control-max-age",
            "access-control-allow-private-network",
            "access-control-expose-headers",
            "x-cors-refusal",
        ];
        exchange.status = response.status().as_u16();
        exchange.headers = SHOWN
            .iter()
            .filter_map(|name| {
                let value = response.headers().get(*name)?.to_str().unwrap_or("?");
                Some((name.to_string(), value.to_owned()))
            })
            .collect();
        let mut all = self.0.lock().unwrap();
        all.entry(exchange.run.clone()).or_default().push(exchange);
    }
}

/// `GET /exchanges?demo=<id>`: what the API answered to the demo page's request `<id>`.
async fn exchanges_of(
    exchanges: web::Data<Exchanges>,
    query: web::Query<HashMap<String, String>>,
) -> impl Responder {
    let id = query.get("demo").map(String::as_str).unwrap_or_default();
    let all = exchanges.0.lock().unwrap();
    let list: Vec<serde_json::Value> = all
        .get(id)
        .into_iter()
        .flatten()
        .map(|e| {
            serde_json::json!({
                "request": e.request,
                "asks": e.asks,
                "status": e.status,
                "headers": e.headers,
            })
        })
        .collect();
    web::Json(list)
}

/// `GET /`: the demo page on `app.localhost`, or (with `?frame`) the helper page that runs
/// requests for it on `admin.localhost` and `evil.localhost`.
async fn demo_page(req: HttpRequest, ports: web::Data<Ports>) -> HttpResponse {
    let app = format!("app.localhost:{}", ports.pages);
    if req.query_string() != "frame" && req.connection_info().host() != app {
        // The page's origin is what the policies allow: serve it from app.localhost only.
        return HttpResponse::Found()
            .insert_header(("Location", format!("http://{app}/")))
            .finish();
    }
    let html = include_str!("quickstart.html")
        .replace("__API__", &format!("http://localhost:{}", ports.api))
        .replace("__PORT__", &ports.pages.to_string());
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(html)
}
