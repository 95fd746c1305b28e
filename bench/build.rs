//! Generates the "every route declares its own policy" app shape of the benchmarks: 999
//! handlers `/api/r{i}`, each with `#[cors(origins = ["https://app{i}.example.com"], ...)]`
//! (a policy of its own, as an app whose routes each declare one), written to
//! `$OUT_DIR/declared.rs`. Generated rather than written out: 999 handlers by hand would be
//! 12,000 lines of the same five.

use std::fmt::Write as _;

const HANDLERS: usize = 999;

fn main() {
    let mut out = String::new();
    for i in 0..HANDLERS {
        writeln!(
            out,
            "#[cors(origins = [\"https://app{i}.example.com\"], credentials, headers = [\"Authorization\"], max_age = 600)]\n\
             #[get(\"/api/r{i}\")]\n\
             async fn declared_{i}() -> impl Responder {{ \"filler\" }}\n"
        )
        .unwrap();
    }
    out.push_str(
        "/// Registers the first `count` declared handlers (every other one a plain service\n\
         /// instead with `plain_half`).\n\
         pub fn register(config: &mut actix_web::web::ServiceConfig, count: usize, plain_half: bool) {\n",
    );
    // One match arm per handler: each handler is a type of its own.
    out.push_str("    for i in 0..count.min(HANDLERS) {\n        if plain_half && i % 2 == 1 {\n            config.service(actix_web::web::resource(format!(\"/api/r{i}\")).route(actix_web::web::get().to(plain)));\n            continue;\n        }\n        match i {\n");
    for i in 0..HANDLERS {
        writeln!(
            out,
            "            {i} => {{ config.service(declared_{i}); }}"
        )
        .unwrap();
    }
    out.push_str("            _ => {}\n        }\n    }\n}\n");
    writeln!(
        out,
        "/// How many declared handlers there are.\npub const HANDLERS: usize = {HANDLERS};"
    )
    .unwrap();
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("declared.rs");
    std::fs::write(path, out).unwrap();
}
