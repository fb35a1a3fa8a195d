//! TLS 1.0 and 1.1, which picert's TLS library (rustls) does not speak: a ClientHello of that
//! version is written with tls-parser, and the server's answer, in the clear before TLS 1.3
//! (ServerHello, Certificate, CertificateRequest, ServerHelloDone), is read with it. picert
//! never completes such a handshake: it learns whether the version is offered and which chain
//! the server sends, not whether the server holds the key.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use tls_parser::{
    gen_tls_extensions, gen_tls_plaintext, parse_tls_message_handshake, parse_tls_raw_record,
    NamedGroup, SNIType, TlsCipherSuiteID, TlsClientHelloContents, TlsCompressionID, TlsExtension,
    TlsMessage, TlsMessageHandshake, TlsPlaintext, TlsRecordHeader, TlsRecordType, TlsVersion,
};

/// The versions probed here: `(wire value, name)`.
pub(crate) const LEGACY: [(u16, &str); 2] = [(0x0301, "TLSv1.0"), (0x0302, "TLSv1.1")];

/// What a server answered a ClientHello of an old version with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Legacy {
    /// It chose that version: its chain, its cipher suite, and whether it asked for a client
    /// certificate.
    Offered {
        chain: Vec<CertificateDer<'static>>,
        cipher: String,
        asked: bool,
    },
    /// It refused the version (an alert, another version, or the connection closed).
    Refused,
}

/// Cipher suites a TLS 1.0 server of the Windows Server 2008 R2 to 2016 era offers: ECDHE and
/// plain RSA key exchange with AES or 3DES in CBC mode. None is ever used: the handshake stops
/// after the server's first flight.
const CIPHERS: [u16; 8] = [
    0xC014, 0xC013, 0xC00A, 0xC009, 0x0035, 0x002F, 0x000A, 0x0039,
];

/// The ClientHello record for `version`, with SNI when `server_name` is a DNS name.
fn client_hello(version: u16, server_name: Option<&str>) -> Result<Vec<u8>, String> {
    let mut random = [0u8; 32];
    aws_lc_rs::rand::fill(&mut random).map_err(|_| "no random bytes".to_string())?;
    let mut extensions = vec![TlsExtension::EllipticCurves(vec![
        NamedGroup::Secp256r1,
        NamedGroup::Secp384r1,
    ])];
    if let Some(name) = server_name {
        extensions.insert(
            0,
            TlsExtension::SNI(vec![(SNIType::HostName, name.as_bytes())]),
        );
    }
    let (ext, _) = cookie_factory_gen(gen_tls_extensions(&extensions))?;
    // gen_tls_extensions writes the 2-byte length the ClientHello adds itself.
    let ext_body = ext.get(2..).unwrap_or_default();
    let hello = TlsClientHelloContents::new(
        version,
        &random,
        None,
        CIPHERS.iter().map(|c| TlsCipherSuiteID(*c)).collect(),
        vec![TlsCompressionID(0)],
        Some(ext_body),
    );
    let record = TlsPlaintext {
        hdr: TlsRecordHeader {
            record_type: TlsRecordType::Handshake,
            // RFC 5246 appendix E.1: many servers want 0x0301 in the record layer.
            version: TlsVersion(0x0301),
            len: 0,
        },
        msg: vec![TlsMessage::Handshake(TlsMessageHandshake::ClientHello(
            hello,
        ))],
    };
    cookie_factory_gen(gen_tls_plaintext(&record)).map(|(bytes, _)| bytes)
}

fn cookie_factory_gen<F>(f: F) -> Result<(Vec<u8>, u64), String>
where
    F: cookie_factory::SerializeFn<Vec<u8>>,
{
    cookie_factory::gen(f, Vec::new()).map_err(|e| format!("cannot write the ClientHello: {e:?}"))
}

