//! What a federated partner finds for a SIP domain, as plain data: the SRV records, each
//! federation target's CNAMEs and addresses, and what every address presented. picert-probe
//! gathers these ([`DomainFacts`]); [`crate::Auditor::audit_domain`] judges them with the DNS
//! and pool rules.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::tls::{LiveError, Presented};

/// One SRV record, its target without the root dot and in lower case (a target of `.` is
/// the empty string: "decidedly not available", RFC 2782).
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

impl<T: Clone> Lookup<T> {
    /// The records found, none when there were none or the lookup failed.
    pub fn records(&self) -> Vec<T> {
        match self {
            Lookup::Found(r) => r.clone(),
            _ => Vec::new(),
        }
    }
}

/// Everything found for one SIP domain.
#[derive(Debug, Clone)]
pub struct DomainFacts {
    /// The SIP domain in A-label form, as [`sip_domain`] gives it.
    pub domain: String,
    /// Its U-label form, when that differs.
    pub unicode: Option<String>,
    /// The `_sipfederationtls._tcp.<domain>` lookup.
    pub federation_srv: Lookup<SrvRecord>,
    /// The `_sip._tls.<domain>` lookup.
    pub remote_access_srv: Lookup<SrvRecord>,
    /// One entry per federation SRV record whose target is not `.`, in the order found.
    pub targets: Vec<TargetFacts>,
}

/// One federation SRV target: where its name led and what each address presented.
#[derive(Debug, Clone)]
pub struct TargetFacts {
    /// The record.
    pub record: SrvRecord,
    /// The CNAMEs followed from the target, in order.
    pub cnames: Vec<String>,
    /// Where the CNAME chain of a target without an address ends.
    pub cname_end: ChainEnd,
    /// The target's A and AAAA records (IPv4 first).
    pub addresses: Lookup<IpAddr>,
    /// Every address connected to: those of [`TargetFacts::addresses`] that a partner can
    /// reach ([`crate::Auditor::reachable`]), in the same order.
    pub endpoints: Vec<EndpointFacts>,
}

/// Where the CNAME chain of a target without an address ends, walked one CNAME at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChainEnd {
    /// Not walked: the target has addresses, no CNAME, or the walk got no answer.
    #[default]
    NotWalked,
    /// At a name with no A or AAAA record (the last of [`TargetFacts::cnames`]).
    NoAddress,
    /// Back at a name it had passed (the last of [`TargetFacts::cnames`]).
    Loop,
    /// At a name that has an address, which the resolver gave up before reaching: the chain
    /// is longer than resolvers follow.
    BeyondResolver,
}

/// One address behind a target, and what it presented on the SRV port.
#[derive(Debug, Clone)]
pub struct EndpointFacts {
    /// The address.
    pub address: IpAddr,
    /// The chain and handshake, or why nothing could be recorded.
    pub presented: Result<Presented, LiveError>,
}

impl SrvRecord {
    /// `target:port`, as the DNS and pool rules label each target.
    pub fn label(&self) -> String {
        format!("{}:{}", self.target, self.port)
    }
}

impl TargetFacts {
    /// Its record's [`SrvRecord::label`].
    pub fn label(&self) -> String {
        self.record.label()
    }
}

/// A SIP domain as given, checked as a DNS name before any server is asked: its A-label form
/// for DNS and certificates, and its U-label form when that differs; an error says why it is
/// no DNS name.
pub fn sip_domain(input: &str) -> Result<(String, Option<String>), String> {
    let trimmed = input.trim().trim_end_matches('.');
    let ascii = picert_core::names::normalize_fqdn(trimmed)
        .map_err(|e| format!("not a DNS name, so no DNS server was asked: {e}"))?;
    let unicode = picert_core::names::unicode_form(&ascii);
    Ok((ascii, unicode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_in_a_label_form_with_the_u_label_beside() {
        assert_eq!(
            sip_domain(" Contoso.COM. ").unwrap(),
            ("contoso.com".into(), None)
        );
        assert_eq!(
            sip_domain("bücher.test").unwrap(),
            ("xn--bcher-kva.test".into(), Some("bücher.test".into()))
        );
        assert!(sip_domain("con toso.com")
            .unwrap_err()
            .contains("no DNS server"));
        assert!(sip_domain(&format!("{}.com", "a".repeat(64))).is_err());
    }
}
