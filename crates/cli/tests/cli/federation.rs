//! `picert federation` against a real DNS server (hickory, in this process) and real TLS
//! servers (rustls in this process, OpenSSL's s_server), all on loopback: a healthy pair of SIP
//! domains, each DNS fault partners trip on, a pool whose members differ, mutual TLS with and
//! without a client certificate, and endpoints that do not answer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::common::{contoso, picert, pki};
use picert_tests::servers::{self, ClientAuth, DnsServer, OpenSslServer, SilentServer, TlsServer};
use picert_verify::federation::FederationReport;
use picert_verify::Status;

const V4: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const V4B: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
const V6: IpAddr = IpAddr::V6(Ipv6Addr::LOCALHOST);

/// `picert federation DOMAINS --dns-server ... --format json` with the test trust, topology and
/// time; the report and the exit status.
fn federation(dns: &DnsServer, domains: &[&str], extra: &[&str]) -> (FederationReport, i32) {
    let out = picert()
        .arg("federation")
        .args(domains)
        .arg("--allow-loopback")
        .arg("--dns-server")
        .arg(dns.addr.to_string())
        .args(["--format", "json", "--at", "2026-06-01", "--trust-store"])
        .arg(pki("public-root.pem"))
        .arg("--topology")
        .arg(contoso())
        .args(extra)
        .args(if extra.contains(&"--timeout") {
            &[][..]
        } else {
            &["--timeout", "2"][..]
        })
        // A run that does not end at its deadlines fails here instead of hanging the suite.
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code().unwrap())
}

fn rule(report: &FederationReport, domain: usize, id: &str) -> (Status, String) {
    let r = report.domains[domain]
        .results
        .as_ref()
        .unwrap()
        .iter()
        .find(|r| r.rule == id)
        .unwrap_or_else(|| panic!("no {id}"));
    (r.status, r.detail.clone().unwrap_or_default().into_owned())
}

fn endpoint_rule(report: &FederationReport, domain: usize, endpoint: usize, id: &str) -> Status {
    report.domains[domain].endpoints[endpoint]
        .results
        .as_ref()
        .unwrap()
        .iter()
        .find(|r| r.rule == id)
        .unwrap()
        .status
}

