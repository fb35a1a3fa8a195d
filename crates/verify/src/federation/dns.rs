//! The DNS lookups partners make, through hickory-resolver: the system's resolver, or one
//! server asked directly. Each answer is a [`Lookup`]: records, none (NXDOMAIN or no record of
//! the type), or a failed lookup.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError, NoRecords};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;

use super::{DnsServer, FederationError, Lookup, SrvRecord};

/// A resolver and the runtime it runs on: picert is synchronous, hickory-resolver is not.
pub(super) struct Dns {
    runtime: tokio::runtime::Runtime,
    resolver: TokioResolver,
    server: Option<SocketAddr>,
    timeout: Duration,
}

/// What the A and AAAA lookups of a name found.
pub(super) struct Addresses {
    /// The CNAMEs followed, in order (`sip.contoso.com -> edge.contoso.com`).
    pub cnames: Vec<String>,
    /// IPv4 then IPv6 addresses.
    pub addresses: Lookup<IpAddr>,
}

/// A name as certificates and reports write it: lower case, no root dot.
fn plain(name: &impl ToString) -> String {
    name.to_string().trim_end_matches('.').to_ascii_lowercase()
}

impl Dns {
    /// A resolver for `server`, each lookup bounded by `timeout` (two tries of half of it).
    pub(super) fn new(server: &DnsServer, timeout: Duration) -> Result<Dns, FederationError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| FederationError::Resolver(e.to_string()))?;
        let mut options = ResolverOpts::default();
        options.timeout = (timeout / 2).max(Duration::from_millis(250));
        options.attempts = 1;
        options.cache_size = 0;
        // /etc/hosts is not DNS: a partner on another network never sees it.
        options.use_hosts_file = ResolveHosts::Never;
        options.ndots = 0;
        let (resolver, at) = match server {
            DnsServer::System => {
                let mut builder = TokioResolver::builder_tokio()
                    .map_err(|e| FederationError::Resolver(e.to_string()))?;
                let system = builder.options_mut();
                system.timeout = options.timeout;
                system.attempts = options.attempts;
                system.cache_size = 0;
                system.use_hosts_file = ResolveHosts::Never;
                (builder.build(), None)
            }
            DnsServer::At(addr) => {
                let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                for connection in &mut ns.connections {
                    connection.port = addr.port();
                }
                let config = ResolverConfig::from_parts(None, vec![], vec![ns]);
                (
                    TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
                        .with_options(options)
                        .build(),
                    Some(*addr),
                )
            }
        };
        let resolver = resolver.map_err(|e| FederationError::Resolver(e.to_string()))?;
        Ok(Dns {
            runtime,
            resolver,
            server: at,
            timeout,
        })
    }

    /// Why a lookup failed, in words (a refused TCP connection shows up as no answer too).
    fn failure(&self, e: &NetError) -> String {
        let server = match self.server {
            Some(s) => format!("the DNS server {s}"),
            None => "the system's DNS servers".into(),
        };
        match e {
            NetError::Timeout | NetError::NoConnections => format!(
                "no answer from {server} within {}s",
                self.timeout.as_secs().max(1)
            ),
            NetError::Dns(DnsError::ResponseCode(rc)) => format!("{server} answered {rc}"),
            other => format!("{server}: {other}"),
        }
    }

    fn classify<T>(&self, answer: Result<Vec<T>, NetError>) -> Lookup<T> {
        match answer {
            Ok(records) if records.is_empty() => Lookup::NotFound { nxdomain: false },
            Ok(records) => Lookup::Found(records),
            Err(NetError::Dns(DnsError::NoRecordsFound(NoRecords { response_code, .. }))) => {
                Lookup::NotFound {
                    nxdomain: response_code == ResponseCode::NXDomain,
                }
            }
            Err(e) => Lookup::Failed(self.failure(&e)),
        }
    }

    /// The SRV records of `name` (absolute), lowest priority first.
    pub(super) fn srv(&self, name: &str) -> Lookup<SrvRecord> {
        let answer = self
            .runtime
            .block_on(self.resolver.srv_lookup(format!("{name}.")))
            .map(|lookup| {
                let mut records: Vec<SrvRecord> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::SRV(srv) => Some(SrvRecord {
                            priority: srv.priority,
                            weight: srv.weight,
                            port: srv.port,
                            target: plain(&srv.target),
                        }),
                        _ => None,
                    })
                    .collect();
                records.sort_by_key(|r| (r.priority, std::cmp::Reverse(r.weight)));
                records
            });
        self.classify(answer)
    }

    /// The A and AAAA records of `name`, and the CNAMEs followed to them.
    pub(super) fn addresses(&self, name: &str) -> Addresses {
        let mut cnames: Vec<String> = Vec::new();
        let mut found = Vec::new();
        let mut outcomes = Vec::new();
        for kind in [RecordType::A, RecordType::AAAA] {
            let answer = self
                .runtime
                .block_on(self.resolver.lookup(format!("{name}."), kind))
                .map(|lookup| {
                    let mut ips = Vec::new();
                    for r in lookup.answers() {
                        match &r.data {
                            RData::CNAME(c) => {
                                let to = plain(&c.0);
                                if !cnames.contains(&to) {
                                    cnames.push(to);
                                }
                            }
                            RData::A(a) => ips.push(IpAddr::V4(a.0)),
                            RData::AAAA(a) => ips.push(IpAddr::V6(a.0)),
                            _ => {}
                        }
                    }
                    ips
                });
            match self.classify(answer) {
                Lookup::Found(ips) => found.extend(ips),
                other => outcomes.push(other),
            }
        }
        let addresses = if !found.is_empty() {
            Lookup::Found(found)
        } else {
            // Neither family: a failure says more than an absence.
            outcomes
                .iter()
                .find(|o| matches!(o, Lookup::Failed(_)))
                .or(outcomes.first())
                .cloned()
                .unwrap_or(Lookup::NotFound { nxdomain: false })
        };
        Addresses { cnames, addresses }
    }
}
