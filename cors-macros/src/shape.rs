//! The handler's shape: what actix-web's route attributes need of the function under `#[cors]`.

use syn::{Attribute, FnArg, ItemFn, Meta};

use crate::errors::{range_of, Errors};

/// Validates that the handler is a free `async fn`; reports each problem, returns whether none.
pub fn validate(item: &ItemFn, errors: &mut Errors) -> bool {
    let mut ok = true;
    if let Some(receiver) = item.sig.inputs.iter().find_map(|arg| match arg {
        FnArg::Receiver(receiver) => Some(receiver),
        FnArg::Typed(_) => None,
    }) {
        ok = false;
        errors.at_range(
            range_of(receiver),
            "actix-web handlers are free functions, not methods: `#[cors]` and the route attribute cannot be used on a function that takes `self`\n  = help: move the handler out of the `impl` block to module level, and reach shared state through `web::Data<..>`",
        );
    }
    if let Some(openapi) = item.attrs.iter().find(|a| is_openapi_path(a)) {
        ok = false;
        errors.at_range(
            range_of(openapi),
            "`#[utoipa::path(..)]` must be placed above `#[cors(..)]`, not below it: `#[cors]` turns the function into a service that `#[utoipa::path]` then describes\n  = help: move `#[utoipa::path(..)]` to the top: `#[utoipa::path(..)]`, then `#[cors(..)]`, then the route attribute",
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

/// Whether `attr` is utoipa's `#[utoipa::path(..)]` (or `#[path(..)]` imported from it).
pub fn is_openapi_path(attr: &Attribute) -> bool {
    let path = attr.path();
    path.segments.last().is_some_and(|s| s.ident == "path")
        && (path.segments.iter().any(|s| s.ident == "utoipa") || matches!(attr.meta, Meta::List(_)))
}
