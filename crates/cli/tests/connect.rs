//! `picert audit --connect` against TLS servers this test starts on loopback: a complete chain,
//! an incomplete one, a name that does not match, and a server that never answers.

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

mod common;

use common::{contoso, picert, pki};
use picert_verify::{Report, Status};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

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
    let port = serve(2);
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
    let started = std::time::Instant::now();
    let out = picert()
        .args(["audit", "--timeout", "1", "--connect"])
        .arg(format!("127.0.0.1:{port}"))
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
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the timeout is honoured"
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
