//! The recording handshake: rustls with a verifier that keeps the chain, a client-certificate
//! resolver that notes the request, and a stream that keeps the first bytes to name a server
//! that does not speak TLS.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::ResolvesClientCert;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::legacy::Legacy;
use super::{ClientCertificate, ConnectOptions, LiveError, Presented, Target, TlsFacts};

/// Accepts any certificate (the audit judges it), but still checks the handshake signature, so
/// that the server proves it holds the certificate's key. Records the chain when it sees it,
/// and the verdict on the signature.
#[derive(Debug)]
struct Recorder {
    provider: Arc<CryptoProvider>,
    chain: Mutex<Option<Vec<CertificateDer<'static>>>>,
    /// `Some(Ok)` once the server's handshake signature verified with the leaf's key,
    /// `Some(Err(why))` when it did not; `None` until the server signed anything.
    signature: Mutex<Option<Result<(), String>>>,
}

impl Recorder {
    fn new(provider: Arc<CryptoProvider>) -> Arc<Recorder> {
        Arc::new(Recorder {
            provider,
            chain: Mutex::new(None),
            signature: Mutex::new(None),
        })
    }

    fn note_signature(
        &self,
        verdict: Result<HandshakeSignatureValid, rustls::Error>,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Ok(mut slot) = self.signature.lock() {
            *slot = Some(verdict.as_ref().map(|_| ()).map_err(|e| e.to_string()));
        }
        verdict
    }

    fn signature(&self) -> Option<Result<(), String>> {
        self.signature.lock().ok().and_then(|s| s.clone())
    }

    fn chain(&self) -> Option<Vec<CertificateDer<'static>>> {
        self.chain.lock().ok().and_then(|c| c.clone())
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        if let Ok(mut slot) = self.chain.lock() {
            *slot = Some(chain);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.note_signature(verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        ))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.note_signature(verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        ))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Notes that the server asked for a client certificate, and offers ours when there is one.
#[derive(Debug)]
struct ClientAuth {
    asked: AtomicBool,
    identity: Option<Arc<CertifiedKey>>,
}

impl ResolvesClientCert for ClientAuth {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.asked.store(true, Ordering::Relaxed);
        self.identity.clone()
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// A TCP stream that ends at a deadline, whatever the peer does (each read and write may wait
/// only for what is left of it, so a server that drips its answer a byte at a time cannot
/// stretch the handshake), and keeps the first bytes it reads, to say what a server that does
/// not speak TLS answered.
struct Peeking {
    tcp: TcpStream,
    first: Vec<u8>,
    deadline: Instant,
}

impl Peeking {
    /// What is left before the deadline, or a timeout error when nothing is.
    fn left(&self) -> std::io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the deadline passed",
            ))
        } else {
            Ok(left)
        }
    }
}

impl Read for Peeking {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.tcp.set_read_timeout(Some(left))?;
        let n = self.tcp.read(buf)?;
        if self.first.len() < 64 {
            let take = n.min(64 - self.first.len());
            self.first.extend_from_slice(&buf[..take]);
        }
        Ok(n)
    }
}

impl Write for Peeking {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let left = self.left()?;
        self.tcp.set_write_timeout(Some(left))?;
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tcp.flush()
    }
}

