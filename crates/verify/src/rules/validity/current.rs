//! RFC 5280 §4.1.2.5: a certificate is valid from notBefore through notAfter, inclusive.

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `validity.current`
pub static RULE: Rule = Rule {
    id: "validity.current",
    severity: Severity::Error,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Nothing,
    description: "the audit time lies within notBefore..notAfter",
    citation: "RFC 5280 4.1.2.5: the validity period is the interval from notBefore through notAfter, inclusive",
    source: Source::Rfc,
    reference: "RFC 5280",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let (Some(nb), Some(na)) = (ctx.facts.not_before, ctx.facts.not_after) else {
        return Outcome::NotApplicable("no validity period".into());
    };
    if na < nb {
        return Outcome::Finding(
            "notAfter is before notBefore: the certificate is never valid".into(),
        );
    }
    if ctx.at < nb {
        Outcome::Finding(format!("not valid until {nb} (audit time {})", ctx.at))
    } else if ctx.at > na {
        let days = na.days_until(ctx.at);
        let ago = match days {
            0 => "today".to_string(),
            1 => "1 day before the audit time".to_string(),
            n => format!("{n} days before the audit time"),
        };
        Outcome::Finding(format!(
            "expired on {na}, {ago}: since then federation partners and remote clients refuse it; renew it now (picert request builds the renewal from this certificate)"
        ))
    } else {
        Outcome::Pass(Some(format!("valid until {na}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;
    use picert_core::Timestamp;

    #[test]
    fn the_audit_time_must_be_inside_the_validity() {
        let f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        let early = Context {
            at: Timestamp::from_date(2026, 3, 1),
            ..context(&f)
        };
        assert!(run(&RULE, &early)
            .1
            .starts_with("not valid until 2026-04-01"));
        let late = Context {
            at: Timestamp::from_date(2027, 1, 1),
            ..context(&f)
        };
        let detail = run(&RULE, &late).1;
        assert!(detail.starts_with("expired on 2026-09-28"), "{detail}");
        // Phrased for the past: how long ago, and renew now.
        assert!(
            detail.contains(", 95 days before the audit time: since then")
                && detail.contains("renew it now"),
            "{detail}"
        );
        assert!(!detail.contains("before the Edge stops"), "{detail}");
    }
}
