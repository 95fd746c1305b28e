//! Checking at start-up that every `#[cors(policy = "name")]` route finds its policy.
//!
//! actix-web builds each worker's app on the worker's thread: routes are registered first, then
//! the app-level middleware is created. Routes note the policy names they use in a
//! thread-local list; `Cors` takes the list when it is created and refuses to start (its
//! `InitError`) if a name is not registered on it.

use std::cell::RefCell;

thread_local! {
    static NAMED_IN_USE: RefCell<Vec<(&'static str, &'static str)>> = const { RefCell::new(Vec::new()) };
}

/// Records that `handler` uses the named policy `name`.
pub(crate) fn note_named_policy(handler: &'static str, name: &'static str) {
    NAMED_IN_USE.with(|names| names.borrow_mut().push((handler, name)));
}

/// Takes the names recorded on this thread since the last call.
pub(crate) fn take_named_policies() -> Vec<(&'static str, &'static str)> {
    NAMED_IN_USE.with(|names| std::mem::take(&mut *names.borrow_mut()))
}
