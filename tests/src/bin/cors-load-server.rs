//! Load-test server: the fixed test app (tests::fixtures, with a default policy) on loopback.
//!
//! Usage: `cors-load-server [PORT] [WORKERS]` (defaults 18080, 2). Binds 127.0.0.1 only.
#![forbid(unsafe_code)]

use actix_web::{App, HttpServer};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|a| a.parse().ok()).unwrap_or(18080);
    let workers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(|| {
            App::new()
                .configure(tests::fixtures::routes)
                .wrap(tests::fixtures::middleware_with_default())
        })
        .workers(workers)
        .bind(("127.0.0.1", port))?
        .run();
        println!("listening on 127.0.0.1:{port} (pid {})", std::process::id());
        server.await
    })
}
