//! RFC 2986 §3: the requester signs the certification request information with its private
//! key, proving possession; a CA rejects a request whose signature does not verify.

use crate::facts::SignatureCheck;
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `csr.signature.valid`
pub static RULE: Rule = Rule {
    id: "csr.signature.valid",
    severity: Severity::Error,
    applies_to: AppliesTo::Requests,
    needs: Needs::Nothing,
    description: "the request's self-signature verifies",
    citation:
        "RFC 2986 3: the certification request information is signed with the subject's private key",
    source: Source::Rfc,
    reference: "RFC 2986",
    effective: None,
    advice: None,
    check: Check::Input(check),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn the_self_signature_must_verify() {
        let mut f = request_facts(&["sip.contoso.com"]);
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.csr_signature = Some(SignatureCheck::Invalid(
            "the signature does not verify".into(),
        ));
        assert_eq!(run(&RULE, &context(&f)).0, Status::Finding);
        f.csr_signature = Some(SignatureCheck::Unchecked("ECDSA on P-521".into()));
        assert_eq!(
            run(&RULE, &context(&f)).0,
            Status::Na,
            "unchecked is not invalid"
        );
        assert_eq!(run(&RULE, &context(&cert_facts())).0, Status::Na);
    }
}
