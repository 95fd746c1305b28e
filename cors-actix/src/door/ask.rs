//! The question a policy with dynamic origins asks during a decision, about an origin its
//! list does not allow: answered from the cache, or the lookup the request must wait for.

use actix_web::dev::RequestHead;
use cors_core::{Decision, DynamicCheck, KnownOrigin, Origin, Reason};

use crate::policy::dynamic::{Answer, DynamicOrigins};
use crate::policy::lookup::OriginLookup;
use crate::policy::slot::PolicySlot;

/// The question a policy with dynamic origins asks about an origin its list does not allow.
pub(crate) struct Dynamic<'a> {
    origins: Option<&'a DynamicOrigins>,
    /// The lookup's answer, when deciding again after it.
    known: Option<bool>,
    head: &'a RequestHead,
    /// Set when the answer is not cached: the request waits for a lookup.
    unknown: bool,
    /// Set when a set of origins was asked before parsing and did not hold the origin.
    missed: bool,
}

impl<'a> Dynamic<'a> {
    pub(crate) fn new(
        slot: &'a PolicySlot,
        known: Option<bool>,
        head: &'a RequestHead,
    ) -> Dynamic<'a> {
        Dynamic {
            origins: slot.dynamic.as_ref(),
            known,
            head,
            unknown: false,
            missed: false,
        }
    }

    pub(crate) fn ask(&mut self, origin: &Origin<'_>) -> bool {
        if let Some(known) = self.known {
            return known;
        }
        if self.missed {
            return false;
        }
        match self.origins.map(|o| o.answer(origin, self.head)) {
            Some(Answer::Allowed) => true,
            Some(Answer::Refused) | None => false,
            Some(Answer::Unknown) => {
                self.unknown = true;
                false
            }
        }
    }

    /// Before the origin is parsed: what a set of origins knows of it.
    #[inline]
    fn known_origin(&mut self, raw: &[u8]) -> Option<KnownOrigin> {
        if self.known.is_some() {
            return None;
        }
        let found = self.origins?.known(raw)?;
        self.missed = found.is_none();
        found
    }

    /// The lookup to wait for and the origin to ask it about, if `decision` refused an origin
    /// only for want of its answer.
    #[inline(always)]
    pub(crate) fn lookup(&self, decision: &Decision<'_, '_>) -> Option<(OriginLookup, String)> {
        // Inlined so that the common answer (nothing asked, or every answer known) costs a
        // test, not a call.
        if !self.unknown {
            return None;
        }
        self.lookup_unknown(decision)
    }

    #[cold]
    fn lookup_unknown(&self, decision: &Decision<'_, '_>) -> Option<(OriginLookup, String)> {
        match decision {
            Decision::Refused(Reason::OriginNotAllowed(origin)) => {
                let lookup = self.origins.and_then(DynamicOrigins::lookup)?;
                Some((lookup.clone(), origin.as_str().to_owned()))
            }
            _ => None,
        }
    }
}

/// How the policy's decision asks: a set of origins before parsing, the rest after.
impl<'r> DynamicCheck<'r> for &mut Dynamic<'_> {
    #[inline]
    fn known(&mut self, raw: &'r [u8]) -> Option<KnownOrigin> {
        self.known_origin(raw)
    }

    #[inline]
    fn check(self, origin: &Origin<'r>) -> bool {
        self.ask(origin)
    }
}
