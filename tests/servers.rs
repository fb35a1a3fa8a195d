//! Real servers on loopback, started and stopped by the tests that use them: an authoritative
//! DNS server (hickory-server, in process), TLS servers (rustls in process, and OpenSSL's
//! `s_server` as a child process), and a port that accepts and never answers. Every address is
//! in 127.0.0.0/8 or ::1; every server stops when its handle is dropped.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hickory_server::proto::rr::{Name, RecordSet, RrKey};
use hickory_server::proto::serialize::txt::Parser;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use hickory_server::Server;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A file of the test PKI.
pub fn pki(name: &str) -> PathBuf {
    root().join("fixtures/pki").join(name)
}

/// An authoritative DNS server for some zones, on 127.0.0.1 (UDP and TCP on one port).
pub struct DnsServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl DnsServer {
    /// Serves `zones`: (origin, master-file text without `$ORIGIN`; an SOA is added).
    pub fn start(zones: &[(&str, &str)]) -> DnsServer {
        let mut catalog = Catalog::new();
        for (origin, text) in zones {
            let origin = origin.trim_end_matches('.');
            let text = format!(
                "$ORIGIN {origin}.\n$TTL 60\n@ IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 60\n{text}\n"
            );
            let name = Name::from_str(&format!("{origin}.")).unwrap();
            let (name, records): (Name, BTreeMap<RrKey, RecordSet>) =
                Parser::new(&text, None, Some(name))
                    .parse()
                    .unwrap_or_else(|e| panic!("zone {origin}: {e}"));
            let zone: InMemoryZoneHandler = InMemoryZoneHandler::new(
                name.clone(),
                records,
                ZoneType::Primary,
                AxfrPolicy::Deny,
            )
            .unwrap();
            catalog.upsert(name.into(), vec![Arc::new(zone)]);
        }
        let (udp, tcp) = loop {
            let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            let port = udp.local_addr().unwrap().port();
            if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)) {
                udp.set_nonblocking(true).unwrap();
                tcp.set_nonblocking(true).unwrap();
                break (udp, tcp);
            }
        };
        let addr = udp.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let mut server = Server::new(catalog);
                server.register_socket(tokio::net::UdpSocket::from_std(udp).unwrap());
                server.register_listener(
                    tokio::net::TcpListener::from_std(tcp).unwrap(),
                    Duration::from_secs(5),
                    32,
                );
                let _ = stopped.await;
                let _ = server.shutdown_gracefully().await;
            });
        });
        DnsServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A port free on every one of `ips` (a pool's members share the SRV record's port).
pub fn free_port(ips: &[IpAddr]) -> u16 {
    'search: for _ in 0..200 {
        let first = TcpListener::bind((ips[0], 0)).unwrap();
        let port = first.local_addr().unwrap().port();
        for ip in &ips[1..] {
            if TcpListener::bind((*ip, port)).is_err() {
                continue 'search;
            }
        }
        return port;
    }
    panic!("no port free on {ips:?}");
}

/// What a TLS server asks of its clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// Nothing.
    None,
    /// A certificate chaining to the test root, or none.
    Optional,
    /// A certificate chaining to the test root, with clientAuth.
    Required,
}

/// A TLS server in this process (rustls), answering every connection until dropped.
pub struct TlsServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// The fixture chain of `file` (leaf first), `count` certificates of it at most.
pub fn chain(file: &str, count: usize) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(pki(file))
        .unwrap()
        .map(Result::unwrap)
        .take(count)
        .collect()
}

