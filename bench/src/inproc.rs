//! In-process cost of CORS per request, for instruction counting under callgrind:
//! `bench-inproc MODE SCENARIO N` sends N requests through the app (routing, middleware,
//! handler; no sockets, no HTTP parsing). Run it twice with different N under
//! `valgrind --tool=callgrind` and divide the difference by the difference of N: the
//! instructions per request, independent of machine load (see docs/BENCHMARKS.md).

use actix_web::http::Method;
use actix_web::{test, App};
use cors_actix::Cors;

mod apps;
use apps::{actix_cors, cors_items, plain_items};

fn request(scenario: &str) -> test::TestRequest {
    match scenario {
        "preflight" => test::TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/items")
            .insert_header(("Origin", "https://app.example.com"))
            .insert_header(("Access-Control-Request-Method", "GET"))
            .insert_header((
                "Access-Control-Request-Headers",
                "authorization,content-type,x-request-id",
            )),
        "refused" => test::TestRequest::get()
            .uri("/items")
            .insert_header(("Origin", "https://evil.example.com")),
        _ => test::TestRequest::get()
            .uri("/items")
            .insert_header(("Origin", "https://app.example.com")),
    }
}

macro_rules! run {
    ($app:expr, $scenario:expr, $n:expr) => {{
        let app = test::init_service($app).await;
        let mut statuses = 0u64;
        for _ in 0..$n {
            let res = test::call_service(&app, request($scenario).to_request()).await;
            statuses += u64::from(res.status().as_u16());
            drop(std::hint::black_box(res));
        }
        statuses
    }};
}

#[actix_rt::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "cors-actix".into());
    let scenario = args.next().unwrap_or_else(|| "allowed".into());
    let n: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let sum = match mode.as_str() {
        "none" => run!(App::new().service(plain_items), &scenario, n),
        "actix-cors" => run!(
            App::new().service(plain_items).wrap(actix_cors()),
            &scenario,
            n
        ),
        "floor" => run!(
            App::new()
                .service(apps::floor::items)
                .service(apps::floor::preflight),
            &scenario,
            n
        ),
        _ => run!(
            App::new().service(cors_items).wrap(Cors::new()),
            &scenario,
            n
        ),
    };
    println!("{mode} {scenario} {n} mean status {}", sum / n.max(1));
}
