// `#[utoipa::path]` above `#[cors]`: the route is documented by utoipa-actix-web and decided by
// `Cors`.
use actix_web::{get, App, Responder};
use cors_actix::{cors, Cors};
use utoipa_actix_web::AppExt;

/// The items.
#[utoipa::path(responses((status = 200, description = "The items")))]
#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/items")]
async fn items() -> impl Responder {
    "[]"
}

/// The app and its OpenAPI document, as utoipa-actix-web builds them.
pub fn app() -> (
    App<
        impl actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    >,
    utoipa::openapi::OpenApi,
) {
    let (app, api) = App::new()
        .into_utoipa_app()
        .service(items)
        .split_for_parts();
    (app.wrap(Cors::new()), api)
}
