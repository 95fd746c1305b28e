//! Checking at start-up that every `#[cors(policy = "name")]` route finds its policy.
//!
//! actix-web builds each worker's app on the worker's thread, in two steps: every service
//! registers itself (synchronously, when the app factory is asked for a service), then the
//! services and the app-level middleware are created, innermost first. So a route's
//! `register()` always runs before the `Cors` of the same app is created, on the same thread.
//! Routes note the policy names they use in a thread-local list; `Cors` takes the list when it
//! is created and refuses to start (its `InitError`) if a name is not registered on it.
//!
//! False positives: an app built earlier on the same thread *without* `Cors` (a test, say)
//! leaves its names in the list. Each name is therefore noted together with a weak handle on
//! the app's default service factory, which every service of one app build shares (scopes
//! included) and which lives until that build is done. `Cors` ignores names whose app is gone,
//! so only an app that is still being built can be blamed.

use std::any::Any;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use actix_web::dev::AppService;

/// A name noted by a route: the handler, the policy name, and the app build it belongs to.
struct Noted {
    handler: &'static str,
    name: &'static str,
    app: Weak<dyn Any>,
}

thread_local! {
    static NAMED_IN_USE: RefCell<Vec<Noted>> = const { RefCell::new(Vec::new()) };
}

/// Records that `handler`, registered in `config`, uses the named policy `name`.
pub(crate) fn note_named_policy(handler: &'static str, name: &'static str, config: &AppService) {
    let app: Rc<dyn Any> = config.default_service();
    let app = Rc::downgrade(&app);
    NAMED_IN_USE.with(|names| {
        let mut names = names.borrow_mut();
        // Forget the names of apps that are gone, so that the list stays small.
        names.retain(|noted| noted.app.strong_count() > 0);
        names.push(Noted { handler, name, app });
    });
}

/// Takes the names recorded on this thread by apps that are still being built, as
/// `(handler, name)` pairs.
pub(crate) fn take_named_policies() -> Vec<(&'static str, &'static str)> {
    NAMED_IN_USE.with(|names| {
        std::mem::take(&mut *names.borrow_mut())
            .into_iter()
            .filter(|noted| noted.app.strong_count() > 0)
            .map(|noted| (noted.handler, noted.name))
            .collect()
    })
}
