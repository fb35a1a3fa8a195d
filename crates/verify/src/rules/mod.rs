//! The rule registry: a plain static slice of [`Rule`]s, one file per rule, grouped by source.
//!
//! The framework decides applicability (input kind, topology, AOL, public CA), then the
//! effective date, then runs the check; a panic inside a check becomes `fatal` for that rule.

use std::panic::{catch_unwind, AssertUnwindSafe};

use picert_core::Expectations;

use crate::chain::ChainVerdict;
use crate::facts::{Facts, InputKind};
use crate::report::{RuleResult, Severity, Status};

pub mod cabf;
pub mod chrome;
pub mod csr;
pub mod lync;
pub mod pic;
pub mod tls;
pub mod validity;

/// Which inputs a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppliesTo {
    /// Certificates and requests.
    Both,
    /// Certificates only.
    Certificates,
    /// Requests only.
    Requests,
}

/// What else a rule needs before it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing.
    Nothing,
    /// A topology (file or flags).
    Topology,
    /// PIC with AOL declared.
    Aol,
    /// A certificate that chains to a public root.
    PublicCa,
    /// A live connection (the host name connected to).
    Host,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The requirement holds; an optional note for the report.
    Pass(Option<String>),
    /// It does not, at the rule's severity: what is wrong and what to do.
    Finding(String),
    /// The rule does not apply to this input; why.
    NotApplicable(String),
}

/// Everything a check can look at.
#[derive(Debug)]
pub struct Context<'a> {
    /// The certificate or request.
    pub facts: &'a Facts,
    /// The expectations, when a topology was given.
    pub expectations: Option<&'a Expectations>,
    /// The chain check's answer (certificates).
    pub chain: Option<&'a ChainVerdict>,
    /// The audit time, Unix seconds.
    pub at: i64,
    /// `validity.expiring_soon` threshold in days.
    pub warn_days: u32,
    /// The host name a live endpoint was reached by (`--connect`).
    pub host: Option<&'a str>,
    /// The leaf certificate's DER (certificates).
    pub leaf: Option<&'a [u8]>,
}

/// One audit rule. The ID and severity are a public contract.
#[derive(Debug)]
pub struct Rule {
    /// Stable ID, such as `pic.san.order`.
    pub id: &'static str,
    /// The highest severity a finding of this rule has.
    pub severity: Severity,
    /// Which inputs it reads.
    pub applies_to: AppliesTo,
    /// What else it needs.
    pub needs: Needs,
    /// One line: what it checks.
    pub description: &'static str,
    /// The requirement, quoted or summarised.
    pub citation: &'static str,
    /// Where the requirement comes from.
    pub source: &'static str,
    /// Certificates whose notBefore is earlier are `ne` (Unix seconds).
    pub effective: Option<i64>,
    /// The check.
    pub check: fn(&Context<'_>) -> Outcome,
}

/// Every rule, in report order.
pub static RULES: &[&Rule] = &[
    &pic::subject_cn_present::RULE,
    &pic::subject_matches_access_edge::RULE,
    &pic::san_subject_replicated::RULE,
    &pic::san_expected_present::RULE,
    &pic::san_order::RULE,
    &pic::san_unexpected::RULE,
    &pic::eku_server_auth::RULE,
    &pic::eku_client_auth::RULE,
    &pic::issuer_public_ca::RULE,
    &lync::name_no_wildcard::RULE,
    &lync::key_rsa_strength::RULE,
    &lync::key_algorithm::RULE,
    &lync::sig_no_pss::RULE,
    &lync::sig_weak_hash::RULE,
    &lync::crl_distribution_point::RULE,
    &lync::key_usage_rsa::RULE,
    &validity::current::RULE,
    &validity::expiring_soon::RULE,
    &cabf::validity_max::RULE,
    &chrome::eku_client_auth::RULE,
    &csr::signature_valid::RULE,
    &csr::template::RULE,
    &tls::host_name_match::RULE,
];

/// Finds a rule by ID.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

impl Rule {
    /// Runs the rule on one input: applicability, effective date, then the check.
    pub fn run(&self, ctx: &Context<'_>) -> RuleResult {
        let result = |status: Status, detail: Option<String>| RuleResult {
            rule: self.id.to_string(),
            status,
            severity: self.severity,
            detail,
        };
        let kind = ctx.facts.kind;
        let wrong_kind = match (self.applies_to, kind) {
            (AppliesTo::Certificates, InputKind::Csr) => {
                Some("applies to certificates, not requests")
            }
            (AppliesTo::Requests, InputKind::Certificate) => {
                Some("applies to requests, not certificates")
            }
            _ => None,
        };
        if let Some(why) = wrong_kind {
            return result(Status::Na, Some(why.into()));
        }
        match self.needs {
            Needs::Topology if ctx.expectations.is_none() => {
                return result(
                    Status::Na,
                    Some("no topology given (--topology or --access-edge/--sip-domain...)".into()),
                )
            }
            Needs::Aol if !ctx.expectations.is_some_and(|e| e.aol) => {
                return result(
                    Status::Na,
                    Some("PIC with AOL not declared (--aol or aol = true)".into()),
                )
            }
            Needs::Host if ctx.host.is_none() => {
                return result(Status::Na, Some("not a live connection (--connect)".into()))
            }
            Needs::PublicCa if !ctx.chain.is_some_and(ChainVerdict::is_trusted) => {
                return result(
                    Status::Na,
                    Some("not issued by a public CA (see pic.issuer.public_ca)".into()),
                )
            }
            _ => {}
        }
        if let (Some(effective), Some(nb)) = (self.effective, ctx.facts.not_before) {
            if nb < effective {
                return result(
                    Status::Ne,
                    Some("issued before the requirement takes effect".into()),
                );
            }
        }
        match catch_unwind(AssertUnwindSafe(|| (self.check)(ctx))) {
            Ok(Outcome::Pass(note)) => result(Status::Pass, note),
            Ok(Outcome::Finding(detail)) => result(Status::Finding, Some(detail)),
            Ok(Outcome::NotApplicable(why)) => result(Status::Na, Some(why)),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                result(
                    Status::Fatal,
                    Some(format!(
                        "the rule failed to run (a picert bug, please report it): {msg}"
                    )),
                )
            }
        }
    }
}

