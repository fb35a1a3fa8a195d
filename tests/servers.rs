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

/// A server's thread and the flag that stops it: dropping it sets the flag and waits for the
/// thread, which checks the flag between connections.
struct Background {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A TLS server in this process (rustls), answering every connection until dropped.
pub struct TlsServer {
    /// Where it listens.
    pub addr: SocketAddr,
    _background: Background,
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
        TlsServer::serve(addr, chain, key, tls12_only, client_auth, false)
    }

    /// An impostor: sends `chain` (the Edge's real chain) but signs the handshake with a key of
    /// its own, as anyone who copied the public chain could.
    pub fn start_impostor(
        addr: SocketAddr,
        chain: Vec<CertificateDer<'static>>,
        tls12_only: bool,
    ) -> TlsServer {
        let other =
            rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
                .unwrap();
        let key = PrivateKeyDer::try_from(other.serialize_der()).unwrap();
        TlsServer::serve(addr, chain, key, tls12_only, ClientAuth::None, true)
    }

    fn serve(
        addr: SocketAddr,
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        tls12_only: bool,
        client_auth: ClientAuth,
        any_key: bool,
    ) -> TlsServer {
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
                    provider.clone(),
                );
                let verifier = if other == ClientAuth::Optional {
                    verifier.allow_unauthenticated()
                } else {
                    verifier
                };
                builder.with_client_cert_verifier(verifier.build().unwrap())
            }
        };
        let config = if any_key {
            // rustls refuses a key that does not match the certificate: an impostor hands it
            // the pair directly.
            let signing = provider.key_provider.load_private_key(key).unwrap();
            let certified = Arc::new(rustls::sign::CertifiedKey::new(chain, signing));
            builder.with_cert_resolver(Arc::new(Fixed(certified)))
        } else {
            builder.with_single_cert(chain, key).unwrap()
        };
        let config = Arc::new(config);
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
            _background: Background {
                stop,
                thread: Some(thread),
            },
        }
    }
}

