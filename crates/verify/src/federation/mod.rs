//! The Edge as federated partners see it: the DNS records of each SIP domain, every address
//! behind the federation SRV target, and the (mutual) TLS handshake on each, audited with the
//! same rules as a certificate file plus the DNS and pool rules.
//!
//! A partner looks up `_sipfederationtls._tcp.<domain>`, checks that the target is within the
//! domain, resolves it, connects to it on the SRV port with the target as SNI, and checks the
//! target against the certificate it gets; when the pool has several members it may reach any
//! of them. Each step here is the partner's.

mod dns;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use picert_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::auditor::Auditor;
use crate::failure::Failure;
use crate::live::{fetch_chain, ClientIdentity, ConnectOptions, Target, TlsFacts};
use crate::parallel::{bounded_map, map_all};
use crate::report::{RuleResult, Severity, Status, Summary};
use crate::rules::{dns as dns_rules, pool, Outcome, Rule};

/// One SRV record, its target without the root dot and in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrvRecord {
    /// Priority (lowest first).
    pub priority: u16,
    /// Weight among records of the same priority.
    pub weight: u16,
    /// The port.
    pub port: u16,
    /// The target host.
    pub target: String,
}

/// What a DNS lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<T> {
    /// The records.
    Found(Vec<T>),
    /// None: the name does not exist (`nxdomain`), or has no record of that type.
    NotFound {
        /// The server answered NXDOMAIN.
        nxdomain: bool,
    },
    /// The lookup itself failed (no answer, a server failure, a refusal).
    Failed(String),
}

/// Which DNS servers to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsServer {
    /// The system's resolver configuration (`/etc/resolv.conf`).
    System,
    /// One server, asked directly (UDP, TCP when the answer is truncated).
    At(SocketAddr),
}

/// How to check.
#[derive(Debug, Clone)]
pub struct FederationOptions {
    /// The DNS servers.
    pub dns: DnsServer,
    /// The most each step may take: a lookup, a connection and its handshake.
    pub timeout: Duration,
    /// Present this certificate when an Edge asks for one, as a partner Edge does.
    pub client: Option<ClientIdentity>,
    /// Accept loopback addresses in the answers for public names (a lab on this machine);
    /// otherwise they are a `dns.federation.target_resolves` finding, as no partner can reach
    /// them. The unspecified address (`0.0.0.0`, `::`) is a finding either way.
    pub loopback_allowed: bool,
    /// How many SIP domains are checked at once (at least one).
    pub parallel_domains: usize,
}

impl Default for FederationOptions {
    fn default() -> Self {
        FederationOptions {
            dns: DnsServer::System,
            timeout: Duration::from_secs(10),
            client: None,
            loopback_allowed: false,
            parallel_domains: 64,
        }
    }
}

/// Why the check could not start at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FederationError {
    /// The resolver could not be set up (no `/etc/resolv.conf`, no server in it).
    #[error("cannot set up the DNS resolver: {0}")]
    Resolver(String),
    /// No SIP domain to check.
    #[error("no SIP domain to check")]
    NoDomain,
}

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
            tally(e.results.as_ref(), e.error.is_some());
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

/// One rule's outcomes for several SRV targets, as one result: the worst status, every
/// target's detail.
fn merged(rule: &Rule, outcomes: Vec<(String, Outcome)>) -> RuleResult {
    if outcomes.len() == 1 {
        let (_, outcome) = outcomes.into_iter().next().unwrap_or((
            String::new(),
            Outcome::NotApplicable("nothing to check".into()),
        ));
        return rule.outcome(outcome);
    }
    if outcomes.is_empty() {
        return rule.outcome(Outcome::NotApplicable("no SRV target".into()));
    }
    let rank = |o: &Outcome| match o {
        Outcome::Finding(_) => 2,
        Outcome::Pass(_) => 1,
        Outcome::NotApplicable(_) => 0,
    };
    let worst = outcomes.iter().map(|(_, o)| rank(o)).max().unwrap_or(0);
    let detail = outcomes
        .iter()
        .filter_map(|(label, o)| match o {
            Outcome::Finding(d) | Outcome::NotApplicable(d) | Outcome::Pass(Some(d)) => {
                Some(format!("{label}: {d}"))
            }
            Outcome::Pass(None) => None,
        })
        .collect::<Vec<_>>()
        .join("; ");
    let status = match worst {
        2 => Status::Finding,
        1 => Status::Pass,
        _ => Status::Na,
    };
    rule.result(status, (!detail.is_empty()).then(|| detail.into()))
}

