//! The marks the door puts on a request it lets in, for what confirms its choice after routing
//! to take off:
//!
//! - a `#[cors]` route's own [`RouteMark`](crate::door::after::route_cors::RouteMark), a unit
//!   value of a type of the route's own;
//! - a [`PathMark`] for each `scope_policy` and `resource_policy` (the ones the door chose and
//!   every scope policy around it), from a pool of unit types, so that marking allocates nothing
//!   for the first [`POOLED`] of an app's path policies;
//! - for twins (one path in scopes split by guards the door cannot see), a mark in a
//!   per-worker table ([`twins`](crate::door::after::twins)).
//!
//! Also the [`ScopeMark`]: app data a scope policy gives its scope, which actix-web puts on
//! every request it routes into that very scope.

use actix_web::dev::Extensions;

use crate::door::after::route_cors::RouteMark;

/// The mark a scope with a [`scope_policy`](crate::scope_policy) puts on every request
/// actix-web routes into it (scope app data): how the door knows, after routing, which scope a
/// request entered, guards and registration order included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ScopeMark(pub(crate) u64);

/// How many of an app's path policies have a mark of their own type (no allocation); later
/// ones are marked with their number in a list (one small allocation per request marked).
pub(crate) const POOLED: u32 = 64;

/// The mark of one path policy (`scope_policy` or `resource_policy`): its number among the
/// app's path policies, in registration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PathMark(pub(crate) u32);

#[derive(Default)]
struct Pooled<const N: usize>;

/// Marks of path policies past the pool.
#[derive(Default)]
struct Overflow(Vec<u32>);

macro_rules! pool {
    ($($n:literal),*) => { [$(RouteMark::of::<Pooled<$n>>()),*] };
}

static POOL: [RouteMark; POOLED as usize] = pool!(
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49,
    50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63
);

impl PathMark {
    fn pooled(self) -> Option<&'static RouteMark> {
        POOL.get(self.0 as usize)
    }

    /// Puts the mark on a request (into its extensions).
    #[inline]
    pub(crate) fn set(self, extensions: &mut Extensions) {
        match self.pooled() {
            Some(mark) => mark.set(extensions),
            None => Self::set_overflow(self.0, extensions),
        }
    }

    #[cold]
    fn set_overflow(number: u32, extensions: &mut Extensions) {
        match extensions.get_mut::<Overflow>() {
            Some(list) => list.0.push(number),
            None => {
                extensions.insert(Overflow(vec![number]));
            }
        }
    }

    /// Takes the mark off a request: whether it was there.
    #[inline]
    pub(crate) fn take(self, extensions: &mut Extensions) -> bool {
        match self.pooled() {
            Some(mark) => mark.take(extensions),
            None => extensions.get_mut::<Overflow>().is_some_and(|list| {
                let before = list.0.len();
                list.0.retain(|&n| n != self.0);
                list.0.len() != before
            }),
        }
    }

    /// Whether a request has the mark.
    #[inline]
    pub(crate) fn is_on(self, extensions: &Extensions) -> bool {
        match self.pooled() {
            Some(mark) => mark.is_on(extensions),
            None => extensions
                .get::<Overflow>()
                .is_some_and(|list| list.0.contains(&self.0)),
        }
    }
}

/// The mark of a request that a route door or a path check answered itself (a refusal): the
/// app's door writes no CORS headers on the answer, whatever an inner middleware makes of it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Answered;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_marks_are_told_apart_in_and_past_the_pool() {
        let mut extensions = Extensions::new();
        let marks = [
            PathMark(0),
            PathMark(1),
            PathMark(POOLED),
            PathMark(POOLED + 1),
        ];
        for (i, mark) in marks.iter().enumerate() {
            mark.set(&mut extensions);
            for (j, other) in marks.iter().enumerate() {
                assert_eq!(other.is_on(&extensions), j <= i, "{i} set, {j} looked for");
            }
        }
        for (i, mark) in marks.iter().enumerate() {
            assert!(mark.take(&mut extensions), "{i} taken");
            assert!(!mark.take(&mut extensions), "{i} once");
            for (j, other) in marks.iter().enumerate() {
                assert_eq!(other.is_on(&extensions), j > i, "{i} taken, {j} looked for");
            }
        }
    }
}
