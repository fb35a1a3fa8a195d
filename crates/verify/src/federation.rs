//! The Edge as federated partners see it, judged: a SIP domain's DNS records, every address
//! behind the federation SRV target, and the (mutual) TLS handshake on each, audited with the
//! same rules as a certificate file plus the DNS and pool rules.
//!
//! A partner looks up `_sipfederationtls._tcp.<domain>`, checks that the target is within the
//! domain, resolves it, connects to it on the SRV port with the target as SNI, and checks the
//! target against the certificate it gets; when the pool has several members it may reach any
//! of them. picert-probe takes each step and records it as [`DomainFacts`];
//! [`Auditor::audit_domain`] judges them here, without touching the network.

use std::net::IpAddr;

use picert_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::auditor::Auditor;
use crate::facts::dns::{DomainFacts, EndpointFacts, TargetFacts};
pub use crate::facts::dns::{Lookup, SrvRecord};
use crate::facts::tls::{Target, TlsFacts};
use crate::failure::Failure;
use crate::report::{RuleResult, Severity, Status, Summary};
use crate::rules::{self, dns as dns_rules, DomainContext};

/// What one address behind the federation SRV target presented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointReport {
    /// The IP address connected to.
    pub address: String,
    /// The port (the SRV record's).
    pub port: u16,
    /// The name sent as SNI and checked against the certificate: the SRV target.
    pub server_name: String,
    /// The leaf's SHA-1 thumbprint, upper-case hex, as Windows shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbprint: Option<String>,
    /// The leaf's subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The leaf's DNS SANs in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_names: Vec<String>,
    /// The leaf's notAfter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<Timestamp>,
    /// The validated chain above the leaf, when it chains to a trusted root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Vec<String>>,
    /// What the handshake showed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsFacts>,
    /// The audit of the presented chain, every certificate rule in registry order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<RuleResult>>,
    /// Why nothing could be recorded (no answer, refused, not TLS); written as its message.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::failure::as_text"
    )]
    pub error: Option<Failure>,
    /// The SIP domain under which this address, with the same certificate and the same
    /// findings, was reported first: an Edge pool several domains point at is reported once,
    /// and the summary counts its findings once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
}

/// One SIP domain: its records, the rules about them, and its endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainReport {
    /// The SIP domain, in A-label form (`xn--bcher-kva.com`), as DNS and certificates write it.
    pub domain: String,
    /// The domain's U-label form (`bücher.com`), when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unicode: Option<String>,
    /// The `_sipfederationtls._tcp` records found.
    #[serde(default)]
    pub federation_srv: Vec<SrvRecord>,
    /// The `_sip._tls` records found.
    #[serde(default)]
    pub remote_access_srv: Vec<SrvRecord>,
    /// The DNS and pool rules, in registry order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<RuleResult>>,
    /// Every address behind every federation SRV target.
    #[serde(default)]
    pub endpoints: Vec<EndpointReport>,
    /// Why the domain could not be checked (not a DNS name, or its federation lookup failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl DomainReport {
    /// The most severe finding of the domain and its endpoints.
    pub fn worst(&self) -> Option<Severity> {
        self.results
            .iter()
            .flatten()
            .chain(
                self.endpoints
                    .iter()
                    .flat_map(|e| e.results.iter().flatten()),
            )
            .filter(|r| r.status == Status::Finding)
            .map(|r| r.severity)
            .max()
    }

    fn count(&self, summary: &mut Summary) {
        let mut tally = |results: Option<&Vec<RuleResult>>, failed: bool| {
            summary.inputs += 1;
            if failed {
                summary.unreadable += 1;
            }
            for r in results.into_iter().flatten() {
                match (r.status, r.severity) {
                    (Status::Finding, Severity::Error) => summary.errors += 1,
                    (Status::Finding, Severity::Warning) => summary.warnings += 1,
                    (Status::Finding, Severity::Notice) => summary.notices += 1,
                    (Status::Fatal, _) => summary.fatal += 1,
                    _ => {}
                }
            }
        };
        tally(self.results.as_ref(), self.error.is_some());
        for e in &self.endpoints {
            // An endpoint reported under an earlier domain counts as an input, not again for
            // its findings.
            let results = if e.same_as.is_some() {
                None
            } else {
                e.results.as_ref()
            };
            tally(results, e.error.is_some());
        }
    }
}