/// Two SIP domains as the table's example has them: contoso.com behind a CNAME with IPv4 and
/// IPv6, fabrikam.com on IPv4; one pool presenting the good chain on both addresses.
#[test]
fn a_healthy_pair_of_sip_domains_passes() {
    let port = servers::free_port(&[V4, V6]);
    let _a = TlsServer::start(
        SocketAddr::new(V4, port),
        servers::chain("good.pem", 2),
        false,
        ClientAuth::None,
    );
    let _b = TlsServer::start(
        SocketAddr::new(V6, port),
        servers::chain("good.pem", 2),
        false,
        ClientAuth::None,
    );
    let dns = DnsServer::start(&[
        (
            "contoso.com",
            &format!(
                "_sipfederationtls._tcp IN SRV 0 0 {port} sip.contoso.com.\n_sip._tls IN SRV 0 0 443 sip.contoso.com.\nsip IN CNAME edge.contoso.com.\nedge IN A 127.0.0.1\nedge IN AAAA ::1\n"
            ),
        ),
        (
            "fabrikam.com",
            &format!("_sipfederationtls._tcp IN SRV 0 0 {port} sip.fabrikam.com.\nsip IN A 127.0.0.1\n"),
        ),
    ]);
    let (report, code) = federation(&dns, &[], &[]);
    assert_eq!(code, 0, "{report:#?}");
    assert_eq!(report.domains.len(), 2, "the topology's SIP domains");
    assert_eq!(report.domains[0].endpoints.len(), 2);
    for id in [
        "dns.federation.srv_present",
        "dns.federation.suffix_match",
        "dns.federation.target_resolves",
        "dns.federation.target_in_certificate",
        "pool.same_certificate",
        "dns.remote_access.srv_present",
    ] {
        assert_eq!(rule(&report, 0, id).0, Status::Pass, "{id}");
    }
    assert!(rule(&report, 0, "dns.federation.target_resolves")
        .1
        .contains("via CNAME edge.contoso.com"));
    // fabrikam.com has no _sip._tls record: a notice, not a failure; one address, so the pool
    // rule does not apply.
    assert_eq!(
        rule(&report, 1, "dns.remote_access.srv_present").0,
        Status::Finding
    );
    assert_eq!(rule(&report, 1, "pool.same_certificate").0, Status::Na);
    let e = &report.domains[0].endpoints[1];
    assert_eq!(
        (e.address.as_str(), e.port, e.server_name.as_str()),
        ("::1", port, "sip.contoso.com")
    );
    assert_eq!(
        e.thumbprint.as_deref(),
        Some("A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E")
    );
    assert_eq!(
        endpoint_rule(&report, 0, 1, "pic.issuer.public_ca"),
        Status::Pass
    );
    // The SRV target's name is judged once, for the domain.
    assert_eq!(
        endpoint_rule(&report, 0, 1, "tls.host.name_match"),
        Status::Na
    );
    // The human report: by domain, then one line per address (verdict, thumbprint, days left),
    // one summary line; what the certificate says and the handshake behind -v.
    let human = |verbose: bool| {
        let out = picert()
            .args([
                "federation",
                "--allow-loopback",
                "--dns-server",
                &dns.addr.to_string(),
                "--timeout",
                "2",
                "--at",
                "2026-06-01",
                "--trust-store",
            ])
            .arg(pki("public-root.pem"))
            .arg("--topology")
            .arg(contoso())
            .args(if verbose { &["-v"][..] } else { &[][..] })
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let text = human(false);
    assert!(
        text.starts_with(
            "contoso.com\n  federation _sipfederationtls._tcp.contoso.com -> sip.contoso.com:"
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\n  [::1]:{port} (sip.contoso.com): PASS, thumbprint A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E, 121 days left\n"
        )),
        "{text}"
    );
    assert!(
        !text.contains("    subject") && !text.contains("    tls "),
        "{text}"
    );
    let verbose = human(true);
    assert!(
        verbose.contains(&format!(
            "\n  [::1]:{port} (sip.contoso.com)\n    subject    "
        )) && verbose.contains("    thumbprint A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E\n")
            && verbose.contains("    PASS: 0 errors, 0 warnings"),
        "{verbose}"
    );
    assert!(
        text.trim_end()
            .ends_with("2 SIP domains, 3 endpoints: 0 errors, 0 warnings, 1 notice"),
        "{text}"
    );
}