/// Resolves the target through the system's resolver, or takes the address given. The system's
/// resolver has its own timeouts (often 5 s a try, several tries); the lookup runs on a thread
/// of its own and is abandoned at the deadline.
fn addresses(
    target: &Target,
    options: &ConnectOptions,
    deadline: Instant,
) -> Result<Vec<SocketAddr>, LiveError> {
    if let Some(addr) = options.address {
        return Ok(vec![addr]);
    }
    if let Ok(ip) = target.host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, target.port)]);
    }
    let (send, receive) = std::sync::mpsc::channel();
    let (host, port) = (target.host.clone(), target.port);
    std::thread::Builder::new()
        .name("picert-resolve".into())
        .spawn(move || {
            let answer = (host.as_str(), port)
                .to_socket_addrs()
                .map(|a| a.collect::<Vec<_>>());
            let _ = send.send(answer);
        })
        .map_err(|e| LiveError::Resolve {
            host: target.host.clone(),
            why: short_io(&e),
        })?;
    let left = deadline.saturating_duration_since(Instant::now());
    let addrs: Vec<SocketAddr> = match receive.recv_timeout(left) {
        Ok(answer) => answer.map_err(|e| LiveError::Resolve {
            host: target.host.clone(),
            why: short_io(&e),
        })?,
        Err(_) => {
            return Err(LiveError::Resolve {
                host: target.host.clone(),
                why: format!(
                    "no answer from the system's resolver within {}s",
                    left.as_secs().max(1)
                ),
            })
        }
    };
    if addrs.is_empty() {
        return Err(LiveError::Resolve {
            host: target.host.clone(),
            why: "no address".into(),
        });
    }
    Ok(addrs)
}

fn address_label(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.to_string(),
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}

/// Connects to the target, sends the server name as SNI (none for an IP address), completes
/// the handshake within the timeout, and returns what the server presented.
///
/// ```no_run
/// use picert_probe::{fetch_chain, ConnectOptions, Target};
/// let target: Target = "sip.contoso.com".parse()?;
/// let presented = fetch_chain(&target, &ConnectOptions::default())?;
/// println!("{} sent {} certificates over {}", target, presented.chain.len(), presented.tls.version);
/// # Ok::<(), picert_probe::LiveError>(())
/// ```
pub fn fetch_chain(target: &Target, options: &ConnectOptions) -> Result<Presented, LiveError> {
    let timeout = options.timeout.max(Duration::from_millis(100));
    let seconds = timeout.as_secs().max(1);
    let deadline = Instant::now() + timeout;
    let server_name = options
        .server_name
        .clone()
        .unwrap_or_else(|| target.host.clone());
    let name = ServerName::try_from(server_name.clone())
        .map_err(|_| LiveError::BadServerName(server_name.clone()))?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let identity = match &options.client {
        Some(id) => {
            let key = provider
                .key_provider
                .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    id.key_pkcs8.to_vec(),
                )))
                .map_err(|e| LiveError::ClientIdentity(e.to_string()))?;
            Some(Arc::new(CertifiedKey::new(id.chain.clone(), key)))
        }
        None => None,
    };
    let recorder = Recorder::new(provider.clone());
    let client_auth = Arc::new(ClientAuth {
        asked: AtomicBool::new(false),
        identity,
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LiveError::Handshake {
            address: target.label(),
            why: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_client_cert_resolver(client_auth.clone());

    let mut last = None;
    let mut tcp = None;
    for addr in addresses(target, options, deadline)? {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(s) => {
                tcp = Some((s, address_label(&addr), addr));
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => {
                last = Some(LiveError::Connect {
                    address: address_label(&addr),
                    why: short_io(&e),
                })
            }
        }
    }
    let (tcp, address, peer) = tcp.ok_or_else(|| {
        last.unwrap_or(LiveError::NoAnswer {
            target: target.label(),
            seconds,
        })
    })?;
    // The other versions are asked on connections of their own, at the same time and with the
    // same deadline as the handshake itself.
    let probes = options
        .probe_versions
        .then(|| spawn_probes(peer, &server_name, deadline));
    let sni = server_name.clone();
    let label = address.clone();
    let main = (|| -> Result<Presented, LiveError> {
        let mut io = Peeking {
            tcp,
            first: Vec::new(),
            deadline,
        };
        let mut conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| {
            LiveError::Handshake {
                address: address.clone(),
                why: e.to_string(),
            }
        })?;
        let presented_client = options.client.is_some();
        let mut refusal: Option<String> = None;
        let mut failure: Option<String> = None;
        while conn.is_handshaking() {
            match conn.complete_io(&mut io) {
                Ok(_) => {}
                Err(e) => {
                    let timed_out = matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    );
                    let tls_error = e
                        .get_ref()
                        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                        .cloned();
                    if recorder.chain().is_none() {
                        if timed_out {
                            return Err(LiveError::HandshakeTimeout { address, seconds });
                        }
                        return Err(handshake_failure(&address, &e, tls_error, &io.first));
                    }
                    let asked = client_auth.asked.load(Ordering::Relaxed);
                    match after_certificate(&recorder, asked, &e, tls_error.as_ref(), seconds) {
                        AfterCertificate::Refused(alert) => refusal = Some(alert),
                        AfterCertificate::Failed(why) => failure = Some(why),
                    }
                    break;
                }
            }
        }
        let asked = client_auth.asked.load(Ordering::Relaxed);
        let chain = recorder.chain().unwrap_or_default();
        if chain.is_empty() {
            return Err(LiveError::NoCertificate(address));
        }
        let key_proved = failure.is_none() && matches!(recorder.signature(), Some(Ok(())));
        if failure.is_none() && !key_proved {
            failure =
                Some("the server never signed the handshake with the certificate's key".into());
        }
        let version = conn
            .protocol_version()
            .map(|v| format!("{v:?}").replace("TLSv1_", "TLSv1."))
            .unwrap_or_else(|| "TLSv1.2".into());
        let cipher = conn
            .negotiated_cipher_suite()
            .map(|c| format!("{:?}", c.suite()))
            .unwrap_or_default();
        // TLS 1.3 completes the client's side of the handshake before the server has read our
        // certificate; its verdict comes next: session tickets when it accepts, an alert when it
        // refuses. Wait briefly for either.
        if refusal.is_none() && failure.is_none() && asked && version == "TLSv1.3" {
            refusal = wait_for_refusal(&mut conn, &mut io, deadline);
        }
        let (client_certificate, accepted) = match (asked, presented_client, &refusal) {
            // Not asked: nothing to refuse, whether or not we had one to present.
            (false, true, _) => (ClientCertificate::NotRequested, Some(true)),
            (false, false, _) => (ClientCertificate::NotRequested, None),
            (true, false, Some(_)) => (ClientCertificate::Required, None),
            (true, false, None) => (ClientCertificate::Requested, None),
            // A handshake that failed for another reason says nothing about our certificate.
            (true, true, None) if failure.is_some() => (ClientCertificate::Requested, None),
            (true, true, r) => (ClientCertificate::Requested, Some(r.is_none())),
        };
        if refusal.is_none() && failure.is_none() {
            // Close politely; the server's answer does not matter.
            conn.send_close_notify();
            let _ = conn.write_tls(&mut io);
            let _ = io.flush();
        }
        Ok(Presented {
            tls: TlsFacts {
                address,
                server_name,
                version,
                cipher,
                certificates_sent: chain.len(),
                client_certificate,
                client_certificate_accepted: accepted,
                alert: refusal,
                key_proved,
                handshake_failure: failure,
                offered_versions: Vec::new(),
                versions_not_probed: Vec::new(),
            },
            chain,
        })
    })();
    match probes {
        Some(probes) => with_versions(main, probes, &label, &sni),
        None => main,
    }
}

