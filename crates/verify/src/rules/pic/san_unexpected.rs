//! "After a SIP domain is removed, remove it from the Edge certificate too" (Microsoft, Edge
//! certificate planning): a SAN the topology does not produce is stale or a typo.

use picert_core::names::same_dns_name;

use crate::report::Severity;
use crate::rules::{expected_plan, AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `pic.san.unexpected`
pub static RULE: Rule = Rule {
    id: "pic.san.unexpected",
    severity: Severity::Warning,
    applies_to: AppliesTo::Both,
    needs: Needs::Topology,
    description: "DNS SANs that the topology does not produce (for example a removed SIP domain)",
    citation: "Microsoft: remove a dropped SIP domain from the Edge certificate, or federation for it breaks",
    source: Source::Microsoft,
    reference: "Lync 2013 / SfB Edge certificate planning",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let plan = match expected_plan(ctx) {
        Ok(plan) => plan,
        Err(not_applicable) => return not_applicable,
    };
    if !ctx.expectations.is_some_and(|e| e.names_complete) {
        return Outcome::NotApplicable(
            "the topology does not name both the Access Edge and the SIP domains, so it cannot say which names do not belong".into(),
        );
    }
    let extra: Vec<&str> = ctx
        .facts
        .dns_sans
        .iter()
        .filter(|s| !plan.entries().iter().any(|e| same_dns_name(s, &e.name)))
        .map(String::as_str)
        .collect();
    if extra.is_empty() {
        Outcome::Pass(None)
    } else {
        Outcome::Finding(format!(
            "DNS SAN{} not in the topology: {}; if a SIP domain was removed, drop it from the certificate at renewal, or add it to the topology's sip_domains or extra_sans",
            if extra.len() > 1 { "s" } else { "" },
            extra.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn names_outside_a_complete_topology_are_flagged() {
        let mut f = cert_facts();
        f.dns_sans.push("sip.litwareinc.com".into());
        let exp = contoso();
        let (status, detail) = run(
            &RULE,
            &Context {
                expectations: Some(&exp),
                ..context(&f)
            },
        );
        assert_eq!(status, Status::Finding);
        assert!(detail.contains("sip.litwareinc.com"), "{detail}");
        // A topology with only the Access Edge cannot know what else belongs.
        let partial = picert_core::Topology {
            access_edge: Some("sip.contoso.com".into()),
            ..Default::default()
        }
        .expectations()
        .unwrap();
        let (status, detail) = run(
            &RULE,
            &Context {
                expectations: Some(&partial),
                ..context(&f)
            },
        );
        assert_eq!(status, Status::Na, "{detail}");
    }
}
