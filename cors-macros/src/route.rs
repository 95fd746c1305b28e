//! Finding and reading the actix-web route attribute that `#[cors]` sits above.

use proc_macro2::Span;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, MetaNameValue, Token};

use crate::errors::{range_of, Errors};

/// actix-web route attributes, by the last segment of their path.
const SINGLE_METHOD: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "trace", "connect", "query",
];

/// The route attributes of a handler: one, or several under `#[routes]`.
pub struct Routes {
    /// The route attributes, in order.
    pub routes: Vec<RouteAttr>,
}

impl Routes {
    /// Every method of the routes, once each, with the span that first declares it.
    pub fn methods(&self) -> Vec<(String, Span)> {
        let mut methods: Vec<(String, Span)> = Vec::new();
        for (method, span) in self.routes.iter().flat_map(|r| &r.methods) {
            if !methods.iter().any(|(m, _)| m == method) {
                methods.push((method.clone(), *span));
            }
        }
        methods
    }
}

/// One route attribute of a handler.
pub struct RouteAttr {
    /// Position among the item's attributes.
    pub index: usize,
    /// The attribute's path, e.g. `get` or `actix_web::get`.
    pub path: syn::Path,
    /// The route's path pattern.
    pub pattern: LitStr,
    /// The route's methods, uppercase, with the span that declares each.
    pub methods: Vec<(String, Span)>,
    /// The resource name given with `name = ".."`, if any.
    pub name: Option<LitStr>,
    /// The guard functions (`guard = "path"`), in order.
    pub guards: Vec<syn::Path>,
    /// Every `key = value` option, to re-emit unchanged.
    pub options: Punctuated<MetaNameValue, Token![,]>,
}

struct RouteArgs {
    pattern: LitStr,
    options: Punctuated<MetaNameValue, Token![,]>,
}

impl Parse for RouteArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let pattern: LitStr = input.parse()?;
        let options = if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            Punctuated::parse_terminated(input)?
        } else {
            Punctuated::new()
        };
        Ok(RouteArgs { pattern, options })
    }
}

pub fn route_kind(attr: &Attribute) -> Option<String> {
    let last = attr.path().segments.last()?.ident.to_string();
    (SINGLE_METHOD.contains(&last.as_str()) || last == "route" || last == "routes").then_some(last)
}

/// The message for `#[cors]` without a route attribute below it.
pub const MISPLACED: &str = "`#[cors(...)]` sees no route attribute below it: it must be placed directly above the handler's `#[get(..)]`, `#[post(..)]`, `#[route(..)]` or other actix-web route attribute\n  = help: if `#[cors]` is below the route attribute, move it above (the route attribute turns the function into a service that `#[cors]` cannot see); otherwise add a route attribute, e.g. `#[get(\"/items\")]`";

/// Whether `attr` is `#[cors]` (or `#[cors_actix::cors]`).
fn is_cors(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "cors")
}

/// Finds the route attribute among `attrs`, or the route attributes under `#[routes]`.
pub fn find(attrs: &[Attribute], errors: &mut Errors) -> Option<Routes> {
    if let Some(again) = attrs.iter().find(|a| is_cors(a)) {
        errors.at_range(
            range_of(again),
            "`#[cors]` is given twice on this handler: a route has one CORS policy\n  = help: merge both into one `#[cors(...)]`",
        );
        return None;
    }
    let found: Vec<(usize, &Attribute, String)> = attrs
        .iter()
        .enumerate()
        .filter_map(|(i, a)| route_kind(a).map(|k| (i, a, k)))
        .collect();
    let has_routes = found.iter().any(|(_, _, k)| k == "routes");
    let singles: Vec<&(usize, &Attribute, String)> =
        found.iter().filter(|(_, _, k)| k != "routes").collect();
    match (has_routes, singles.as_slice()) {
        (false, []) => {
            match lookalike(attrs) {
                Some(attr) => errors.at_range(
                    range_of(attr),
                    format!(
                        "`#[cors(...)]` does not recognize `#[{}]` as a route attribute: it knows actix-web's route attributes by their names (`get`, `post`, `route`, `routes` ...)\n  = help: if `{}` is an actix-web route attribute imported under another name, use its own name (`use actix_web::get;` then `#[get(..)]`) or its full path (`#[actix_web::get(..)]`)",
                        attr.path().to_token_stream(),
                        attr.path().to_token_stream()
                    ),
                ),
                None => errors.at(Span::call_site(), MISPLACED),
            }
            return None;
        }
        // actix-web reports `#[routes]` without route attributes itself.
        (true, []) => return None,
        (false, [_, second, ..]) => {
            errors.at_range(
                range_of(second.1),
                "`#[cors]` supports one route attribute per handler, and actix-web needs `#[routes]` to stack several\n  = help: add `#[routes]` above the route attributes, or use `#[route(\"/path\", method = \"GET\", method = \"POST\")]` for several methods of one path",
            );
            return None;
        }
        _ => {}
    }
    let mut routes = Vec::new();
    for (index, attr, kind) in singles {
        routes.push(parse_route(*index, attr, kind, errors)?);
    }
    Some(Routes { routes })
}

fn parse_route(
    index: usize,
    attr: &Attribute,
    kind: &str,
    errors: &mut Errors,
) -> Option<RouteAttr> {
    let args: RouteArgs = match attr.parse_args() {
        Ok(args) => args,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let mut methods = Vec::new();
    if kind != "route" {
        methods.push((kind.to_ascii_uppercase(), attr.path().span()));
    }
    let mut name = None;
    let mut guards = Vec::new();
    for option in &args.options {
        if option.path.is_ident("name") {
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &option.value
            {
                name = Some(s.clone());
            }
        }
        if option.path.is_ident("guard") {
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &option.value
            {
                match s.parse::<syn::Path>() {
                    Ok(path) => guards.push(path),
                    // actix-web reports a malformed guard path itself.
                    Err(_) => return None,
                }
            }
        }
        if option.path.is_ident("method") {
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &option.value
            {
                methods.push((s.value(), s.span()));
            }
        }
    }
    if kind == "route" && methods.is_empty() {
        // actix-web reports this itself; nothing to add.
        return None;
    }
    Some(RouteAttr {
        index,
        path: attr.path().clone(),
        pattern: args.pattern,
        methods,
        name,
        guards,
        options: args.options,
    })
}

/// Attributes that are not route attributes but take a path pattern like one: a route
/// attribute imported under another name (`use actix_web::get as http_get`), most likely.
pub fn lookalike(attrs: &[Attribute]) -> Option<&Attribute> {
    attrs.iter().find(|attr| {
        route_kind(attr).is_none()
            && !is_cors(attr)
            && attr
                .parse_args::<RouteArgs>()
                .is_ok_and(|args| args.pattern.value().starts_with('/'))
    })
}