/// One certificate and key for every client, matching or not.
#[derive(Debug)]
struct Fixed(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for Fixed {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// A proxy in front of a real server that passes the client's bytes at once and the server's
/// one byte at a time, `delay` apart: a valid handshake, dripped. Stops when dropped.
pub struct DripProxy {
    /// Where it listens.
    pub addr: SocketAddr,
    _background: Background,
}

impl DripProxy {
    /// Listens on a free port of `ip` and forwards to `backend`.
    pub fn start(ip: IpAddr, backend: SocketAddr, delay: Duration) -> DripProxy {
        let listener = TcpListener::bind(SocketAddr::new(ip, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                let _ = client.set_nonblocking(false);
                let Ok(server) = TcpStream::connect(backend) else {
                    continue;
                };
                let (mut up_from, mut up_to) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut up_from, &mut up_to);
                });
                let flag = flag.clone();
                std::thread::spawn(move || {
                    use std::io::Write;
                    let (mut from, mut to) = (server, client);
                    let _ = from.set_read_timeout(Some(Duration::from_secs(30)));
                    let mut byte = [0u8; 1];
                    while !flag.load(Ordering::Relaxed) {
                        match from.read(&mut byte) {
                            Ok(1) => {
                                if to.write_all(&byte).is_err() {
                                    break;
                                }
                                std::thread::sleep(delay);
                            }
                            _ => break,
                        }
                    }
                    let _ = to.shutdown(std::net::Shutdown::Both);
                    let _ = from.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        DripProxy {
            addr,
            _background: Background {
                stop,
                thread: Some(thread),
            },
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
        OpenSslServer::start_with(addr, &pki(file), &pki("keys/leaf.key"), args)
    }

    /// The same with any certificate file (leaf first) and its key.
    pub fn start_with(
        addr: SocketAddr,
        cert: &Path,
        key: &Path,
        args: &[&str],
    ) -> Option<OpenSslServer> {
        let listen = match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
            IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
        };
        let child = Command::new("openssl")
            .args([
                "s_server", "-quiet", "-naccept", "1000", "-accept", &listen, "-cert",
            ])
            .arg(cert)
            .arg("-cert_chain")
            .arg(pki("public-issuing.pem"))
            .arg("-key")
            .arg(key)
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
    _background: Background,
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
            _background: Background {
                stop,
                thread: Some(thread),
            },
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

/// A test that cannot find the server or tool it needs: under `CI=true` (where `.ci/run` has
/// installed everything) it fails, so that CI never passes a test that did not run; elsewhere
/// it says so on stderr and the caller returns.
pub fn skip(missing: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{missing}, and CI=true: .ci/run provides what every test needs, so this test must run"
        );
    }
    eprintln!("skipped: {missing}");
}

/// True when `openssl` can be run; otherwise [`skip`]s (a failure under `CI=true`).
pub fn openssl_or_skip() -> bool {
    let found = have_openssl();
    if !found {
        skip("openssl is not installed");
    }
    found
}

/// True when script(1) can give a command a terminal; otherwise [`skip`]s.
pub fn script_or_skip() -> bool {
    let found = Command::new("script").arg("--version").output().is_ok();
    if !found {
        skip("no script(1) to provide a terminal");
    }
    found
}

/// A file's path as a string, for command lines.
pub fn arg(path: &Path) -> String {
    path.display().to_string()
}

/// True when Debian's `pebble` and `pebble-challtestsrv` can be run.
pub fn have_pebble() -> bool {
    ["pebble", "pebble-challtestsrv"].iter().all(|p| {
        Command::new(p)
            .arg("-h")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    })
}

/// A free UDP port on 127.0.0.1.
fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Pebble, the ACME test server, with pebble-challtestsrv as its DNS (whose TXT records the
/// test hook sets over HTTP), on loopback ports of their own, with a TLS certificate made for
/// the run. Both processes are killed when dropped.
pub struct Pebble {
    /// The ACME directory URL.
    pub directory: String,
    /// The CA that issued Pebble's TLS certificate (for `--directory-ca`).
    pub tls_ca: PathBuf,
    /// pebble-challtestsrv's management URL (`/set-txt`, `/clear-txt`).
    pub challtestsrv: String,
    /// Pebble's management address (`/roots/0`).
    pub management: SocketAddr,
    /// Where its files are.
    pub dir: tempfile::TempDir,
    children: Vec<Child>,
}

impl Pebble {
    /// Starts challtestsrv and Pebble; `eab` requires External Account Binding with these
    /// (kid, base64url HMAC) keys.
    pub fn start(eab: &[(&str, &str)]) -> Pebble {
        Pebble::start_rejecting_nonces(eab, 0)
    }

    /// As [`Pebble::start`], Pebble refusing `percent` of the good nonces it is sent with a
    /// badNonce problem (`PEBBLE_WFE_NONCEREJECT`), as a real CA does now and then.
    pub fn start_rejecting_nonces(eab: &[(&str, &str)], percent: u8) -> Pebble {
        let local = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
        let (dns, cts) = (free_udp_port(), free_port(&[local]));
        let dir = tempfile::tempdir().unwrap();
        let log = |name: &str| std::fs::File::create(dir.path().join(name)).unwrap();
        let challtestsrv = Command::new("pebble-challtestsrv")
            .args([
                "-dns01",
                &format!("127.0.0.1:{dns}"),
                "-http01",
                "",
                "-https01",
                "",
                "-tlsalpn01",
                "",
            ])
            .args([
                "-management",
                &format!("127.0.0.1:{cts}"),
                "-defaultIPv4",
                "127.0.0.1",
                "-defaultIPv6",
                "",
            ])
            .stdout(log("challtestsrv.log"))
            .stderr(log("challtestsrv.err"))
            .spawn()
            .expect("pebble-challtestsrv");
        let server = Pebble::launch(
            dir,
            eab,
            SocketAddr::new(local, dns),
            vec![challtestsrv],
            format!("http://127.0.0.1:{cts}"),
            percent,
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", cts)).is_err() {
            assert!(
                Instant::now() < deadline,
                "pebble-challtestsrv did not start: see {}",
                server.dir.path().display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// Pebble with a TLS CA and server certificate of its own, in `dir`, validating dns-01
    /// against `dns`; `children` (a DNS server already started) are stopped with it. Returns
    /// once its directory answers.
    fn launch(
        mut dir: tempfile::TempDir,
        eab: &[(&str, &str)],
        dns: SocketAddr,
        mut children: Vec<Child>,
        challtestsrv: String,
        nonce_reject: u8,
    ) -> Pebble {
        // A CA and a server certificate for Pebble's listeners (localhost and 127.0.0.1).
        let tls_ca = loopback_tls(dir.path(), "picert test Pebble TLS CA");

        let local = [IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)];
        // A port found free may be taken by another test before Pebble binds it: Pebble then
        // exits at once, and is started again on other ports (three attempts).
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (acme, mgmt, http, tls) = (
                free_port(&local),
                free_port(&local),
                free_port(&local),
                free_port(&local),
            );
            let keys: Vec<String> = eab
                .iter()
                .map(|(k, v)| format!("\"{k}\": \"{v}\""))
                .collect();
            let config = format!(
                r#"{{"pebble": {{"listenAddress": "127.0.0.1:{acme}", "managementListenAddress": "127.0.0.1:{mgmt}",
      "certificate": "{cert}", "privateKey": "{key}", "httpPort": {http}, "tlsPort": {tls},
      "ocspResponderURL": "", "externalAccountBindingRequired": {required},
      "externalAccountMACKeys": {{{keys}}}, "certificateValidityPeriod": 7776000}}}}"#,
                cert = dir.path().join("server.pem").display(),
                key = dir.path().join("server.key").display(),
                required = !eab.is_empty(),
                keys = keys.join(", "),
            );
            std::fs::write(dir.path().join("pebble.json"), config).unwrap();
            let log = |name: &str| std::fs::File::create(dir.path().join(name)).unwrap();
            children.push(
                Command::new("pebble")
                    .arg("-config")
                    .arg(dir.path().join("pebble.json"))
                    .args(["-dnsserver", &dns.to_string()])
                    .env("PEBBLE_VA_NOSLEEP", "1")
                    .env("PEBBLE_WFE_NONCEREJECT", nonce_reject.to_string())
                    .env("PEBBLE_AUTHZREUSE", "0")
                    .stdin(Stdio::null())
                    .stdout(log("pebble.log"))
                    .stderr(log("pebble.err"))
                    .spawn()
                    .expect("pebble"),
            );
            let mut server = Pebble {
                directory: format!("https://127.0.0.1:{acme}/dir"),
                tls_ca: tls_ca.clone(),
                challtestsrv: challtestsrv.clone(),
                management: SocketAddr::new(local[0], mgmt),
                dir,
                children,
            };
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let ready = server
                    .https_get(SocketAddr::new(local[0], acme), "/dir")
                    .is_some_and(|(status, _)| status == 200);
                if ready {
                    return server;
                }
                let exited = server
                    .children
                    .last_mut()
                    .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
                if exited && attempt < 3 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "Pebble did not start: see {}",
                    server.dir.path().display()
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            // Pebble exited: take its process out and try again with the same files.
            if let Some(mut pebble) = server.children.pop() {
                let _ = pebble.kill();
                let _ = pebble.wait();
            }
            dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
            children = std::mem::take(&mut server.children);
        }
    }

    /// The root Pebble issues under (a new one each start), as PEM in a file of the run.
    pub fn root(&self) -> PathBuf {
        let (status, body) = self
            .https_get(self.management, "/roots/0")
            .expect("Pebble's management API");
        assert_eq!(status, 200);
        let path = self.dir.path().join("issuer-root.pem");
        std::fs::write(&path, body).unwrap();
        path
    }

    /// GET over TLS, trusting Pebble's TLS CA: (status, body).
    fn https_get(&self, addr: SocketAddr, path: &str) -> Option<(u16, Vec<u8>)> {
        use std::io::Write;
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(&self.tls_ca).ok()? {
            roots.add(c.ok()?).ok()?;
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .ok()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").ok()?;
        let mut conn = rustls::ClientConnection::new(Arc::new(config), name).ok()?;
        let mut tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
        tcp.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
        write!(
            tls,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut response = Vec::new();
        let _ = tls.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response);
        let status = text.split_whitespace().nth(1)?.parse().ok()?;
        let body_at = response.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        Some((status, response[body_at..].to_vec()))
    }

    /// A dns-01 hook for picert that sets the records in pebble-challtestsrv, written as a
    /// Python script in the run's folder. With `wrong`, it publishes a wrong value; with
    /// `fail`, it refuses with a message on standard error.
    pub fn hook(&self, wrong: bool, fail: bool) -> PathBuf {
        let path = self.dir.path().join(format!("hook-{wrong}-{fail}.py"));
        std::fs::write(
            &path,
            format!(
                r#"#!/usr/bin/env python3
import json, sys, urllib.request
action, name, value = sys.argv[1:4]
if {fail}:
    sys.stderr.write("zone update refused by the test DNS provider\n")
    sys.exit(1)
if {wrong}:
    value = "not-the-right-value"
path = "/set-txt" if action == "add" else "/clear-txt"
body = {{"host": name + "."}}
if action == "add":
    body["value"] = value
request = urllib.request.Request("{base}" + path, data=json.dumps(body).encode(), method="POST")
urllib.request.urlopen(request, timeout=5).read()
"#,
                fail = if fail { "True" } else { "False" },
                wrong = if wrong { "True" } else { "False" },
                base = self.challtestsrv,
            ),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        path
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Pebble {
    /// Starts Pebble alone, with `dns` as the DNS server it validates dns-01 challenges
    /// against (BIND's `named` in the nsupdate hook's test); `eab` as for [`Pebble::start`].
    /// There is no pebble-challtestsrv: `challtestsrv` is empty and [`Pebble::hook`] is of no
    /// use. Killed when dropped.
    pub fn start_with_dns(eab: &[(&str, &str)], dns: SocketAddr) -> Pebble {
        Pebble::launch(
            tempfile::tempdir().unwrap(),
            eab,
            dns,
            Vec::new(),
            String::new(),
            0,
        )
    }
}

/// A program on PATH, or in the sbin folders an ordinary user's PATH may leave out (BIND's
/// `named` and `tsig-keygen` are in /usr/sbin).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// True when BIND's `named` and `tsig-keygen` (Debian's bind9) can be found, and `nsupdate`
/// (bind9-dnsutils) is on PATH, where a hook looks for it.
pub fn have_named() -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    find_program("named").is_some()
        && find_program("tsig-keygen").is_some()
        && std::env::split_paths(&path).any(|dir| dir.join("nsupdate").is_file())
}

/// The name of the TSIG key [`Named`] makes for its run.
pub const NAMED_TSIG_KEY: &str = "picert-acme";

/// BIND's `named`, a child process on 127.0.0.1 (UDP and TCP on one port), primary for some
/// zones that take dynamic updates (RFC 2136) of TXT records signed with a TSIG key made for
/// the run by `tsig-keygen`. It runs in the foreground with its own configuration in a folder
/// of the run (no systemd, nothing of /etc/bind but BIND's defaults), and is killed when
/// dropped.
pub struct Named {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The TSIG key file (tsig-keygen's output: `key "picert-acme" { ... };`), for
    /// `nsupdate -k`.
    pub key_file: PathBuf,
    /// Its configuration, zone files, journals and log (`named.log`).
    pub dir: tempfile::TempDir,
    child: Child,
}

/// The folder for `named`: a temporary one, or, where AppArmor confines named (Ubuntu), one
/// under /var/cache/bind, the only writable place its profile allows, when it can be made.
fn named_dir() -> tempfile::TempDir {
    let confined =
        std::fs::read_to_string("/sys/kernel/security/apparmor/profiles").is_ok_and(|p| {
            p.lines()
                .any(|l| l.contains("named") && l.trim_end().ends_with("(enforce)"))
        });
    if confined {
        if let Ok(dir) = tempfile::Builder::new()
            .prefix("picert-named-")
            .tempdir_in("/var/cache/bind")
        {
            return dir;
        }
    }
    tempfile::Builder::new()
        .prefix("picert-named-")
        .tempdir()
        .unwrap()
}

/// One DNS query over UDP to `server`: the answer, or `None` when none came within a second.
pub fn dns_query(
    server: SocketAddr,
    name: &str,
    record_type: hickory_server::proto::rr::RecordType,
) -> Option<hickory_server::proto::op::Message> {
    use hickory_server::proto::op::{Message, MessageType, OpCode, Query};
    static NEXT_ID: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(1);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let name = Name::from_str(&format!("{}.", name.trim_end_matches('.'))).ok()?;
    let mut query = Message::new(id, MessageType::Query, OpCode::Query);
    query.add_query(Query::query(name, record_type));
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").ok()?;
    socket.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    socket.connect(server).ok()?;
    socket.send(&query.to_vec().ok()?).ok()?;
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        let n = socket.recv(&mut buf).ok()?;
        if let Ok(answer) = Message::from_vec(&buf[..n]) {
            if answer.metadata.id == id {
                return Some(answer);
            }
        }
    }
    None
}

impl Named {
    /// Starts `named` as primary for `zones` (each with an SOA and an NS record), the TSIG key
    /// allowed to add and delete TXT records anywhere in them. Waits until it answers for the
    /// first zone (20 s at most per attempt; another port when the one chosen was taken).
    pub fn start(zones: &[&str]) -> Named {
        assert!(!zones.is_empty(), "named needs a zone");
        let named = find_program("named").expect("named (apt-get install bind9)");
        let keygen = find_program("tsig-keygen").expect("tsig-keygen (apt-get install bind9)");
        let dir = named_dir();
        let key_file = dir.path().join("tsig.key");
        let out = Command::new(keygen)
            .args(["-a", "hmac-sha256", NAMED_TSIG_KEY])
            .stdin(Stdio::null())
            .output()
            .expect("tsig-keygen");
        assert!(
            out.status.success(),
            "tsig-keygen: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(&key_file, &out.stdout).unwrap();
        let mut zone_config = String::new();
        for zone in zones {
            let zone = zone.trim_end_matches('.');
            std::fs::write(
                dir.path().join(format!("{zone}.zone")),
                format!(
                    "$ORIGIN {zone}.\n$TTL 60\n@ IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 60\n@ IN NS ns.{zone}.\nns IN A 127.0.0.1\n"
                ),
            )
            .unwrap();
            zone_config.push_str(&format!(
                "zone \"{zone}\" {{ type primary; file \"{zone}.zone\"; update-policy {{ grant {NAMED_TSIG_KEY} zonesub TXT; }}; }};\n"
            ));
        }
        let log_path = dir.path().join("named.log");
        let mut last = String::new();
        for _ in 0..3 {
            // A port free for both UDP and TCP.
            let port = loop {
                let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
                let port = udp.local_addr().unwrap().port();
                if TcpListener::bind(("127.0.0.1", port)).is_ok() {
                    break port;
                }
            };
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let d = dir.path().display();
            let config = format!(
                r#"options {{
    directory "{d}";
    pid-file "{d}/named.pid";
    session-keyfile "{d}/session.key";
    managed-keys-directory "{d}";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    notify no;
    dnssec-validation no;
    allow-query {{ 127.0.0.1; }};
}};
controls {{ }};
include "{d}/tsig.key";
{zone_config}"#
            );
            let config_path = dir.path().join("named.conf");
            std::fs::write(&config_path, config).unwrap();
            let log = std::fs::File::create(&log_path).unwrap();
            let mut child = Command::new(&named)
                .args(["-g", "-4", "-n", "1", "-c"])
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("named");
            let deadline = Instant::now() + Duration::from_secs(20);
            let ready = loop {
                if let Ok(Some(status)) = child.try_wait() {
                    break Err(format!("named exited ({status})"));
                }
                let answered =
                    dns_query(addr, zones[0], hickory_server::proto::rr::RecordType::SOA)
                        .is_some_and(|m| !m.answers.is_empty());
                if answered {
                    break Ok(());
                }
                if Instant::now() >= deadline {
                    break Err("named did not answer within 20 s".to_string());
                }
                std::thread::sleep(Duration::from_millis(100));
            };
            match ready {
                Ok(()) => {
                    return Named {
                        addr,
                        key_file,
                        dir,
                        child,
                    }
                }
                Err(why) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
                    last = format!("{why}: {text}");
                    if !text.to_ascii_lowercase().contains("address in use") {
                        break;
                    }
                }
            }
        }
        let hint = if last.to_ascii_lowercase().contains("permission denied") {
            " (AppArmor confining /usr/sbin/named? its profile allows /var/cache/bind, which this user cannot write)"
        } else {
            ""
        };
        panic!(
            "named did not start in {}{hint}: {last}",
            dir.path().display()
        );
    }

    /// The TXT values `name` has now (none when it does not exist).
    pub fn txt(&self, name: &str) -> Vec<String> {
        use hickory_server::proto::op::ResponseCode;
        use hickory_server::proto::rr::{RData, RecordType};
        let answer = dns_query(self.addr, name, RecordType::TXT)
            .unwrap_or_else(|| panic!("named on {} did not answer for {name}", self.addr));
        assert!(
            matches!(
                answer.metadata.response_code,
                ResponseCode::NoError | ResponseCode::NXDomain
            ),
            "{name} TXT: {:?}",
            answer.metadata.response_code
        );
        answer
            .answers
            .iter()
            .filter_map(|r| match &r.data {
                RData::TXT(txt) => Some(
                    txt.txt_data
                        .iter()
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                        .collect::<String>(),
                ),
                _ => None,
            })
            .collect()
    }

    /// What it logged so far (updates included: `adding an RR at ...`, `deleting an RR at ...`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("named.log")).unwrap_or_default()
    }
}

impl Drop for Named {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TLS CA made for the run and a server certificate it issued for localhost and 127.0.0.1,
/// written into `dir`: `tls-ca.pem` (returned), `server.pem`, `server.key`.
fn loopback_tls(dir: &Path, ca_name: &str) -> PathBuf {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, ca_name);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, &ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let tls_ca = dir.join("tls-ca.pem");
    std::fs::write(&tls_ca, ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), server.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
    tls_ca
}

/// A request as [`HttpsServer`] saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    /// GET, HEAD, POST.
    pub method: String,
    /// The path.
    pub path: String,
    /// How many requests came before it.
    pub index: usize,
}