/// The whole check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederationReport {
    /// Format version: 1.
    pub version: u32,
    /// The audit time.
    pub audit_time: Timestamp,
    /// The trust store the presented chains were checked against.
    pub trust_store: String,
    /// `system`, or the DNS server asked.
    pub dns_server: String,
    /// One entry per SIP domain, in the order given.
    pub domains: Vec<DomainReport>,
    /// Counts: `inputs` are the domains and the endpoints; `unreadable` those that could not be
    /// checked (a failed lookup, an endpoint that did not answer or refused before its
    /// certificate).
    pub summary: Summary,
}

impl FederationReport {
    /// The most severe finding anywhere.
    pub fn worst(&self) -> Option<Severity> {
        self.domains.iter().filter_map(DomainReport::worst).max()
    }
}

impl Auditor {
    /// Whether a partner can reach `address`, an answer for `name`: not the unspecified
    /// address, and not loopback unless [`Auditor::allow_loopback`] said so (or `name` is a
    /// special-use name such as `.test`). Only these addresses are worth connecting to;
    /// `dns.federation.target_resolves` reports the others.
    pub fn reachable(&self, name: &str, address: &IpAddr) -> bool {
        dns_rules::target_resolves::unusable(name, address, self.loopback_allowed()).is_none()
    }

    /// Judges what was found for one SIP domain: each endpoint's chain with the certificate
    /// rules, the domain with the DNS and pool rules. Pure: the facts are all it reads.
    ///
    /// ```
    /// use picert_verify::facts::dns::{DomainFacts, Lookup};
    /// use picert_verify::{Auditor, Status};
    /// let facts = DomainFacts {
    ///     domain: "contoso.com".into(),
    ///     unicode: None,
    ///     federation_srv: Lookup::NotFound { nxdomain: true },
    ///     remote_access_srv: Lookup::NotFound { nxdomain: true },
    ///     targets: Vec::new(),
    /// };
    /// let report = Auditor::new().audit_domain(&facts);
    /// let results = report.results.unwrap();
    /// assert_eq!(results[0].rule, "dns.federation.srv_present");
    /// assert_eq!(results[0].status, Status::Finding);
    /// ```
    pub fn audit_domain(&self, facts: &DomainFacts) -> DomainReport {
        let mut report = DomainReport {
            unicode: facts.unicode.clone(),
            federation_srv: facts.federation_srv.records(),
            remote_access_srv: facts.remote_access_srv.records(),
            ..DomainReport::new(&facts.domain)
        };
        if let Lookup::Failed(why) = &facts.federation_srv {
            report.error = Some(format!(
                "cannot look up _sipfederationtls._tcp.{}: {why}",
                facts.domain
            ));
            return report;
        }
        for target in &facts.targets {
            for endpoint in &target.endpoints {
                report.endpoints.push(self.audit_endpoint(target, endpoint));
            }
        }
        let ctx = DomainContext {
            domain: facts,
            loopback_allowed: self.loopback_allowed(),
            at: self.audit_time(),
        };
        report.results = Some(rules::domain_rules().map(|r| r.run_domain(&ctx)).collect());
        report
    }

    fn audit_endpoint(&self, target: &TargetFacts, endpoint: &EndpointFacts) -> EndpointReport {
        let host = &target.record.target;
        let port = target.record.port;
        let presented = match &endpoint.presented {
            Ok(p) => p,
            Err(e) => {
                return EndpointReport::failed(endpoint.address, host, port, e.clone().into())
            }
        };
        let label = format!(
            "{host} {}",
            dns_rules::endpoint_label(target, endpoint.address)
        );
        let audit = self.audit_live_facts(&label, presented, host, true);
        EndpointReport {
            address: endpoint.address.to_string(),
            port,
            server_name: host.clone(),
            thumbprint: presented
                .chain
                .first()
                .map(|l| picert_core::pfx::thumbprint_hex(l)),
            subject: audit.subject,
            dns_names: audit.dns_names,
            not_after: audit.not_after,
            chain: audit.chain,
            tls: audit.tls,
            results: audit.results,
            error: audit.error,
            same_as: None,
        }
    }

