//! `picert audit --connect` against TLS servers this test starts on loopback: a complete chain,
//! an incomplete one, a name that does not match, and a server that never answers.

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use crate::common::{contoso, picert, pki};
use picert_verify::{Report, Status};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Serves `chain_len` certificates of the good chain to `clients` clients, on a free port.
fn serve_many(chain_len: usize, clients: usize) -> u16 {
    let server = picert_tests::servers::TlsServer::start(
        "127.0.0.1:0".parse().unwrap(),
        picert_tests::servers::chain("good.pem", chain_len),
        false,
        picert_tests::servers::ClientAuth::None,
    );
    let port = server.addr.port();
    // Kept alive for the test process: each test has its own port.
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(30 + clients as u64));
        drop(server);
    });
    port
}

/// Serves `chain` (leaf first) with the fixture leaf key to one client, on a free port.
fn serve(chain_len: usize) -> u16 {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(pki("good.pem"))
        .unwrap()
        .map(|c| c.unwrap())
        .take(chain_len)
        .collect();
    let key = PrivateKeyDer::from_pem_file(pki("keys/leaf.key")).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut tcp, _)) = listener.accept() {
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
            let mut conn = rustls::ServerConnection::new(config).unwrap();
            while conn.is_handshaking() {
                if conn.complete_io(&mut tcp).is_err() {
                    return;
                }
            }
            let mut buf = [0u8; 64];
            let _ = conn.reader().read(&mut buf);
            let _ = conn.complete_io(&mut tcp);
        }
    });
    port
}

