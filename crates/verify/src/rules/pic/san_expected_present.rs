//! "SAN: sip.contoso.com, webcon.contoso.com, sip.fabrikam.com ... add SAN entries for
//! additional SIP domains" (seeds 001/002), and for federation "the exact FQDN [of the SRV
//! target `sip.<domain>`] must be present in either the SN or the SAN of the external
//! certificate" (Lync 2013 federation DNS requirements).

use picert_core::names::same_dns_name;

use crate::report::Severity;
use crate::rules::{expected_plan, AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `pic.san.expected_present`
pub static RULE: Rule = Rule {
    id: "pic.san.expected_present",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Topology,
    description: "every expected name is a DNS SAN: Access Edge FQDN, Web Conferencing FQDN, sip.<domain> for each SIP domain, extra names",
    citation: "PIC certificate summary: SAN = subject, Web Conferencing Edge, sip.<domain> for additional SIP domains; the federation SRV target must be in the SN or SAN",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 \"Certificate summary - Public IM Connectivity\" (seeds 001/002), table; Lync 2013 DNS requirements for federation (SRV target)",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let plan = match expected_plan(ctx) {
        Ok(plan) => plan,
        Err(not_applicable) => return not_applicable,
    };
    let missing: Vec<String> = plan
        .entries()
        .iter()
        .filter(|e| !ctx.facts.dns_sans.iter().any(|s| same_dns_name(s, &e.name)))
        .map(|e| format!("{} ({})", e.name, e.source))
        .collect();
    if missing.is_empty() {
        Outcome::Pass(Some(format!(
            "all {} expected names present",
            plan.entries().len()
        )))
    } else {
        Outcome::Finding(format!(
            "missing DNS SAN{}: {}; request a new certificate with them (picert request --topology ...)",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn every_expected_name_must_be_there() {
        let mut f = cert_facts();
        let exp = contoso();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na);
        assert_eq!(
            run(
                &RULE,
                &Context {
                    expectations: Some(&exp),
                    ..context(&f)
                }
            )
            .0,
            Status::Pass
        );
        f.dns_sans.pop();
        let (status, detail) = run(
            &RULE,
            &Context {
                expectations: Some(&exp),
                ..context(&f)
            },
        );
        assert_eq!(status, Status::Finding);
        assert!(
            detail.contains("sip.fabrikam.com (SIP domain fabrikam.com)"),
            "{detail}"
        );
    }
}
