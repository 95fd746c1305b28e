//! The constant expression that builds a validated policy as a `static`.
//!
//! Tables are laid out here, at compile time, with the very function `cors-core` uses at run
//! time (`cors_core::__private::table::layout`); the emitted code asserts both agree on the layout version.

use proc_macro2::TokenStream;
use quote::quote;

use cors_core::__private::{PolicyParts, PortRule};

fn private() -> TokenStream {
    quote!(::cors_actix::__private)
}

fn table(keys: &[String]) -> TokenStream {
    let p = private();
    let slots = cors_core::__private::table::layout(keys);
    quote!(#p::core::__private::table::StaticTable {
        slots: &[#(#slots),*],
        keys: &[#(#p::Cow::Borrowed(#keys)),*],
    })
}

fn port(rule: PortRule) -> TokenStream {
    let p = private();
    match rule {
        PortRule::Default => quote!(#p::core::__private::PortRule::Default),
        PortRule::Exact(n) => quote!(#p::core::__private::PortRule::Exact(#n)),
        PortRule::Any => quote!(#p::core::__private::PortRule::Any),
    }
}

fn strs(items: &[String]) -> TokenStream {
    let p = private();
    quote!(&[#(#p::Cow::Borrowed(#items)),*])
}

fn option(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// `Policy::from_static(StaticPolicy { .. })` for `parts`: one struct literal, usable as a
/// `static` initializer.
pub fn policy_expr(parts: &PolicyParts) -> TokenStream {
    let p = private();
    let any_origin = parts.any_origin;
    let exact = table(&parts.exact_origins);
    let any_port = table(&parts.any_port_origins);
    let suffixes: Vec<String> = parts
        .subdomain_origins
        .iter()
        .map(|s| s.suffix.clone())
        .collect();
    let subdomains = table(&suffixes);
    let rules = parts.subdomain_origins.iter().map(|s| {
        let scheme = &s.scheme;
        let port = port(s.port);
        quote!(#p::core::__private::SubdomainRule { scheme: #p::Cow::Borrowed(#scheme), port: #port })
    });
    let regexes = parts.regex_origins.iter().map(|r| {
        quote!(#p::core::__private::RegexRef::Static({
            static __CORS_REGEX: #p::core::__private::RegexOrigin = #p::core::__private::RegexOrigin::from_static(#r);
            &__CORS_REGEX
        }))
    });
    let credentials = parts.credentials;
    let any_header = parts.any_header;
    let headers = strs(&parts.headers);
    let methods = match &parts.methods {
        Some(m) => {
            let m = strs(m);
            quote!(::core::option::Option::Some(#m))
        }
        None => quote!(::core::option::Option::None),
    };
    let expose = option(parts.expose.as_deref());
    let max_age_text = parts.max_age.map(|a| a.to_string());
    let max_age = option(max_age_text.as_deref());
    let private_network = parts.private_network;
    let insecure_origins = parts.allow_insecure_origins;
    let format = cors_core::__private::table::TABLE_FORMAT;
    quote!({
        const _: () = ::core::assert!(
            #p::core::__private::table::TABLE_FORMAT == #format,
            "cors-macros and cors-core disagree on the origin table layout: use the same version of both"
        );
        #p::core::Policy::from_static(#p::core::__private::StaticPolicy {
            any_origin: #any_origin,
            exact_origins: #exact,
            any_port_origins: #any_port,
            subdomain_origins: #subdomains,
            subdomain_rules: &[#(#rules),*],
            regex_origins: &[#(#regexes),*],
            credentials: #credentials,
            any_header: #any_header,
            headers: #headers,
            methods: #methods,
            expose: #expose,
            max_age: #max_age,
            private_network: #private_network,
            insecure_origins: #insecure_origins,
        })
    })
}