impl Auditor {
    /// Checks each SIP domain as a federated partner does: its DNS records, every endpoint
    /// behind them (in parallel), and the chain each presents.
    ///
    /// ```no_run
    /// use picert_verify::federation::FederationOptions;
    /// let report = picert_verify::Auditor::new()
    ///     .federation(&["contoso.com".to_string()], &FederationOptions::default())?;
    /// for domain in &report.domains {
    ///     println!("{}: {} endpoints", domain.domain, domain.endpoints.len());
    /// }
    /// # Ok::<(), picert_verify::federation::FederationError>(())
    /// ```
    pub fn federation(
        &self,
        domains: &[String],
        options: &FederationOptions,
    ) -> Result<FederationReport, FederationError> {
        if domains.is_empty() {
            return Err(FederationError::NoDomain);
        }
        let dns = dns::Dns::new(&options.dns, options.timeout)?;
        // Domains, their lookups and their endpoints are checked at once, so that a run takes
        // about as long as its slowest domain rather than the sum of them.
        let reports: Vec<DomainReport> = bounded_map(
            domains,
            options.parallel_domains.max(1),
            |domain| match domain_name(domain) {
                Ok((ascii, unicode)) => {
                    let mut report = self.check_domain(&dns, &ascii, options);
                    report.unicode = unicode;
                    report
                }
                Err(why) => DomainReport::failed(domain.trim(), why),
            },
        )
        .into_iter()
        .zip(domains)
        .map(|(done, domain)| {
            done.unwrap_or_else(|| {
                DomainReport::failed(domain.trim(), "the check failed (a picert bug)".into())
            })
        })
        .collect();
        let mut summary = Summary::default();
        for report in &reports {
            report.count(&mut summary);
        }
        Ok(FederationReport {
            version: 1,
            audit_time: self.audit_time(),
            trust_store: self.trust_name().to_string(),
            dns_server: match &options.dns {
                DnsServer::System => "system".into(),
                DnsServer::At(addr) => addr.to_string(),
            },
            domains: reports,
            summary,
        })
    }

    fn check_domain(
        &self,
        dns: &dns::Dns,
        domain: &str,
        options: &FederationOptions,
    ) -> DomainReport {
        let [federation, remote] = dns.srv_all([
            format!("_sipfederationtls._tcp.{domain}"),
            format!("_sip._tls.{domain}"),
        ]);
        let found = |lookup: &Lookup<SrvRecord>| match lookup {
            Lookup::Found(r) => r.clone(),
            _ => Vec::new(),
        };
        let mut report = DomainReport {
            federation_srv: found(&federation),
            remote_access_srv: found(&remote),
            ..DomainReport::new(domain)
        };
        if let Lookup::Failed(why) = &federation {
            report.error = Some(format!(
                "cannot look up _sipfederationtls._tcp.{domain}: {why}"
            ));
            return report;
        }
        // A target of "." is "decidedly not available" (RFC 2782): srv_present says so, and
        // there is nothing to resolve or connect to.
        let records: Vec<&SrvRecord> = report
            .federation_srv
            .iter()
            .filter(|r| !r.target.is_empty())
            .collect();
        let checked = map_all(&records, |record| {
            self.check_target(dns, domain, record, options)
        })
        .into_iter()
        .zip(&records)
        .map(|(done, record)| done.unwrap_or_else(|| TargetCheck::broken(record)));
        let mut suffix = Vec::new();
        let mut resolves = Vec::new();
        let mut in_certificate = Vec::new();
        let mut same = Vec::new();
        for target in checked {
            suffix.push(target.suffix);
            resolves.push(target.resolves);
            in_certificate.push(target.in_certificate);
            same.push(target.same);
            report.endpoints.extend(target.endpoints);
        }
        let missing = || Outcome::NotApplicable("no federation SRV record".into());
        let or_missing = |list: Vec<(String, Outcome)>| {
            if list.is_empty() {
                vec![(String::new(), missing())]
            } else {
                list
            }
        };
        report.results = Some(vec![
            dns_rules::srv_present::RULE
                .outcome(dns_rules::srv_present::check(domain, &federation)),
            merged(&dns_rules::suffix_match::RULE, or_missing(suffix)),
            merged(&dns_rules::target_resolves::RULE, or_missing(resolves)),
            merged(
                &dns_rules::target_in_certificate::RULE,
                or_missing(in_certificate),
            ),
            dns_rules::remote_access_srv_present::RULE
                .outcome(dns_rules::remote_access_srv_present::check(domain, &remote)),
            merged(&pool::same_certificate::RULE, or_missing(same)),
        ]);
        report
    }

