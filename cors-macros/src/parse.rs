//! Parsing the policy DSL: `key = value` pairs and flags, every value kept with its span.
//!
//! Parsing is forgiving: an unknown or malformed entry becomes an error in the list and parsing
//! goes on, so that one compilation reports every problem of a declaration.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{bracketed, Expr, ExprLit, Ident, Lit, Token};

use cors_core::__private::{KeyKind, KeySite, KEYS};
use cors_core::Key;

use crate::errors::{range_of, Errors, Range};

/// Where the DSL is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// `#[cors(...)]` on a handler.
    Route,
    /// `cors_policy!(...)`.
    Standalone,
}

impl Site {
    /// Whether a key of `site` may be written here.
    fn allows(self, site: KeySite) -> bool {
        matches!(
            (self, site),
            (_, KeySite::Both)
                | (Site::Route, KeySite::Route)
                | (Site::Standalone, KeySite::Standalone)
        )
    }
}

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
    /// The key.
    pub key: Key,
    /// The key as written (for its span).
    pub ident: Ident,
    /// Its value.
    pub value: Value,
    /// The value's tokens (the key for a bare flag).
    pub value_span: Range,
}

/// All entries of a declaration, in order, with duplicates and unknown keys already reported.
pub struct Declaration {
    /// Entries with known keys, each key at most once.
    pub entries: Vec<Entry>,
    /// The whole argument list.
    pub span: Range,
    /// Keys written but not usable (malformed value, or an unknown key that is a misspelling of
    /// this one): already reported, so not to be reported again as missing.
    pub reported: Vec<Key>,
}

impl Declaration {
    /// The entry for `key`, if present.
    pub fn get(&self, key: Key) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The strings of a list-valued key, if present.
    pub fn strings(&self, key: Key) -> Option<Vec<String>> {
        match &self.get(key)?.value {
            Value::List(items) => Some(items.iter().map(|i| i.value.clone()).collect()),
            _ => None,
        }
    }

    /// Whether a flag is set.
    pub fn flag(&self, key: Key) -> bool {
        matches!(self.get(key).map(|e| &e.value), Some(Value::Flag(true)))
    }

    /// The number of a number-valued key, if present.
    pub fn number(&self, key: Key) -> Option<i64> {
        match self.get(key)?.value {
            Value::Int(v) => Some(v),
            _ => None,
        }
    }
}

/// Parses `args` (the tokens inside `#[cors(...)]` or `cors_policy!(...)`).
pub fn parse(args: TokenStream, site: Site, errors: &mut Errors) -> Declaration {
    let span = range_of(&args);
    let (raw, mut reported) = match parse_entries.parse2(args) {
        Ok(parsed) => parsed,
        Err(e) => {
            errors.push(e);
            (Vec::new(), Vec::new())
        }
    };
    let mut entries: Vec<Entry> = Vec::new();
    // Entries in source order, so that errors come out in the order of the declaration.
    for raw in raw {
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let name = raw.key.to_string();
        let Some(key) = Key::from_name(&name) else {
            let all: Vec<&str> = KEYS.iter().map(|spec| spec.name).collect();
            let mut message = format!("unknown key `{name}`");
            if let Some(close) = cors_core::__private::did_you_mean(&name, &all) {
                message.push_str(&format!("\n  = help: did you mean `{close}`?"));
                reported.extend(Key::from_name(close));
            } else {
                // The keys that can be written here, in DSL order.
                let here: Vec<&str> = KEYS
                    .iter()
                    .filter(|spec| site.allows(spec.site))
                    .map(|spec| spec.name)
                    .collect();
                message.push_str(&format!("\n  = help: the keys are {}", here.join(", ")));
            }
            errors.push(syn::Error::new(raw.key.span(), message));
            continue;
        };
        if entries.iter().any(|e| e.key == key) {
            errors.push(syn::Error::new(
                raw.key.span(),
                format!("`{name}` is given twice\n  = help: remove one of them"),
            ));
            continue;
        }
        if !site.allows(key.spec().site) {
            errors.push(syn::Error::new(raw.key.span(), misplaced(key)));
            match key {
                // Not a missing `origins` either: the user meant to refer to a whole policy.
                Key::Policy => reported.push(Key::Origins),
                Key::Disable => reported.push(key),
                _ => {}
            }
            continue;
        }
        match interpret(&raw, key) {
            Ok((entry, partial)) => {
                if let Some(e) = partial {
                    errors.push(e);
                }
                entries.push(entry);
            }
            Err(e) => {
                errors.push(e);
                reported.push(key);
            }
        }
    }
    Declaration {
        entries,
        span,
        reported,
    }
}

