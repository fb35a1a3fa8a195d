//! "Must come from a public CA" (seeds 001/002, PIC certificate summary comments): federation
//! partners and remote clients only trust public roots.

use crate::chain::ChainVerdict;
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `pic.issuer.public_ca`
pub static RULE: Rule = Rule {
    id: "pic.issuer.public_ca",
    severity: Severity::Error,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Nothing,
    description: "the certificate chains, with valid signatures and serverAuth usage, to a root in the public trust store at the audit time",
    citation: "PIC certificate summary: the External Edge certificate must come from a public CA",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 \"Certificate summary - Public IM Connectivity\" (seeds 001/002), table",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    if let Some(exp) = ctx.expectations.filter(|e| !e.public_ca()) {
        return Outcome::NotApplicable(format!(
            "applies to the certificates of a public CA; the {} certificate comes from the enterprise CA (picert plan)",
            exp.kind
        ));
    }
    match ctx.chain {
        None => Outcome::NotApplicable("no chain check was made".into()),
        Some(ChainVerdict::Trusted(path)) => {
            let chain = path.join(" -> ");
            // The auditor checks the chain of an out-of-date certificate inside its validity.
            let checked = match (ctx.facts.not_before, ctx.facts.not_after) {
                (_, Some(na)) if ctx.at > na => format!(
                    " (checked as of {na}, its last moment of validity: the certificate itself has expired, which validity.current reports)"
                ),
                (Some(nb), _) if ctx.at < nb => format!(
                    " (checked as of {nb}, its first moment of validity: the certificate itself is not valid yet, which validity.current reports)"
                ),
                _ => String::new(),
            };
            Outcome::Pass(Some(format!("chain: {chain}{checked}")))
        }
        Some(ChainVerdict::Untrusted(why)) => Outcome::Finding(why.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn the_chain_verdict_decides() {
        let f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na);
        let trusted = ChainVerdict::Trusted(vec!["CN=CA".into(), "trusted root CN=Root".into()]);
        let (status, detail) = run(
            &RULE,
            &Context {
                chain: Some(&trusted),
                ..context(&f)
            },
        );
        assert_eq!(
            (status, detail.as_str()),
            (Status::Pass, "chain: CN=CA -> trusted root CN=Root")
        );
        let untrusted = ChainVerdict::Untrusted("self-signed".into());
        assert_eq!(
            run(
                &RULE,
                &Context {
                    chain: Some(&untrusted),
                    ..context(&f)
                }
            )
            .1,
            "self-signed"
        );
        let fe = front_end();
        let (status, detail) = run(
            &RULE,
            &Context {
                chain: Some(&untrusted),
                expectations: Some(&fe),
                ..context(&f)
            },
        );
        assert_eq!(status, Status::Na);
        assert!(detail.contains("the front-end certificate comes from the enterprise CA"));
    }
}
