// Tricky but valid `#[cors]` declarations: each must compile without a warning.
use actix_web::{delete, get, post, put, route, web, App, Responder};
use cors_actix::{cors, Cors};

// IPv6 loopback with a port, any port on localhost, a punycode host.
#[cors(origins = ["http://[::1]:8080", "http://localhost:*", "https://xn--bcher-kva.example"])]
#[get("/hosts")]
async fn hosts() -> impl Responder {
    ""
}

// Wildcards under a private domain and under a public suffix of the private section
// (`github.io`): `myteam.github.io` itself is registrable, so its subdomains are fine.
#[cors(origins = ["https://*.internal.example.com", "https://*.myteam.github.io"])]
#[get("/wildcards")]
async fn wildcards() -> impl Responder {
    ""
}

// Plain http is fine with credentials on loopback.
#[cors(
    origins = ["http://127.0.0.1:3000", "http://localhost:5173", "http://[::1]:8080"],
    credentials,
    headers = ["Authorization", "Content-Type"],
    expose = ["X-Total-Count"],
    max_age = 86400,
)]
#[post("/session")]
async fn session() -> impl Responder {
    ""
}

// An anchored regex with escaped dots, next to an exact origin it does not cover.
#[cors(
    origins = [regex(r"^https://[a-z0-9-]+\.partner\.example$"), "https://partner.example"],
    credentials,
)]
#[put("/users/{id}")]
async fn put_user(id: web::Path<u32>) -> impl Responder {
    id.to_string()
}

// Any origin without credentials, any header (Authorization must be listed next to "*"),
// any exposed header.
#[cors(origins = "*", headers = ["*", "Authorization"], expose = "*", private_network)]
#[get("/public")]
async fn public() -> impl Responder {
    ""
}

// Explicit opt-ins, flags written as `= true`/`= false`, a fully qualified route attribute.
#[cors(
    origins = ["null", "http://intranet.example"],
    credentials = true,
    allow_null_origin,
    allow_insecure_origins = true,
    private_network = false,
)]
#[actix_web::delete("/legacy")]
async fn legacy() -> impl Responder {
    ""
}

// Several methods of one path with `#[route]`, a custom method, and `max_age = 0`.
#[cors(origins = ["https://app.example.com"], max_age = 0)]
#[route("/items", method = "GET", method = "PATCH", method = "PURGE")]
async fn items() -> impl Responder {
    ""
}

// A named policy registered on the middleware, and a route with CORS turned off.
#[cors(policy = "partners")]
#[get("/partners")]
async fn partners() -> impl Responder {
    ""
}

#[cors(disable)]
#[delete("/internal")]
async fn internal() -> impl Responder {
    ""
}

// A handler declared by a `macro_rules!` macro, its values passed as `$x:literal` fragments.
macro_rules! declared {
    ($name:ident $origin:literal $path:literal) => {
        #[cors(origins = [$origin])]
        #[get($path)]
        async fn $name() -> impl Responder {
            ""
        }
    };
}

declared!(from_macro "https://macro.example.com" "/from-macro");

pub fn main() {
    let partners_policy = cors_actix::Policy::builder()
        .allow_origin("https://partner.example")
        .build()
        .expect("a valid policy");
    let _app = App::new()
        .service(hosts)
        .service(wildcards)
        .service(session)
        .service(put_user)
        .service(public)
        .service(legacy)
        .service(items)
        .service(partners)
        .service(internal)
        .service(from_macro)
        .wrap(Cors::new().policy("partners", partners_policy));
}