    /// The whole report over the domains judged (in the order given), with its counts;
    /// `dns_server` says which servers were asked (`system`, or an address). An Edge pool that
    /// several domains point at is reported once: its `pool.same_certificate` finding under
    /// the first domain whose SRV targets are the same, and each address with the same
    /// certificate and findings marked [`EndpointReport::same_as`] after the first.
    pub fn federation_report(
        &self,
        mut domains: Vec<DomainReport>,
        dns_server: String,
    ) -> FederationReport {
        once_per_pool(&mut domains);
        let mut summary = Summary::default();
        for report in &domains {
            report.count(&mut summary);
        }
        FederationReport {
            version: 1,
            audit_time: self.audit_time(),
            trust_store: self.trust_name().to_string(),
            dns_server,
            domains,
            summary,
        }
    }
}

/// Marks what several domains share as reported under the first of them.
fn once_per_pool(domains: &mut [DomainReport]) {
    use std::collections::HashMap;
    let mut pools: HashMap<Vec<String>, String> = HashMap::new();
    let mut seen: Vec<(EndpointKey, String)> = Vec::new();
    for domain in domains.iter_mut() {
        let mut targets: Vec<String> = domain
            .federation_srv
            .iter()
            .filter(|r| !r.target.is_empty())
            .map(SrvRecord::label)
            .collect();
        targets.sort();
        if !targets.is_empty() {
            match pools.get(&targets) {
                Some(first) => {
                    for r in domain.results.iter_mut().flatten() {
                        if r.rule == rules::pool::same_certificate::RULE.id
                            && r.status == Status::Finding
                        {
                            r.status = Status::Na;
                            r.detail = Some(
                                format!(
                                    "the pool behind {} is reported under {first}",
                                    targets.join(", ")
                                )
                                .into(),
                            );
                        }
                    }
                }
                None => {
                    pools.insert(targets, domain.domain.clone());
                }
            }
        }
        for e in domain.endpoints.iter_mut() {
            if e.error.is_some() || e.thumbprint.is_none() {
                continue;
            }
            let key = EndpointKey::of(e);
            match seen.iter().find(|(k, _)| *k == key) {
                Some((_, first)) => e.same_as = Some(first.clone()),
                None => seen.push((key, domain.domain.clone())),
            }
        }
    }
}

/// What makes two endpoint reports the same report: the address, the certificate, the
/// handshake and every rule's outcome.
#[derive(PartialEq)]
struct EndpointKey {
    address: String,
    port: u16,
    thumbprint: Option<String>,
    tls: Option<TlsFacts>,
    results: Option<Vec<RuleResult>>,
}

impl EndpointKey {
    fn of(e: &EndpointReport) -> EndpointKey {
        EndpointKey {
            address: e.address.clone(),
            port: e.port,
            thumbprint: e.thumbprint.clone(),
            tls: e.tls.clone().map(|t| TlsFacts {
                // The name sent differs from domain to domain; what the server did does not.
                server_name: String::new(),
                ..t
            }),
            results: e.results.clone(),
        }
    }
}

impl DomainReport {
    /// A domain with nothing found yet.
    fn new(domain: &str) -> DomainReport {
        DomainReport {
            domain: domain.to_string(),
            unicode: None,
            federation_srv: Vec::new(),
            remote_access_srv: Vec::new(),
            results: None,
            endpoints: Vec::new(),
            error: None,
        }
    }

    /// A domain that could not be checked, and why (not a DNS name, a check that failed).
    pub fn unchecked(domain: &str, why: String) -> DomainReport {
        DomainReport {
            error: Some(why),
            ..DomainReport::new(domain)
        }
    }
}

impl EndpointReport {
    /// `address:port` as a command line writes it (IPv6 in brackets).
    pub fn label(&self) -> String {
        Target {
            host: self.address.clone(),
            port: self.port,
        }
        .label()
    }

