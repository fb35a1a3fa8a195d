//! CA/B Forum BR §6.3.2 (ballot SC-081): subscriber certificates issued on or after 2026-03-15
//! have a validity of at most 200 days, from 2027-03-15 at most 100 days, from 2029-03-15 at
//! most 47 days; before 2026-03-15, 398 days. Validity counts notAfter inclusively (RFC 5280):
//! notAfter - notBefore + 1 second.

use crate::report::Severity;
use crate::rules::{utc_date, AppliesTo, Context, Needs, Outcome, Rule};

/// `cabf.validity.max`
pub static RULE: Rule = Rule {
    id: "cabf.validity.max",
    severity: Severity::Warning,
    applies_to: AppliesTo::Certificates,
    needs: Needs::PublicCa,
    description: "the validity (notAfter inclusive) does not exceed the limit for its notBefore: 398 / 200 (from 2026-03-15) / 100 (from 2027-03-15) / 47 (from 2029-03-15) days",
    citation: "BR 6.3.2 (SC-081): maximum validity 398 days; 200 days from 2026-03-15; 100 days from 2027-03-15; 47 days from 2029-03-15",
    source: "CA/B Forum Baseline Requirements 6.3.2, ballot SC-081",
    effective: None,
    check,
};

/// The maximum validity in days for a certificate with this notBefore.
pub fn limit_days(not_before: i64) -> i64 {
    limit(not_before).0
}

/// The limit and the phrase for the period it belongs to ("issued from 2026-03-15").
fn limit(not_before: i64) -> (i64, &'static str) {
    if not_before >= utc_date(2029, 3, 15) {
        (47, "issued from 2029-03-15")
    } else if not_before >= utc_date(2027, 3, 15) {
        (100, "issued from 2027-03-15 to 2029-03-14")
    } else if not_before >= utc_date(2026, 3, 15) {
        (200, "issued from 2026-03-15 to 2027-03-14")
    } else {
        (398, "issued before 2026-03-15")
    }
}

fn check(ctx: &Context<'_>) -> Outcome {
    let (Some(nb), Some(na)) = (ctx.facts.not_before, ctx.facts.not_after) else {
        return Outcome::NotApplicable("no validity period".into());
    };
    let seconds = na - nb + 1;
    let (limit, period) = limit(nb);
    if seconds > limit * 86400 {
        let days = seconds as f64 / 86400.0;
        Outcome::Finding(format!(
            "valid for {days:.2} days (notAfter inclusive) from {}, over the {limit}-day maximum for certificates {period}; browsers may reject it and the CA breaks the Baseline Requirements",
            crate::report::rfc3339(nb).get(..10).unwrap_or_default()
        ))
    } else {
        Outcome::Pass(Some(format!("{} days, limit {limit}", seconds / 86400)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_by_not_before() {
        assert_eq!(limit_days(utc_date(2026, 3, 14)), 398);
        assert_eq!(limit_days(utc_date(2026, 3, 15)), 200);
        assert_eq!(limit_days(utc_date(2027, 3, 15)), 100);
        assert_eq!(limit_days(utc_date(2029, 3, 15)), 47);
        assert_eq!(
            limit(utc_date(2026, 4, 1)).1,
            "issued from 2026-03-15 to 2027-03-14"
        );
    }
}