/// Each DNS fault: no SRV record, a target outside the domain, a target without address, a
/// target the certificate does not carry.
#[test]
fn dns_faults_are_each_named() {
    let port = servers::free_port(&[V4]);
    let _tls = TlsServer::start(
        SocketAddr::new(V4, port),
        servers::chain("good.pem", 2),
        false,
        ClientAuth::None,
    );
    let dns = DnsServer::start(&[
        ("litwareinc.com", "www IN A 127.0.0.1\n"),
        ("fabrikam.com", &format!("_sipfederationtls._tcp IN SRV 0 0 {port} sip.contoso.com.\n")),
        ("contoso.com", &format!("_sipfederationtls._tcp IN SRV 0 0 {port} sip.contoso.com.\nsip IN A 127.0.0.1\n")),
        ("tailspintoys.com", &format!("_sipfederationtls._tcp IN SRV 0 0 {port} sip.tailspintoys.com.\n")),
        ("wingtiptoys.com", &format!("_sipfederationtls._tcp IN SRV 0 0 {port} edge.wingtiptoys.com.\nedge IN A 127.0.0.1\n")),
    ]);
    let (report, code) = federation(
        &dns,
        &[
            "litwareinc.com",
            "fabrikam.com",
            "tailspintoys.com",
            "wingtiptoys.com",
        ],
        &[],
    );
    assert_eq!(code, 1);
    let (st, detail) = rule(&report, 0, "dns.federation.srv_present");
    assert_eq!(st, Status::Finding);
    assert!(
        detail.contains("does not exist (NXDOMAIN)")
            && detail.contains("SRV 0 0 5061 sip.litwareinc.com."),
        "{detail}"
    );
    assert_eq!(
        rule(&report, 0, "dns.federation.suffix_match").0,
        Status::Na
    );
    let (st, detail) = rule(&report, 1, "dns.federation.suffix_match");
    assert_eq!(st, Status::Finding);
    assert!(
        detail.contains("sip.contoso.com is not within fabrikam.com"),
        "{detail}"
    );
    let (st, detail) = rule(&report, 2, "dns.federation.target_resolves");
    assert_eq!(st, Status::Finding);
    assert!(
        detail.contains("sip.tailspintoys.com has no A or AAAA record"),
        "{detail}"
    );
    assert!(report.domains[2].endpoints.is_empty());
    let (st, detail) = rule(&report, 3, "dns.federation.target_in_certificate");
    assert_eq!(st, Status::Finding);
    assert!(
        detail.contains("does not carry edge.wingtiptoys.com"),
        "{detail}"
    );
    // One missing name, one error: the endpoint's own name check leaves it to the domain.
    assert_eq!(
        endpoint_rule(&report, 3, 0, "tls.host.name_match"),
        Status::Na
    );
    assert_eq!(
        report.domains[3].worst(),
        Some(picert_verify::Severity::Error)
    );
}

/// Two members of one pool that present different certificates.
/// CNAME chains that lead nowhere: one that ends at a name without an address, one that loops,
/// and one longer than the resolver follows (hopping between two zones, so that the server
/// answers one CNAME at a time), whose end does have an address.
#[test]
fn cname_chains_that_lead_nowhere_are_said_as_such() {
    let srv = |domain: &str| format!("_sipfederationtls._tcp IN SRV 0 0 5061 sip.{domain}.\n");
    let mut net = String::from("two IN CNAME sip.loop.com.\nc13 IN A 127.0.0.1\n");
    let mut org = String::from("one IN CNAME two.hop.net.\n");
    for hop in 1..=12 {
        if hop % 2 == 1 {
            net.push_str(&format!("c{hop} IN CNAME c{}.hop.org.\n", hop + 1));
        } else {
            org.push_str(&format!("c{hop} IN CNAME c{}.hop.net.\n", hop + 1));
        }
    }
    let dns = DnsServer::start(&[
        (
            "noaddr.com",
            &format!(
                "{}sip IN CNAME edge.noaddr.com.\nedge IN TXT \"no address\"\n",
                srv("noaddr.com")
            ),
        ),
        (
            "loop.com",
            &format!("{}sip IN CNAME one.hop.org.\n", srv("loop.com")),
        ),
        (
            "long.com",
            &format!("{}sip IN CNAME c1.hop.net.\n", srv("long.com")),
        ),
        ("hop.net", &net),
        ("hop.org", &org),
    ]);
    let (report, _) = federation(&dns, &["noaddr.com", "loop.com", "long.com"], &[]);
    let (status, detail) = rule(&report, 0, "dns.federation.target_resolves");
    assert_eq!(status, Status::Finding);
    assert_eq!(
        detail,
        "sip.noaddr.com's CNAME chain (sip.noaddr.com -> edge.noaddr.com) ends at edge.noaddr.com, which has no A or AAAA record: partners find the SRV record but cannot reach the Edge; add an A record for edge.noaddr.com, or point sip.noaddr.com at the Access Edge's address"
    );
    let (status, detail) = rule(&report, 1, "dns.federation.target_resolves");
    assert_eq!(status, Status::Finding);
    assert!(
        detail.starts_with("sip.loop.com's CNAME chain loops (sip.loop.com -> one.hop.org -> two.hop.net -> sip.loop.com)"),
        "{detail}"
    );
    let (status, detail) = rule(&report, 2, "dns.federation.target_resolves");
    assert_eq!(status, Status::Finding);
    assert!(
        detail.starts_with("sip.long.com's CNAME chain is 13 CNAMEs long (sip.long.com -> c1.hop.net -> c2.hop.org"),
        "{detail}"
    );
    assert!(
        detail.contains("c13.hop.net has an address, but resolvers stop following before it"),
        "{detail}"
    );
}

