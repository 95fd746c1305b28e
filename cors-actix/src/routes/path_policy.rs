//! Policies for routes written without route attribute macros: builder-style resources,
//! `App::route`, and whole scopes.

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::web::ServiceConfig;

use crate::policy::slot::PolicySlot;
use crate::routes::registry::{note, Declared};

/// A CORS declaration registered like a service, beside the routes it covers; it adds nothing
/// to actix-web's router. Made by [`resource_policy`].
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
/// After routing, the door checks that actix-web ran a resource of this path; if it ran
/// another one, the response gets that one's policy, never this one's.
pub fn resource_policy(path: impl Into<String>, policy: impl Into<PolicySlot>) -> PathPolicy {
    PathPolicy {
        declared: Some(Declared::Resource {
            path: path.into(),
            policy: policy.into(),
        }),
    }
}

/// The mark a scope with a [`scope_policy`] puts on every request actix-web routes into it
/// (scope app data): how the door knows, after routing, which scope a request entered, guards
/// and registration order included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ScopeMark(pub(crate) u64);

/// The policy of everything under the scope it is configured in, like Spring's class-level
/// `@CrossOrigin`: every route of the scope and of its nested scopes, builder-style or not.
/// A route's own declaration (`#[cors]`, [`resource_policy`], a nested scope's
/// `scope_policy`) overrides it. Give it to the scope's `configure`:
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
///             .configure(scope_policy(cors_policy!(origins = ["https://app.example.com"])))
///             .service(users)
///             .service(audit),
///     )
///     .wrap(Cors::new());
/// # let _ = app;
/// ```
///
/// `configure`, not `service`: besides telling the door the scope's prefix, it gives the scope
/// a mark (scope app data) that actix-web puts on every request it routes into that very scope.
/// The door answers preflights and refuses origins before anything inside runs, from what it
/// knows of the routes; after routing it reads the mark, so that the scope's CORS headers only
/// ever reach requests actix-web really routed into the scope (a sibling scope with a longer
/// prefix, a scope split from another by a `guard::Host`, a root resource registered before the
/// scope: none of them gets this policy).
pub fn scope_policy(policy: impl Into<PolicySlot>) -> impl FnOnce(&mut ServiceConfig) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mark = NEXT.fetch_add(1, Ordering::Relaxed);
    let policy = policy.into();
    move |config: &mut ServiceConfig| {
        config.app_data(ScopeMark(mark));
        config.service(PathPolicy {
            declared: Some(Declared::Scope { policy, mark }),
        });
    }
}

impl HttpServiceFactory for PathPolicy {
    fn register(mut self, config: &mut AppService) {
        if let Some(declared) = self.declared.take() {
            note(declared, config);
        }
    }
}