/// Why a key cannot be written where it is ([`KeySite`]).
fn misplaced(key: Key) -> &'static str {
    match key {
        Key::Policy => "`policy = \"..\"` only applies to a route's `#[cors(...)]`: `cors_policy!` declares a policy, it cannot refer to one\n  = help: declare the policy here with `origins = [...]`, or pass the runtime-built policy itself to the middleware",
        Key::Disable => "`disable` only applies to a route's `#[cors(...)]`: a policy built with `cors_policy!` always allows its origins\n  = help: remove `disable`; to turn CORS off for one route, write `#[cors(disable)]` above its route attribute",
        Key::Methods => "a route's methods come from its route attribute (`#[get(..)]`, `#[route(.., method = \"..\")]`)\n  = help: remove `methods`",
        _ => "this key cannot be written here",
    }
}

/// Parses `key [= value]` entries separated by commas. A malformed entry is reported and skipped
/// up to the next top-level comma, so that one compilation reports every mistake.
/// Also returns the keys of the entries skipped that way.
#[allow(clippy::type_complexity)]
fn parse_entries(input: ParseStream<'_>) -> syn::Result<(Vec<syn::Result<RawEntry>>, Vec<Key>)> {
    let mut entries = Vec::new();
    let mut skipped = Vec::new();
    while !input.is_empty() {
        let fork = input.fork();
        let key_name = fork
            .call(syn::ext::IdentExt::parse_any)
            .ok()
            .map(|k: Ident| k.to_string());
        match input.parse::<RawEntry>() {
            Ok(entry) => {
                if !input.is_empty() && !input.peek(Token![,]) {
                    let key = entry.key.to_string();
                    entries.push(Err(syn::Error::new(
                        input.span(),
                        format!("expected `,` after the value of `{key}`\n  = help: separate entries with commas, and write origins and header names as string literals, e.g. `origins = [\"https://app.example.com\"]`"),
                    )));
                    skipped.extend(Key::from_name(&key));
                    skip_to_comma(input)?;
                } else {
                    entries.push(Ok(entry));
                }
            }
            Err(e) => {
                entries.push(Err(e));
                skipped.extend(key_name.as_deref().and_then(Key::from_name));
                skip_to_comma(input)?;
            }
        }
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
    }
    Ok((entries, skipped))
}

