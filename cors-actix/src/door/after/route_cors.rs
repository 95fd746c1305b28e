//! What the `#[cors]` macro records about a route: its declaration, as a `static`, with the
//! mark the door puts on a request it decided for the route and the route's door takes off.

use actix_web::dev::Extensions;
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
    /// The mark the door puts on a request it decided for this route.
    pub mark: RouteMark,
}

/// The mark the door puts on a request it decided for one `#[cors]` route, and that route's
/// door takes off: a value of a type of the route's own (a unit struct the macro emits), kept
/// in the request's extensions. Putting it on, taking it off and looking for it are one lookup
/// each in a table actix-web keeps for every request (and clears when the request ends), with
/// no allocation: a unit value takes no memory.
#[doc(hidden)]
pub struct RouteMark {
    set: fn(&mut Extensions),
    take: fn(&mut Extensions) -> bool,
    has: fn(&Extensions) -> bool,
}

impl RouteMark {
    /// The mark of type `T` (emitted by the macro: one type per route).
    pub const fn of<T: Default + 'static>() -> RouteMark {
        fn set<T: Default + 'static>(extensions: &mut Extensions) {
            extensions.insert(T::default());
        }
        fn take<T: 'static>(extensions: &mut Extensions) -> bool {
            extensions.remove::<T>().is_some()
        }
        fn has<T: 'static>(extensions: &Extensions) -> bool {
            extensions.contains::<T>()
        }
        RouteMark {
            set: set::<T>,
            take: take::<T>,
            has: has::<T>,
        }
    }

    /// Puts the mark on a request (into its extensions).
    #[inline]
    pub(crate) fn set(&self, extensions: &mut Extensions) {
        (self.set)(extensions)
    }

    /// Takes the mark off a request: whether it was there.
    #[inline]
    pub(crate) fn take(&self, extensions: &mut Extensions) -> bool {
        (self.take)(extensions)
    }

    /// Whether a request has the mark.
    #[inline]
    pub(crate) fn is_on(&self, extensions: &Extensions) -> bool {
        (self.has)(extensions)
    }
}

impl std::fmt::Debug for RouteMark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RouteMark")
    }
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
        mark: RouteMark,
    ) -> RouteCors {
        RouteCors {
            handler,
            resource,
            path,
            methods,
            guards,
            source,
            mark,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct First;
    #[derive(Default)]
    struct Second;

    #[test]
    fn a_route_takes_off_only_its_own_mark() {
        let (first, second) = (RouteMark::of::<First>(), RouteMark::of::<Second>());
        let mut extensions = Extensions::new();
        first.set(&mut extensions);
        assert!(first.is_on(&extensions));
        assert!(!second.is_on(&extensions), "another route's mark");
        assert!(
            !second.take(&mut extensions),
            "another route cannot take it off"
        );
        assert!(first.is_on(&extensions));
        assert!(first.take(&mut extensions), "its route takes it off");
        assert!(!first.is_on(&extensions), "the door sees it was taken off");
        assert!(!first.take(&mut extensions), "once");
    }
}
