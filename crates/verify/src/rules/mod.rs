//! The rule registry: a plain static slice of [`Rule`]s, one file per rule, grouped by source.
//!
//! Two kinds of rule share the registry: those that read one certificate or request (what a
//! file holds or a live endpoint presented, `Context`), and the DNS and pool rules, which read
//! what a partner finds for a SIP domain (`DomainContext`). The framework decides
//! applicability (input kind, topology, AOL, public CA), then the effective date, then runs
//! the check; a panic inside a check becomes `fatal` for that rule.

use std::panic::{catch_unwind, AssertUnwindSafe};

use picert_core::{Expectations, Timestamp};
use rustls_pki_types::CertificateDer;
use serde::{Deserialize, Serialize};

use crate::chain::ChainVerdict;
use crate::facts::dns::DomainFacts;
use crate::facts::tls::TlsFacts;
use crate::facts::{Facts, InputKind};
use crate::report::{RuleResult, Severity, Status};

mod cabf;
mod chrome;
mod csr;
pub(crate) mod dns;
mod lync;
mod pic;
pub(crate) mod pool;
mod tls;
mod validity;

#[cfg(test)]
pub(crate) mod testing;

/// Which inputs a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppliesTo {
    /// Certificates and requests.
    Both,
    /// Certificates only.
    Certificates,
    /// Requests only.
    Requests,
    /// SIP domains and their endpoints, as federated partners see them (`federation`): the
    /// DNS and pool rules, which no certificate file or request can answer.
    SipDomains,
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
    /// A live connection on which a client certificate was presented.
    ClientCertificate,
    /// A federation check of a SIP domain (DNS records and the endpoints they name).
    Federation,
}

/// Who sets the requirement a rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Microsoft's Lync / Skype for Business documentation.
    Microsoft,
    /// The CA/Browser Forum Baseline Requirements.
    #[serde(rename = "cabf")]
    CaBrowserForum,
    /// The Chrome Root Program policy.
    Chrome,
    /// An IETF RFC.
    Rfc,
    /// Good operating practice.
    Operations,
}

impl Source {
    /// Every source, in the order `picert rules` lists them.
    pub const ALL: [Source; 5] = [
        Source::Microsoft,
        Source::CaBrowserForum,
        Source::Chrome,
        Source::Rfc,
        Source::Operations,
    ];

    /// The name used in filters and JSON: `microsoft`, `cabf`, `chrome`, `rfc`, `operations`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Microsoft => "microsoft",
            Source::CaBrowserForum => "cabf",
            Source::Chrome => "chrome",
            Source::Rfc => "rfc",
            Source::Operations => "operations",
        }
    }
}

impl std::str::FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        Source::ALL
            .into_iter()
            .find(|x| {
                x.as_str() == lower || (lower == "ca/b forum" && *x == Source::CaBrowserForum)
            })
            .ok_or_else(|| {
                format!("unknown source '{s}' (microsoft, cabf, chrome, rfc or operations)")
            })
    }
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
pub(crate) struct Context<'a> {
    /// The certificate or request.
    pub facts: &'a Facts,
    /// The expectations, when a topology was given.
    pub expectations: Option<&'a Expectations>,
    /// The chain check's answer (certificates).
    pub chain: Option<&'a ChainVerdict>,
    /// The audit time.
    pub at: Timestamp,
    /// `validity.expiring_soon` threshold in days.
    pub warn_days: u32,
    /// The host name a live endpoint was reached by (`--connect`).
    pub host: Option<&'a str>,
    /// What the live handshake showed.
    pub tls: Option<&'a TlsFacts>,
    /// The leaf certificate (certificates).
    pub leaf: Option<&'a CertificateDer<'a>>,
    /// The endpoint was reached as a SIP domain's federation SRV target (`picert federation`):
    /// that name is the domain's to judge (`dns.federation.target_in_certificate`).
    pub federation: bool,
}

