//! RFC 5280 §4.1.2.5: a certificate is valid from notBefore through notAfter, inclusive.

use crate::report::Severity;
use crate::rules::{AppliesTo, Context, Needs, Outcome, Rule};

/// `validity.current`
pub static RULE: Rule = Rule {
    id: "validity.current",
    severity: Severity::Error,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Nothing,
    description: "the audit time lies within notBefore..notAfter",
    citation: "RFC 5280 4.1.2.5: the validity period is the interval from notBefore through notAfter, inclusive",
    source: "RFC 5280",
    effective: None,
    check,
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
        Outcome::Finding(format!(
            "not valid until {} (audit time {})",
            crate::report::rfc3339(nb),
            crate::report::rfc3339(ctx.at)
        ))
    } else if ctx.at > na {
        Outcome::Finding(format!(
            "expired on {}; renew it (picert request) before the Edge stops federating",
            crate::report::rfc3339(na)
        ))
    } else {
        Outcome::Pass(Some(format!("valid until {}", crate::report::rfc3339(na))))
    }
}
