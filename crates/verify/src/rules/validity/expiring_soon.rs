//! Operations: an Edge certificate must be renewed before it expires, and renewal with a public
//! CA takes days. Warn when fewer than `--warn-days` (default 30) days are left.

#[cfg(test)]
use picert_core::Timestamp;

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `validity.expiring_soon`
pub static RULE: Rule = Rule {
    id: "validity.expiring_soon",
    severity: Severity::Warning,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Nothing,
    description: "more than N days are left before notAfter (default 30, --warn-days)",
    citation: "operations: renew before expiry; public CA validation takes time",
    source: Source::Operations,
    reference: "operations",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let Some(na) = ctx.facts.not_after else {
        return Outcome::NotApplicable("no validity period".into());
    };
    if ctx.at > na {
        return Outcome::NotApplicable("already expired (see validity.current)".into());
    }
    let seconds = na.unix() - ctx.at.unix();
    let left = seconds / 86400;
    if seconds <= i64::from(ctx.warn_days) * 86400 {
        Outcome::Finding(format!(
            "{left} day{} left (expires {na}); renew now: picert request, then submit to the CA",
            if left == 1 { "" } else { "s" },
        ))
    } else {
        Outcome::Pass(Some(format!("{left} days left")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn warns_within_the_window() {
        let f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).1, "119 days left");
        let soon = Context {
            at: Timestamp::from_date(2026, 9, 14),
            ..context(&f)
        };
        assert!(run(&RULE, &soon)
            .1
            .starts_with("14 days left (expires 2026-09-28"));
        let wide = Context {
            warn_days: 120,
            ..context(&f)
        };
        assert_eq!(run(&RULE, &wide).0, Status::Finding);
        let late = Context {
            at: Timestamp::from_date(2027, 1, 1),
            ..context(&f)
        };
        assert_eq!(run(&RULE, &late).0, Status::Na);
    }
}
