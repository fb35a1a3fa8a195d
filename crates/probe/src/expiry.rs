//! `picert expiry` with live targets: what each presents, fetched at once, counted with the
//! files by picert-verify's [`picert_verify::expiry::check_expiry`]. The targets are given
//! (`host:port`), or where a topology serves its certificates
//! ([`picert_core::plan::served_at`]), each entry then naming its certificate and pool.

use std::net::SocketAddr;

use picert_core::plan::ServedAt;
use picert_core::Timestamp;
use picert_verify::expiry::{ExpiryReport, LiveRead, Served};
use picert_verify::facts::dns::Lookup;
use picert_verify::facts::tls::{LiveError, Presented, Target};
use picert_verify::Batch;

use crate::dns::{Dns, DnsServer};
use crate::live::target_label;
use crate::parallel::map_all;
use crate::tls::{fetch_chain, ConnectOptions};

/// One live target of an expiry check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiryTarget {
    /// Where to connect.
    pub target: Target,
    /// The name to send as SNI [default: the host].
    pub server_name: Option<String>,
    /// The certificate of a topology it serves, when a topology named it.
    pub served: Option<Served>,
}

impl ExpiryTarget {
    /// A target given as such (`host:port`), with the name to send as SNI if any.
    pub fn given(target: Target, server_name: Option<String>) -> ExpiryTarget {
        ExpiryTarget {
            target,
            server_name,
            served: None,
        }
    }

    /// Where a topology serves one of its certificates: its host (as SNI) and port, naming the
    /// certificate and its pool.
    pub fn served(at: &ServedAt) -> ExpiryTarget {
        ExpiryTarget {
            target: Target {
                host: at.host.clone(),
                port: at.port,
            },
            server_name: None,
            served: Some(Served {
                certificate: at.kind,
                pool: at.pool.clone(),
            }),
        }
    }

    /// Host (case-insensitive), port and SNI: what makes two targets the same connection.
    fn key(&self) -> (String, u16, Option<&str>) {
        (
            self.target.host.to_ascii_lowercase(),
            self.target.port,
            self.server_name.as_deref(),
        )
    }
}

/// The expiry of each file's leaf and of what each live target presents, every target at
/// once (the run lasts as long as the slowest connection, each ending at its deadline). A
/// target that is the same connection as one before it (host, port and SNI) is read once: the
/// first keeps its entry. With [`DnsServer::At`], host names are resolved by that server
/// (every address tried in turn until one presents a certificate); with
/// [`DnsServer::System`], by the system's resolver.
pub fn check_expiry(
    batch: &Batch,
    targets: &[ExpiryTarget],
    options: &ConnectOptions,
    dns: &DnsServer,
    at: Timestamp,
    pfx_password: Option<&str>,
) -> ExpiryReport {
    let mut unique: Vec<&ExpiryTarget> = Vec::new();
    for t in targets {
        if !unique.iter().any(|u| u.key() == t.key()) {
            unique.push(t);
        }
    }
    let resolver = match dns {
        DnsServer::System => None,
        DnsServer::At(_) => Some(Dns::new(dns, options.timeout)),
    };
    let live: Vec<LiveRead> = map_all(&unique, |t| {
        let options = ConnectOptions {
            server_name: t.server_name.clone(),
            ..options.clone()
        };
        let presented = match &resolver {
            None => fetch_chain(&t.target, &options),
            Some(resolver) => fetch_resolved(&t.target, &options, resolver.as_ref()),
        };
        (target_label(&t.target, &options), presented)
    })
    .into_iter()
    .zip(&unique)
    .map(|(fetched, t)| {
        let (label, presented) = fetched.unwrap_or_else(|| {
            (
                t.target.label(),
                Err(LiveError::Handshake {
                    address: t.target.label(),
                    why: "the connection failed (a picert bug)".into(),
                }),
            )
        });
        LiveRead {
            label,
            served: t.served.clone(),
            presented,
        }
    })
    .collect();
    picert_verify::expiry::check_expiry(batch, &live, at, pfx_password)
}

/// `target` resolved by the DNS server asked, each address tried in turn: the first that
/// presents a certificate, else the last failure.
fn fetch_resolved(
    target: &Target,
    options: &ConnectOptions,
    resolver: Result<&Dns, &String>,
) -> Result<Presented, LiveError> {
    if target.host.parse::<std::net::IpAddr>().is_ok() {
        return fetch_chain(target, options);
    }
    let resolve = |why: String| LiveError::Resolve {
        host: target.host.clone(),
        why,
    };
    let dns = resolver.map_err(|e| resolve(e.clone()))?;
    let ips = match dns.addresses(&target.host).addresses {
        Lookup::Found(ips) => ips,
        Lookup::NotFound { nxdomain: true } => return Err(resolve("no such name".into())),
        Lookup::NotFound { nxdomain: false } => return Err(resolve("no address".into())),
        Lookup::Failed(why) => return Err(resolve(why)),
    };
    let mut last = resolve("no address".into());
    for ip in ips {
        let options = ConnectOptions {
            address: Some(SocketAddr::new(ip, target.port)),
            ..options.clone()
        };
        match fetch_chain(target, &options) {
            Ok(presented) => return Ok(presented),
            Err(e) => last = e,
        }
    }
    Err(last)
}