/// What [`HttpsServer`] answers.
#[derive(Debug, Clone)]
pub enum Answer {
    /// A status, headers and a body (with its Content-Length).
    Fixed {
        /// The status code.
        status: u16,
        /// Headers besides Content-Length and Connection.
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// 200 and a body without end (no Content-Length), until the client goes away.
    Endless,
    /// 200, a Content-Length of this many bytes, and that many bytes sent.
    Huge(u64),
}

impl Answer {
    /// A status and a body, with a Content-Type.
    pub fn with(status: u16, content_type: &str, body: &str) -> Answer {
        Answer::Fixed {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }
}

/// A hostile or scripted HTTPS server on 127.0.0.1 (rustls, HTTP/1.1, one request per
/// connection), answering what `answer` says for each request, with a TLS certificate made for
/// the run (its CA in `tls_ca`), until dropped. A plain-HTTP request is not answered (the
/// handshake fails), but its connection is counted.
pub struct HttpsServer {
    /// `https://127.0.0.1:PORT`.
    pub base: String,
    /// The CA of its TLS certificate.
    pub tls_ca: PathBuf,
    /// Connections accepted.
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
    /// Requests read, in order.
    pub seen: Arc<std::sync::Mutex<Vec<SeenRequest>>>,
    _background: Background,
    _dir: tempfile::TempDir,
}

type Answerer = dyn Fn(&SeenRequest) -> Answer + Send + Sync;

impl HttpsServer {
    /// Starts the server.
    pub fn start(answer: impl Fn(&SeenRequest) -> Answer + Send + Sync + 'static) -> HttpsServer {
        let dir = tempfile::tempdir().unwrap();
        let tls_ca = loopback_tls(dir.path(), "picert test HTTPS CA");
        let chain = CertificateDer::pem_file_iter(dir.path().join("server.pem"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let key = PrivateKeyDer::from_pem_file(dir.path().join("server.key")).unwrap();
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let answer: Arc<Answerer> = Arc::new(answer);
        let (flag, count, log) = (stop.clone(), connections.clone(), seen.clone());
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((tcp, _)) => {
                        count.fetch_add(1, Ordering::SeqCst);
                        let (config, answer, log, flag) =
                            (config.clone(), answer.clone(), log.clone(), flag.clone());
                        std::thread::spawn(move || answer_one(tcp, config, &*answer, &log, &flag));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        HttpsServer {
            base: format!("https://{addr}"),
            tls_ca,
            connections,
            seen,
            _background: Background {
                stop,
                thread: Some(thread),
            },
            _dir: dir,
        }
    }

    /// The requests seen so far.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.seen.lock().unwrap().clone()
    }
}

fn answer_one(
    mut tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    answer: &Answerer,
    seen: &std::sync::Mutex<Vec<SeenRequest>>,
    stop: &AtomicBool,
) {
    use std::io::Write;
    let _ = tcp.set_nonblocking(false);
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = tcp.set_write_timeout(Some(Duration::from_secs(10)));
    let Ok(mut conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    // The head, then as much body as Content-Length says.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match tls.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut words = text.split_whitespace();
    let (method, path) = (
        words.next().unwrap_or_default().to_string(),
        words.next().unwrap_or_default().to_string(),
    );
    let length: usize = text
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1 << 20)];
    if tls.read_exact(&mut body).is_err() {
        return;
    }
    let request = {
        let mut log = seen.lock().unwrap();
        let r = SeenRequest {
            method,
            path,
            index: log.len(),
        };
        log.push(r.clone());
        r
    };
    let chunk = vec![b' '; 64 * 1024];
    match answer(&request) {
        Answer::Fixed {
            status,
            headers,
            body,
        } => {
            let mut out = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
            for (name, value) in headers {
                out.push_str(&format!("{name}: {value}\r\n"));
            }
            if request.method != "HEAD" || !body.is_empty() {
                out.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            out.push_str("\r\n");
            let _ = tls.write_all(out.as_bytes());
            if request.method != "HEAD" {
                let _ = tls.write_all(&body);
            }
        }
        Answer::Endless => {
            let _ = tls.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[",
            );
            while !stop.load(Ordering::Relaxed) && tls.write_all(&chunk).is_ok() {}
        }
        Answer::Huge(n) => {
            let _ = tls.write_all(
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {n}\r\n\r\n")
                    .as_bytes(),
            );
            let mut sent = 0u64;
            while sent < n && !stop.load(Ordering::Relaxed) {
                let part = chunk.len().min((n - sent) as usize);
                if tls.write_all(&chunk[..part]).is_err() {
                    break;
                }
                sent += part as u64;
            }
        }
    }
    let _ = tls.flush();
    conn.send_close_notify();
    let _ = conn.complete_io(&mut tcp);
}