/// `picert audit --connect 127.0.0.1:PORT` with the test trust store and topology, in JSON.
fn audit_live_output(port: u16, extra: &[&str]) -> std::process::Output {
    picert()
        .args([
            "audit",
            "--format",
            "json",
            "--at",
            "2026-06-01",
            "--timeout",
            "5",
            "--trust-store",
        ])
        .arg(pki("public-root.pem"))
        .arg("--topology")
        .arg(contoso())
        .arg("--connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(extra)
        .output()
        .unwrap()
}

fn audit_live(port: u16, extra: &[&str]) -> (Report, i32) {
    let out = audit_live_output(port, extra);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (report, out.status.code().unwrap())
}

/// `picert audit fixtures/pki/good.pem` in JSON: the file the test servers serve.
fn good_pem_audit() -> Report {
    let out = picert()
        .args(["audit", "--format", "json", "--at", "2026-06-01"])
        .arg(pki("good.pem"))
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn status(report: &Report, rule: &str) -> (Status, String) {
    let r = report.inputs[0]
        .results
        .as_ref()
        .unwrap()
        .iter()
        .find(|r| r.rule == rule)
        .unwrap();
    (r.status, r.detail.clone().unwrap_or_default().into_owned())
}

#[test]
fn complete_chain_passes_and_reports_tls() {
    let port = serve_many(2, 2);
    let (report, code) = audit_live(port, &["--server-name", "sip.contoso.com"]);
    assert_eq!(code, 0, "{report:?}");
    let input = &report.inputs[0];
    assert_eq!(input.path, format!("127.0.0.1:{port} (sip.contoso.com)"));
    let tls = input.tls.as_ref().unwrap();
    assert_eq!(tls.version, "TLSv1.3");
    assert!(tls.cipher.starts_with("TLS13_"), "{tls:?}");
    assert_eq!(tls.certificates_sent, 2);
    assert_eq!(tls.server_name, "sip.contoso.com");
    assert_eq!(tls.address, format!("127.0.0.1:{port}"));
    assert_eq!(status(&report, "tls.host.name_match").0, Status::Pass);
    assert_eq!(status(&report, "pic.issuer.public_ca").0, Status::Pass);
    // The thumbprint served, as Get-CsCertificate shows the one assigned, in JSON and in text.
    assert_eq!(
        input.thumbprint.as_deref(),
        Some("A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E")
    );
    assert_eq!(input.sha256.as_deref().map(str::len), Some(64));
    let out = picert()
        .args([
            "audit",
            "--at",
            "2026-06-01",
            "--timeout",
            "5",
            "--trust-store",
        ])
        .arg(pki("public-root.pem"))
        .arg("--connect")
        .arg(format!("127.0.0.1:{port}"))
        .args(["--server-name", "sip.contoso.com"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\n  thumbprint A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E\n"),
        "{text}"
    );
}

#[test]
fn a_name_the_certificate_does_not_carry_is_an_error() {
    let port = serve(2);
    let (report, code) = audit_live(port, &["--server-name", "edge.litwareinc.com"]);
    assert_eq!(code, 1);
    let (st, detail) = status(&report, "tls.host.name_match");
    assert_eq!(st, Status::Finding);
    assert!(
        detail.contains("not valid for edge.litwareinc.com"),
        "{detail}"
    );
}

#[test]
fn an_incomplete_chain_is_reported_precisely() {
    let port = serve(1);
    let (report, code) = audit_live(port, &["--server-name", "sip.contoso.com"]);
    assert_eq!(code, 1);
    assert_eq!(report.inputs[0].tls.as_ref().unwrap().certificates_sent, 1);
    let (st, detail) = status(&report, "pic.issuer.public_ca");
    assert_eq!(st, Status::Finding);
    assert!(
        detail.contains("is not among the certificates the server sends")
            && detail.contains("the Edge must send the intermediate"),
        "{detail}"
    );
}

#[test]
fn chain_files_do_not_complete_what_the_server_sends() {
    // The intermediate the server omits, offered with --chain: a partner would not have it,
    // so the live audit still fails, and says why --chain was not used.
    let port = serve(1);
    let out = audit_live_output(
        port,
        &[
            "--chain",
            pki("public-issuing.pem").to_str().unwrap(),
            "--server-name",
            "sip.contoso.com",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--chain is not used for 127.0.0.1:")
            && stderr.contains("the live audit is of the chain the server sends"),
        "{stderr}"
    );
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status(&report, "pic.issuer.public_ca").0, Status::Finding);
}

#[test]
fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held = listener.accept();
        std::thread::sleep(Duration::from_secs(5));
        drop(held);
    });
    // The server holds the connection for 5 s: the message below (not "closed") shows that
    // picert gave up at its 1 s deadline; the command's own bound only stops a hang.
    let out = picert()
        .args(["audit", "--timeout", "1", "--connect"])
        .arg(format!("127.0.0.1:{port}"))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "127.0.0.1:{port}: unreadable: no TLS handshake from 127.0.0.1:{port} within 1s"
        )),
        "{text}"
    );
}

#[test]
fn nothing_listening_is_one_line() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    picert()
        .args(["audit", "--timeout", "2", "--connect"])
        .arg(format!("127.0.0.1:{port}"))
        .assert()
        .code(2)
        .stdout(predicates::str::contains("connection refused"));
}