    /// One SRV target: its suffix, its addresses, and every endpoint behind them.
    fn check_target(
        &self,
        dns: &dns::Dns,
        domain: &str,
        record: &SrvRecord,
        options: &FederationOptions,
    ) -> TargetCheck {
        let label = format!("{}:{}", record.target, record.port);
        let suffix = (
            label.clone(),
            dns_rules::suffix_match::check(domain, &record.target),
        );
        let found = dns.addresses(&record.target);
        let resolves = (
            label.clone(),
            dns_rules::target_resolves::check(
                &record.target,
                &found.cnames,
                &found.addresses,
                options.loopback_allowed,
            ),
        );
        let usable: Vec<IpAddr> = match &found.addresses {
            Lookup::Found(list) => list
                .iter()
                .copied()
                .filter(|ip| {
                    dns_rules::target_resolves::unusable(
                        &record.target,
                        ip,
                        options.loopback_allowed,
                    )
                    .is_none()
                })
                .collect(),
            _ => Vec::new(),
        };
        if usable.is_empty() {
            let why = match found.addresses {
                Lookup::Found(_) => "the target has no address a partner can reach",
                _ => "the target has no address",
            }
            .to_string();
            return TargetCheck {
                suffix,
                resolves,
                in_certificate: (label.clone(), Outcome::NotApplicable(why.clone())),
                same: (label, Outcome::NotApplicable(why)),
                endpoints: Vec::new(),
            };
        }
        let endpoints = self.endpoints(record, &usable, options);
        // Only a leaf whose key the endpoint proved counts as what it presents.
        let proved = |e: &EndpointReport| e.tls.as_ref().is_some_and(|t| t.key_proved);
        let named: Vec<(String, bool)> = endpoints
            .iter()
            .filter(|(e, _)| proved(e))
            .filter_map(|(e, leaf)| {
                leaf.as_ref().map(|l| {
                    (
                        endpoint_label(e),
                        dns_rules::target_in_certificate::names(&record.target, l),
                    )
                })
            })
            .collect();
        let thumbprints: Vec<(String, String)> = endpoints
            .iter()
            .filter(|(e, _)| proved(e))
            .filter_map(|(e, _)| e.thumbprint.clone().map(|t| (endpoint_label(e), t)))
            .collect();
        let unproved: Vec<String> = endpoints
            .iter()
            .filter(|(e, leaf)| leaf.is_some() && !proved(e))
            .map(|(e, _)| endpoint_label(e))
            .collect();
        TargetCheck {
            suffix,
            resolves,
            in_certificate: (
                label.clone(),
                dns_rules::target_in_certificate::check(&record.target, &named),
            ),
            same: (
                label,
                pool::same_certificate::check(&record.target, &thumbprints, &unproved),
            ),
            endpoints: endpoints.into_iter().map(|(e, _)| e).collect(),
        }
    }

    /// Connects to every address of one SRV target at once and audits what each presents;
    /// returns each endpoint with its leaf.
    fn endpoints(
        &self,
        record: &SrvRecord,
        addresses: &[IpAddr],
        options: &FederationOptions,
    ) -> Vec<(
        EndpointReport,
        Option<rustls_pki_types::CertificateDer<'static>>,
    )> {
        let target = Target {
            host: record.target.clone(),
            port: record.port,
        };
        map_all(addresses, |ip| self.endpoint(&target, *ip, options))
            .into_iter()
            .zip(addresses)
            .map(|(done, ip)| {
                done.unwrap_or_else(|| {
                    (
                        EndpointReport::failed(
                            *ip,
                            &target,
                            Failure::Other("the connection failed (a picert bug)".into()),
                        ),
                        None,
                    )
                })
            })
            .collect()
    }

