//! The server of the load comparison (`bench/run.sh`): one actix-web app, three ways.
//!
//! `bench-server MODE PORT [ROUTES]` with MODE `none` (no CORS), `floor` (the CORS headers written by hand
//! in the handlers: the least any CORS layer can cost), `actix-cors` (actix-cors configured like
//! our policy) `door-floor` (a hand-written
//! middleware that refuses other origins with a static 403 and otherwise only passes through: the
//! least any middleware at the door costs) or `cors-actix` (this project). One worker, so that the server's CPU time can be
//! pinned to one core and measured per request.

use actix_web::{App, HttpServer};
use cors_actix::Cors;

mod apps;
mod declared;
mod observe;
mod route_floor;
use apps::{actix_cors, cors_items, plain_items};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    observe::install();
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "cors-actix".into());
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8090);
    let routes = apps::routes_arg(args.next());
    // Every mode's app, served the same way: one worker, on loopback.
    macro_rules! serve {
        ($app:expr) => {
            HttpServer::new(move || $app)
                .workers(1)
                .bind(("127.0.0.1", port))?
                .run()
        };
    }
    let server = match mode.as_str() {
        "none" => serve!({
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(plain_items)
        }),
        "actix-cors" => serve!({
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(plain_items)
                .wrap(actix_cors())
        }),
        "floor" => serve!({
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(apps::floor::items)
                .service(apps::floor::preflight)
        }),
        "single-floor" => serve!({
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(plain_items)
                .wrap(apps::single_floor::Door)
        }),
        "route-floor" => serve!({
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(plain_items)
                .wrap(route_floor::Door::<false>::new(routes, apps::plain_half()))
        }),
        "checked-floor" => serve!({
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(apps::checked_items)
                .wrap(route_floor::Door::<true>::new(routes, apps::plain_half()))
        }),
        "cors-actix-declared" => serve!({
            App::new()
                .configure(|c| declared::register(c, routes - 1, apps::plain_half()))
                .service(cors_items)
                .wrap(Cors::new())
        }),
        "door-floor" => serve!({
            App::new()
                .configure(|c| apps::fillers(c, routes, false))
                .service(plain_items)
                .wrap(apps::door_floor::Door)
        }),
        "cors-actix" => serve!({
            App::new()
                .configure(|c| apps::fillers(c, routes, true))
                .service(cors_items)
                .wrap(Cors::new())
        }),
        "cors-actix-lookup" | "cors-actix-live" | "cors-actix-named" | "cors-actix-set" => {
            let cors = match mode.as_str() {
                "cors-actix-lookup" => apps::lookup_cors(),
                "cors-actix-named" => apps::named_cors(),
                "cors-actix-set" => apps::set_cors(),
                _ => apps::live_cors(),
            };
            serve!({
                App::new()
                    .configure(|c| apps::fillers(c, routes, true))
                    .service(apps::tenant_items)
                    .wrap(cors.clone())
            })
        }
        other => {
            eprintln!("unknown mode {other}: use none, floor, door-floor, single-floor, route-floor, checked-floor, actix-cors, cors-actix, cors-actix-declared, cors-actix-lookup, cors-actix-live, cors-actix-named or cors-actix-set");
            std::process::exit(2);
        }
    };
    println!("bench-server {mode} ({routes} routes) listening on 127.0.0.1:{port}");
    server.await
}
