//! Procedural macros of [`cors-actix`](https://docs.rs/cors-actix): `#[cors(...)]` and
//! `cors_policy!(...)`. Use them through `cors-actix`, which re-exports them and provides the
//! runtime they expand to.
//!
//! The crate is split the way the work flows: `parse` reads the DSL (keeping a span for every
//! value), `validate` checks it with `cors-core` (the same rules as runtime builders) and maps
//! each problem to its token, `expand` generates the code; `fallback` is what is emitted
//! instead when there are errors. Every error of a declaration is reported at once.
#![forbid(unsafe_code)]

use proc_macro::TokenStream;
mod errors;
mod expand;
mod fallback;
mod parse;
mod policy_expr;
mod route;
mod shape;
mod validate;

use errors::Errors;
use parse::Site;

/// Declares the CORS policy of an actix-web handler. Place it above the route attribute.
///
/// See the `cors-actix` documentation for the DSL and examples.
#[proc_macro_attribute]
pub fn cors(args: TokenStream, input: TokenStream) -> TokenStream {
    let original: proc_macro2::TokenStream = input.clone().into();
    let mut errors = Errors::default();
    let declaration = parse::parse(args.into(), Site::Route, &mut errors);
    let item: syn::ItemFn = match syn::parse(input) {
        Ok(item) => item,
        Err(_) => {
            errors.at(
                proc_macro2::Span::call_site(),
                "`#[cors(...)]` only applies to an actix-web handler function\n  = help: put it on an `async fn` handler, directly above its route attribute, e.g. `#[get(\"/items\")]`; for an app-wide policy use `Cors::new().default_policy(cors_policy!(...))`",
            );
            return fallback::not_a_handler(&errors, original).into();
        }
    };
    // The handler's shape: actix-web needs a free `async fn`. Said first and plainly: actix-web's
    // own errors would name the renamed function and its `Handler` trait.
    let shape_ok = shape::validate(&item, &mut errors);
    let route = route::find(&item.attrs, &mut errors);
    let methods = route
        .as_ref()
        .map(route::Routes::methods)
        .unwrap_or_default();
    let source = validate::policy(&declaration, Site::Route, Some(&methods), &mut errors);
    match (source, route) {
        (Some(source), Some(route)) if errors.is_empty() => {
            expand::route(source, item, route).into()
        }
        _ => fallback::handler(&errors, item, shape_ok).into(),
    }
}

/// Builds a validated `&'static Policy` from the same DSL as `#[cors]`, for the middleware's
/// default policy: `Cors::new().default_policy(cors_policy!(origins = [...]))`. Without
/// `methods = [...]` it allows every method but CONNECT, TRACE and TRACK.
#[proc_macro]
pub fn cors_policy(args: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let declaration = parse::parse(args.into(), Site::Standalone, &mut errors);
    let source = validate::policy(&declaration, Site::Standalone, None, &mut errors);
    match source {
        Some(source) if errors.is_empty() => expand::standalone(source).into(),
        _ => fallback::policy_expr(&errors).into(),
    }
}
