//! "The subject name is replicated in the SAN and must be present for correct operation."
//! (seeds 001/002, PIC certificate summary, comments column)

use picert_core::names::same_dns_name;

use crate::report::Severity;
use crate::rules::{single_cn, AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `pic.san.subject_replicated`
pub static RULE: Rule = Rule {
    id: "pic.san.subject_replicated",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "the CN is also a DNS SAN",
    citation:
        "\"The subject name is replicated in the SAN and must be present for correct operation.\"",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 \"Certificate summary - Public IM Connectivity\" (seeds 001/002), comments column",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let Some(cn) = single_cn(ctx.facts) else {
        return Outcome::NotApplicable("no single CN (see pic.subject.cn_present)".into());
    };
    if ctx.facts.dns_sans.iter().any(|s| same_dns_name(s, cn)) {
        Outcome::Pass(None)
    } else if !ctx.facts.san_present {
        Outcome::Finding(format!(
            "there is no SAN extension; {cn} must be repeated as the first DNS SAN"
        ))
    } else {
        Outcome::Finding(format!(
            "the CN {cn} is not among the DNS SANs; it must be repeated there (first)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn the_cn_must_be_a_san() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.dns_sans = vec!["webcon.contoso.com".into()];
        assert!(run(&RULE, &context(&f))
            .1
            .contains("not among the DNS SANs"));
        f.dns_sans.clear();
        f.san_present = false;
        assert!(run(&RULE, &context(&f)).1.contains("no SAN extension"));
        f.common_names.clear();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na);
    }
}
