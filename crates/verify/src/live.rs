//! What a live Edge presents on its TLS port: a handshake that records the chain, with SNI and
//! a timeout, and no trust decision of its own (the audit makes that decision afterwards).
//!
//! SIP over TLS (port 5061) starts with a plain TLS handshake, so an ordinary TLS client sees
//! what federation partners and remote clients see.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// The Edge's federation and remote access port.
pub const SIP_TLS_PORT: u16 = 5061;

/// What the server presented.
#[derive(Debug, Clone)]
pub struct Presented {
    /// The certificates in the order sent, leaf first (DER).
    pub chain: Vec<Vec<u8>>,
    /// The TLS version negotiated, such as `TLSv1.3`.
    pub version: String,
    /// The cipher suite negotiated.
    pub cipher: String,
    /// The address connected to.
    pub address: String,
}

/// Accepts any certificate (the audit judges it), but still checks the handshake signature, so
/// that the server proves it holds the certificate's key.
#[derive(Debug)]
struct Recorder(Arc<CryptoProvider>);

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `host:port` as it is written on a command line: an IPv6 address in brackets. The inverse of
/// [`split_host_port`].
pub fn host_port_label(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Splits `host[:port]` (IPv6 in brackets), defaulting to port 5061.
pub fn split_host_port(target: &str) -> Result<(String, u16), String> {
    if let Some(rest) = target.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("'{target}': unclosed '['"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p
                .parse()
                .map_err(|_| format!("'{target}': bad port '{p}'"))?,
            None if after.is_empty() => SIP_TLS_PORT,
            None => {
                return Err(format!(
                    "'{target}': unexpected '{after}' after the address"
                ))
            }
        };
        return Ok((host.to_string(), port));
    }
    match target.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => Ok((
            host.to_string(),
            port.parse()
                .map_err(|_| format!("'{target}': bad port '{port}'"))?,
        )),
        _ => Ok((target.to_string(), SIP_TLS_PORT)),
    }
}

/// Connects to `host:port`, sends `server_name` as SNI (none for an IP address), completes the
/// handshake within `timeout`, and returns what the server presented.
pub fn fetch_chain(
    host: &str,
    port: u16,
    server_name: &str,
    timeout: Duration,
) -> Result<Presented, String> {
    let deadline = Instant::now() + timeout;
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("cannot resolve {host}: no address"));
    }
    let mut last = String::new();
    let mut tcp = None;
    for addr in &addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(addr, left) {
            Ok(s) => {
                tcp = Some((s, addr.to_string()));
                break;
            }
            Err(e) => last = format!("cannot connect to {addr}: {}", short_io(&e)),
        }
    }
    let (mut tcp, address) = tcp.ok_or(if last.is_empty() {
        format!(
            "no answer from {} within {}s",
            host_port_label(host, port),
            timeout.as_secs()
        )
    } else {
        last
    })?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Recorder(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from(server_name.to_string())
        .map_err(|_| format!("'{server_name}' is not a DNS name or IP address"))?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name)
        .map_err(|e| format!("TLS setup: {e}"))?;
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "no TLS handshake from {address} within {}s",
                timeout.as_secs()
            ));
        }
        let _ = tcp.set_read_timeout(Some(left));
        let _ = tcp.set_write_timeout(Some(left));
        match conn.complete_io(&mut tcp) {
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(format!(
                    "no TLS handshake from {address} within {}s",
                    timeout.as_secs()
                ))
            }
            Err(e) => {
                return Err(format!(
                    "TLS handshake with {address} failed: {}",
                    short_io(&e)
                ))
            }
        }
    }
    let chain: Vec<Vec<u8>> = conn
        .peer_certificates()
        .unwrap_or_default()
        .iter()
        .map(|c| c.as_ref().to_vec())
        .collect();
    let version = conn
        .protocol_version()
        .map(|v| format!("{v:?}").replace("TLSv1_", "TLSv1."))
        .unwrap_or_default();
    let cipher = conn
        .negotiated_cipher_suite()
        .map(|c| format!("{:?}", c.suite()))
        .unwrap_or_default();
    // Close politely; the server's answer does not matter.
    conn.send_close_notify();
    let _ = conn.write_tls(&mut tcp);
    let _ = tcp.flush();
    let mut sink = [0u8; 1];
    let _ = tcp.set_read_timeout(Some(Duration::from_millis(10)));
    let _ = tcp.read(&mut sink);
    if chain.is_empty() {
        return Err(format!("{address} sent no certificate"));
    }
    Ok(Presented {
        chain,
        version,
        cipher,
        address,
    })
}

fn short_io(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s.to_lowercase(),
    }
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
            let (host, port) = split_host_port(target).unwrap();
            assert_eq!(host_port_label(&host, port), target);
        }
    }

    #[test]
    fn host_and_port() {
        assert_eq!(
            split_host_port("sip.contoso.com").unwrap(),
            ("sip.contoso.com".into(), 5061)
        );
        assert_eq!(
            split_host_port("sip.contoso.com:443").unwrap(),
            ("sip.contoso.com".into(), 443)
        );
        assert_eq!(
            split_host_port("[2001:db8::1]:5061").unwrap(),
            ("2001:db8::1".into(), 5061)
        );
        assert_eq!(
            split_host_port("[2001:db8::1]").unwrap(),
            ("2001:db8::1".into(), 5061)
        );
        assert_eq!(
            split_host_port("2001:db8::1").unwrap(),
            ("2001:db8::1".into(), 5061)
        );
        assert!(split_host_port("host:port").is_err());
    }
}