    fn endpoint(
        &self,
        target: &Target,
        ip: IpAddr,
        options: &FederationOptions,
    ) -> (
        EndpointReport,
        Option<rustls_pki_types::CertificateDer<'static>>,
    ) {
        let connect = ConnectOptions {
            server_name: Some(target.host.clone()),
            timeout: options.timeout,
            address: Some(SocketAddr::new(ip, target.port)),
            client: options.client.clone(),
            probe_versions: true,
        };
        let presented = match fetch_chain(target, &connect) {
            Ok(p) => p,
            Err(e) => return (EndpointReport::failed(ip, target, e.into()), None),
        };
        let label = format!("{} {}", target.host, SocketAddr::new(ip, target.port));
        let audit = self.audit_presented(&label, &presented, &target.host);
        let leaf = presented.chain.first().cloned();
        (
            EndpointReport {
                address: ip.to_string(),
                port: target.port,
                server_name: target.host.clone(),
                thumbprint: leaf.as_ref().map(|l| picert_core::pfx::thumbprint_hex(l)),
                subject: audit.subject,
                dns_names: audit.dns_names,
                not_after: audit.not_after,
                chain: audit.chain,
                tls: audit.tls,
                results: audit.results,
                error: audit.error,
            },
            leaf,
        )
    }
}

/// What the checks of one SRV target found: one outcome per rule, labelled with the target.
struct TargetCheck {
    suffix: (String, Outcome),
    resolves: (String, Outcome),
    in_certificate: (String, Outcome),
    same: (String, Outcome),
    endpoints: Vec<EndpointReport>,
}

/// A SIP domain as given, checked as a DNS name before any server is asked: its A-label form
/// for DNS and certificates, and its U-label form when that differs.
fn domain_name(input: &str) -> Result<(String, Option<String>), String> {
    let trimmed = input.trim().trim_end_matches('.');
    let ascii = picert_core::names::normalize_fqdn(trimmed)
        .map_err(|e| format!("not a DNS name, so no DNS server was asked: {e}"))?;
    let unicode = picert_core::names::unicode_form(&ascii);
    Ok((ascii, unicode))
}

impl TargetCheck {
    /// A target whose check panicked (a picert bug): every rule says so, none passes.
    fn broken(record: &SrvRecord) -> TargetCheck {
        let label = format!("{}:{}", record.target, record.port);
        let why = || Outcome::Finding("could not be checked (a picert bug)".into());
        TargetCheck {
            suffix: (label.clone(), why()),
            resolves: (label.clone(), why()),
            in_certificate: (label.clone(), why()),
            same: (label, why()),
            endpoints: Vec::new(),
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

    /// A domain that could not be checked, and why.
    fn failed(domain: &str, why: String) -> DomainReport {
        DomainReport {
            error: Some(why),
            ..DomainReport::new(domain)
        }
    }
}

impl EndpointReport {
    fn failed(ip: IpAddr, target: &Target, error: Failure) -> EndpointReport {
        EndpointReport {
            address: ip.to_string(),
            port: target.port,
            server_name: target.host.clone(),
            thumbprint: None,
            subject: None,
            dns_names: Vec::new(),
            not_after: None,
            chain: None,
            tls: None,
            results: None,
            error: Some(error),
        }
    }
}

/// `address:port`, IPv6 in brackets.
fn endpoint_label(e: &EndpointReport) -> String {
    Target {
        host: e.address.clone(),
        port: e.port,
    }
    .label()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_targets_make_one_result_with_the_worst_status() {
        let r = merged(
            &dns_rules::suffix_match::RULE,
            vec![
                (
                    "sip.contoso.com:5061".into(),
                    Outcome::Pass(Some("ok".into())),
                ),
                (
                    "sip.example.net:5061".into(),
                    Outcome::Finding("outside".into()),
                ),
            ],
        );
        assert_eq!(r.status, Status::Finding);
        assert_eq!(
            r.detail.as_deref(),
            Some("sip.contoso.com:5061: ok; sip.example.net:5061: outside")
        );
        let one = merged(
            &dns_rules::suffix_match::RULE,
            vec![(String::new(), Outcome::NotApplicable("none".into()))],
        );
        assert_eq!(
            (one.status, one.detail.as_deref()),
            (Status::Na, Some("none"))
        );
    }
}