#[test]
fn pool_members_with_different_certificates() {
    let port = servers::free_port(&[V4, V4B]);
    let _a = TlsServer::start(
        SocketAddr::new(V4, port),
        servers::chain("good.pem", 2),
        false,
        ClientAuth::None,
    );
    let _b = TlsServer::start(
        SocketAddr::new(V4B, port),
        servers::chain("wrong-san-order.pem", 2),
        false,
        ClientAuth::None,
    );
    let dns = DnsServer::start(&[
        (
            "contoso.com",
            &format!("_sipfederationtls._tcp IN SRV 0 0 {port} sip.contoso.com.\nsip IN A 127.0.0.1\nsip IN A 127.0.0.2\n"),
        ),
        (
            "fabrikam.com",
            &format!("_sipfederationtls._tcp IN SRV 0 0 {port} sip.contoso.com.\n"),
        ),
    ]);
    let (report, code) = federation(&dns, &["contoso.com", "fabrikam.com"], &[]);
    assert_eq!(code, 1);
    // fabrikam.com points at the same pool: its problem is said once, under contoso.com, and
    // its endpoints (the same certificates, the same findings) are marked, not counted again.
    let (st, detail) = rule(&report, 1, "pool.same_certificate");
    assert_eq!(st, Status::Na);
    assert_eq!(
        detail,
        format!("the pool behind sip.contoso.com:{port} is reported under contoso.com")
    );
    assert!(report.domains[1]
        .endpoints
        .iter()
        .all(|e| e.same_as.as_deref() == Some("contoso.com")));
    // contoso.com: pool.same_certificate, and wrong-san-order.pem's pic.san.order warning;
    // fabrikam.com: suffix_match.
    assert_eq!(
        (report.summary.errors, report.summary.warnings),
        (2, 1),
        "{:?}",
        report.summary
    );
    let (st, detail) = rule(&report, 0, "pool.same_certificate");
    assert_eq!(st, Status::Finding);
    let thumbprints: Vec<String> = report.domains[0]
        .endpoints
        .iter()
        .map(|e| format!("{}:{port} {}", e.address, e.thumbprint.clone().unwrap()))
        .collect();
    for t in &thumbprints {
        assert!(detail.contains(t.as_str()), "{detail} lacks {t}");
    }
    assert_ne!(
        report.domains[0].endpoints[0].thumbprint,
        report.domains[0].endpoints[1].thumbprint
    );
}