/// What a partner found for one SIP domain: what the DNS and pool rules read.
#[derive(Debug)]
pub(crate) struct DomainContext<'a> {
    /// The records, addresses and endpoints.
    pub domain: &'a DomainFacts,
    /// Loopback answers are accepted (a lab on this machine).
    pub loopback_allowed: bool,
    /// The audit time: a rule about SIP domains takes effect on its date (there is no
    /// certificate whose notBefore could say).
    pub at: Timestamp,
}

/// A rule's check, by what it reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Check {
    /// One certificate or request.
    Input(fn(&Context<'_>) -> Outcome),
    /// One SIP domain (the DNS and pool rules).
    Domain(fn(&DomainContext<'_>) -> Outcome),
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
    /// Who sets the requirement.
    pub source: Source,
    /// The document it comes from.
    pub reference: &'static str,
    /// Certificates whose notBefore is earlier are `ne`.
    pub effective: Option<Timestamp>,
    /// What to do about a finding, at length, for `picert rules --explain` and verbose reports,
    /// where a finding's own detail says it in two lines.
    pub advice: Option<&'static str>,
    /// The check.
    pub(crate) check: Check,
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
    &lync::key_product_support::RULE,
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
    &tls::key_proved::RULE,
    &tls::host_name_match::RULE,
    &tls::version_minimum::RULE,
    &tls::client_auth_accepted::RULE,
    &dns::srv_present::RULE,
    &dns::suffix_match::RULE,
    &dns::target_resolves::RULE,
    &dns::target_in_certificate::RULE,
    &dns::remote_access_srv_present::RULE,
    &pool::same_certificate::RULE,
];

/// Finds a rule by ID.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// The rules that run on every certificate and request, in report order.
pub fn input_rules() -> impl Iterator<Item = &'static Rule> {
    RULES
        .iter()
        .copied()
        .filter(|r| matches!(r.check, Check::Input(_)))
}

/// The rules that run on every SIP domain (DNS and pool), in report order.
pub fn domain_rules() -> impl Iterator<Item = &'static Rule> {
    RULES
        .iter()
        .copied()
        .filter(|r| matches!(r.check, Check::Domain(_)))
}

impl Rule {
    /// This rule's result with the given status and detail.
    pub(crate) fn result(
        &self,
        status: Status,
        detail: Option<std::borrow::Cow<'static, str>>,
    ) -> RuleResult {
        RuleResult {
            rule: self.id.into(),
            status,
            severity: self.severity,
            detail,
        }
    }

    /// This rule's result for an outcome.
    pub(crate) fn outcome(&self, outcome: Outcome) -> RuleResult {
        match outcome {
            Outcome::Pass(note) => self.result(Status::Pass, note.map(Into::into)),
            Outcome::Finding(detail) => self.result(Status::Finding, Some(detail.into())),
            Outcome::NotApplicable(why) => self.result(Status::Na, Some(why.into())),
        }
    }

    /// Runs the rule on one input: applicability, effective date, then the check.
    pub(crate) fn run(&self, ctx: &Context<'_>) -> RuleResult {
        let result = |status: Status, detail: Option<std::borrow::Cow<'static, str>>| {
            self.result(status, detail)
        };
        let check = match self.check {
            Check::Input(check) => check,
            Check::Domain(_) => {
                return result(Status::Na, Some("a rule about SIP domains".into()));
            }
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
        if self.needs == Needs::Aol {
            if let Some(not_applicable) = edge_external_only(ctx) {
                return self.outcome(not_applicable);
            }
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
            Needs::ClientCertificate
                if ctx
                    .tls
                    .is_none_or(|t| t.client_certificate_accepted.is_none()) =>
            {
                return result(
                    Status::Na,
                    Some("no client certificate was presented (--client-cert)".into()),
                )
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
        self.guarded(|| check(ctx))
    }

    /// Runs a DNS or pool rule on one SIP domain: its effective date (against the audit time),
    /// then the check.
    pub(crate) fn run_domain(&self, ctx: &DomainContext<'_>) -> RuleResult {
        if let Some(effective) = self.effective.filter(|e| ctx.at < *e) {
            return self.result(
                Status::Ne,
                Some(format!("takes effect on {}", effective.date()).into()),
            );
        }
        match self.check {
            Check::Domain(check) => self.guarded(|| check(ctx)),
            Check::Input(_) => self.result(
                Status::Na,
                Some("a rule about certificates and requests".into()),
            ),
        }
    }

    /// The check's outcome, or `fatal` when it panicked.
    fn guarded(&self, check: impl FnOnce() -> Outcome) -> RuleResult {
        match catch_unwind(AssertUnwindSafe(check)) {
            Ok(outcome) => self.outcome(outcome),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                self.result(
                    Status::Fatal,
                    Some(
                        format!("the rule failed to run (a picert bug, please report it): {msg}")
                            .into(),
                    ),
                )
            }
        }
    }
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

/// `na` for a rule of the PIC table's own (the Access Edge subject, the table's SAN order, the
/// AOL client EKU) when the certificate expected is another kind of the plan.
pub(crate) fn edge_external_only(ctx: &Context<'_>) -> Option<Outcome> {
    let exp = ctx.expectations?;
    (exp.kind != picert_core::plan::CertificateKind::EdgeExternal).then(|| {
        Outcome::NotApplicable(format!(
            "applies to the Edge external certificate; this is the {} certificate",
            exp.kind
        ))
    })
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
            assert!(!rule.reference.is_empty(), "{}", rule.id);
            assert!(
                rule.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{}",
                rule.id
            );
            // The rules about SIP domains, and only they, read a domain.
            assert_eq!(
                matches!(rule.check, Check::Domain(_)),
                rule.needs == Needs::Federation && rule.applies_to == AppliesTo::SipDomains,
                "{}",
                rule.id
            );
        }
        assert_eq!(input_rules().count() + domain_rules().count(), RULES.len());
        assert_eq!(domain_rules().count(), 6);
    }

    #[test]
    fn sources_parse_by_name() {
        for s in Source::ALL {
            assert_eq!(s.as_str().parse::<Source>().unwrap(), s);
        }
        assert!("msft".parse::<Source>().is_err());
        assert!(RULES.iter().any(|r| r.source == Source::Chrome));
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
            source: Source::Operations,
            reference: "test",
            effective: None,
            advice: None,
            check: Check::Input(|_| panic!("boom")),
        };
        let f = testing::request_facts(&["sip.contoso.com"]);
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = BOOM.run(&testing::context(&f));
        std::panic::set_hook(prev);
        assert_eq!(r.status, Status::Fatal);
        assert!(r.detail.unwrap().contains("boom"));
    }

    #[test]
    fn domain_rules_keep_their_dates_and_their_panic_guard() {
        static LATER: Rule = Rule {
            id: "test.later",
            severity: Severity::Error,
            applies_to: AppliesTo::SipDomains,
            needs: Needs::Federation,
            description: "panics, once in effect",
            citation: "none",
            source: Source::Operations,
            reference: "test",
            effective: Some(Timestamp::from_date(2027, 3, 15)),
            advice: None,
            check: Check::Domain(|_| panic!("boom")),
        };
        let domain = dns::testing::domain(Vec::new());
        let ctx = |at| DomainContext {
            domain: &domain,
            loopback_allowed: false,
            at,
        };
        let before = LATER.run_domain(&ctx(Timestamp::from_date(2026, 12, 1)));
        assert_eq!(before.status, Status::Ne);
        assert_eq!(before.detail.as_deref(), Some("takes effect on 2027-03-15"));
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let after = LATER.run_domain(&ctx(Timestamp::from_date(2027, 3, 15)));
        std::panic::set_hook(prev);
        assert_eq!(after.status, Status::Fatal);
        // And a file audit never runs it.
        let f = testing::request_facts(&["sip.contoso.com"]);
        assert_eq!(LATER.run(&testing::context(&f)).status, Status::Na);
    }
}
