//! "Subject alternative names / Order: sip.contoso.com, webcon.contoso.com, sip.fabrikam.com"
//! (seeds 001/002). Microsoft also says "the order of the FQDNs in the subject alternative names
//! list does not matter" for TLS (Lync 2013 "Certificate requirements for external user
//! access"), so a different order is a warning, never an error.

use picert_core::names::same_dns_name;

use crate::report::Severity;
use crate::rules::{single_cn, AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `pic.san.order`
pub static RULE: Rule = Rule {
    id: "pic.san.order",
    severity: Severity::Warning,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "the SAN list starts with the subject name; with a topology, the expected names appear in the table's order (subject, Web Conferencing, SIP domains, extras)",
    citation: "PIC certificate summary \"SAN/Order\"; Microsoft: the order does not matter for TLS, hence a warning",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 \"Certificate summary - Public IM Connectivity\" (seeds 001/002), SAN/Order column; Lync 2013 \"Certificate requirements for external user access\"",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let sans = &ctx.facts.dns_sans;
    if sans.is_empty() {
        return Outcome::NotApplicable("no DNS SAN (see pic.san.subject_replicated)".into());
    }
    let mut problems = Vec::new();
    if let Some(cn) = single_cn(ctx.facts) {
        if !same_dns_name(&sans[0], cn) {
            problems.push(format!(
                "the first SAN is {}, not the subject name {cn}",
                sans[0]
            ));
        }
    }
    // The table's order is the Edge external certificate's; for the other kinds of the plan
    // only the subject's place first matters.
    if let Some(exp) = ctx
        .expectations
        .filter(|e| e.kind == picert_core::plan::CertificateKind::EdgeExternal)
    {
        // The expected names that are present must appear in the plan's order.
        let positions: Vec<(usize, &str)> = exp
            .plan
            .entries()
            .iter()
            .filter_map(|e| {
                sans.iter()
                    .position(|s| same_dns_name(s, &e.name))
                    .map(|p| (p, e.name.as_str()))
            })
            .collect();
        if positions.windows(2).any(|w| w[0].0 > w[1].0) {
            let actual: Vec<&str> = {
                let mut sorted = positions.clone();
                sorted.sort();
                sorted.into_iter().map(|(_, n)| n).collect()
            };
            let wanted: Vec<&str> = positions.iter().map(|(_, n)| *n).collect();
            problems.push(format!(
                "the names are in the order {}, the table's order is {}",
                actual.join(", "),
                wanted.join(", ")
            ));
        }
    }
    if problems.is_empty() {
        Outcome::Pass(None)
    } else {
        Outcome::Finding(format!(
            "{} (TLS does not care, but the PIC table and Request-CsCertificate use this order)",
            problems.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn the_table_order_is_only_a_warning() {
        let mut f = cert_facts();
        let exp = contoso();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.dns_sans.swap(1, 2);
        let with = Context {
            expectations: Some(&exp),
            ..context(&f)
        };
        let (status, detail) = run(&RULE, &with);
        assert_eq!(status, Status::Finding);
        assert_eq!(RULE.severity, crate::report::Severity::Warning);
        assert!(
            detail.contains(
                "the table's order is sip.contoso.com, webcon.contoso.com, sip.fabrikam.com"
            ),
            "{detail}"
        );
        // Another kind of the plan: the table's order does not apply, the subject's place does.
        let fe = front_end();
        let (status, detail) = run(
            &RULE,
            &Context {
                expectations: Some(&fe),
                ..context(&f)
            },
        );
        assert_eq!(status, Status::Pass, "{detail}");
        f.dns_sans.swap(0, 2);
        assert!(run(&RULE, &context(&f)).1.contains("the first SAN is"));
        f.dns_sans.clear();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na);
    }
}