#[test]
fn an_ipv6_target_is_labelled_in_brackets() {
    // Port 1 on the IPv6 loopback: refused or unreachable, either way the report names the
    // target as it is written on the command line.
    let out = picert()
        .args(["audit", "--timeout", "1", "--connect", "[::1]:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("[::1]:1: unreadable: "), "{stdout}");
}

/// The bug this test pins: a server that requires a client certificate over TLS 1.2 (as Lync
/// 2013 and SfB 2015 Edges do for federation) sends its whole chain before it refuses a client
/// without one. The chain is audited, and the refusal recorded, instead of exit 2.
#[test]
fn a_server_requiring_a_client_certificate_over_tls12_is_audited() {
    use picert_tests::servers::{self, OpenSslServer};
    if !servers::openssl_or_skip() {
        return;
    }
    let addr = std::net::SocketAddr::new(
        std::net::Ipv4Addr::LOCALHOST.into(),
        servers::free_port(&[std::net::Ipv4Addr::LOCALHOST.into()]),
    );
    let _server = OpenSslServer::start(
        addr,
        "good.pem",
        &["-tls1_2", "-Verify", "1", "-verify_return_error"],
    )
    .unwrap();
    let (report, code) = audit_live(addr.port(), &["--server-name", "sip.contoso.com"]);
    assert_eq!(code, 0, "{report:#?}");
    let tls = report.inputs[0].tls.as_ref().unwrap();
    assert_eq!(tls.version, "TLSv1.2");
    assert_eq!(
        tls.client_certificate,
        picert_verify::facts::tls::ClientCertificate::Required
    );
    assert!(tls.alert.is_some(), "{tls:?}");
    assert_eq!(status(&report, "pic.issuer.public_ca").0, Status::Pass);
    // The human report says so.
    let out = picert()
        .args([
            "audit",
            "--at",
            "2026-06-01",
            "--timeout",
            "5",
            "--server-name",
            "sip.contoso.com",
            "--connect",
        ])
        .arg(addr.to_string())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("; requires a client certificate (refused the handshake without one: alert"),
        "{text}"
    );
}

/// A client certificate given to a server that never asks for one: nothing was refused, and
/// the rule says the server did not ask.
#[test]
fn a_client_certificate_the_server_never_asks_for() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = picert_tests::servers::fresh_client_certificate(dir.path(), true);
    let port = serve(2);
    let (report, code) = audit_live(
        port,
        &[
            "--server-name",
            "sip.contoso.com",
            "--client-cert",
            &cert.display().to_string(),
            "--client-key",
            &key.display().to_string(),
        ],
    );
    assert_eq!(code, 0, "{report:#?}");
    let (status, detail) = status(&report, "tls.client_auth.accepted");
    assert_eq!(status, Status::Pass);
    assert_eq!(detail, "the server did not ask for a client certificate");
}

/// --connect and --server-name may be repeated: every name on every target, one report each.
#[test]
fn several_targets_and_names_in_one_run() {
    let a = serve_many(2, 4);
    let b = serve_many(2, 4);
    let out = picert()
        .args([
            "audit",
            "--format",
            "json",
            "--at",
            "2026-06-01",
            "--timeout",
            "5",
            "--trust-store",
        ])
        .arg(pki("public-root.pem"))
        .args([
            "--connect",
            &format!("127.0.0.1:{a}"),
            "--connect",
            &format!("127.0.0.1:{b}"),
        ])
        .args([
            "--server-name",
            "sip.contoso.com",
            "--server-name",
            "sip.fabrikam.com",
        ])
        .output()
        .unwrap();
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = report.inputs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("127.0.0.1:{a} (sip.contoso.com)"),
            format!("127.0.0.1:{a} (sip.fabrikam.com)"),
            format!("127.0.0.1:{b} (sip.contoso.com)"),
            format!("127.0.0.1:{b} (sip.fabrikam.com)"),
        ]
    );
    assert_eq!(out.status.code(), Some(0));
}