/// The probes of the versions the main handshake does not show, each on its own thread.
struct Probes {
    tls12: std::thread::JoinHandle<Result<bool, String>>,
    legacy: Vec<(
        &'static str,
        std::thread::JoinHandle<Result<Legacy, String>>,
    )>,
}

fn spawn_probes(peer: SocketAddr, server_name: &str, deadline: Instant) -> Probes {
    let sni = ServerName::try_from(server_name.to_string()).ok();
    let dns_name = match &sni {
        Some(ServerName::DnsName(_)) => Some(server_name.to_string()),
        _ => None,
    };
    let tls12 = {
        let sni = sni.clone();
        std::thread::spawn(move || match sni {
            Some(name) => offers(peer, name, &rustls::version::TLS12, deadline),
            None => Err("not probed: no server name".into()),
        })
    };
    let legacy = super::legacy::LEGACY
        .iter()
        .map(|(wire, label)| {
            let (wire, name) = (*wire, dns_name.clone());
            (
                *label,
                std::thread::spawn(move || {
                    super::legacy::probe(peer, name.as_deref(), wire, deadline)
                }),
            )
        })
        .collect();
    Probes { tls12, legacy }
}

/// Whether the server at `peer` chooses `version` when it is the only one offered: true once
/// its ServerHello names it.
fn offers(
    peer: SocketAddr,
    name: ServerName<'static>,
    version: &'static rustls::SupportedProtocolVersion,
    deadline: Instant,
) -> Result<bool, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let recorder = Recorder::new(provider.clone());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(recorder)
        .with_no_client_auth();
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err("no answer in time".into());
    }
    let tcp = TcpStream::connect_timeout(&peer, left).map_err(|e| short_io(&e))?;
    let mut io = Peeking {
        tcp,
        first: Vec::new(),
        deadline,
    };
    let mut conn =
        rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    while conn.is_handshaking() && conn.protocol_version().is_none() {
        if let Err(e) = conn.complete_io(&mut io) {
            if conn.protocol_version().is_some() {
                break;
            }
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) {
                return Err("no answer in time".into());
            }
            return Ok(false);
        }
    }
    Ok(conn.protocol_version().is_some())
}