impl TlsServer {
    /// Serves `chain` with the fixture leaf key on `addr` (port 0 for any), TLS 1.2 only or
    /// 1.2 and 1.3.
    pub fn start(
        addr: SocketAddr,
        chain: Vec<CertificateDer<'static>>,
        tls12_only: bool,
        client_auth: ClientAuth,
    ) -> TlsServer {
        let key = PrivateKeyDer::from_pem_file(pki("keys/leaf.key")).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone());
        let builder = if tls12_only {
            builder.with_protocol_versions(&[&rustls::version::TLS12])
        } else {
            builder.with_safe_default_protocol_versions()
        }
        .unwrap();
        let builder = match client_auth {
            ClientAuth::None => builder.with_no_client_auth(),
            other => {
                let mut roots = rustls::RootCertStore::empty();
                for root in CertificateDer::pem_file_iter(pki("public-root.pem")).unwrap() {
                    roots.add(root.unwrap()).unwrap();
                }
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider,
                );
                let verifier = if other == ClientAuth::Optional {
                    verifier.allow_unauthenticated()
                } else {
                    verifier
                };
                builder.with_client_cert_verifier(verifier.build().unwrap())
            }
        };
        let config = Arc::new(builder.with_single_cert(chain, key).unwrap());
        let listener = TcpListener::bind(addr).unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((tcp, _)) => {
                        let config = config.clone();
                        std::thread::spawn(move || serve_one(tcp, config));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        TlsServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

fn serve_one(mut tcp: TcpStream, config: Arc<rustls::ServerConfig>) {
    let _ = tcp.set_nonblocking(false);
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(mut conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    while conn.is_handshaking() {
        if conn.complete_io(&mut tcp).is_err() {
            // Send the alert that ended the handshake, as a real server does.
            let _ = conn.write_tls(&mut tcp);
            return;
        }
    }
    let _ = conn.complete_io(&mut tcp);
    let mut buf = [0u8; 64];
    let _ = conn.reader().read(&mut buf);
    let _ = conn.complete_io(&mut tcp);
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `openssl s_server`, as a child process, stopped (killed) when dropped.
pub struct OpenSslServer {
    /// Where it listens.
    pub addr: SocketAddr,
    child: Child,
}

impl OpenSslServer {
    /// Serves the fixture chain `file` (leaf, then its intermediate) with the fixture leaf key
    /// on `addr`, adding `args` (`-tls1_2`, `-Verify 1`, ...). Waits until it accepts
    /// connections; `None` when openssl is not installed.
    pub fn start(addr: SocketAddr, file: &str, args: &[&str]) -> Option<OpenSslServer> {
        let listen = match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
            IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
        };
        let child = Command::new("openssl")
            .args([
                "s_server", "-quiet", "-naccept", "1000", "-accept", &listen, "-cert",
            ])
            .arg(pki(file))
            .arg("-cert_chain")
            .arg(pki("public-issuing.pem"))
            .arg("-key")
            .arg(pki("keys/leaf.key"))
            .arg("-CAfile")
            .arg(pki("public-root.pem"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let server = OpenSslServer { addr, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "openssl s_server did not start on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }
}

impl Drop for OpenSslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that accepts connections and never says anything, until dropped.
pub struct SilentServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SilentServer {
    /// Listens on `addr`.
    pub fn start(addr: SocketAddr) -> SilentServer {
        let listener = TcpListener::bind(addr).unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                if let Ok((tcp, _)) = listener.accept() {
                    held.push(tcp);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        SilentServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A client certificate issued now by the test issuing CA (valid from yesterday for 30 days, so
/// that servers checking it at the real time accept its dates), with or without clientAuth,
/// written with its key into `dir`: (certificate and intermediate, key).
pub fn fresh_client_certificate(dir: &Path, client_auth: bool) -> (PathBuf, PathBuf) {
    let int_der = chain("public-issuing.pem", 1).remove(0);
    let int_key =
        rcgen::KeyPair::from_pem(&std::fs::read_to_string(pki("keys/public-issuing.key")).unwrap())
            .unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_der(&int_der, int_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["sip.partner.example".to_string()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "sip.partner.example");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    if client_auth {
        params
            .extended_key_usages
            .push(rcgen::ExtendedKeyUsagePurpose::ClientAuth);
    }
    let now = std::time::SystemTime::now();
    params.not_before = (now - Duration::from_secs(86_400)).into();
    params.not_after = (now + Duration::from_secs(30 * 86_400)).into();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let name = if client_auth {
        "client-both"
    } else {
        "client-server-only"
    };
    let cert_path = dir.join(format!("{name}.pem"));
    let key_path = dir.join(format!("{name}.key"));
    let intermediate = std::fs::read_to_string(pki("public-issuing.pem")).unwrap();
    std::fs::write(&cert_path, format!("{}{intermediate}", cert.pem())).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (cert_path, key_path)
}

/// True when `openssl` can be run.
pub fn have_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A file's path as a string, for command lines.
pub fn arg(path: &Path) -> String {
    path.display().to_string()
}
