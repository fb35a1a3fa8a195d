//! What a live Edge presented on its TLS port, as plain data: the target, the chain, what the
//! handshake showed, or why nothing could be recorded. picert-probe gathers these; the audit
//! judges them.
//!
//! SIP over TLS (port 5061) starts with a plain TLS handshake, so an ordinary TLS client sees
//! what federation partners and remote clients see. Access Edge federation is mutual TLS: the
//! Edge asks the connecting server for its certificate, and over TLS 1.2 it does so after it
//! has sent its own chain. A server that then refuses a client without a certificate has still
//! shown its chain, which is audited all the same; only a failure before the server's
//! Certificate message leaves nothing to audit.

use std::str::FromStr;

use rustls_pki_types::CertificateDer;
use serde::{Deserialize, Serialize};

/// The Edge's federation and remote access port.
pub const SIP_TLS_PORT: u16 = 5061;

/// A host (DNS name or IP address) and a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The host as given (an IPv6 address without brackets).
    pub host: String,
    /// The port.
    pub port: u16,
}

impl Target {
    /// `host:port` as it is written on a command line: an IPv6 address in brackets.
    pub fn label(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

impl FromStr for Target {
    type Err = LiveError;

    /// Reads `host[:port]` (IPv6 in brackets), defaulting to port 5061.
    fn from_str(target: &str) -> Result<Target, LiveError> {
        let bad = |why: String| LiveError::BadTarget {
            target: target.to_string(),
            why,
        };
        if let Some(rest) = target.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| bad("unclosed '['".into()))?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| bad(format!("bad port '{p}'")))?,
                None if after.is_empty() => SIP_TLS_PORT,
                None => return Err(bad(format!("unexpected '{after}' after the address"))),
            };
            return Ok(Target {
                host: host.to_string(),
                port,
            });
        }
        match target.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => Ok(Target {
                host: host.to_string(),
                port: port
                    .parse()
                    .map_err(|_| bad(format!("bad port '{port}'")))?,
            }),
            _ if target.is_empty() => Err(bad("no host".into())),
            _ => Ok(Target {
                host: target.to_string(),
                port: SIP_TLS_PORT,
            }),
        }
    }
}

/// Whether the server asked for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientCertificate {
    /// It did not ask.
    NotRequested,
    /// It asked (and completed the handshake without one, or one was presented).
    Requested,
    /// It asked, and refused the handshake when none was presented.
    Required,
}

/// What a TLS handshake showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsFacts {
    /// The address connected to, `host:port` (IPv6 in brackets).
    pub address: String,
    /// The name sent as SNI.
    pub server_name: String,
    /// The TLS version negotiated, such as `TLSv1.2`; for a server that speaks only TLS 1.0 or
    /// 1.1, the version of the first flight picert read.
    pub version: String,
    /// The cipher suite negotiated.
    pub cipher: String,
    /// How many certificates the server sent.
    pub certificates_sent: usize,
    /// Whether the server asked for a client certificate.
    pub client_certificate: ClientCertificate,
    /// With a client certificate presented: whether the server completed the handshake with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate_accepted: Option<bool>,
    /// The TLS alert the server ended the handshake with, if it refused our client certificate
    /// (or its absence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
    /// Whether the server proved it holds the key of the certificate it sent: its handshake
    /// signature (ServerKeyExchange in TLS 1.2, CertificateVerify in TLS 1.3) verified with the
    /// leaf's public key, and the handshake went on to its end or to a refusal of our client
    /// certificate. A certificate received without that proof is not an identity: anyone can
    /// replay the Edge's chain.
    #[serde(default)]
    pub key_proved: bool,
    /// Why the handshake failed after the server's certificate arrived, when that was not a
    /// refusal of our client certificate (a bad handshake signature, a key the TLS library
    /// cannot use, a broken Finished message, a server that stopped answering).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_failure: Option<String>,
    /// Every TLS version the server accepted when offered alone (`TLSv1.0` to `TLSv1.3`),
    /// oldest first; empty when the versions were not probed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered_versions: Vec<String>,
    /// The versions that could not be probed, each with why (`TLSv1.0: no answer in time`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions_not_probed: Vec<String>,
}

