//! "After a SIP domain is removed, remove it from the Edge certificate too" (Microsoft, Edge
//! certificate planning): a SAN the topology does not produce is stale or a typo.

use picert_core::names::same_dns_name;

use crate::report::Severity;
use crate::rules::{expected_plan, AppliesTo, Context, Needs, Outcome, Rule};

/// `pic.san.unexpected`
pub static RULE: Rule = Rule {
    id: "pic.san.unexpected",
    severity: Severity::Warning,
    applies_to: AppliesTo::Both,
    needs: Needs::Topology,
    description: "DNS SANs that the topology does not produce (for example a removed SIP domain)",
    citation: "Microsoft: remove a dropped SIP domain from the Edge certificate, or federation for it breaks",
    source: "Lync 2013 / SfB Edge certificate planning",
    effective: None,
    check,
};

fn check(ctx: &Context<'_>) -> Outcome {
    let plan = match expected_plan(ctx) {
        Ok(plan) => plan,
        Err(not_applicable) => return not_applicable,
    };
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
