//! The decision for an actual (non-preflight) request.

use crate::decision::reason::Reason;
use crate::decision::{Decision, Grant};
use crate::origin::Origin;
use crate::policy::dynamic_check::DynamicCheck;
use crate::policy::Policy;
use crate::request::HeaderInput;

impl Policy {
    /// Decides an actual request from its `Origin` header(s). Same-origin requests are the
    /// caller's to recognize first (see [`is_same_origin`](crate::is_same_origin)): a refused
    /// decision must not block them. Never allocates.
    ///
    /// ```
    /// use cors_core::{AllowOrigin, Decision, HeaderInput, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .expose_headers(["X-Total-Count"])
    ///     .build()
    ///     .unwrap();
    /// match policy.actual(HeaderInput::One(b"https://app.example.com")) {
    ///     Decision::Allowed(grant) => {
    ///         assert_eq!(grant.allow_origin, AllowOrigin::Echo);
    ///         assert_eq!(grant.expose_headers, Some("X-Total-Count"));
    ///         assert_eq!(grant.vary, Some("Origin"));
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// assert_eq!(policy.actual(HeaderInput::Missing), Decision::NotCors);
    /// ```
    #[inline]
    pub fn actual<'p, 'r>(&'p self, origin: HeaderInput<'r>) -> Decision<'p, 'r> {
        self.actual_with(origin, |_| false)
    }

    /// [`actual`](Policy::actual) for a policy with dynamic origins: `dynamic` decides a
    /// well-formed origin the list does not allow, if the policy's rules admit it (see
    /// [`admits_dynamic_origin`](Policy::admits_dynamic_origin)); it is not called otherwise.
    #[inline]
    pub fn actual_with<'p, 'r>(
        &'p self,
        origin: HeaderInput<'r>,
        dynamic: impl FnOnce(&Origin<'r>) -> bool,
    ) -> Decision<'p, 'r> {
        self.actual_dynamic(origin, dynamic)
    }

    /// [`actual_with`](Policy::actual_with) for any [`DynamicCheck`]: a set of origins
    /// validated in advance answers before the origin is parsed (see
    /// [`DynamicCheck::known`]).
    #[inline]
    pub fn actual_dynamic<'p, 'r>(
        &'p self,
        origin: HeaderInput<'r>,
        dynamic: impl DynamicCheck<'r>,
    ) -> Decision<'p, 'r> {
        let origin = match origin {
            HeaderInput::Missing => return Decision::NotCors,
            HeaderInput::Many => return Decision::Refused(Reason::MultipleOrigins),
            HeaderInput::One(origin) => origin,
        };
        match self.check_origin(origin, dynamic) {
            Ok(()) => Decision::Allowed(Grant {
                allow_origin: self.allow_origin_value(),
                allow_credentials: self.credentials,
                expose_headers: self.expose.as_deref(),
                max_age: None,
                allow_private_network: false,
                vary: self.actual_vary(),
            }),
            Err(reason) => Decision::Refused(reason),
        }
    }
}