/// The main handshake's result with what the probes learnt: the versions offered, those that
/// could not be probed, and, for a server that speaks only TLS 1.0 or 1.1, the chain of its
/// first flight (its key not proved: picert does not complete such a handshake).
fn with_versions(
    main: Result<Presented, LiveError>,
    probes: Probes,
    address: &str,
    server_name: &str,
) -> Result<Presented, LiveError> {
    let mut offered: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut flights = Vec::new();
    for (label, handle) in probes.legacy {
        match handle.join() {
            Ok(Ok(Legacy::Offered {
                chain,
                cipher,
                asked,
            })) => {
                offered.push(label.to_string());
                flights.push((label, chain, cipher, asked));
            }
            Ok(Ok(Legacy::Refused)) => {}
            Ok(Err(why)) => unknown.push(format!("{label}: {why}")),
            Err(_) => unknown.push(format!("{label}: the probe failed (a picert bug)")),
        }
    }
    let tls12 = probes.tls12.join();
    let mut presented = match main {
        Ok(p) => p,
        Err(e) => {
            // A server that speaks only an old version: what its first flight showed.
            let Some((label, chain, cipher, asked)) = flights
                .into_iter()
                .rev()
                .find(|(_, chain, _, _)| !chain.is_empty())
            else {
                return Err(e);
            };
            Presented {
                tls: TlsFacts {
                    address: address.to_string(),
                    server_name: server_name.to_string(),
                    version: label.to_string(),
                    cipher,
                    certificates_sent: chain.len(),
                    client_certificate: if asked {
                        ClientCertificate::Requested
                    } else {
                        ClientCertificate::NotRequested
                    },
                    client_certificate_accepted: None,
                    alert: None,
                    key_proved: false,
                    handshake_failure: Some(format!(
                        "the server speaks only versions older than TLS 1.2 ({label} here), whose handshake picert reads up to the server's certificate but does not complete, so its proof that it holds the certificate's key was not checked"
                    )),
                    offered_versions: Vec::new(),
                    versions_not_probed: Vec::new(),
                },
                chain,
            }
        }
    };
    match (presented.tls.version.as_str(), tls12) {
        // rustls offered 1.2 and 1.3; a server that chose 1.2 does not offer 1.3.
        ("TLSv1.2", _) => offered.push("TLSv1.2".into()),
        ("TLSv1.3", Ok(Ok(true))) => offered.extend(["TLSv1.2".into(), "TLSv1.3".into()]),
        ("TLSv1.3", Ok(Ok(false))) => offered.push("TLSv1.3".into()),
        ("TLSv1.3", Ok(Err(why))) => {
            offered.push("TLSv1.3".into());
            unknown.push(format!("TLSv1.2: {why}"));
        }
        ("TLSv1.3", Err(_)) => {
            offered.push("TLSv1.3".into());
            unknown.push("TLSv1.2: the probe failed (a picert bug)".into());
        }
        // An old-version-only server: rustls's handshake failed, so neither 1.2 nor 1.3.
        _ => {}
    }
    offered.sort();
    offered.dedup();
    presented.tls.offered_versions = offered;
    presented.tls.versions_not_probed = unknown;
    Ok(presented)
}