/// Skips token trees up to (not including) the next comma at this level.
fn skip_to_comma(input: ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

/// Interprets one entry. A list keeps its valid items, and its invalid ones come back as the
/// second value (reported, while the valid ones are still validated).
fn interpret(raw: &RawEntry, key: Key) -> syn::Result<(Entry, Option<syn::Error>)> {
    let spec = key.spec();
    let name = spec.name;
    let Some(expr) = &raw.value else {
        if spec.kind == KeyKind::Flag {
            return Ok((
                Entry {
                    key,
                    ident: raw.key.clone(),
                    value: Value::Flag(true),
                    value_span: (raw.key.span(), raw.key.span()),
                },
                None,
            ));
        }
        return Err(syn::Error::new(
            raw.key.span(),
            format!("`{name}` needs a value\n  = help: write `{}`", spec.example),
        ));
    };
    let expr = ungroup(expr);
    let span = expr.span();
    let mut partial = None;
    let value = if spec.kind == KeyKind::Flag {
        match expr {
            Expr::Lit(ExprLit {
                lit: Lit::Bool(b), ..
            }) => Value::Flag(b.value),
            _ => {
                return Err(syn::Error::new(
                    span,
                    format!("`{name}` is a flag: it takes no value, or `true`/`false`\n  = help: write just `{name}`"),
                ))
            }
        }
    } else if spec.kind == KeyKind::Number {
        Value::Int(parse_int(expr).ok_or_else(|| {
            // The whole expression, not its first token.
            syn::Error::new_spanned(
                expr,
                "`max_age` takes a whole number of seconds, written as one literal\n  = help: write e.g. `max_age = 600` (ten minutes)",
            )
        })?)
    } else if spec.kind == KeyKind::Name {
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
        let (items, error) = parse_list(expr, key);
        if items.is_empty() && !matches!(expr, Expr::Array(a) if a.elems.is_empty()) {
            return Err(error.unwrap_or_else(|| syn::Error::new(span, "invalid value")));
        }
        partial = error;
        Value::List(items)
    };
    Ok((
        Entry {
            key,
            ident: raw.key.clone(),
            value,
            value_span: range_of(expr),
        },
        partial,
    ))
}

/// The expression inside the invisible groups that `macro_rules!` puts around `$x:literal` and
/// `$x:expr` fragments: a declaration written by a declarative macro reads as if typed.
fn ungroup(mut expr: &Expr) -> &Expr {
    while let Expr::Group(group) = expr {
        expr = &group.expr;
    }
    expr
}

fn parse_int(expr: &Expr) -> Option<i64> {
    match expr {
        // Beyond i64, the value is reported as too large (saturated), not as "not a number".
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i
            .base10_parse::<u128>()
            .ok()
            .map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => parse_int(&u.expr).map(|v| -v),
        Expr::Group(g) => parse_int(&g.expr),
        _ => None,
    }
}

/// The string items of a list (or of a lone value), and the error for the invalid ones.
fn parse_list(expr: &Expr, key: Key) -> (Vec<Item>, Option<syn::Error>) {
    let regex_allowed = key == Key::Origins;
    let example = key.spec().example;
    let key = key.as_str();
    let one = |e: &Expr| -> syn::Result<Item> {
        let e = ungroup(e);
        match e {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Ok(Item {
                value: s.value(),
                regex: false,
                span: s.span(),
            }),
            Expr::Call(call) if matches!(&*call.func, Expr::Path(p) if p.path.is_ident("regex")) => {
                if !regex_allowed {
                    return Err(syn::Error::new_spanned(
                        e,
                        format!("`regex(..)` is only for `origins`, not `{key}`: `{key}` lists exact header names\n  = help: write the names as string literals, e.g. `{key} = [\"X-Request-Id\"]`"),
                    ));
                }
                match call.args.iter().collect::<Vec<_>>().as_slice() {
                    [Expr::Lit(ExprLit { lit: Lit::Str(s), .. })] => Ok(Item {
                        value: s.value(),
                        regex: true,
                        span: s.span(),
                    }),
                    _ => Err(syn::Error::new_spanned(
                        e,
                        "`regex(..)` takes exactly one string literal\n  = help: write e.g. `regex(r\"^https://[a-z0-9-]+\\.example\\.com$\")`; flags go inside the pattern, e.g. `(?i)`",
                    )),
                }
            }
            _ => {
                Err(syn::Error::new_spanned(
                    e,
                    format!("expected a string literal in `{key}`\n  = help: write the values in quotes, e.g. `{example}`"),
                ))
            }
        }
    };
    let mut items = Vec::new();
    let mut error: Option<syn::Error> = None;
    let elems: Vec<&Expr> = match expr {
        Expr::Array(array) => array.elems.iter().collect(),
        other => vec![other],
    };
    for e in elems {
        match one(e) {
            Ok(item) => items.push(item),
            Err(err) => match &mut error {
                Some(existing) => existing.combine(err),
                None => error = Some(err),
            },
        }
    }
    (items, error)
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
            Some(parse_value(input).map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!(
                        "cannot read the value of `{key}`: {e}\n  = help: write e.g. `{}`; origins, header names and methods go in quotes",
                        example(&key.to_string())
                    ),
                )
            })?)
        } else if input.peek(syn::token::Paren)
            || input.peek(syn::token::Bracket)
            || input.peek(Token![:])
            || input.peek(syn::Lit)
        {
            return Err(syn::Error::new(
                input.span(),
                format!(
                    "expected `=` after `{key}`\n  = help: write `{}`",
                    example(&key.to_string())
                ),
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

/// An example of `key = value` for the help of an error (from the key table).
fn example(key: &str) -> String {
    match Key::from_name(key) {
        Some(key) => key.spec().example.to_owned(),
        None => format!("{key} = ..."),
    }
}
