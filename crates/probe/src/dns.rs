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

use picert_verify::facts::dns::{ChainEnd, Lookup, SrvRecord};

/// Which DNS servers to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsServer {
    /// The system's resolver configuration (`/etc/resolv.conf`).
    System,
    /// One server, asked directly (UDP, TCP when the answer is truncated).
    At(SocketAddr),
}

/// The most CNAMEs walked to say where a chain without an address ends.
const MAX_CNAME_WALK: usize = 32;

/// A resolver and the runtime it runs on: picert is synchronous, hickory-resolver is not.
pub(crate) struct Dns {
    runtime: tokio::runtime::Runtime,
    resolver: TokioResolver,
    server: Option<SocketAddr>,
    timeout: Duration,
}

/// What the A and AAAA lookups of a name found.
pub(crate) struct Addresses {
    /// The CNAMEs followed, in order (`sip.contoso.com -> edge.contoso.com`).
    pub cnames: Vec<String>,
    /// Where the chain ends, when there is no address.
    pub cname_end: ChainEnd,
    /// IPv4 then IPv6 addresses.
    pub addresses: Lookup<IpAddr>,
}

/// A name as certificates and reports write it: A-labels (hickory displays international
/// names as U-labels), lower case, no root dot.
fn plain(name: &hickory_resolver::proto::rr::Name) -> String {
    name.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}