/// Mutual TLS over TLS 1.2, as a Lync 2013 or SfB 2015 Access Edge asks for it, served by
/// OpenSSL and by rustls: without a client certificate the chain is still audited and the
/// refusal recorded; a certificate without clientAuth is refused; one with it is accepted.
#[test]
fn servers_that_require_a_client_certificate() {
    if !servers::openssl_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (server_only, server_only_key) = servers::fresh_client_certificate(dir.path(), false);
    let (both, both_key) = servers::fresh_client_certificate(dir.path(), true);
    for kind in ["openssl", "rustls"] {
        let port = servers::free_port(&[V4]);
        let addr = SocketAddr::new(V4, port);
        let _openssl;
        let _rustls;
        if kind == "openssl" {
            _openssl = OpenSslServer::start(
                addr,
                "good.pem",
                &["-tls1_2", "-Verify", "1", "-verify_return_error"],
            );
        } else {
            _rustls = TlsServer::start(
                addr,
                servers::chain("good.pem", 2),
                true,
                ClientAuth::Required,
            );
        }
        let dns = DnsServer::start(&[(
            "contoso.com",
            &format!(
                "_sipfederationtls._tcp IN SRV 0 0 {port} sip.contoso.com.\nsip IN A 127.0.0.1\n"
            ),
        )]);
        // No client certificate: the server refuses after sending its chain.
        let (report, code) = federation(&dns, &["contoso.com"], &[]);
        assert_eq!(code, 0, "{kind}: {report:#?}");
        let tls = report.domains[0].endpoints[0].tls.clone().unwrap();
        assert_eq!(tls.version, "TLSv1.2", "{kind}");
        assert_eq!(
            tls.client_certificate,
            picert_verify::facts::tls::ClientCertificate::Required,
            "{kind}"
        );
        assert_eq!(
            endpoint_rule(&report, 0, 0, "pic.issuer.public_ca"),
            Status::Pass,
            "{kind}"
        );
        assert_eq!(
            endpoint_rule(&report, 0, 0, "tls.client_auth.accepted"),
            Status::Na,
            "{kind}"
        );
        // serverAuth only: refused.
        let (report, code) = federation(
            &dns,
            &["contoso.com"],
            &[
                "--client-cert",
                &servers::arg(&server_only),
                "--client-key",
                &servers::arg(&server_only_key),
            ],
        );
        assert_eq!(code, 1, "{kind}: {report:#?}");
        let endpoint = &report.domains[0].endpoints[0];
        assert_eq!(
            endpoint.tls.as_ref().unwrap().client_certificate_accepted,
            Some(false),
            "{kind}"
        );
        assert!(endpoint.tls.as_ref().unwrap().alert.is_some(), "{kind}");
        assert_eq!(
            endpoint_rule(&report, 0, 0, "tls.client_auth.accepted"),
            Status::Finding,
            "{kind}"
        );
        // With clientAuth: accepted.
        let (report, code) = federation(
            &dns,
            &["contoso.com"],
            &[
                "--client-cert",
                &servers::arg(&both),
                "--client-key",
                &servers::arg(&both_key),
            ],
        );
        assert_eq!(code, 0, "{kind}: {report:#?}");
        assert_eq!(
            report.domains[0].endpoints[0]
                .tls
                .as_ref()
                .unwrap()
                .client_certificate_accepted,
            Some(true)
        );
        assert_eq!(
            endpoint_rule(&report, 0, 0, "tls.client_auth.accepted"),
            Status::Pass,
            "{kind}"
        );
    }
}

/// A port that never answers and one where nothing listens: the endpoints are reported as not
/// checked (exit 2), each within the timeout.
#[test]
fn silent_and_closed_ports() {
    let silent = SilentServer::start(SocketAddr::new(V4, 0));
    let closed = servers::free_port(&[V4B]);
    let dns = DnsServer::start(&[
        ("contoso.com", &format!("_sipfederationtls._tcp IN SRV 0 0 {} sip.contoso.com.\nsip IN A 127.0.0.1\n", silent.addr.port())),
        ("fabrikam.com", &format!("_sipfederationtls._tcp IN SRV 0 0 {closed} sip.fabrikam.com.\nsip IN A 127.0.0.2\n")),
    ]);
    // Bounded by the helper's command timeout: time itself is measured in scripts/bench-network.sh.
    let (report, code) = federation(&dns, &["contoso.com", "fabrikam.com"], &["--timeout", "1"]);
    assert_eq!(code, 2);
    let silent_error = report.domains[0].endpoints[0]
        .error
        .as_ref()
        .unwrap()
        .to_string();
    assert!(
        silent_error.contains("no TLS handshake from 127.0.0.1:")
            && silent_error.ends_with("within 1s"),
        "{silent_error}"
    );
    let closed_error = report.domains[1].endpoints[0]
        .error
        .as_ref()
        .unwrap()
        .to_string();
    assert!(
        closed_error.contains("connection refused"),
        "{closed_error}"
    );
    assert_eq!(report.summary.unreadable, 2);
}

