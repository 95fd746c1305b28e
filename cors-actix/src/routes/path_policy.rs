//! Policies for routes written without route attribute macros: builder-style resources,
//! `App::route`, and whole scopes.

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::web::ServiceConfig;

use crate::door::after::marks::ScopeMark;
use crate::door::after::path_check::{self, Covers};
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
/// `#[cors]` cannot annotate. Register it with `.service(..)`, *before* them:
///
/// ```
/// use actix_web::{web, App};
/// use cors_actix::{cors_policy, resource_policy, Cors};
///
/// async fn list() -> &'static str { "[]" }
///
/// let app = App::new()
///     .service(resource_policy("/items", cors_policy!(origins = ["https://app.example.com"])))
///     .service(web::resource("/items").route(web::get().to(list)))
///     .wrap(Cors::new());
/// # let _ = app;
/// ```
///
/// It is a route declaration like `#[cors]`: decided at the door, in registration order with
/// the other declared routes, and a start-up error if it duplicates or is shadowed by one.
/// It registers a check of its path, which actix-web runs before the resources registered after
/// it: a cross-origin request the door did not decide for this policy (a path rewritten inside
/// `Cors`) is refused there, before the handler. Registered after its resource, it still
/// decides at the door, but cannot check what the resource receives (the first request that
/// shows it reports it). After routing, the door checks that actix-web ran a resource of this
/// path; if it ran another one, the response gets that one's policy, never this one's.
pub fn resource_policy(path: impl Into<String>, policy: impl Into<PolicySlot>) -> PathPolicy {
    PathPolicy {
        declared: Some(Declared::Resource {
            path: path.into(),
            policy: policy.into(),
        }),
    }
}

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
/// `configure`, not `service` (which is a compile error saying so): besides telling the door
/// the scope's prefix, it gives the scope a mark (scope app data) that actix-web puts on every
/// request it routes into that very scope, and a check, first among the scope's services when
/// `configure(scope_policy(..))` comes first, that refuses before any handler of the scope a
/// cross-origin request the door did not decide for it (a path rewritten inside `Cors`).
/// The door answers preflights and refuses origins before anything inside runs, from what it
/// knows of the routes; after routing it reads the mark, so that the scope's CORS headers only
/// ever reach requests actix-web really routed into the scope (a sibling scope with a longer
/// prefix, a scope split from another by a `guard::Host`, a root resource registered before the
/// scope: none of them gets this policy).
pub fn scope_policy(policy: impl Into<PolicySlot>) -> ScopePolicy {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mark = NEXT.fetch_add(1, Ordering::Relaxed);
    let policy = policy.into();
    Box::new(move |config: &mut ServiceConfig| {
        config.app_data(ScopeMark(mark));
        config.service(PathPolicy {
            declared: Some(Declared::Scope { policy, mark }),
        });
    })
}

/// What [`scope_policy`] returns: a function of the scope's configuration, for the scope's
/// (or the app's) `configure`. Giving it to `service` instead is a compile error that says so.
pub type ScopePolicy = Box<dyn ConfigureScope>;

/// A function of a scope's configuration ([`ScopePolicy`]); implemented for every such
/// function.
pub trait ConfigureScope: FnOnce(&mut ServiceConfig) {}

impl<F: FnOnce(&mut ServiceConfig)> ConfigureScope for F {}

/// What turns `.service(scope_policy(..))` into a compile error that names `configure`: the
/// only `HttpServiceFactory` a [`ScopePolicy`] has needs `ScopePolicyMisplaced` to implement
/// this trait, which nothing does (a bound on a type of this crate, so that the compiler
/// reports it with the message below).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`scope_policy(..)` is given to `.configure(..)`, not to `.service(..)`",
    label = "write `.configure(scope_policy(..))` here",
    note = "`configure` gives the scope the mark that tells, after routing, which scope a request entered; `service` cannot"
)]
pub trait GiveScopePolicyToConfigure<T: ?Sized> {}

/// See [`GiveScopePolicyToConfigure`].
#[doc(hidden)]
#[derive(Debug)]
pub struct ScopePolicyMisplaced;

impl<'a> HttpServiceFactory for Box<dyn ConfigureScope + 'a>
where
    ScopePolicyMisplaced: GiveScopePolicyToConfigure<Box<dyn ConfigureScope + 'a>>,
{
    fn register(self, _: &mut AppService) {
        // Never compiled into an app: nothing implements the bound.
    }
}

impl HttpServiceFactory for PathPolicy {
    fn register(mut self, config: &mut AppService) {
        let Some(declared) = self.declared.take() else {
            return;
        };
        // The path check, where the declaration is written (see `door::after::path_check`).
        let path = match &declared {
            Declared::Resource { path, .. } => Some(path.clone()),
            _ => None,
        };
        if let Some(mark) = note(declared, config) {
            let covers = match &path {
                Some(path) => Covers::Resource(path),
                None => Covers::Scope,
            };
            path_check::register(config, mark, covers);
        }
    }
}
