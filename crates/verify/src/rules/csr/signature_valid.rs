//! RFC 2986 §3: the requester signs the certification request information with its private
//! key, proving possession; a CA rejects a request whose signature does not verify.

use crate::report::Severity;
use crate::rules::{AppliesTo, Context, Needs, Outcome, Rule};
use crate::sig::SignatureCheck;

/// `csr.signature.valid`
pub static RULE: Rule = Rule {
    id: "csr.signature.valid",
    severity: Severity::Error,
    applies_to: AppliesTo::Requests,
    needs: Needs::Nothing,
    description: "the request's self-signature verifies",
    citation:
        "RFC 2986 3: the certification request information is signed with the subject's private key",
    source: "RFC 2986",
    effective: None,
    check,
};

fn check(ctx: &Context<'_>) -> Outcome {
    match &ctx.facts.csr_signature {
        None => Outcome::NotApplicable("not a request".into()),
        Some(SignatureCheck::Valid) => Outcome::Pass(Some(ctx.facts.signature.name.clone())),
        Some(SignatureCheck::Invalid(why)) => Outcome::Finding(why.clone()),
        // Not checked is not the same as invalid: say so instead of accusing the request.
        Some(SignatureCheck::Unchecked(why)) => Outcome::NotApplicable(why.clone()),
    }
}
