//! What the macros emit when a declaration has errors (thiserror-impl's `fallback.rs`): every
//! error as a `compile_error!`, and the user's code kept as written where it can be, so that
//! nothing else fails because of the errors reported.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Attribute;

use crate::errors::Errors;
use crate::route::route_kind;
use crate::shape;

/// `#[cors]` on something that is not a function: the errors, then the item untouched.
pub fn not_a_handler(errors: &Errors, original: TokenStream) -> TokenStream {
    let compile_errors = errors.to_compile_errors();
    quote!(#compile_errors #original)
}

/// `#[cors]` on a handler whose declaration, shape or route has errors: the errors, then the
/// handler as the user wrote it, less the attributes that would add errors of their own.
pub fn handler(errors: &Errors, mut item: syn::ItemFn, shape_ok: bool) -> TokenStream {
    let compile_errors = errors.to_compile_errors();
    let (attrs, mut dropped) = kept_attrs(&item.attrs, shape_ok);
    // A misplaced `#[utoipa::path]` goes too: it would describe a route that is not there and
    // add errors of its own.
    let (openapi, attrs): (Vec<_>, Vec<_>) = attrs.into_iter().partition(shape::is_openapi_path);
    dropped.extend(openapi.iter().map(|a| a.path().clone()));
    item.attrs = attrs;
    // The imports of the attributes left out stay used (inside the body: valid in an `impl`
    // block too).
    item.block.stmts.insert(
        0,
        syn::parse_quote!({ #(#[allow(unused_imports)] use #dropped as _;)* }),
    );
    quote!(
        #compile_errors
        #item
    )
}

/// `cors_policy!` with errors: the errors, in an expression of any type.
pub fn policy_expr(errors: &Errors) -> TokenStream {
    let compile_errors = errors.to_compile_errors();
    quote!({ #compile_errors ::core::unreachable!() })
}

/// The attributes to keep on a handler re-emitted after an error: all of them, except route
/// attributes after the first when there is no `#[routes]` (actix-web would add its own, less
/// clear error about them to ours), and every route attribute when the handler's shape is wrong
/// (`shape_ok` false: actix-web's errors would repeat ours in its own words). Also returns the
/// paths of the attributes left out, so that their imports can be marked used.
fn kept_attrs(attrs: &[Attribute], shape_ok: bool) -> (Vec<Attribute>, Vec<syn::Path>) {
    let kinds: Vec<Option<String>> = attrs.iter().map(route_kind).collect();
    let has_routes = kinds.iter().flatten().any(|k| k == "routes");
    let mut seen = false;
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for (attr, kind) in attrs.iter().zip(kinds) {
        let drop =
            kind.is_some() && (!shape_ok || (!has_routes && std::mem::replace(&mut seen, true)));
        if drop {
            dropped.push(attr.path().clone());
        } else {
            kept.push(attr.clone());
        }
    }
    (kept, dropped)
}