/// What a handshake that failed after the server's certificate means.
enum AfterCertificate {
    /// The server refused our client certificate (or its absence), with this alert or reason.
    Refused(String),
    /// Anything else: the certificate was received, the identity not proved.
    Failed(String),
}

/// The chain arrived before the failure. Only a server that proved it holds the key, asked for
/// a client certificate and then ended the handshake the way a refusal of a client certificate
/// looks has refused *us*; anything else is a handshake that failed after the certificate.
fn after_certificate(
    recorder: &Recorder,
    asked: bool,
    e: &std::io::Error,
    tls_error: Option<&rustls::Error>,
    seconds: u64,
) -> AfterCertificate {
    let timed_out = matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    );
    let why = match tls_error {
        Some(rustls::Error::AlertReceived(alert)) => format!("alert {}", alert_name(alert)),
        _ if timed_out => format!("no answer within {seconds}s"),
        _ => short_io(e),
    };
    match recorder.signature() {
        Some(Ok(())) if asked && is_client_refusal(e, tls_error) => {
            AfterCertificate::Refused(match tls_error {
                Some(rustls::Error::AlertReceived(alert)) => alert_name(alert),
                _ => short_io(e),
            })
        }
        Some(Err(bad)) => AfterCertificate::Failed(format!(
            "the server's handshake signature does not verify with the key of the certificate it sent ({bad}): an impostor replaying the Edge's chain, a certificate replaced without its key, or a key too large for TLS libraries to use"
        )),
        None => AfterCertificate::Failed(format!(
            "the handshake ended ({why}) before the server proved it holds the key of the certificate it sent"
        )),
        Some(Ok(())) => AfterCertificate::Failed(format!(
            "the handshake failed after the server's certificate and signature ({why})"
        )),
    }
}

/// Whether a failure after the server's certificate looks like a refusal of the client's
/// certificate: one of the alerts RFC 5246 and RFC 8446 give for a certificate the server
/// does not accept, or the connection dropped (as some servers do instead of an alert).
fn is_client_refusal(e: &std::io::Error, tls_error: Option<&rustls::Error>) -> bool {
    use rustls::AlertDescription as A;
    match tls_error {
        Some(rustls::Error::AlertReceived(alert)) => matches!(
            alert,
            A::HandshakeFailure
                | A::BadCertificate
                | A::UnsupportedCertificate
                | A::CertificateRevoked
                | A::CertificateExpired
                | A::CertificateUnknown
                | A::UnknownCA
                | A::AccessDenied
                | A::CertificateRequired
        ),
        Some(_) => false,
        None => matches!(
            e.kind(),
            std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
        ),
    }
}

/// After a TLS 1.3 handshake in which the server asked for a client certificate: reads until
/// the server says something. An alert, or a connection dropped without a close_notify, is a
/// refusal; a record that processes cleanly (a session ticket), a close_notify (a server that
/// simply ends the session), or silence until the deadline is acceptance.
fn wait_for_refusal(
    conn: &mut rustls::ClientConnection,
    io: &mut Peeking,
    deadline: Instant,
) -> Option<String> {
    let wait = deadline
        .saturating_duration_since(Instant::now())
        .min(Duration::from_secs(2));
    if wait.is_zero() {
        return None;
    }
    // The stream's own deadline still holds; this wait is shorter.
    let _ = io.tcp.set_read_timeout(Some(wait));
    match conn.read_tls(&mut Shorter(io)) {
        Ok(0) => Some("the server dropped the connection without a word".into()),
        Ok(_) => match conn.process_new_packets() {
            Ok(_) => None,
            Err(rustls::Error::AlertReceived(alert)) => Some(alert_name(&alert)),
            Err(e) => Some(e.to_string()),
        },
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            None
        }
        Err(e) => Some(short_io(&e)),
    }
}