impl TlsFacts {
    /// True when a version older than TLS 1.2 was negotiated.
    pub fn below_tls12(&self) -> bool {
        !matches!(self.version.as_str(), "TLSv1.2" | "TLSv1.3")
    }
}

/// What the server presented.
#[derive(Debug, Clone)]
pub struct Presented {
    /// The certificates in the order sent, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The handshake.
    pub tls: TlsFacts,
}

/// Why nothing could be recorded from a server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// The target is not `host[:port]`.
    #[error("'{target}': {why}")]
    BadTarget {
        /// As given.
        target: String,
        /// What is wrong.
        why: String,
    },
    /// The name to send as SNI is neither a DNS name nor an IP address.
    #[error("'{0}' is not a DNS name or IP address")]
    BadServerName(String),
    /// The host name does not resolve.
    #[error("cannot resolve {host}: {why}")]
    Resolve {
        /// The host.
        host: String,
        /// The resolver's answer.
        why: String,
    },
    /// The TCP connection was refused or failed.
    #[error("cannot connect to {address}: {why}")]
    Connect {
        /// The address.
        address: String,
        /// The system's reason.
        why: String,
    },
    /// Nothing answered in time.
    #[error("no answer from {target} within {seconds}s")]
    NoAnswer {
        /// The target or address.
        target: String,
        /// The timeout.
        seconds: u64,
    },
    /// The TCP connection was made, but the handshake did not finish in time.
    #[error("no TLS handshake from {address} within {seconds}s")]
    HandshakeTimeout {
        /// The address.
        address: String,
        /// The timeout.
        seconds: u64,
    },
    /// The server answered something other than TLS.
    #[error("{address} did not answer TLS{}", match .seen { Some(s) => format!(": it answered {s}"), None => String::new() })]
    NotTls {
        /// The address.
        address: String,
        /// What the first bytes look like (`HTTP (HTTP/1.1 400 Bad Request)`).
        seen: Option<String>,
    },
    /// The server negotiated a TLS version older than 1.2, which picert does not speak.
    #[error("{address} offers only TLS 1.1 or older, which picert (and Microsoft's current guidance) does not use: {why}")]
    OldTls {
        /// The address.
        address: String,
        /// The TLS library's words.
        why: String,
    },
    /// The handshake failed before the server sent its certificate.
    #[error("TLS handshake with {address} failed: {why}")]
    Handshake {
        /// The address.
        address: String,
        /// Why.
        why: String,
    },
    /// The handshake finished but no certificate was sent.
    #[error("{0} sent no certificate")]
    NoCertificate(String),
    /// The client certificate or key given cannot be used.
    #[error("the client certificate cannot be used: {0}")]
    ClientIdentity(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_back_as_the_same_target() {
        for target in [
            "sip.contoso.com:5061",
            "[2001:db8::1]:5061",
            "192.0.2.7:443",
        ] {
            assert_eq!(target.parse::<Target>().unwrap().label(), target);
        }
    }

    #[test]
    fn host_and_port() {
        let t = |s: &str| s.parse::<Target>().map(|t| (t.host, t.port));
        assert_eq!(
            t("sip.contoso.com").unwrap(),
            ("sip.contoso.com".into(), 5061)
        );
        assert_eq!(
            t("sip.contoso.com:443").unwrap(),
            ("sip.contoso.com".into(), 443)
        );
        assert_eq!(
            t("[2001:db8::1]:5061").unwrap(),
            ("2001:db8::1".into(), 5061)
        );
        assert_eq!(t("[2001:db8::1]").unwrap(), ("2001:db8::1".into(), 5061));
        assert_eq!(t("2001:db8::1").unwrap(), ("2001:db8::1".into(), 5061));
        assert!(matches!(t("host:port"), Err(LiveError::BadTarget { .. })));
        assert!(t("").is_err());
    }
}
