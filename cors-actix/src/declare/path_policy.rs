//! Policies for routes written without route attribute macros: builder-style resources,
//! `App::route`, and whole scopes.

use actix_web::dev::{AppService, HttpServiceFactory};

use crate::declare::registry::{note, Declared};
use crate::policy::slot::PolicySlot;

/// A CORS declaration registered like a service, beside the routes it covers; it adds nothing
/// to actix-web's router. Made by [`resource_policy`] and [`scope_policy`].
#[derive(Debug)]
pub struct PathPolicy {
    declared: Option<Declared>,
}

/// The policy of every route of `path` (relative to the scope it is registered in, any
/// method): for builder-style routes, `web::resource(..)` and `App::route(..)`, which
/// `#[cors]` cannot annotate. Register it next to them with `.service(..)`.
///
/// ```
/// use actix_web::{web, App};
/// use cors_actix::{cors_policy, resource_policy, Cors};
///
/// async fn list() -> &'static str { "[]" }
///
/// let app = App::new()
///     .service(web::resource("/items").route(web::get().to(list)))
///     .service(resource_policy("/items", cors_policy!(origins = ["https://app.example.com"])))
///     .wrap(Cors::new());
/// # let _ = app;
/// ```
///
/// It is a route declaration like `#[cors]`: decided at the door, in registration order with
/// the other declared routes, and a start-up error if it duplicates or is shadowed by one.
pub fn resource_policy(path: impl Into<String>, policy: impl Into<PolicySlot>) -> PathPolicy {
    PathPolicy {
        declared: Some(Declared::Resource {
            path: path.into(),
            policy: policy.into(),
        }),
    }
}

/// The policy of everything under the scope it is registered in, like Spring's class-level
/// `@CrossOrigin`: every route of the scope and of its nested scopes, builder-style or not.
/// A route's own declaration (`#[cors]`, [`resource_policy`], a nested scope's
/// `scope_policy`) overrides it.
///
/// ```
/// use actix_web::{get, web, App, Responder};
/// use cors_actix::{cors, cors_policy, scope_policy, Cors};
///
/// #[get("/users")]
/// async fn users() -> impl Responder { "[]" }
///
/// // Stricter than the scope's: the route's own policy wins.
/// #[cors(origins = ["https://admin.example.com"], credentials)]
/// #[get("/audit")]
/// async fn audit() -> impl Responder { "[]" }
///
/// let app = App::new()
///     .service(
///         web::scope("/admin")
///             .service(scope_policy(cors_policy!(origins = ["https://app.example.com"])))
///             .service(users)
///             .service(audit),
///     )
///     .wrap(Cors::new());
/// # let _ = app;
/// ```
pub fn scope_policy(policy: impl Into<PolicySlot>) -> PathPolicy {
    PathPolicy {
        declared: Some(Declared::Scope {
            policy: policy.into(),
        }),
    }
}

impl HttpServiceFactory for PathPolicy {
    fn register(mut self, config: &mut AppService) {
        if let Some(declared) = self.declared.take() {
            note(declared, config);
        }
    }
}
