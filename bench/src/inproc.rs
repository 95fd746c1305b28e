//! In-process cost of CORS per request, for instruction counting under callgrind:
//! `bench-inproc MODE SCENARIO N [ROUTES]` sends N requests through the app (routing, middleware,
//! handler; no sockets, no HTTP parsing). Run it twice with different N under
//! `valgrind --tool=callgrind` and divide the difference by the difference of N: the
//! instructions per request, independent of machine load (see docs/BENCHMARKS.md).

use actix_web::http::header::HeaderValue;
use actix_web::http::Method;
use actix_web::web::BytesMut;
use actix_web::{test, App};
use cors_actix::Cors;

mod apps;
mod declared;
mod observe;
mod route_floor;
use apps::{actix_cors, cors_items, plain_items};

/// A header value backed by shared, reference-counted bytes, as a real server's HTTP/1 decoder
/// produces them (slices of its read buffer): cloning it, e.g. to echo the Origin into
/// Access-Control-Allow-Origin, is a reference-count increment. `TestRequest`'s own values are
/// copied into Vec-backed bytes whose first clone allocates, which a real server never pays.
fn shared(value: &'static str) -> HeaderValue {
    let mut buf = BytesMut::from(value.as_bytes());
    HeaderValue::from_maybe_shared(buf.split().freeze()).expect("a valid header value")
}

/// What Chromium sends with a cross-origin `fetch()` from `https://evil.example.com` (the
/// `refused-browser` scenario; `bench/pipeline.lua` sends the same).
const BROWSER_HEADERS: [(&str, &str); 14] = [
    ("Host", "api.example.com"),
    ("Connection", "keep-alive"),
    ("sec-ch-ua", "\"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\""),
    ("sec-ch-ua-mobile", "?0"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
    ("sec-ch-ua-platform", "\"Linux\""),
    ("Accept", "*/*"),
    ("Origin", "https://evil.example.com"),
    ("Sec-Fetch-Site", "cross-site"),
    ("Sec-Fetch-Mode", "cors"),
    ("Sec-Fetch-Dest", "empty"),
    ("Referer", "https://evil.example.com/"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Accept-Language", "en-US,en;q=0.9"),
];

fn request(scenario: &str) -> test::TestRequest {
    match scenario {
        "preflight" => test::TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/api/items")
            .insert_header(("Origin", shared("https://app.example.com")))
            .insert_header(("Access-Control-Request-Method", shared("GET")))
            .insert_header((
                "Access-Control-Request-Headers",
                shared("authorization,content-type,x-request-id"),
            )),
        "no-origin" => test::TestRequest::get().uri("/api/items"),
        "refused" => test::TestRequest::get()
            .uri("/api/items")
            .insert_header(("Origin", shared("https://evil.example.com"))),
        // The same refused request with the headers Chromium sends on a cross-origin `fetch()`:
        // a door pays for every header it looks at or walks past.
        "refused-browser" => BROWSER_HEADERS.iter().fold(
            test::TestRequest::get().uri("/api/items"),
            |req, &(name, value)| req.insert_header((name, shared(value))),
        ),
        _ => test::TestRequest::get()
            .uri("/api/items")
            .insert_header(("Origin", shared("https://app.example.com"))),
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
    observe::install();
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "cors-actix".into());
    let scenario = args.next().unwrap_or_else(|| "allowed".into());
    let n: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let routes = apps::routes_arg(args.next());
    let sum = match mode.as_str() {
        "none" => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(plain_items),
            &scenario,
            n
        ),
        "actix-cors" => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(plain_items)
                .wrap(actix_cors()),
            &scenario,
            n
        ),
        "door-floor" => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(plain_items)
                .wrap(apps::door_floor::Door),
            &scenario,
            n
        ),
        "single-floor" => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(plain_items)
                .wrap(apps::single_floor::Door),
            &scenario,
            n
        ),
        "route-floor" => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(plain_items)
                .wrap(route_floor::Door::<false>::new(routes, apps::plain_half())),
            &scenario,
            n
        ),
        "checked-floor" => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(apps::checked_items)
                .wrap(route_floor::Door::<true>::new(routes, apps::plain_half())),
            &scenario,
            n
        ),
        "cors-actix-declared" => run!(
            App::new()
                .configure(|c| declared::register(c, routes - 1, apps::plain_half()))
                .service(cors_items)
                .wrap(Cors::new()),
            &scenario,
            n
        ),
        "floor" => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(apps::floor::items)
                .service(apps::floor::preflight),
            &scenario,
            n
        ),
        "cors-actix-lookup" => {
            // `CACHED_ORIGINS=N`: N other origins cached before the measured requests.
            let cached: u32 = std::env::var("CACHED_ORIGINS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let app = test::init_service(
                App::new()
                    .configure(|c| apps::fillers(c, routes, true))
                    .service(apps::tenant_items)
                    .wrap(apps::lookup_cors()),
            )
            .await;
            for i in 0..cached {
                let origin = format!("https://t{i}.tenants.example");
                let req = test::TestRequest::get()
                    .uri("/api/items")
                    .insert_header(("Origin", origin));
                assert_eq!(
                    test::call_service(&app, req.to_request()).await.status(),
                    200
                );
            }
            let mut statuses = 0u64;
            for _ in 0..n {
                let res = test::call_service(&app, request(&scenario).to_request()).await;
                statuses += u64::from(res.status().as_u16());
                drop(std::hint::black_box(res));
            }
            statuses
        }
        "cors-actix-named" => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, true))
                .service(apps::tenant_items)
                .wrap(apps::named_cors()),
            &scenario,
            n
        ),
        "cors-actix-set" => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, true))
                .service(apps::tenant_items)
                .wrap(apps::set_cors()),
            &scenario,
            n
        ),
        "cors-actix-live" => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, true))
                .service(apps::tenant_items)
                .wrap(apps::live_cors()),
            &scenario,
            n
        ),
        _ => run!(
            App::new()
                .configure(|c| apps::fillers(c, routes, true))
                .service(cors_items)
                .wrap(Cors::new()),
            &scenario,
            n
        ),
    };
    println!("{mode} {scenario} {n} mean status {}", sum / n.max(1));
}
