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
    let mut flight = Flight::new(version);
    let mut buf = [0u8; 16 * 1024];
    loop {
        let wait = left()?.min(Duration::from_secs(3600));
        tcp.set_read_timeout(Some(wait))
            .map_err(|e| e.to_string())?;
        match tcp.read(&mut buf) {
            Ok(0) => return Ok(Legacy::Refused),
            Ok(n) => {
                if let Some(verdict) = flight.feed(&buf[..n]) {
                    return verdict;
                }
            }
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

/// The server's first flight as it arrives: whole records first, then the handshake messages
/// they carry (a message may span records, and a record may carry several).
pub(crate) struct Flight {
    version: u16,
    wire: Vec<u8>,
    handshake: Vec<u8>,
    chain: Vec<CertificateDer<'static>>,
    cipher: String,
    asked: bool,
    chosen: bool,
}

impl Flight {
    pub(crate) fn new(version: u16) -> Flight {
        Flight {
            version,
            wire: Vec::new(),
            handshake: Vec::new(),
            chain: Vec::new(),
            cipher: String::new(),
            asked: false,
            chosen: false,
        }
    }

    /// Takes more bytes from the server; a verdict once the flight ends (ServerHelloDone), the
    /// server refuses, or the flight is too large.
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> Option<Result<Legacy, String>> {
        self.wire.extend_from_slice(bytes);
        while let Ok((rest, record)) = parse_tls_raw_record(&self.wire) {
            if record.hdr.record_type != TlsRecordType::Handshake {
                // An alert, or anything else before ServerHelloDone: not this version.
                return Some(Ok(Legacy::Refused));
            }
            self.handshake.extend_from_slice(record.data);
            let used = self.wire.len() - rest.len();
            self.wire.drain(..used);
        }
        while let Ok((rest, message)) = parse_tls_message_handshake(&self.handshake) {
            let TlsMessage::Handshake(message) = message else {
                break;
            };
            match message {
                TlsMessageHandshake::ServerHello(hello) => {
                    if hello.version.0 != self.version {
                        return Some(Ok(Legacy::Refused));
                    }
                    self.chosen = true;
                    self.cipher = hello
                        .cipher
                        .get_ciphersuite()
                        .map(|c| c.name.to_string())
                        .unwrap_or_else(|| format!("0x{:04X}", hello.cipher.0));
                }
                TlsMessageHandshake::Certificate(certs) => {
                    self.chain = certs
                        .cert_chain
                        .iter()
                        .map(|c| CertificateDer::from(c.data.to_vec()))
                        .collect();
                }
                TlsMessageHandshake::CertificateRequest(_) => self.asked = true,
                TlsMessageHandshake::ServerDone(_) => {
                    return Some(Ok(if self.chosen {
                        Legacy::Offered {
                            chain: std::mem::take(&mut self.chain),
                            cipher: std::mem::take(&mut self.cipher),
                            asked: self.asked,
                        }
                    } else {
                        Legacy::Refused
                    }));
                }
                _ => {}
            }
            let used = self.handshake.len() - rest.len();
            self.handshake.drain(..used);
        }
        if self.wire.len() + self.handshake.len() > 1024 * 1024 {
            return Some(Err("the server's first flight is larger than 1 MiB".into()));
        }
        None
    }
}

/// Feeds arbitrary bytes to the first-flight reader, whole and in small pieces (for the fuzz
/// targets and their replay in the test suite): it must never panic.
#[doc(hidden)]
pub fn fuzz_first_flight(data: &[u8]) {
    for version in [0x0301, 0x0302] {
        let _ = Flight::new(version).feed(data);
        let mut pieces = Flight::new(version);
        for chunk in data.chunks(7) {
            if pieces.feed(chunk).is_some() {
                break;
            }
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

#[cfg(test)]
mod flight_tests {
    use super::*;
    use rustls::pki_types::pem::PemObject;

    /// A ServerHello, Certificate and ServerHelloDone split across records at odd places.
    #[test]
    fn a_flight_split_across_records_reads_whole() {
        let leaf = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/pki/good.pem"
        ))
        .unwrap();
        let der = rustls::pki_types::CertificateDer::pem_slice_iter(&leaf)
            .next()
            .unwrap()
            .unwrap();
        let mut messages = Vec::new();
        // ServerHello: version 0x0301, random, empty session, cipher 0xC014, no compression.
        let mut hello = vec![0x03, 0x01];
        hello.extend([7u8; 32]);
        hello.extend([0x00, 0xC0, 0x14, 0x00]);
        messages.push(2u8);
        messages.extend(&(hello.len() as u32).to_be_bytes()[1..]);
        messages.extend(&hello);
        let mut certs = Vec::new();
        certs.extend(&(der.len() as u32).to_be_bytes()[1..]);
        certs.extend(der.as_ref());
        let mut body = Vec::new();
        body.extend(&(certs.len() as u32).to_be_bytes()[1..]);
        body.extend(&certs);
        messages.push(11u8);
        messages.extend(&(body.len() as u32).to_be_bytes()[1..]);
        messages.extend(&body);
        messages.extend([14u8, 0, 0, 0]);
        let mut wire = Vec::new();
        for part in messages.chunks(500) {
            wire.extend([0x16, 0x03, 0x01]);
            wire.extend((part.len() as u16).to_be_bytes());
            wire.extend(part);
        }
        let mut flight = Flight::new(0x0301);
        let mut verdict = None;
        for chunk in wire.chunks(3) {
            verdict = flight.feed(chunk);
            if verdict.is_some() {
                break;
            }
        }
        let Some(Ok(Legacy::Offered {
            chain,
            cipher,
            asked,
        })) = verdict
        else {
            panic!("{verdict:?}")
        };
        assert_eq!(chain, vec![der.into_owned()]);
        assert_eq!(cipher, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
        assert!(!asked);
        // The same hello for TLS 1.1 is another version: refused.
        assert_eq!(Flight::new(0x0302).feed(&wire), Some(Ok(Legacy::Refused)));
        // An alert is a refusal.
        assert_eq!(
            Flight::new(0x0301).feed(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]),
            Some(Ok(Legacy::Refused))
        );
        fuzz_first_flight(&wire);
    }
}