/// Sends a ClientHello of `version` to `addr` and reads the server's first flight, all before
/// `deadline`. Err: no answer, or the connection could not be made.
pub(crate) fn probe(
    addr: SocketAddr,
    server_name: Option<&str>,
    version: u16,
    deadline: Instant,
) -> Result<Legacy, String> {
    let left = || {
        let l = deadline.saturating_duration_since(Instant::now());
        if l.is_zero() {
            Err("no answer in time".to_string())
        } else {
            Ok(l)
        }
    };
    let mut tcp = TcpStream::connect_timeout(&addr, left()?).map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(left()?))
        .map_err(|e| e.to_string())?;
    tcp.write_all(&client_hello(version, server_name)?)
        .map_err(|e| e.to_string())?;
    let mut wire: Vec<u8> = Vec::new();
    let mut handshake: Vec<u8> = Vec::new();
    let mut chain = Vec::new();
    let mut cipher = String::new();
    let mut asked = false;
    let mut chosen = None;
    let mut buf = [0u8; 16 * 1024];
    loop {
        // Whole records first, then the handshake messages they carry (a message may span
        // records, and a record may carry several messages).
        while let Ok((rest, record)) = parse_tls_raw_record(&wire) {
            match record.hdr.record_type {
                TlsRecordType::Handshake => handshake.extend_from_slice(record.data),
                TlsRecordType::Alert => return Ok(Legacy::Refused),
                _ => return Ok(Legacy::Refused),
            }
            let used = wire.len() - rest.len();
            wire.drain(..used);
        }
        while let Ok((rest, message)) = parse_tls_message_handshake(&handshake) {
            let TlsMessage::Handshake(message) = message else {
                break;
            };
            match message {
                TlsMessageHandshake::ServerHello(hello) => {
                    if hello.version.0 != version {
                        return Ok(Legacy::Refused);
                    }
                    chosen = Some(hello.version.0);
                    cipher = hello
                        .cipher
                        .get_ciphersuite()
                        .map(|c| c.name.to_string())
                        .unwrap_or_else(|| format!("0x{:04X}", hello.cipher.0));
                }
                TlsMessageHandshake::Certificate(certs) => {
                    chain = certs
                        .cert_chain
                        .iter()
                        .map(|c| CertificateDer::from(c.data.to_vec()))
                        .collect();
                }
                TlsMessageHandshake::CertificateRequest(_) => asked = true,
                TlsMessageHandshake::ServerDone(_) => {
                    return match chosen {
                        Some(_) => Ok(Legacy::Offered {
                            chain,
                            cipher,
                            asked,
                        }),
                        None => Ok(Legacy::Refused),
                    };
                }
                _ => {}
            }
            let used = handshake.len() - rest.len();
            handshake.drain(..used);
        }
        if wire.len() + handshake.len() > 1024 * 1024 {
            return Err("the server's first flight is larger than 1 MiB".into());
        }
        let wait = left()?.min(Duration::from_secs(3600));
        tcp.set_read_timeout(Some(wait))
            .map_err(|e| e.to_string())?;
        match tcp.read(&mut buf) {
            Ok(0) => return Ok(Legacy::Refused),
            Ok(n) => wire.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err("no answer in time".into())
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
                ) =>
            {
                return Ok(Legacy::Refused)
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_hello_reads_back() {
        let bytes = client_hello(0x0301, Some("sip.contoso.com")).unwrap();
        let (rest, record) = tls_parser::parse_tls_plaintext(&bytes).unwrap();
        assert!(rest.is_empty());
        let TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)) = &record.msg[0] else {
            panic!("{record:?}")
        };
        assert_eq!(hello.version, TlsVersion::Tls10);
        assert_eq!(hello.ciphers.len(), CIPHERS.len());
        let (_, extensions) =
            tls_parser::parse_tls_client_hello_extensions(hello.ext.unwrap()).unwrap();
        assert!(extensions
            .iter()
            .any(|e| matches!(e, TlsExtension::SNI(names) if names[0].1 == b"sip.contoso.com")));
    }
}
