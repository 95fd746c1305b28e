//! What the `#[cors]` macro records about a route: its declaration, as a `static`.

use actix_web::guard::GuardContext;
use cors_core::Policy;

/// Where a route's policy comes from.
#[doc(hidden)]
#[derive(Debug)]
pub enum DeclaredPolicy {
    /// Declared in `#[cors(...)]`, validated at compile time.
    Inline(&'static Policy),
    /// `#[cors(policy = "name")]`: registered on the middleware.
    Named(&'static str),
    /// `#[cors(disable)]`.
    Disabled,
}

/// A guard function named in the route attribute (`guard = "name"`).
#[doc(hidden)]
pub type GuardFn = fn(&GuardContext<'_>) -> bool;

/// A route's CORS declaration, emitted by `#[cors]` as a `static`.
#[doc(hidden)]
#[derive(Debug)]
pub struct RouteCors {
    /// The handler's name, for logs and diagnostics.
    pub handler: &'static str,
    /// The route's resource name (`name = ".."`, else the handler's), by which the door finds
    /// it in actix-web's resource map.
    pub resource: &'static str,
    /// The route's path pattern, as written (relative to its scope).
    pub path: &'static str,
    /// The route's methods.
    pub methods: &'static [&'static str],
    /// The route attribute's guard functions, in order.
    pub guards: &'static [GuardFn],
    /// The policy (shared by the declarations of one handler's routes).
    pub source: &'static DeclaredPolicy,
}

impl RouteCors {
    /// Used by the macro.
    pub const fn new(
        handler: &'static str,
        resource: &'static str,
        path: &'static str,
        methods: &'static [&'static str],
        guards: &'static [GuardFn],
        source: &'static DeclaredPolicy,
    ) -> RouteCors {
        RouteCors {
            handler,
            resource,
            path,
            methods,
            guards,
            source,
        }
    }
}
