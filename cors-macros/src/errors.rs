//! Collecting every error of a macro invocation, to report them all at once.

use proc_macro2::{Ident, Span, TokenStream};
use quote::ToTokens;

/// The first and last token of a piece of source: an error over it is underlined from the start
/// of the first to the end of the last (on stable Rust a single `Span` of a macro input covers
/// one token only).
pub type Range = (Span, Span);

/// The range of `tokens` (call site if empty).
pub fn range_of(tokens: &impl ToTokens) -> Range {
    let mut iter = tokens.to_token_stream().into_iter();
    let first = iter.next().map_or(Span::call_site(), |t| t.span());
    let last = iter.last().map_or(first, |t| t.span());
    (first, last)
}

/// Errors collected with [`syn::Error::combine`].
#[derive(Default)]
pub struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    /// Adds an error.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(existing) => existing.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Adds an error at `span`.
    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Adds an error underlining `range`.
    pub fn at_range(&mut self, range: Range, message: impl std::fmt::Display) {
        let (start, end) = range;
        let tokens: TokenStream = [Ident::new("start", start), Ident::new("end", end)]
            .into_iter()
            .map(proc_macro2::TokenTree::from)
            .collect();
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Whether no error was collected.
    pub fn is_empty(&self) -> bool {
        self.combined.is_none()
    }

    /// The errors as `compile_error!` invocations.
    pub fn to_compile_errors(&self) -> TokenStream {
        self.combined
            .as_ref()
            .map(syn::Error::to_compile_error)
            .unwrap_or_default()
    }
}
