//! Parsing the policy DSL: `key = value` pairs and flags, every value kept with its span.
//!
//! Parsing is forgiving: an unknown or malformed entry becomes an error in the list and parsing
//! goes on, so that one compilation reports every problem of a declaration.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{bracketed, Expr, ExprLit, Ident, Lit, Token};

use crate::errors::Errors;

/// Where the DSL is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// `#[cors(...)]` on a handler.
    Route,
    /// `cors_policy!(...)`.
    Standalone,
}

/// Keys that take a value.
const VALUE_KEYS: &[&str] = &[
    "origins", "headers", "expose", "max_age", "policy", "methods",
];
/// Keys that are flags.
const FLAG_KEYS: &[&str] = &[
    "credentials",
    "private_network",
    "allow_null_origin",
    "allow_insecure_origins",
    "disable",
];

/// A string-like entry of a list, with its span.
#[derive(Clone)]
pub struct Item {
    /// The text.
    pub value: String,
    /// `regex("...")` rather than a plain string.
    pub regex: bool,
    /// Span of the literal.
    pub span: Span,
}

/// A parsed value.
#[derive(Clone)]
pub enum Value {
    /// `"..."` or `[ "...", regex("..."), ... ]` (a lone string is a one-item list).
    List(Vec<Item>),
    /// An integer literal, possibly negated.
    Int(i64),
    /// A flag (present, or `= true`).
    Flag(bool),
}

/// One `key` or `key = value` entry.
#[derive(Clone)]
pub struct Entry {
    /// The key as written.
    pub key: Ident,
    /// Its value.
    pub value: Value,
    /// Span of the value (the key for a bare flag).
    pub value_span: Span,
}

/// All entries of a declaration, in order, with duplicates and unknown keys already reported.
pub struct Declaration {
    /// Entries with known keys, each key at most once.
    pub entries: Vec<Entry>,
    /// Span of the whole argument list.
    pub span: Span,
}

impl Declaration {
    /// The entry for `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// Parses `args` (the tokens inside `#[cors(...)]` or `cors_policy!(...)`).
pub fn parse(args: TokenStream, site: Site, errors: &mut Errors) -> Declaration {
    let span = if args.is_empty() {
        Span::call_site()
    } else {
        args.span()
    };
    let raw = match Punctuated::<RawEntry, Token![,]>::parse_terminated.parse2(args) {
        Ok(raw) => raw,
        Err(e) => {
            errors.push(e);
            return Declaration {
                entries: Vec::new(),
                span,
            };
        }
    };
    let mut entries: Vec<Entry> = Vec::new();
    for raw in raw {
        let name = raw.key.to_string();
        let known_value = VALUE_KEYS.contains(&name.as_str());
        let known_flag = FLAG_KEYS.contains(&name.as_str());
        if !known_value && !known_flag {
            let all: Vec<&str> = VALUE_KEYS.iter().chain(FLAG_KEYS).copied().collect();
            let mut message = format!("unknown key `{name}`");
            if let Some(close) = cors_core::did_you_mean(&name, &all) {
                message.push_str(&format!("\n  = help: did you mean `{close}`?"));
            } else {
                message.push_str(&format!("\n  = help: the keys are {}", all.join(", ")));
            }
            errors.push(syn::Error::new(raw.key.span(), message));
            continue;
        }
        if entries.iter().any(|e| e.key == raw.key) {
            errors.push(syn::Error::new(
                raw.key.span(),
                format!("`{name}` is given twice\n  = help: remove one of them"),
            ));
            continue;
        }
        if site == Site::Standalone && matches!(name.as_str(), "policy" | "disable") {
            errors.push(syn::Error::new(
                raw.key.span(),
                format!("`{name}` only applies to a route's `#[cors(...)]`, not to `cors_policy!`"),
            ));
            continue;
        }
        if site == Site::Route && name == "methods" {
            errors.push(syn::Error::new(
                raw.key.span(),
                "a route's methods come from its route attribute (`#[get(..)]`, `#[route(.., method = \"..\")]`)\n  = help: remove `methods`",
            ));
            continue;
        }
        match interpret(&raw, known_flag, &name) {
            Ok(entry) => entries.push(entry),
            Err(e) => errors.push(e),
        }
    }
    Declaration { entries, span }
}

fn interpret(raw: &RawEntry, flag: bool, name: &str) -> syn::Result<Entry> {
    let Some(expr) = &raw.value else {
        if flag {
            return Ok(Entry {
                key: raw.key.clone(),
                value: Value::Flag(true),
                value_span: raw.key.span(),
            });
        }
        let example = match name {
            "origins" => "origins = [\"https://app.example.com\"]",
            "headers" => "headers = [\"Authorization\"]",
            "expose" => "expose = [\"X-Total-Count\"]",
            "max_age" => "max_age = 600",
            "policy" => "policy = \"partners\"",
            _ => "methods = [\"GET\"]",
        };
        return Err(syn::Error::new(
            raw.key.span(),
            format!("`{name}` needs a value\n  = help: write `{example}`"),
        ));
    };
    let span = expr.span();
    let value = if flag {
        match expr {
            Expr::Lit(ExprLit {
                lit: Lit::Bool(b), ..
            }) => Value::Flag(b.value),
            _ => {
                return Err(syn::Error::new(
                    span,
                    format!("`{name}` is a flag\n  = help: write just `{name}`"),
                ))
            }
        }
    } else if name == "max_age" {
        Value::Int(parse_int(expr).ok_or_else(|| {
            syn::Error::new(
                span,
                "`max_age` takes a number of seconds\n  = help: write e.g. `max_age = 600`",
            )
        })?)
    } else if name == "policy" {
        match expr {
            Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Value::List(vec![Item {
                value: s.value(),
                regex: false,
                span: s.span(),
            }]),
            _ => {
                return Err(syn::Error::new(
                    span,
                    "`policy` takes the name of a policy registered on the middleware\n  = help: write e.g. `policy = \"partners\"`",
                ))
            }
        }
    } else {
        Value::List(parse_list(expr, name)?)
    };
    Ok(Entry {
        key: raw.key.clone(),
        value,
        value_span: span,
    })
}

fn parse_int(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<i64>().ok(),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => parse_int(&u.expr).map(|v| -v),
        Expr::Group(g) => parse_int(&g.expr),
        _ => None,
    }
}

