//! The twins' marks: for `#[cors]` routes of one path in scopes split by guards the door cannot
//! see, whose policies differ, the door leaves the decision to the route door of the twin
//! actix-web runs, through a [`Mark`] in a per-worker table keyed by the address of the
//! request's head, which stays put while the request is in flight, so that the door reads what
//! the route door decided even when the app answered with an error, which has no request.
//! Written by hand because it is four lines over `HashMap`; every entry is removed by the
//! [`MarkGuard`] that put it there, when the door's future completes or is dropped.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use actix_web::dev::{RequestHead, ServiceRequest};
use foldhash::fast::RandomState;

use crate::door::route_table::RouteTable;
use crate::door::write::Decoration;

/// A decision made by a route door for twins: let the request in (these headers on its
/// response), or send this answer.
pub(crate) enum AtRoute {
    Pass(Decoration),
    Answer(actix_web::HttpResponse),
}

/// The door, as the route door of a twin sees it: its table, and the decision it left to the
/// twin actix-web runs.
pub(crate) trait TwinDoor {
    fn table(&self) -> &RouteTable;
    /// The decision of twin `index`, which actix-web runs, for `req`.
    fn decide_at_route(&self, index: u32, req: &ServiceRequest) -> AtRoute;
}

/// What the door chose for a request it let in for twins.
pub(crate) struct Mark {
    /// The door that chose (a route door reads its table and asks it to decide).
    pub(crate) door: Rc<dyn TwinDoor>,
    /// The route it chose (index into the table's routes), the first of the twins.
    pub(crate) route: u32,
    /// What the route door of the route actix-web ran did.
    pub(crate) seen: Seen,
}

/// What a route door did with a marked request.
#[derive(Clone, Debug, Default)]
pub(crate) enum Seen {
    /// No route door ran: an inner middleware answered, or actix-web ran a route without one.
    #[default]
    Nothing,
    /// A deferred decision, made by the route door of the twin actix-web ran: these headers
    /// (boxed: rare, and the mark of every request is as small as the others).
    Decided(Box<Decoration>),
    /// The route door answered the request itself (a refusal): nothing to add.
    Answered,
}

thread_local! {
    static MARKS: RefCell<HashMap<usize, Mark, RandomState>> = RefCell::new(HashMap::default());
}

/// The key of a request in flight.
pub(crate) fn key(head: &RequestHead) -> usize {
    head as *const RequestHead as usize
}

/// Removes its mark when dropped.
pub(crate) struct MarkGuard {
    key: usize,
}

impl MarkGuard {
    /// Marks the request with head `key`.
    pub(crate) fn set(key: usize, mark: Mark) -> MarkGuard {
        MARKS.with(|marks| marks.borrow_mut().insert(key, mark));
        MarkGuard { key }
    }

    /// Removes the mark and returns it (what the route door saw).
    pub(crate) fn take(self) -> Option<Mark> {
        let key = self.key;
        std::mem::forget(self);
        MARKS.with(|marks| marks.borrow_mut().remove(&key))
    }
}

impl Drop for MarkGuard {
    fn drop(&mut self) {
        let key = self.key;
        // `try_with`: the table may already be gone when a worker thread shuts down.
        let _ = MARKS.try_with(|marks| marks.borrow_mut().remove(&key));
    }
}

impl std::fmt::Debug for MarkGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MarkGuard").finish_non_exhaustive()
    }
}

/// Runs `f` on the mark of request `key`, if it has one.
pub(crate) fn with_mark<R>(key: usize, f: impl FnOnce(&mut Mark) -> R) -> Option<R> {
    MARKS.with(|marks| marks.borrow_mut().get_mut(&key).map(f))
}

/// Records what the route door of request `key` did.
pub(crate) fn record(key: usize, seen: Seen) {
    MARKS.with(|marks| {
        if let Some(mark) = marks.borrow_mut().get_mut(&key) {
            mark.seen = seen;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoDoor(RouteTable);

    impl TwinDoor for NoDoor {
        fn table(&self) -> &RouteTable {
            &self.0
        }
        fn decide_at_route(&self, _: u32, _: &ServiceRequest) -> AtRoute {
            AtRoute::Pass(Decoration::default())
        }
    }

    /// The chosen route of the mark of request `key`.
    fn read(key: usize) -> Option<u32> {
        with_mark(key, |mark| mark.route)
    }

    #[test]
    fn a_mark_lives_as_long_as_its_guard() {
        let door: Rc<dyn TwinDoor> = Rc::new(NoDoor(RouteTable::default()));
        let guard = MarkGuard::set(
            7,
            Mark {
                door: Rc::clone(&door),
                route: 3,
                seen: Seen::Nothing,
            },
        );
        assert_eq!(read(7), Some(3));
        record(7, Seen::Answered);
        assert_eq!(
            with_mark(7, |mark| matches!(mark.seen, Seen::Answered)),
            Some(true)
        );
        assert_eq!(with_mark(9, |_| ()), None, "no mark");
        let mark = guard.take().expect("the mark");
        assert!(matches!(mark.seen, Seen::Answered));
        assert!(read(7).is_none(), "taken");

        let dropped = MarkGuard::set(
            8,
            Mark {
                door,
                route: 0,
                seen: Seen::Nothing,
            },
        );
        drop(dropped);
        assert!(read(8).is_none(), "removed when the guard is dropped");
    }
}
