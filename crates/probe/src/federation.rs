//! The steps a federated partner takes for each SIP domain, taken here and recorded as
//! [`DomainFacts`]: `_sipfederationtls._tcp` and `_sip._tls` looked up, each federation target
//! resolved (its CNAMEs followed), and every address a partner can reach connected to on the
//! SRV port with the target as SNI. picert-verify's [`Auditor::audit_domain`] judges them.
//!
//! Domains, their lookups and their endpoints are checked at once, bounded, so that a run takes
//! about as long as its slowest step rather than the sum of them; each step ends at its
//! deadline, and the report keeps the order the domains were given in.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use picert_verify::facts::dns::{
    sip_domain, ChainEnd, DomainFacts, EndpointFacts, Lookup, SrvRecord, TargetFacts,
};
use picert_verify::facts::tls::{LiveError, Target};
use picert_verify::federation::{DomainReport, FederationReport};
use picert_verify::Auditor;

use crate::dns::Dns;
pub use crate::dns::DnsServer;
use crate::parallel::{bounded_map, map_all};
use crate::tls::{fetch_chain, ClientIdentity, ConnectOptions};

/// How to check.
#[derive(Debug, Clone)]
pub struct FederationOptions {
    /// The DNS servers.
    pub dns: DnsServer,
    /// The most each step may take: a lookup, a connection and its handshake.
    pub timeout: Duration,
    /// Present this certificate when an Edge asks for one, as a partner Edge does.
    pub client: Option<ClientIdentity>,
    /// How many SIP domains are checked at once (at least one).
    pub parallel_domains: usize,
}

impl Default for FederationOptions {
    fn default() -> Self {
        FederationOptions {
            dns: DnsServer::System,
            timeout: Duration::from_secs(10),
            client: None,
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

/// Checks each SIP domain as a federated partner does and judges what was found with
/// `auditor` (its trust store, time and topology; [`Auditor::allow_loopback`] for a lab).
///
/// ```no_run
/// use picert_probe::federation::{federation, FederationOptions};
/// let auditor = picert_verify::Auditor::new();
/// let report = federation(&auditor, &["contoso.com".to_string()], &FederationOptions::default())?;
/// for domain in &report.domains {
///     println!("{}: {} endpoints", domain.domain, domain.endpoints.len());
/// }
/// # Ok::<(), picert_probe::federation::FederationError>(())
/// ```
pub fn federation(
    auditor: &Auditor,
    domains: &[String],
    options: &FederationOptions,
) -> Result<FederationReport, FederationError> {
    if domains.is_empty() {
        return Err(FederationError::NoDomain);
    }
    let dns = Dns::new(&options.dns, options.timeout).map_err(FederationError::Resolver)?;
    let reports: Vec<DomainReport> = bounded_map(
        domains,
        options.parallel_domains.max(1),
        |domain| match sip_domain(domain) {
            Ok((ascii, unicode)) => {
                let mut facts = gather_domain(auditor, &dns, &ascii, options);
                facts.unicode = unicode;
                auditor.audit_domain(&facts)
            }
            Err(why) => DomainReport::unchecked(domain.trim(), why),
        },
    )
    .into_iter()
    .zip(domains)
    .map(|(done, domain)| {
        done.unwrap_or_else(|| {
            DomainReport::unchecked(domain.trim(), "the check failed (a picert bug)".into())
        })
    })
    .collect();
    let server = match &options.dns {
        DnsServer::System => "system".into(),
        DnsServer::At(addr) => addr.to_string(),
    };
    Ok(auditor.federation_report(reports, server))
}

/// Everything a partner finds for `domain` (in A-label form).
fn gather_domain(
    auditor: &Auditor,
    dns: &Dns,
    domain: &str,
    options: &FederationOptions,
) -> DomainFacts {
    let [federation_srv, remote_access_srv] = dns.srv_all([
        format!("_sipfederationtls._tcp.{domain}"),
        format!("_sip._tls.{domain}"),
    ]);
    // A target of "." is "decidedly not available" (RFC 2782): nothing to resolve or connect
    // to.
    let records: Vec<SrvRecord> = federation_srv
        .records()
        .into_iter()
        .filter(|r| !r.target.is_empty())
        .collect();
    let targets = map_all(&records, |record| {
        gather_target(auditor, dns, record, options)
    })
    .into_iter()
    .zip(&records)
    .map(|(done, record)| {
        done.unwrap_or_else(|| TargetFacts {
            record: record.clone(),
            cnames: Vec::new(),
            cname_end: ChainEnd::NotWalked,
            addresses: Lookup::Failed("the lookup failed (a picert bug)".into()),
            endpoints: Vec::new(),
        })
    })
    .collect();
    DomainFacts {
        domain: domain.to_string(),
        unicode: None,
        federation_srv,
        remote_access_srv,
        targets,
    }
}

/// One SRV target: its addresses, and what every one a partner can reach presents (all at
/// once).
fn gather_target(
    auditor: &Auditor,
    dns: &Dns,
    record: &SrvRecord,
    options: &FederationOptions,
) -> TargetFacts {
    let found = dns.addresses(&record.target);
    let reachable: Vec<IpAddr> = match &found.addresses {
        Lookup::Found(list) => list
            .iter()
            .copied()
            .filter(|ip| auditor.reachable(&record.target, ip))
            .collect(),
        _ => Vec::new(),
    };
    let target = Target {
        host: record.target.clone(),
        port: record.port,
    };
    let endpoints = map_all(&reachable, |ip| {
        let connect = ConnectOptions {
            server_name: Some(target.host.clone()),
            timeout: options.timeout,
            address: Some(SocketAddr::new(*ip, target.port)),
            client: options.client.clone(),
            probe_versions: true,
        };
        fetch_chain(&target, &connect)
    })
    .into_iter()
    .zip(&reachable)
    .map(|(done, ip)| EndpointFacts {
        address: *ip,
        presented: done.unwrap_or_else(|| {
            Err(LiveError::Handshake {
                address: SocketAddr::new(*ip, target.port).to_string(),
                why: "the connection failed (a picert bug)".into(),
            })
        }),
    })
    .collect();
    TargetFacts {
        record: record.clone(),
        cnames: found.cnames,
        cname_end: found.cname_end,
        addresses: found.addresses,
        endpoints,
    }
}