/// A DNS server that does not answer: the domain is not checked, and says why.
#[test]
fn a_dns_server_that_does_not_answer() {
    let dns = DnsServer::start(&[]);
    let addr = dns.addr;
    drop(dns);
    let out = picert()
        .args([
            "federation",
            "contoso.com",
            "--dns-server",
            &addr.to_string(),
            "--timeout",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("not checked: cannot look up _sipfederationtls._tcp.contoso.com: no answer from the DNS server"), "{text}");
    // No domain at all is an argument error.
    picert().args(["federation"]).assert().code(2);
}

/// Names partners use: an international SIP domain, given as a U-label or an A-label, is
/// looked up and compared in A-label form with the U-label beside it; a domain that is not a
/// DNS name is refused before any server is asked; an SRV target of "." is "decidedly not
/// available"; an answer of 0.0.0.0, or a loopback answer without --allow-loopback, is a
/// finding with no connection made.
#[test]
fn names_partners_use() {
    let port = servers::free_port(&[V4]);
    let _tls = TlsServer::start(
        SocketAddr::new(V4, port),
        servers::chain("good.pem", 2),
        false,
        ClientAuth::None,
    );
    let dns = DnsServer::start(&[
        (
            "xn--bcher-kva.com",
            &format!("_sipfederationtls._tcp IN SRV 0 0 {port} sip.xn--bcher-kva.com.\nsip IN A 127.0.0.1\n"),
        ),
        ("fabrikam.com", "_sipfederationtls._tcp IN SRV 0 0 0 .\n"),
        (
            "litwareinc.com",
            &format!("_sipfederationtls._tcp IN SRV 0 0 {port} sip.litwareinc.com.\nsip IN A 0.0.0.0\n"),
        ),
    ]);
    let long = format!("{}.com", "a".repeat(64));
    let (report, _) = federation(
        &dns,
        &[
            "bücher.com",
            "xn--bcher-kva.com",
            "contoso com",
            &long,
            "fabrikam.com",
            "litwareinc.com",
        ],
        &[],
    );
    for i in [0, 1] {
        let d = &report.domains[i];
        assert_eq!(d.domain, "xn--bcher-kva.com");
        assert_eq!(d.unicode.as_deref(), Some("bücher.com"));
        assert_eq!(
            rule(&report, i, "dns.federation.suffix_match").0,
            Status::Pass
        );
        assert_eq!(d.endpoints.len(), 1);
        assert!(d.endpoints[0].error.is_none(), "{:?}", d.endpoints[0]);
    }
    for i in [2, 3] {
        let error = report.domains[i].error.as_deref().unwrap_or_default();
        assert!(
            error.contains("not a DNS name, so no DNS server was asked"),
            "{error}"
        );
        assert!(!error.contains(&dns.addr.to_string()), "{error}");
    }
    let (st, detail) = rule(&report, 4, "dns.federation.srv_present");
    assert_eq!(st, Status::Finding);
    assert!(detail.contains("decidedly not available"), "{detail}");
    assert_eq!(
        rule(&report, 4, "dns.federation.suffix_match").0,
        Status::Na
    );
    let (st, detail) = rule(&report, 5, "dns.federation.target_resolves");
    assert_eq!(st, Status::Finding);
    assert!(
        detail.contains("0.0.0.0 (the unspecified address)"),
        "{detail}"
    );
    assert!(
        report.domains[5].endpoints.is_empty(),
        "nothing to connect to"
    );

    // Without --allow-loopback, a public name answering 127.0.0.1 is a finding.
    let out = picert()
        .args([
            "federation",
            "xn--bcher-kva.com",
            "--format",
            "json",
            "--timeout",
            "2",
        ])
        .args(["--dns-server", &dns.addr.to_string()])
        .output()
        .unwrap();
    let report: FederationReport = serde_json::from_slice(&out.stdout).unwrap();
    let (st, detail) = rule(&report, 0, "dns.federation.target_resolves");
    assert_eq!(st, Status::Finding);
    assert!(
        detail.contains("127.0.0.1 (a loopback address)"),
        "{detail}"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// A pool member that replays the pool's chain without its key: the endpoint fails
/// tls.handshake.key_proved, and pool.same_certificate does not pass on its thumbprint.
#[test]
fn an_impostor_in_the_pool_is_not_a_member() {
    let port = servers::free_port(&[V4, V4B]);
    let _real = TlsServer::start(
        SocketAddr::new(V4, port),
        servers::chain("good.pem", 2),
        true,
        ClientAuth::None,
    );
    let _impostor = TlsServer::start_impostor(
        SocketAddr::new(V4B, port),
        servers::chain("good.pem", 2),
        true,
    );
    let dns = DnsServer::start(&[(
        "contoso.com",
        &format!("_sipfederationtls._tcp IN SRV 0 0 {port} sip.contoso.com.\nsip IN A 127.0.0.2\nsip IN A 127.0.0.1\n"),
    )]);
    let (report, code) = federation(&dns, &["contoso.com"], &[]);
    assert_eq!(code, 1);
    let d = &report.domains[0];
    let addresses: Vec<&str> = d.endpoints.iter().map(|e| e.address.as_str()).collect();
    assert_eq!(
        addresses,
        ["127.0.0.1", "127.0.0.2"],
        "sorted, not DNS order"
    );
    assert_eq!(
        endpoint_rule(&report, 0, 0, "tls.handshake.key_proved"),
        Status::Pass
    );
    assert_eq!(
        endpoint_rule(&report, 0, 1, "tls.handshake.key_proved"),
        Status::Finding
    );
    let (st, detail) = rule(&report, 0, "pool.same_certificate");
    assert_eq!(st, Status::Finding);
    assert!(
        detail.contains("127.0.0.2") && detail.contains("did not prove"),
        "{detail}"
    );
}

/// Twenty SIP domains whose endpoints never answer, behind a DNS server that answers: every
/// domain is reported, in the order given, each endpoint with its timeout. The command is
/// bounded by assert_cmd's timeout; how long it takes is measured in scripts/bench.sh.
#[test]
fn many_silent_domains_are_each_reported_in_order() {
    let silent = SilentServer::start(SocketAddr::new(V4, 0));
    let port = silent.addr.port();
    let names: Vec<String> = (0..20).map(|i| format!("partner{i:02}.com")).collect();
    let zones: Vec<(String, String)> = names
        .iter()
        .map(|n| {
            (
                n.clone(),
                format!("_sipfederationtls._tcp IN SRV 0 0 {port} sip.{n}.\nsip IN A 127.0.0.1\n"),
            )
        })
        .collect();
    let zone_refs: Vec<(&str, &str)> = zones
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dns = DnsServer::start(&zone_refs);
    let out = picert()
        .arg("federation")
        .args(&names)
        .args(["--allow-loopback", "--format", "json", "--timeout", "1"])
        .args(["--dns-server", &dns.addr.to_string()])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let report: FederationReport = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let got: Vec<&str> = report.domains.iter().map(|d| d.domain.as_str()).collect();
    assert_eq!(got, names.iter().map(String::as_str).collect::<Vec<_>>());
    for d in &report.domains {
        let error = d.endpoints[0]
            .error
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("within 1s"), "{}: {error}", d.domain);
    }
    assert_eq!(out.status.code(), Some(2));
}
