//! What the `#[cors]` macro records about a route: its declaration, as a `static`.

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::guard::GuardContext;
use cors_core::Policy;

/// Where a route's policy comes from.
#[doc(hidden)]
#[derive(Debug)]
pub enum PolicySource {
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
    /// The route's path pattern, as written (relative to its scope).
    pub path: &'static str,
    /// The route's methods.
    pub methods: &'static [&'static str],
    /// The route attribute's guard functions, in order.
    pub guards: &'static [GuardFn],
    /// The policy (shared by the declarations of one handler's routes).
    pub source: &'static PolicySource,
}

impl RouteCors {
    /// Used by the macro.
    pub const fn new(
        handler: &'static str,
        path: &'static str,
        methods: &'static [&'static str],
        guards: &'static [GuardFn],
        source: &'static PolicySource,
    ) -> RouteCors {
        RouteCors {
            handler,
            path,
            methods,
            guards,
            source,
        }
    }
}

/// The service `#[cors]` turns a handler into: registering it registers the user's route and
/// notes its declarations for `Cors`.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Declared {
    handler: &'static str,
    register: fn(&mut AppService),
}

impl Declared {
    /// Used by the macro.
    pub const fn new(handler: &'static str, register: fn(&mut AppService)) -> Declared {
        Declared { handler, register }
    }
}

impl std::fmt::Debug for Declared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#[cors] {}", self.handler)
    }
}

impl HttpServiceFactory for Declared {
    fn register(self, config: &mut AppService) {
        (self.register)(config)
    }
}