/// `picert expiry --connect`: the days left of what a live Edge serves.
#[test]
fn expiry_of_what_a_live_edge_serves() {
    let port = serve_many(2, 2);
    let out = picert()
        .args([
            "expiry",
            "--at",
            "2026-06-01",
            "--fail-within",
            "30",
            "--connect",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .arg(pki("expiring-soon.pem"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "   121  2026-09-30 00:00:00   sip.contoso.com                 A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E  127.0.0.1:{port}"
        )),
        "{text}"
    );
    assert!(text.contains("expiring-soon.pem"), "{text}");
    assert!(
        text.lines().next().unwrap().ends_with("FILE/TARGET"),
        "{text}"
    );
    // A live target alone, with the name sent: the column says TARGET, the entry the name, and
    // JSON has the issuer and the thumbprint the file audit gives.
    let port = serve_many(2, 2);
    let target = format!("127.0.0.1:{port}");
    let out = picert()
        .args(["expiry", "--at", "2026-06-01", "--connect", &target])
        .args(["--server-name", "sip.contoso.com"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().next().unwrap().ends_with("  TARGET"), "{text}");
    assert!(
        text.contains(&format!("{target} (sip.contoso.com)")),
        "{text}"
    );
    let out = picert()
        .args([
            "expiry",
            "--at",
            "2026-06-01",
            "--format",
            "json",
            "--connect",
            &target,
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = &json["certificates"][0];
    let file = good_pem_audit();
    assert_eq!(
        entry["thumbprint"].as_str(),
        file.inputs[0].thumbprint.as_deref()
    );
    assert!(
        entry["issuer"]
            .as_str()
            .unwrap()
            .contains("picert Test Issuing CA"),
        "{entry}"
    );
    // Nothing listening: unreadable, exit 2.
    let closed = picert_tests::servers::free_port(&[std::net::Ipv4Addr::LOCALHOST.into()]);
    picert()
        .args(["expiry", "--timeout", "1", "--connect"])
        .arg(format!("127.0.0.1:{closed}"))
        .assert()
        .code(2)
        .stdout(predicates::str::contains("connection refused"));
}

/// A port that answers HTTP is named as such, not as a corrupt TLS message.
#[test]
fn a_port_that_answers_http_is_said_to_not_speak_tls() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut tcp, _)) = listener.accept() {
            use std::io::Write;
            let mut buf = [0u8; 512];
            let _ = tcp.read(&mut buf);
            let _ = tcp.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    picert()
        .args(["audit", "--timeout", "3", "--connect"])
        .arg(format!("127.0.0.1:{port}"))
        .assert()
        .code(2)
        .stdout(predicates::str::contains(format!(
            "127.0.0.1:{port} did not answer TLS: it answered HTTP (HTTP/1.1 400 Bad Request)"
        )));
}

/// A server that sends the Edge's real chain but cannot sign with its key (an impostor that
/// copied the public chain), over TLS 1.2 (ServerKeyExchange) and TLS 1.3 (CertificateVerify):
/// the chain is shown and audited, and the audit fails on `tls.handshake.key_proved`.
#[test]
fn an_impostor_with_the_real_chain_does_not_pass() {
    for tls12_only in [true, false] {
        let server = picert_tests::servers::TlsServer::start_impostor(
            "127.0.0.1:0".parse().unwrap(),
            picert_tests::servers::chain("good.pem", 2),
            tls12_only,
        );
        let (report, code) = audit_live(server.addr.port(), &["--server-name", "sip.contoso.com"]);
        assert_eq!(code, 1, "tls12_only {tls12_only}: {report:?}");
        let (st, detail) = status(&report, "tls.handshake.key_proved");
        assert_eq!(st, Status::Finding, "{detail}");
        assert!(detail.contains("does not verify"), "{detail}");
        let tls = report.inputs[0].tls.as_ref().unwrap();
        assert!(!tls.key_proved);
        assert_eq!(tls.alert, None, "not a refusal of a client certificate");
        // The certificate itself is still audited: the names are the Edge's.
        assert_eq!(status(&report, "tls.host.name_match").0, Status::Pass);
    }
}

/// The honest server proves its key: the rule passes beside the others.
#[test]
fn the_real_server_proves_its_key() {
    let port = serve(2);
    let (report, code) = audit_live(port, &["--server-name", "sip.contoso.com"]);
    assert_eq!(code, 0, "{report:?}");
    assert_eq!(status(&report, "tls.handshake.key_proved").0, Status::Pass);
    assert!(report.inputs[0].tls.as_ref().unwrap().key_proved);
    // The thumbprint served is the file's, as OpenSSL computes it (SHA-1 over the DER).
    let file = good_pem_audit();
    assert_eq!(report.inputs[0].thumbprint, file.inputs[0].thumbprint);
    if picert_tests::servers::openssl_or_skip() {
        let out = std::process::Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
            .arg(pki("good.pem"))
            .output()
            .unwrap();
        let openssl = String::from_utf8(out.stdout).unwrap().replace(':', "");
        let thumbprint = file.inputs[0].thumbprint.clone().unwrap();
        assert!(
            openssl.trim().ends_with(&thumbprint),
            "{openssl} {thumbprint}"
        );
        assert_eq!(file.inputs[0].sha256.as_ref().map(String::len), Some(64));
    }
}

/// A server that drips a valid handshake a byte every 50 ms (several KB: minutes in all) is
/// cut off at --timeout, and a good target beside it keeps its report. The command is bounded
/// by assert_cmd's own timeout, so a deadline that does not hold fails the test rather than
/// hanging it.
#[test]
fn a_dripping_server_ends_at_the_deadline() {
    let backend = picert_tests::servers::TlsServer::start(
        "127.0.0.1:0".parse().unwrap(),
        picert_tests::servers::chain("good.pem", 2),
        false,
        picert_tests::servers::ClientAuth::None,
    );
    let slow = picert_tests::servers::DripProxy::start(
        "127.0.0.1".parse().unwrap(),
        backend.addr,
        Duration::from_millis(50),
    );
    let good = serve(2);
    let out = picert()
        .args([
            "audit",
            "--format",
            "json",
            "--at",
            "2026-06-01",
            "--timeout",
            "2",
        ])
        .arg("--trust-store")
        .arg(pki("public-root.pem"))
        .args(["--server-name", "sip.contoso.com"])
        .args(["--connect", &format!("127.0.0.1:{good}")])
        .args(["--connect", &slow.addr.to_string()])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let report: Report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(report.inputs.len(), 2);
    assert_eq!(
        report.inputs[0].path,
        format!("127.0.0.1:{good} (sip.contoso.com)")
    );
    assert!(report.inputs[0].error.is_none(), "{:?}", report.inputs[0]);
    let slow_error = report.inputs[1].error.as_ref().map(|e| e.to_string());
    assert!(
        slow_error
            .as_deref()
            .is_some_and(|e| e.contains("within 2s")),
        "{slow_error:?}"
    );
    assert_eq!(out.status.code(), Some(2), "an unreadable target");
}

/// The versions a server offers, probed one by one: an OpenSSL server offering TLS 1.0 to 1.3
/// passes the handshake but fails `tls.version.minimum` for Skype for Business Server (which
/// can disable 1.0 and 1.1); one speaking only TLS 1.0 (a Lync 2013 Edge that was never given
/// TLS 1.2) is read, its certificate audited, its key reported as not proved.
#[test]
fn offered_versions_and_a_tls_1_0_only_server() {
    use picert_tests::servers::{free_port, OpenSslServer};
    let v4: std::net::IpAddr = "127.0.0.1".parse().unwrap();
    let all_port = free_port(&[v4]);
    let _all = OpenSslServer::start(
        std::net::SocketAddr::new(v4, all_port),
        "good.pem",
        &["-min_protocol", "TLSv1", "-cipher", "DEFAULT:@SECLEVEL=0"],
    )
    .expect("openssl s_server (.ci/run installs openssl)");
    let (report, code) = audit_live(
        all_port,
        &["--server-name", "sip.contoso.com", "--product", "sfb2015"],
    );
    let tls = report.inputs[0].tls.as_ref().unwrap();
    assert_eq!(
        tls.offered_versions,
        ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"],
        "{tls:?}"
    );
    assert!(tls.key_proved);
    let (st, detail) = status(&report, "tls.version.minimum");
    assert_eq!(st, Status::Finding);
    assert!(
        detail.contains("still offers TLSv1.0 and TLSv1.1"),
        "{detail}"
    );
    assert_eq!(code, 0, "a warning");

    let old_port = free_port(&[v4]);
    let _old = OpenSslServer::start(
        std::net::SocketAddr::new(v4, old_port),
        "good.pem",
        &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"],
    )
    .expect("openssl s_server");
    let (report, code) = audit_live(old_port, &["--server-name", "sip.contoso.com"]);
    let input = &report.inputs[0];
    assert!(input.error.is_none(), "{input:?}");
    let tls = input.tls.as_ref().unwrap();
    assert_eq!(tls.version, "TLSv1.0");
    assert_eq!(tls.offered_versions, ["TLSv1.0"]);
    assert_eq!(tls.certificates_sent, 2);
    assert!(!tls.key_proved);
    assert_eq!(status(&report, "tls.host.name_match").0, Status::Pass);
    assert_eq!(status(&report, "pic.issuer.public_ca").0, Status::Pass);
    let (st, detail) = status(&report, "tls.version.minimum");
    assert_eq!(st, Status::Finding);
    assert!(detail.contains("speaks only TLSv1.0"), "{detail}");
    assert_eq!(
        status(&report, "tls.handshake.key_proved").0,
        Status::Finding
    );
    assert_eq!(code, 1);
}

/// An RSA-16384 leaf (fixtures/live): OpenSSL signs the handshake with it, but picert's TLS
/// library, like most, refuses to verify a signature with so large a key, so the server never
/// proves it holds the key. The chain is audited; the audit fails on `tls.handshake.key_proved`.
#[test]
fn an_rsa_16384_leaf_does_not_prove_its_key() {
    use picert_tests::servers::{free_port, root, OpenSslServer};
    let v4: std::net::IpAddr = "127.0.0.1".parse().unwrap();
    let port = free_port(&[v4]);
    let _server = OpenSslServer::start_with(
        std::net::SocketAddr::new(v4, port),
        &root().join("fixtures/live/rsa16384.pem"),
        &root().join("fixtures/live/rsa16384.key"),
        &["-tls1_2"],
    )
    .expect("openssl s_server (.ci/run installs openssl)");
    let out = picert()
        .args([
            "audit",
            "--format",
            "json",
            "--at",
            "2027-01-01",
            "--timeout",
            "5",
        ])
        .arg("--trust-store")
        .arg(pki("public-root.pem"))
        .args(["--server-name", "sip.contoso.com"])
        .args(["--connect", &format!("127.0.0.1:{port}")])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let report: Report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let input = &report.inputs[0];
    assert!(input.error.is_none(), "{input:?}");
    let tls = input.tls.as_ref().unwrap();
    assert!(!tls.key_proved, "{tls:?}");
    let (st, detail) = status(&report, "tls.handshake.key_proved");
    assert_eq!(st, Status::Finding);
    assert!(detail.contains("does not verify"), "{detail}");
    assert_eq!(status(&report, "tls.host.name_match").0, Status::Pass);
    assert_eq!(out.status.code(), Some(1));
}

/// On a terminal, a wait of more than a second says what it waits for on standard error, and
/// the line is cleared before the report; off a terminal (every other test) and with --quiet,
/// nothing is said.
#[test]
fn a_long_wait_on_a_terminal_says_what_it_waits_for() {
    if !picert_tests::servers::script_or_skip() {
        return;
    }
    let silent = picert_tests::servers::SilentServer::start("127.0.0.1:0".parse().unwrap());
    let bin = assert_cmd::cargo::cargo_bin("picert");
    let run = |quiet: &str| {
        let cmd = format!(
            "{} {quiet} --color never audit --timeout 2 --connect {}",
            bin.display(),
            silent.addr
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let screen = run("");
    let said = "picert: connecting to 1 target (each ends within 2 s)...\r\u{1b}[K";
    assert!(screen.contains(said), "{screen:?}");
    assert!(
        screen.contains(&format!("{}: unreadable: no TLS handshake", silent.addr)),
        "{screen:?}"
    );
    assert!(!run("-q").contains("connecting to"));
}