    /// Whole days from `at` (the report's audit time) to the certificate's notAfter, negative
    /// once it has expired; `None` when no certificate was received.
    pub fn days_left(&self, at: Timestamp) -> Option<i64> {
        self.not_after.map(|na| at.days_until(na))
    }

    fn failed(ip: IpAddr, host: &str, port: u16, error: Failure) -> EndpointReport {
        EndpointReport {
            address: ip.to_string(),
            port,
            server_name: host.to_string(),
            thumbprint: None,
            subject: None,
            dns_names: Vec::new(),
            not_after: None,
            chain: None,
            tls: None,
            results: None,
            error: Some(error),
            same_as: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tls::Presented;
    use crate::rules::dns::testing::{domain, target};

    fn result<'a>(report: &'a DomainReport, rule: &str) -> &'a RuleResult {
        report
            .results
            .iter()
            .flatten()
            .find(|r| r.rule == rule)
            .unwrap_or_else(|| panic!("no {rule}"))
    }

    /// A target with two addresses that both sent the same chain, the second without proving
    /// it holds the key (a replayed chain).
    fn pool_with_an_impostor() -> DomainFacts {
        let key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["sip.contoso.com".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .der()
            .clone();
        let presented = |proved: bool| Presented {
            chain: vec![leaf.clone()],
            tls: crate::facts::tls::TlsFacts {
                key_proved: proved,
                ..crate::rules::testing::tls("TLSv1.2")
            },
        };
        let mut t = target("sip.contoso.com");
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        t.addresses = Lookup::Found(vec![a, b]);
        t.endpoints = vec![
            EndpointFacts {
                address: a,
                presented: Ok(presented(true)),
            },
            EndpointFacts {
                address: b,
                presented: Ok(presented(false)),
            },
        ];
        domain(vec![t])
    }

    #[test]
    fn a_replayed_chain_is_no_member_of_the_pool() {
        let report = Auditor::new().audit_domain(&pool_with_an_impostor());
        assert_eq!(report.endpoints.len(), 2);
        let same = result(&report, "pool.same_certificate");
        assert_eq!(same.status, Status::Finding);
        assert!(
            same.detail
                .as_deref()
                .unwrap()
                .starts_with("192.0.2.2:5061 sent a certificate"),
            "{same:?}"
        );
        // The name check counts the proved endpoint only, and it names the target.
        assert_eq!(
            result(&report, "dns.federation.target_in_certificate").status,
            Status::Pass
        );
        let impostor = &report.endpoints[1];
        let proved = impostor
            .results
            .iter()
            .flatten()
            .find(|r| r.rule == "tls.handshake.key_proved");
        assert_eq!(proved.map(|r| r.status), Some(Status::Finding));
    }

    #[test]
    fn every_domain_rule_runs_and_a_failed_lookup_is_an_error() {
        let report = Auditor::new().audit_domain(&domain(vec![target("sip.contoso.com")]));
        let ids: Vec<&str> = report.results.iter().flatten().map(|r| &*r.rule).collect();
        let registry: Vec<&str> = rules::domain_rules().map(|r| r.id).collect();
        assert_eq!(ids, registry);
        assert_eq!(
            result(&report, "dns.federation.target_resolves").status,
            Status::Finding
        );
        let mut failed = domain(Vec::new());
        failed.federation_srv = Lookup::Failed("no answer within 2s".into());
        let report = Auditor::new().audit_domain(&failed);
        assert!(report.results.is_none());
        assert_eq!(
            report.error.as_deref(),
            Some("cannot look up _sipfederationtls._tcp.contoso.com: no answer within 2s")
        );
    }

    #[test]
    fn loopback_answers_are_reachable_only_when_allowed() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(!Auditor::new().reachable("sip.contoso.com", &loopback));
        assert!(Auditor::new()
            .allow_loopback(true)
            .reachable("sip.contoso.com", &loopback));
        assert!(!Auditor::new()
            .allow_loopback(true)
            .reachable("sip.contoso.com", &"0.0.0.0".parse().unwrap()));
    }
}