/// Unix seconds at midnight UTC of a date (for effective dates and validity limits).
pub(crate) const fn utc_date(year: i32, month: u32, day: u32) -> i64 {
    // Days from civil (Howard Hinnant's algorithm), in const fn form.
    let y = if month <= 2 { year - 1 } else { year } as i64;
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146097 + doe - 719468) * 86400
}

/// The expected SAN plan, or why a rule that compares SANs with it does not apply.
pub(crate) fn expected_plan<'a>(ctx: &Context<'a>) -> Result<&'a picert_core::SanPlan, Outcome> {
    match ctx.expectations {
        None => Err(Outcome::NotApplicable("no topology".into())),
        Some(exp) if exp.plan.is_empty() => Err(Outcome::NotApplicable(
            "the topology names no expected SAN".into(),
        )),
        Some(exp) => Ok(&exp.plan),
    }
}

/// The subject's single CN as a name, if there is exactly one text CN.
pub(crate) fn single_cn(facts: &Facts) -> Option<&str> {
    match facts.common_names.as_slice() {
        [Some(cn)] => Some(cn.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_documented() {
        let mut seen = HashSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
            assert!(!rule.description.is_empty(), "{}", rule.id);
            assert!(!rule.citation.is_empty(), "{}", rule.id);
            assert!(!rule.source.is_empty(), "{}", rule.id);
            assert!(
                rule.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{}",
                rule.id
            );
        }
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(1970, 1, 1), 0);
        assert_eq!(utc_date(2026, 3, 15), 1_773_532_800);
        assert_eq!(utc_date(2000, 3, 1), 951_868_800);
    }

    #[test]
    fn a_panicking_check_is_fatal_not_a_crash() {
        static BOOM: Rule = Rule {
            id: "test.boom",
            severity: Severity::Error,
            applies_to: AppliesTo::Both,
            needs: Needs::Nothing,
            description: "panics",
            citation: "none",
            source: "test",
            effective: None,
            check: |_| panic!("boom"),
        };
        let facts = crate::facts::csr_facts(&[]).err();
        assert!(facts.is_some());
        let f = crate::tests_support::sample_facts();
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = BOOM.run(&Context {
            facts: &f,
            expectations: None,
            chain: None,
            at: 0,
            warn_days: 30,
            host: None,
            leaf: None,
        });
        std::panic::set_hook(prev);
        assert_eq!(r.status, Status::Fatal);
        assert!(r.detail.unwrap().contains("boom"));
    }
}