/// Reads without resetting the read timeout set by the caller (shorter than the deadline).
struct Shorter<'a>(&'a mut Peeking);

impl Read for Shorter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.left()?;
        let n = self.0.tcp.read(buf)?;
        Ok(n)
    }
}

/// An alert as RFC 8446 writes it (`handshake_failure`, `unknown_ca`).
pub(crate) fn alert_name(alert: &rustls::AlertDescription) -> String {
    if let rustls::AlertDescription::Unknown(code) = alert {
        return format!("alert {code}");
    }
    // rustls names alerts in CamelCase with acronyms in capitals (`UnknownCA`,
    // `UnknownPSKIdentity`): a word starts at a capital after a small letter, or at the last
    // capital of a run that a small letter follows.
    let camel: Vec<char> = format!("{alert:?}").chars().collect();
    let mut out = String::new();
    for (i, c) in camel.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let after_small = camel[i - 1].is_ascii_lowercase();
            let run_ends = camel[i - 1].is_ascii_uppercase()
                && camel.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if after_small || run_ends {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A handshake that failed before the server's certificate: says whether the server speaks
/// TLS at all, or only an old version of it.
fn handshake_failure(
    address: &str,
    e: &std::io::Error,
    tls_error: Option<rustls::Error>,
    first: &[u8],
) -> LiveError {
    match tls_error {
        Some(rustls::Error::InvalidMessage(_)) if !first.is_empty() && first[0] != 0x15 => {
            LiveError::NotTls {
                address: address.to_string(),
                seen: describe_non_tls(first),
            }
        }
        Some(rustls::Error::PeerIncompatible(
            rustls::PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig,
        ))
        | Some(rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion)) => {
            LiveError::OldTls {
                address: address.to_string(),
                why: short_io(e),
            }
        }
        _ => LiveError::Handshake {
            address: address.to_string(),
            why: short_io(e),
        },
    }
}

/// What a non-TLS answer seems to be, from its first bytes.
fn describe_non_tls(first: &[u8]) -> Option<String> {
    let text: String = first
        .iter()
        .take_while(|b| **b != b'\r' && **b != b'\n')
        .map(|b| *b as char)
        .collect();
    if text.starts_with("HTTP/") {
        Some(format!("HTTP ({})", text.trim()))
    } else if text.starts_with("SIP/2.0") {
        Some(format!(
            "SIP in clear text ({}): port 5060, not 5061?",
            text.trim()
        ))
    } else if text.starts_with("SSH-") {
        Some(format!("SSH ({})", text.trim()))
    } else if !text.is_empty() && text.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        Some(format!("text: {}", text.trim()))
    } else {
        None
    }
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
    fn non_tls_answers_are_named() {
        assert_eq!(
            describe_non_tls(b"HTTP/1.1 400 Bad Request\r\nServer: x\r\n").as_deref(),
            Some("HTTP (HTTP/1.1 400 Bad Request)")
        );
        assert!(describe_non_tls(b"SIP/2.0 400 Bad\r\n")
            .unwrap()
            .contains("5060"));
        assert_eq!(describe_non_tls(&[0x16, 0x03, 0x01]), None);
        for (alert, name) in [
            (
                rustls::AlertDescription::HandshakeFailure,
                "handshake_failure",
            ),
            (rustls::AlertDescription::UnknownCA, "unknown_ca"),
            (
                rustls::AlertDescription::UnknownPSKIdentity,
                "unknown_psk_identity",
            ),
            (
                rustls::AlertDescription::CertificateRequired,
                "certificate_required",
            ),
            (rustls::AlertDescription::DecryptError, "decrypt_error"),
            (rustls::AlertDescription::Unknown(200), "alert 200"),
        ] {
            assert_eq!(alert_name(&alert), name);
        }
        let e = LiveError::NotTls {
            address: "127.0.0.1:80".into(),
            seen: Some("HTTP (HTTP/1.0 200 OK)".into()),
        };
        assert_eq!(
            e.to_string(),
            "127.0.0.1:80 did not answer TLS: it answered HTTP (HTTP/1.0 200 OK)"
        );
    }
}
