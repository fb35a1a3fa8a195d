//! Operations: an Edge certificate must be renewed before it expires, and renewal with a public
//! CA takes days. Warn when fewer than `--warn-days` (default 30) days are left.

use crate::report::Severity;
use crate::rules::{AppliesTo, Context, Needs, Outcome, Rule};

/// `validity.expiring_soon`
pub static RULE: Rule = Rule {
    id: "validity.expiring_soon",
    severity: Severity::Warning,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Nothing,
    description: "more than N days are left before notAfter (default 30, --warn-days)",
    citation: "operations: renew before expiry; public CA validation takes time",
    source: "operations",
    effective: None,
    check,
};

fn check(ctx: &Context<'_>) -> Outcome {
    let Some(na) = ctx.facts.not_after else {
        return Outcome::NotApplicable("no validity period".into());
    };
    if ctx.at > na {
        return Outcome::NotApplicable("already expired (see validity.current)".into());
    }
    let left = (na - ctx.at) / 86400;
    if na - ctx.at <= i64::from(ctx.warn_days) * 86400 {
        Outcome::Finding(format!(
            "{left} day{} left (expires {}); renew now: picert request, then submit to the CA",
            if left == 1 { "" } else { "s" },
            crate::report::rfc3339(na)
        ))
    } else {
        Outcome::Pass(Some(format!("{left} days left")))
    }
}