fn parse_list(expr: &Expr, key: &str) -> syn::Result<Vec<Item>> {
    let regex_allowed = key == "origins";
    let one = |e: &Expr| -> syn::Result<Item> {
        match e {
            Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Ok(Item {
                value: s.value(),
                regex: false,
                span: s.span(),
            }),
            Expr::Call(call) if matches!(&*call.func, Expr::Path(p) if p.path.is_ident("regex")) => {
                if !regex_allowed {
                    return Err(syn::Error::new(
                        e.span(),
                        format!("`regex(..)` is only for `origins`, not `{key}`"),
                    ));
                }
                match call.args.iter().collect::<Vec<_>>().as_slice() {
                    [Expr::Lit(ExprLit { lit: Lit::Str(s), .. })] => Ok(Item {
                        value: s.value(),
                        regex: true,
                        span: s.span(),
                    }),
                    _ => Err(syn::Error::new(
                        e.span(),
                        "`regex(..)` takes one string literal\n  = help: write `regex(r\"^https://[a-z0-9-]+\\.example\\.com$\")`",
                    )),
                }
            }
            _ => Err(syn::Error::new(
                e.span(),
                format!("expected a string literal in `{key}`\n  = help: values are written in quotes, e.g. `{key} = [\"...\"]`"),
            )),
        }
    };
    match expr {
        Expr::Array(array) => {
            let mut items = Vec::new();
            let mut error: Option<syn::Error> = None;
            for e in &array.elems {
                match one(e) {
                    Ok(item) => items.push(item),
                    Err(err) => match &mut error {
                        Some(existing) => existing.combine(err),
                        None => error = Some(err),
                    },
                }
            }
            match error {
                Some(e) => Err(e),
                None => Ok(items),
            }
        }
        other => Ok(vec![one(other)?]),
    }
}

/// `key` or `key = <expr>`, before interpretation.
struct RawEntry {
    key: Ident,
    value: Option<Expr>,
}

impl Parse for RawEntry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(parse_value(input)?)
        } else if input.peek(syn::token::Paren) || input.peek(syn::token::Bracket) {
            return Err(syn::Error::new(
                input.span(),
                format!("expected `=` after `{key}`\n  = help: write `{key} = ...`"),
            ));
        } else {
            None
        };
        Ok(RawEntry { key, value })
    }
}

fn parse_value(input: ParseStream<'_>) -> syn::Result<Expr> {
    if input.peek(syn::token::Bracket) {
        // Parse the list by hand so that a trailing comma and any expressions are accepted and
        // reported entry by entry.
        let content;
        let bracket = bracketed!(content in input);
        let elems = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
        return Ok(Expr::Array(syn::ExprArray {
            attrs: Vec::new(),
            bracket_token: bracket,
            elems,
        }));
    }
    input.parse()
}