impl Dns {
    /// A resolver for `server`, each lookup bounded by `timeout` (two tries of half of it); the
    /// error says why none could be set up (no `/etc/resolv.conf`, no server in it).
    pub(crate) fn new(server: &DnsServer, timeout: Duration) -> Result<Dns, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let mut options = ResolverOpts::default();
        options.timeout = (timeout / 2).max(Duration::from_millis(250));
        options.attempts = 1;
        options.cache_size = 0;
        // /etc/hosts is not DNS: a partner on another network never sees it.
        options.use_hosts_file = ResolveHosts::Never;
        options.ndots = 0;
        let (resolver, at) = match server {
            DnsServer::System => {
                let mut builder = TokioResolver::builder_tokio().map_err(|e| e.to_string())?;
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
        let resolver = resolver.map_err(|e| e.to_string())?;
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

    /// Runs lookups at once on the resolver's runtime (which several threads may drive, each
    /// through its own `block_on`), each bounded by the timeout whatever the server does.
    fn all<T, F>(&self, lookups: Vec<F>) -> Vec<Result<T, NetError>>
    where
        F: std::future::Future<Output = Result<T, NetError>> + Send + 'static,
        T: Send + 'static,
    {
        let limit = self.timeout.max(Duration::from_millis(250));
        let handles: Vec<_> = lookups
            .into_iter()
            .map(|f| {
                self.runtime.spawn(async move {
                    tokio::time::timeout(limit, f)
                        .await
                        .unwrap_or(Err(NetError::Timeout))
                })
            })
            .collect();
        self.runtime.block_on(async move {
            let mut out = Vec::new();
            for h in handles {
                out.push(h.await.unwrap_or(Err(NetError::Timeout)));
            }
            out
        })
    }

    /// The SRV records of each name (absolute), lowest priority first, looked up at once.
    pub(crate) fn srv_all<const N: usize>(&self, names: [String; N]) -> [Lookup<SrvRecord>; N] {
        let lookups = names
            .iter()
            .map(|name| {
                let resolver = self.resolver.clone();
                let name = format!("{name}.");
                async move {
                    resolver.srv_lookup(name).await.map(|lookup| {
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
                        // Priority, then weight, then the name: a stable order, not the
                        // server's rotation.
                        records.sort_by(|a, b| {
                            (a.priority, std::cmp::Reverse(a.weight), &a.target, a.port).cmp(&(
                                b.priority,
                                std::cmp::Reverse(b.weight),
                                &b.target,
                                b.port,
                            ))
                        });
                        records
                    })
                }
            })
            .collect();
        let answers: Vec<Lookup<SrvRecord>> = self
            .all(lookups)
            .into_iter()
            .map(|a| self.classify(a))
            .collect();
        answers
            .try_into()
            .unwrap_or_else(|_| std::array::from_fn(|_| Lookup::Failed("no answer".into())))
    }

    /// The A and AAAA records of `name` (asked at once), and the CNAMEs followed to them.
    pub(crate) fn addresses(&self, name: &str) -> Addresses {
        let lookups = [RecordType::A, RecordType::AAAA]
            .into_iter()
            .map(|kind| {
                let resolver = self.resolver.clone();
                let name = format!("{name}.");
                async move {
                    resolver.lookup(name, kind).await.map(|lookup| {
                        let mut cnames = Vec::new();
                        let mut ips = Vec::new();
                        for r in lookup.answers() {
                            match &r.data {
                                RData::CNAME(c) => cnames.push(plain(&c.0)),
                                RData::A(a) => ips.push(IpAddr::V4(a.0)),
                                RData::AAAA(a) => ips.push(IpAddr::V6(a.0)),
                                _ => {}
                            }
                        }
                        (cnames, ips)
                    })
                }
            })
            .collect();
        let mut cnames: Vec<String> = Vec::new();
        let mut found = Vec::new();
        let mut outcomes = Vec::new();
        for answer in self.all(lookups) {
            let answer = answer.map(|(c, ips)| {
                for to in c {
                    if !cnames.contains(&to) {
                        cnames.push(to);
                    }
                }
                ips
            });
            match self.classify(answer) {
                Lookup::Found(ips) => found.extend(ips),
                other => outcomes.push(other),
            }
        }
        // A stable order (IPv4, then IPv6, each ascending), not DNS rotation order.
        found.sort();
        found.dedup();
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
        let mut cname_end = ChainEnd::NotWalked;
        if matches!(addresses, Lookup::NotFound { .. }) {
            // No address: walk the CNAMEs one by one, so that the report can say where the
            // chain ends, that it loops, or that it is longer than resolvers follow.
            if let Some((walked, end)) = self.walk_cnames(name) {
                cnames = walked;
                cname_end = end;
            }
        }
        Addresses {
            cnames,
            cname_end,
            addresses,
        }
    }

    /// The CNAME chain from `name`, asked hop by hop (at most [`MAX_CNAME_WALK`] hops, all
    /// within one timeout), and where it ends; `None` when `name` has no CNAME or the walk got
    /// no answer in time.
    fn walk_cnames(&self, name: &str) -> Option<(Vec<String>, ChainEnd)> {
        let resolver = self.resolver.clone();
        let start = name.to_string();
        let walk = async move {
            let mut chain: Vec<String> = Vec::new();
            let mut at = start.clone();
            for _ in 0..MAX_CNAME_WALK {
                let Ok(lookup) = resolver.lookup(format!("{at}."), RecordType::CNAME).await else {
                    break;
                };
                let next = lookup.answers().iter().find_map(|r| match &r.data {
                    RData::CNAME(c) if plain(&r.name) == at => Some(plain(&c.0)),
                    _ => None,
                });
                let Some(next) = next else { break };
                let looped = next == start || chain.contains(&next);
                chain.push(next.clone());
                if looped {
                    return Ok(Some((chain, ChainEnd::Loop)));
                }
                at = next;
            }
            if chain.is_empty() {
                return Ok(None);
            }
            // The last name has no CNAME: an address there means the resolver stopped short.
            let mut end = ChainEnd::NoAddress;
            for kind in [RecordType::A, RecordType::AAAA] {
                if let Ok(found) = resolver.lookup(format!("{at}."), kind).await {
                    if found
                        .answers()
                        .iter()
                        .any(|r| matches!(r.data, RData::A(_) | RData::AAAA(_)))
                    {
                        end = ChainEnd::BeyondResolver;
                        break;
                    }
                }
            }
            Ok::<_, NetError>(Some((chain, end)))
        };
        self.all(vec![walk]).pop().and_then(Result::ok).flatten()
    }
}
