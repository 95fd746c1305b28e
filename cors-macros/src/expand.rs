//! Code generation: the route wrapper for `#[cors]`, the `static` for `cors_policy!`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ItemFn;

use crate::policy_expr::policy_expr;
use crate::route::{RouteAttr, Routes};
use crate::validate::PolicySource;

/// `#[cors]` on a handler: a service named like the handler that registers the user's route,
/// unchanged but renamed, and notes the route's declaration (one per route attribute under
/// `#[routes]`) for `Cors`, which decides its requests at the door. Nothing CORS-related is
/// added to actix-web's router.
pub fn route(source: PolicySource, mut item: ItemFn, routes: Routes) -> TokenStream {
    let p = quote!(::cors_actix::__private);
    let name = item.sig.ident.clone();
    let vis = item.vis.clone();
    let inner = format_ident!("__cors_route_{}", name);
    let handler_name = name.to_string();

    let source = match source {
        PolicySource::Inline(parts) => {
            let policy = policy_expr(&parts);
            quote!(#p::DeclaredPolicy::Inline({
                static __CORS_POLICY: #p::core::Policy = #policy;
                &__CORS_POLICY
            }))
        }
        PolicySource::Named(policy) => quote!(#p::DeclaredPolicy::Named(#policy)),
        PolicySource::Disabled => quote!(#p::DeclaredPolicy::Disabled),
    };
    let source_static = format_ident!("__CORS_SOURCE_{}", name);

    // One declaration per route attribute, all sharing the policy.
    let specs: Vec<syn::Ident> = (0..routes.routes.len())
        .map(|i| format_ident!("__CORS_ROUTE_{}_{}", name, i))
        .collect();
    let declarations = routes.routes.iter().zip(&specs).map(|(route, spec)| {
        let pattern = &route.pattern;
        let methods = route.methods.iter().map(|(m, _)| m);
        // The route's guard functions, evaluated by `Cors` at the door as actix-web evaluates
        // them in its router.
        let guards = route.guards.iter();
        // The resource's name in actix-web's resource map: the given one, or the handler's.
        let resource = route
            .name
            .as_ref()
            .map_or_else(|| handler_name.clone(), syn::LitStr::value);
        // The route's own mark type: the door marks a request it decided for this route with
        // a value of it, which only this route's door takes off.
        let mark = format_ident!("{}_Mark", spec);
        quote! {
            #[allow(non_camel_case_types)]
            #[doc(hidden)]
            #[derive(Default)]
            struct #mark;

            #[allow(non_upper_case_globals)]
            #[doc(hidden)]
            static #spec: #p::RouteCors = #p::RouteCors::new(
                #handler_name,
                #resource,
                #pattern,
                &[#(#methods),*],
                &[#(#guards as #p::GuardFn),*],
                &#source_static,
                #p::RouteMark::of::<#mark>(),
            );
        }
    });

    let mut docs = Vec::new();
    let mut attrs = Vec::new();
    for (i, attr) in std::mem::take(&mut item.attrs).into_iter().enumerate() {
        if let Some((route, spec)) = routes.routes.iter().zip(&specs).find(|(r, _)| r.index == i) {
            attrs.push(route_attr(route, &handler_name, spec));
        } else if attr.path().is_ident("doc") {
            docs.push(attr);
        } else {
            attrs.push(attr);
        }
    }
    item.attrs = attrs;
    item.attrs.push(syn::parse_quote!(#[doc(hidden)]));
    item.sig.ident = inner.clone();

    // A unit struct named like the handler (a type, so that `#[utoipa::path]` above `#[cors]`
    // can implement its traits for it) whose registration registers the user's route and notes
    // the declarations. Everything else lives inside `register`, so that nothing else appears
    // where the handler was.
    quote! {
        #(#docs)*
        #[allow(non_camel_case_types, missing_docs)]
        #vis struct #name;

        impl #p::actix_web::dev::HttpServiceFactory for #name {
            fn register(self, __config: &mut #p::actix_web::dev::AppService) {
                #[allow(non_upper_case_globals)]
                static #source_static: #p::DeclaredPolicy = #source;

                #(#declarations)*

                #item

                #p::actix_web::dev::HttpServiceFactory::register(#inner, __config);
                #(#p::register_route(&#specs, __config);)*
            }
        }
    }
}

/// The route attribute as the user wrote it, with the resource name kept as the handler's (the
/// function is renamed) and the route door wrapped around the route, last (outermost: it runs
/// before the user's own `wrap`s), which checks after routing that the door decided the
/// request for this route (`spec`).
fn route_attr(route: &RouteAttr, handler_name: &str, spec: &syn::Ident) -> syn::Attribute {
    let route_path = &route.path;
    let pattern = &route.pattern;
    let options = route.options.iter();
    let name_option = route.name.is_none().then(|| quote!(, name = #handler_name));
    // Over the route's own body (actix-web's boxed body) the route door passes responses as
    // they are; under the user's own `wrap`s, whose bodies are theirs, it boxes them.
    let wrapped = route
        .options
        .iter()
        .any(|option| option.path.is_ident("wrap"));
    let form = if wrapped {
        "RouteDoorBoxing"
    } else {
        "RouteDoor"
    };
    let door = format!("::cors_actix::__private::{form}(&{spec})");
    syn::parse_quote!(#[#route_path(#pattern #(, #options)* #name_option, wrap = #door)])
}

/// `cors_policy!(...)`: a `&'static Policy`.
pub fn standalone(source: PolicySource) -> TokenStream {
    let p = quote!(::cors_actix::__private);
    match source {
        PolicySource::Inline(parts) => {
            let policy = policy_expr(&parts);
            quote!({
                static __CORS_POLICY: #p::core::Policy = #policy;
                &__CORS_POLICY
            })
        }
        // `policy` and `disable` are rejected for `cors_policy!` while parsing.
        PolicySource::Named(_) | PolicySource::Disabled => quote!(::core::unreachable!()),
    }
}
