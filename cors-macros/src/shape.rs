//! The handler's shape: what actix-web's route attributes need of the function under `#[cors]`.

use syn::{FnArg, ItemFn};

use crate::errors::{range_of, Errors};

/// Checks that the handler is a free `async fn`; reports each problem, returns whether none.
pub fn check(item: &ItemFn, errors: &mut Errors) -> bool {
    let mut ok = true;
    if let Some(receiver) = item.sig.inputs.iter().find_map(|arg| match arg {
        FnArg::Receiver(receiver) => Some(receiver),
        FnArg::Typed(_) => None,
    }) {
        ok = false;
        errors.at_range(
            range_of(receiver),
            "actix-web handlers do not take `self`: `#[cors]` and the route attribute cannot be used on a method\n  = help: drop `self` and reach shared state through `web::Data<..>`; the handler can stay in the `impl` block as an associated function, registered with `.service(Type::name)`, or move to module level",
        );
    }
    if item.sig.asyncness.is_none() {
        ok = false;
        let name = &item.sig.ident;
        errors.at_range(
            (item.sig.fn_token.span, name.span()),
            format!("actix-web handlers must be `async fn`\n  = help: write `async fn {name}(..)`"),
        );
    }
    ok
}
