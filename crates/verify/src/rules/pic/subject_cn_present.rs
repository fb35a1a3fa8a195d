//! "External Edge / Access Edge — Subject name: sip.contoso.com" (seeds 001/002, PIC certificate
//! summary table). The subject name is the Access Edge FQDN: exactly one CN, a DNS name.

use picert_core::names::normalize_fqdn;

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `pic.subject.cn_present`
pub static RULE: Rule = Rule {
    id: "pic.subject.cn_present",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "the subject has exactly one CN, and it is a DNS name",
    citation: "PIC certificate summary: the subject name of the External Edge / Access Edge certificate is the Access Edge FQDN (sip.contoso.com)",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 \"Certificate summary - Public IM Connectivity\" (seeds 001/002), Subject name column",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let cns = &ctx.facts.common_names;
    match cns.as_slice() {
        [] => Outcome::Finding(
            "the subject has no CN: request the certificate with CN=<Access Edge FQDN>".into(),
        ),
        [None] => Outcome::Finding("the subject CN is not a text string".into()),
        [Some(cn)] => {
            // A wildcard is still a DNS name here; lync.name.no_wildcard reports it.
            let name = cn.strip_prefix("*.").unwrap_or(cn);
            match normalize_fqdn(name) {
                Ok(_) => Outcome::Pass(Some(format!("CN={cn}"))),
                Err(e) => Outcome::Finding(format!("the subject CN is not a DNS name: {e}")),
            }
        }
        many => Outcome::Finding(format!(
            "the subject has {} CNs; it must have exactly one, the Access Edge FQDN",
            many.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn one_dns_cn_passes_none_or_several_fail() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.common_names = vec![];
        assert!(run(&RULE, &context(&f)).1.contains("no CN"));
        f.common_names = vec![Some("a.contoso.com".into()), Some("b.contoso.com".into())];
        assert!(run(&RULE, &context(&f)).1.contains("2 CNs"));
        f.common_names = vec![Some("Contoso Edge".into())];
        assert_eq!(run(&RULE, &context(&f)).0, Status::Finding);
        f.common_names = vec![Some("*.contoso.com".into())];
        assert_eq!(
            run(&RULE, &context(&f)).0,
            Status::Pass,
            "the wildcard rule reports it"
        );
    }
}
