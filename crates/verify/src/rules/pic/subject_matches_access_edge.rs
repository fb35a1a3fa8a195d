//! "External Edge / Access Edge — Subject name: sip.contoso.com" (seeds 001/002): the subject
//! CN is the Access Edge external FQDN that Topology Builder defines.

use picert_core::names::same_dns_name;

use crate::report::Severity;
use crate::rules::{
    edge_external_only, single_cn, AppliesTo, Check, Context, Needs, Outcome, Rule, Source,
};

/// `pic.subject.matches_access_edge`
pub static RULE: Rule = Rule {
    id: "pic.subject.matches_access_edge",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Topology,
    description:
        "the CN equals the Access Edge FQDN (ASCII case-insensitive, IDN compared as A-labels)",
    citation: "PIC certificate summary: subject name = Access Edge external FQDN",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 \"Certificate summary - Public IM Connectivity\" (seeds 001/002), Subject name column",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    if let Some(not_applicable) = edge_external_only(ctx) {
        return not_applicable;
    }
    let Some(expected) = ctx.expectations.and_then(|e| e.access_edge.as_deref()) else {
        return Outcome::NotApplicable("the topology names no Access Edge FQDN".into());
    };
    match single_cn(ctx.facts) {
        None => Outcome::NotApplicable("no single CN to compare (see pic.subject.cn_present)".into()),
        Some(cn) if same_dns_name(cn, expected) => Outcome::Pass(None),
        Some(cn) => Outcome::Finding(format!(
            "the CN is {cn}, but the Access Edge FQDN is {expected}: the certificate is for another name; request a new one with CN={expected}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn the_cn_must_be_the_access_edge() {
        let mut f = cert_facts();
        let exp = contoso();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na, "no topology");
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
        f.common_names = vec![Some("SIP.Contoso.com".into())];
        assert_eq!(
            run(
                &RULE,
                &Context {
                    expectations: Some(&exp),
                    ..context(&f)
                }
            )
            .0,
            Status::Pass,
            "case does not matter"
        );
        f.common_names = vec![Some("access.contoso.com".into())];
        let (status, detail) = run(
            &RULE,
            &Context {
                expectations: Some(&exp),
                ..context(&f)
            },
        );
        assert_eq!(status, Status::Finding);
        assert!(detail.contains("CN=sip.contoso.com"), "{detail}");
        let fe = front_end();
        let (status, detail) = run(
            &RULE,
            &Context {
                expectations: Some(&fe),
                ..context(&f)
            },
        );
        assert_eq!(
            (status, detail.as_str()),
            (
                Status::Na,
                "applies to the Edge external certificate; this is the front-end certificate"
            )
        );
    }
}
