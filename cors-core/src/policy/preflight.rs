//! The decision for a preflight request (Fetch Standard, "CORS-preflight fetch").

use crate::decision::reason::Reason;
use crate::decision::{AllowOrigin, Decision, Grant};
use crate::origin::allowed::OriginMatch;
use crate::origin::Origin;
use crate::origin::MAX_ORIGIN_LEN;
use crate::policy::dynamic_check::DynamicCheck;
use crate::policy::Policy;
use crate::request::{HeaderInput, PreflightRequest};

impl Policy {
    /// Decides a preflight. Checks, in order: the origin, the requested method, the requested
    /// headers; grants private network access if asked and the policy has `private_network`
    /// (a preflight that asks without it is answered as if it had not asked). Never allocates;
    /// linear in the size of the request headers, which are bounded.
    ///
    /// ```
    /// use cors_core::{Decision, HeaderInput, Policy, PreflightRequest, Reason};
    ///
    /// let policy = Policy::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods(["DELETE"])
    ///     .allow_headers(["X-Request-Id"])
    ///     .max_age(600)
    ///     .build()
    ///     .unwrap();
    /// let request = PreflightRequest::new(
    ///     HeaderInput::One(b"https://app.example.com"),
    ///     HeaderInput::One(b"DELETE"),
    /// )
    /// .headers(HeaderInput::One(b"x-request-id"));
    /// assert!(matches!(policy.preflight(&request), Decision::Allowed(g) if g.max_age == Some("600")));
    ///
    /// let request = request.headers(HeaderInput::One(b"x-other"));
    /// assert_eq!(policy.preflight(&request), Decision::Refused(Reason::HeaderNotAllowed("x-other")));
    /// ```
    pub fn preflight<'p, 'r>(&'p self, request: &PreflightRequest<'r>) -> Decision<'p, 'r> {
        self.preflight_with(request, |_| false)
    }

    /// [`preflight`](Policy::preflight) for a policy with dynamic origins: `dynamic` decides a
    /// well-formed origin the list does not allow, if the policy's rules admit it (see
    /// [`admits_dynamic_origin`](Policy::admits_dynamic_origin)); it is not called otherwise.
    pub fn preflight_with<'p, 'r>(
        &'p self,
        request: &PreflightRequest<'r>,
        dynamic: impl FnOnce(&Origin<'r>) -> bool,
    ) -> Decision<'p, 'r> {
        self.preflight_dynamic(request, dynamic)
    }

    /// [`preflight_with`](Policy::preflight_with) for any [`DynamicCheck`]: a set of origins
    /// validated in advance answers before the origin is parsed (see
    /// [`DynamicCheck::known`]).
    pub fn preflight_dynamic<'p, 'r>(
        &'p self,
        request: &PreflightRequest<'r>,
        dynamic: impl DynamicCheck<'r>,
    ) -> Decision<'p, 'r> {
        let origin = match request.origin {
            HeaderInput::Missing => return Decision::NotCors,
            HeaderInput::Many => return Decision::Refused(Reason::MultipleOrigins),
            HeaderInput::One(origin) => origin,
        };
        if let Err(reason) = self.check_origin(origin, dynamic) {
            return Decision::Refused(reason);
        }
        match request.method {
            HeaderInput::One(method) => {
                if let Err(reason) = self.methods.check(method) {
                    return Decision::Refused(reason);
                }
            }
            HeaderInput::Missing => return Decision::Refused(Reason::MalformedMethod),
            HeaderInput::Many => return Decision::Refused(Reason::MultipleMethods),
        }
        match request.headers {
            HeaderInput::One(headers) => {
                if let Err(reason) = self.headers.check(headers) {
                    return Decision::Refused(reason);
                }
            }
            HeaderInput::Missing => {}
            HeaderInput::Many => return Decision::Refused(Reason::MultipleRequestHeaders),
        }
        // Chrome 142 replaced Private Network Access preflights with the Local Network Access
        // permission prompt: a preflight that still asks, to a policy without
        // `private_network`, is answered as if it had not asked (never refused for it).
        let private_network = self.private_network
            && matches!(request.private_network, HeaderInput::One(v) if v.eq_ignore_ascii_case(b"true"));
        Decision::Allowed(Grant {
            allow_origin: self.allow_origin_value(),
            allow_credentials: self.credentials,
            expose_headers: None,
            max_age: self.max_age.as_deref(),
            allow_private_network: private_network,
            vary: Some(self.preflight_vary()),
        })
    }

    #[inline]
    pub(crate) fn allow_origin_value(&self) -> AllowOrigin {
        if self.origins.is_any() && !self.credentials {
            AllowOrigin::Any
        } else {
            AllowOrigin::Echo
        }
    }

    /// The origin's decision: an origin validated in advance by the dynamic origins (`known`,
    /// before any parsing), then the list, then the dynamic origins after parsing.
    #[inline]
    pub(crate) fn check_origin<'r>(
        &self,
        origin: &'r [u8],
        mut dynamic: impl DynamicCheck<'r>,
    ) -> Result<(), Reason<'r>> {
        // Byte for byte one of the origins validated when they were added: a valid origin,
        // decided as it would be once parsed (the list would allow it or not; dynamic origins
        // allow it if the rules admit it), without the parse (tested against the general path).
        if self.dynamic_origins {
            if let Some(known) = dynamic.known(origin) {
                if self.admits_known_origin(known) {
                    return Ok(());
                }
            }
        }
        // A policy of exact origins only: an origin not in the list is refused, whatever it
        // is, so it is not parsed (only a value that is not ASCII, or too long, is: refused as
        // malformed, `400`). Tested against the general path.
        if !self.dynamic_origins && self.origins.is_exact_only() {
            if self.origins.is_listed(origin) {
                return Ok(());
            }
            if origin.len() <= MAX_ORIGIN_LEN && origin.is_ascii() {
                return Err(Reason::OriginNotListed(origin));
            }
        }
        match self.origins.check(origin) {
            OriginMatch::Allowed => Ok(()),
            OriginMatch::Malformed(e) => Err(Reason::MalformedOrigin(e)),
            OriginMatch::NotAllowed(parsed) => {
                if self.admits_dynamic_origin(&parsed) && dynamic.check(&parsed) {
                    Ok(())
                } else {
                    Err(Reason::OriginNotAllowed(parsed))
                }
            }
        }
    }
}
