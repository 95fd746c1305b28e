//! What happens to a request from a refused origin: the `OnRefusal` option of `Cors`.

/// What happens to an actual (non-preflight) request from an origin the policy refuses.
///
/// ```
/// use cors_actix::{Cors, OnRefusal};
///
/// let cors = Cors::new().on_refusal(OnRefusal::HeadersOnly);
/// # let _ = cors;
/// ```
///
#[doc = include_str!("../docs/refused-requests.md")]
///
#[doc = include_str!("../docs/links.md")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnRefusal {
    /// Answer `403 Forbidden` (`400` for a malformed `Origin`) with a short plain-text reason;
    /// nothing inside `Cors` runs (no middleware, no handler). This stops the side effects of
    /// cross-site requests a browser sends without a preflight (form posts, simple `fetch`es).
    /// The default.
    #[default]
    Block,
    /// Run the handler and send its response without CORS headers (any the app wrote are
    /// removed): the browser hides it from the page. Side effects happen. Choose this only if
    /// other clients than browsers send arbitrary `Origin` headers to your routes.
    ///
    /// Connection upgrades (WebSockets) from a refused origin are refused in this mode too:
    /// browsers do not apply CORS to them, so a missing header would not stop a page from using
    /// the socket with the user's cookies (cross-site WebSocket hijacking).
    HeadersOnly,
}
