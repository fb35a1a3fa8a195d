//! CA/B Forum BR §6.3.2 (ballot SC-081): subscriber certificates issued on or after 2026-03-15
//! have a validity of at most 200 days, from 2027-03-15 at most 100 days, from 2029-03-15 at
//! most 47 days; before 2026-03-15, 398 days. Validity counts notAfter inclusively (RFC 5280):
//! notAfter - notBefore + 1 second.

use crate::report::Severity;
use picert_core::Timestamp;

use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `cabf.validity.max`
pub static RULE: Rule = Rule {
    id: "cabf.validity.max",
    severity: Severity::Warning,
    applies_to: AppliesTo::Certificates,
    needs: Needs::PublicCa,
    description: "the validity (notAfter inclusive) does not exceed the limit for its notBefore: 398 / 200 (from 2026-03-15) / 100 (from 2027-03-15) / 47 (from 2029-03-15) days",
    citation: "BR 6.3.2 (SC-081): maximum validity 398 days; 200 days from 2026-03-15; 100 days from 2027-03-15; 47 days from 2029-03-15",
    source: Source::CaBrowserForum,
    reference: "CA/B Forum Baseline Requirements 6.3.2, ballot SC-081",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

/// The limit and the phrase for the period it belongs to ("issued from 2026-03-15").
fn limit(not_before: Timestamp) -> (i64, &'static str) {
    if not_before >= Timestamp::from_date(2029, 3, 15) {
        (47, "issued from 2029-03-15")
    } else if not_before >= Timestamp::from_date(2027, 3, 15) {
        (100, "issued from 2027-03-15 to 2029-03-14")
    } else if not_before >= Timestamp::from_date(2026, 3, 15) {
        (200, "issued from 2026-03-15 to 2027-03-14")
    } else {
        (398, "issued before 2026-03-15")
    }
}

fn check(ctx: &Context<'_>) -> Outcome {
    let (Some(nb), Some(na)) = (ctx.facts.not_before, ctx.facts.not_after) else {
        return Outcome::NotApplicable("no validity period".into());
    };
    let seconds = na.unix() - nb.unix() + 1;
    let (limit, period) = limit(nb);
    if seconds > limit * 86400 {
        let days = seconds as f64 / 86400.0;
        Outcome::Finding(format!(
            "valid for {days:.2} days (notAfter inclusive) from {}, over the {limit}-day maximum for certificates {period}; browsers may reject it and the CA breaks the Baseline Requirements",
            nb.date()
        ))
    } else {
        Outcome::Pass(Some(format!("{} days, limit {limit}", seconds / 86400)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn limits_by_not_before() {
        let d = Timestamp::from_date;
        assert_eq!(limit(d(2026, 3, 14)).0, 398);
        assert_eq!(limit(d(2026, 3, 15)).0, 200);
        assert_eq!(limit(d(2027, 3, 15)).0, 100);
        assert_eq!(limit(d(2029, 3, 15)).0, 47);
        assert_eq!(
            limit(d(2026, 4, 1)).1,
            "issued from 2026-03-15 to 2027-03-14"
        );
    }

    #[test]
    fn validity_counts_not_after_inclusively() {
        let mut f = cert_facts();
        let trusted = crate::chain::ChainVerdict::Trusted(vec![]);
        assert_eq!(
            run(&RULE, &context(&f)).0,
            Status::Na,
            "not from a public CA"
        );
        let (status, detail) = run(
            &RULE,
            &Context {
                chain: Some(&trusted),
                ..context(&f)
            },
        );
        assert_eq!(
            (status, detail.as_str()),
            (Status::Pass, "180 days, limit 200")
        );
        // 200 days and one second, as `openssl x509 -days 200` makes it.
        f.not_after = f.not_before.map(|nb| nb.plus_days(200));
        let detail = run(
            &RULE,
            &Context {
                chain: Some(&trusted),
                ..context(&f)
            },
        )
        .1;
        assert!(
            detail.starts_with("valid for 200.00 days (notAfter inclusive) from 2026-04-01"),
            "{detail}"
        );
    }
}
