//! How `Cors` learns the routes of its app before it serves any request.
//!
//! actix-web builds each worker's app on the worker's thread, in two steps: every service
//! registers itself (synchronously, when the app factory is asked for a service), then the
//! services and the app-level middleware are created, innermost first. So a route's
//! `register()` always runs before the `Cors` of the same app is created, on the same thread.
//! Each `#[cors]` route notes its declaration here, with the path prefix of the scopes it is
//! registered in (`AppService::current_prefix`, public with actix-web's
//! `experimental-introspection` feature); `Cors` takes the notes of its app when it is created
//! and builds its route table from them.
//!
//! Notes are grouped by app build: each is kept with a weak handle on the build's default
//! service factory, which every service of one build shares (scopes included) and which lives
//! until that build is done. An app built earlier on the thread without `Cors` (a test, say)
//! leaves notes whose build is gone: they are dropped. Several builds in flight on one thread
//! (`HttpServer` with several listeners builds one app per listener, from the same factory)
//! are taken first in, first out.

use std::any::Any;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use actix_web::dev::AppService;

use crate::door::after::marks::PathMark;
use crate::door::after::route_cors::RouteCors;
use crate::policy::slot::PolicySlot;

/// A CORS declaration, as registered with the app.
pub(crate) enum Declared {
    /// A `#[cors]` route.
    Route(&'static RouteCors),
    /// [`resource_policy`](crate::resource_policy): every route of a path.
    Resource { path: String, policy: PolicySlot },
    /// [`scope_policy`](crate::scope_policy): everything under the enclosing scope, whose
    /// requests actix-web marks with `mark` (the scope's app data).
    Scope { policy: PolicySlot, mark: u64 },
}

impl Declared {
    /// Whether it is a path policy (a `resource_policy` or a scope policy), which has a path
    /// check and a [`PathMark`].
    fn is_path(&self) -> bool {
        !matches!(self, Declared::Route(_))
    }
}

impl std::fmt::Debug for Declared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Declared::Route(route) => write!(f, "Route({})", route.handler),
            Declared::Resource { path, .. } => write!(f, "Resource({path})"),
            Declared::Scope { .. } => write!(f, "Scope"),
        }
    }
}

/// A declaration and where it is registered.
pub(crate) struct Registration {
    pub(crate) declared: Declared,
    /// The joined patterns of the enclosing `web::scope`s, e.g. `/v1/{tenant}` (empty at the
    /// app's root).
    pub(crate) prefix: String,
    /// Whether the route is registered at the app's root (not inside a scope).
    pub(crate) is_root: bool,
    /// A path policy's mark: its number among its app's path policies.
    pub(crate) path_mark: Option<PathMark>,
}

struct Noted {
    registration: Registration,
    app: Weak<dyn Any>,
}

thread_local! {
    static NOTED: RefCell<Vec<Noted>> = const { RefCell::new(Vec::new()) };
}

/// Records the registration of `route` in `config`. Called by the code `#[cors]` generates.
#[doc(hidden)]
pub fn register_route(route: &'static RouteCors, config: &AppService) {
    let _ = note(Declared::Route(route), config);
}

/// Records a declaration registered in `config`; a path policy gets its mark (numbered in its
/// app's registration order).
pub(crate) fn note(declared: Declared, config: &AppService) -> Option<PathMark> {
    let app: Rc<dyn Any> = config.default_service();
    let app = Rc::downgrade(&app);
    NOTED.with(|noted| {
        let mut noted = noted.borrow_mut();
        // Forget the routes of apps that are gone, so that the list stays small.
        noted.retain(|n| n.app.strong_count() > 0);
        let path_mark = declared.is_path().then(|| {
            let before = noted
                .iter()
                .filter(|n| n.app.ptr_eq(&app) && n.registration.path_mark.is_some())
                .count();
            PathMark(before as u32)
        });
        let registration = Registration {
            declared,
            prefix: config.current_prefix.clone(),
            is_root: config.is_root(),
            path_mark,
        };
        noted.push(Noted { registration, app });
        path_mark
    })
}

/// Takes the registrations of the oldest app build on this thread that is still in progress,
/// in registration order.
pub(crate) fn take_app_routes() -> Vec<Registration> {
    NOTED.with(|noted| {
        let mut noted = noted.borrow_mut();
        noted.retain(|n| n.app.strong_count() > 0);
        let Some(first) = noted.first().map(|n| n.app.clone()) else {
            return Vec::new();
        };
        let (mine, others): (Vec<Noted>, Vec<Noted>) = std::mem::take(&mut *noted)
            .into_iter()
            .partition(|n| n.app.ptr_eq(&first));
        *noted = others;
        mine.into_iter().map(|n| n.registration).collect()
    })
}
