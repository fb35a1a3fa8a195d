//! `picert expiry`, `picert completions` and `picert man`.

use std::path::PathBuf;

use crate::common::picert;
use predicates::prelude::*;

fn pki() -> PathBuf {
    crate::common::root().join("fixtures/pki")
}

#[test]
fn lists_soonest_first_and_fails_within() {
    let out = picert()
        .args(["expiry", "--at", "2026-06-01"])
        .arg(pki().join("good.pem"))
        .arg(pki().join("expiring-soon.pem"))
        .arg(pki().join("expired.pem"))
        .output()
        .unwrap();
    // An expired certificate is a finding by default (--fail-within 0).
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].contains("-336")
            && lines[1].contains("expired.pem")
            && lines[1].contains("(expired)"),
        "{text}"
    );
    assert!(
        lines[2].trim_start().starts_with("14 ") && lines[2].contains("expiring-soon.pem"),
        "{text}"
    );
    assert!(
        lines[3].trim_start().starts_with("121 ") && lines[3].contains("good.pem"),
        "{text}"
    );
    picert()
        .args(["expiry", "--at", "2026-06-01", "--fail-within", "30"])
        .arg(pki().join("expiring-soon.pem"))
        .assert()
        .code(1);
    picert()
        .args(["expiry", "--at", "2026-06-01", "--fail-within", "10"])
        .arg(pki().join("expiring-soon.pem"))
        .assert()
        .code(0);
    picert()
        .args(["expiry", "--at", "2026-06-01"])
        .arg(pki().join("good.pem"))
        .arg(pki().join("expiring-soon.pem"))
        .assert()
        .code(0);
}

#[test]
fn json_and_directories() {
    let out = picert()
        .args(["expiry", "--at", "2026-06-01", "--format", "json"])
        .arg("--fail-within=-100000")
        .arg(pki())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "requests are skipped, not errors (and no count of days fails the run)"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let certs = v["certificates"].as_array().unwrap();
    assert!(certs.len() > 25);
    let days: Vec<i64> = certs
        .iter()
        .map(|c| c["days_left"].as_i64().unwrap())
        .collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "sorted: {days:?}");
    assert_eq!(v["skipped"].as_array().unwrap().len(), 5);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.pem"), b"nonsense").unwrap();
    picert()
        .arg("expiry")
        .arg(dir.path().join("broken.pem"))
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "broken.pem: unreadable: not a certificate or request",
        ));
}

#[test]
fn completions_and_man() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = picert().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("picert") && text.contains("request") && text.contains("bundle"),
            "{shell}"
        );
    }
    picert()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH picert 1"));
}

#[test]
fn every_manual_page_the_main_page_refers_to_exists() {
    let dir = tempfile::tempdir().unwrap();
    picert()
        .args(["man", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote 14 pages"));
    let main = std::fs::read_to_string(dir.path().join("picert.1")).unwrap();
    // The acme page refers to its status subcommand's.
    let acme = std::fs::read_to_string(dir.path().join("picert-acme.1")).unwrap();
    assert!(acme.contains("picert\\-acme\\-status(1)"), "{acme}");
    assert!(
        std::fs::read_to_string(dir.path().join("picert-acme-status.1"))
            .unwrap()
            .contains(".TH picert-acme-status 1")
    );
    for sub in [
        "request",
        "audit",
        "bundle",
        "expiry",
        "federation",
        "acme",
        "topology",
        "plan",
        "completions",
        "man",
        "rules",
    ] {
        assert!(main.contains(&format!("picert\\-{sub}(1)")), "{sub}");
        let page = std::fs::read_to_string(dir.path().join(format!("picert-{sub}.1"))).unwrap();
        assert!(page.contains(&format!(".TH picert-{sub} 1")), "{sub}");
        // The same page on standard output.
        picert().args(["man", sub]).assert().success().stdout(page);
    }
    picert()
        .args(["man", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no manual page for 'nope'"));
    // A missing folder is created, as for every output; a file in the way is named.
    let new = dir.path().join("share/man1");
    picert()
        .args(["man", "-q", "--out-dir"])
        .arg(&new)
        .assert()
        .success()
        .stderr("");
    assert!(new.join("picert-audit.1").is_file());
    let blocked = dir.path().join("picert.1/man1");
    picert()
        .args(["man", "--out-dir"])
        .arg(&blocked)
        .assert()
        .code(2)
        .stderr(format!(
            "picert: error: {}: not a folder\n",
            dir.path().join("picert.1").display()
        ));
}

#[test]
fn every_subcommand_help_has_an_example() {
    for sub in [
        "request",
        "audit",
        "bundle",
        "expiry",
        "federation",
        "acme",
        "rules",
        "completions",
        "man",
    ] {
        picert()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example").and(predicate::str::contains("picert ")));
    }
}

/// A deployment on loopback: a Topology Builder file whose every name resolves through a DNS
/// server in this process, and a TLS server (rustls) for every place it serves a certificate,
/// each host on an address of its own.
struct Lab {
    dns: picert_tests::servers::DnsServer,
    dir: tempfile::TempDir,
    /// The TLS servers, kept until the lab is dropped.
    _servers: Vec<picert_tests::servers::TlsServer>,
    /// `host:port` of each target, by role.
    targets: std::collections::BTreeMap<&'static str, String>,
}

const HOSTS: [&str; 9] = [
    "sip", "webconf", "av", "edge1", "edge2", "fe1", "fe2", "dir1", "webext",
];

/// The address of a host of the lab whose addresses start at 127.0.0.`base` (each test has its
/// own, so that tests running at once never pick the same port on the same address).
fn ip(base: u8, host: &str) -> std::net::IpAddr {
    let i = HOSTS.iter().position(|h| *h == host).unwrap() as u8;
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, base + i))
}

/// The fixture each target serves.
const SERVED: [(&str, &str); 9] = [
    ("access", "good.pem"),
    ("webconf", "good.pem"),
    ("federation", "good.pem"),
    ("edge1", "expiring-soon.pem"),
    ("edge2", "expiring-soon.pem"),
    ("fe1", "good.pem"),
    ("fe2", "good.pem"),
    ("dir1", "wrong-san-order.pem"),
    ("webext", "good.pem"),
];

impl Lab {
    /// Every target served, except those in `down` (nothing listens there).
    fn start(base: u8, down: &[&str]) -> Lab {
        use picert_tests::servers::{self, ClientAuth, DnsServer, TlsServer};
        use std::net::SocketAddr;
        let ip = |host: &str| ip(base, host);
        let port_on =
            |hosts: &[&str]| servers::free_port(&hosts.iter().map(|h| ip(h)).collect::<Vec<_>>());
        let internal = port_on(&["edge1", "edge2"]);
        let registrar = port_on(&["fe1", "fe2"]);
        let at = [
            ("access", "sip", port_on(&["sip"])),
            ("webconf", "webconf", port_on(&["webconf"])),
            ("federation", "sip", 0),
            ("edge1", "edge1", internal),
            ("edge2", "edge2", internal),
            ("fe1", "fe1", registrar),
            ("fe2", "fe2", registrar),
            ("dir1", "dir1", port_on(&["dir1"])),
            ("webext", "webext", port_on(&["webext"])),
        ];
        let mut targets = std::collections::BTreeMap::new();
        let mut running = Vec::new();
        for (role, host, port) in at {
            let mut port = port;
            if port == 0 {
                // The federation port: another free port on the Access Edge's address.
                loop {
                    port = port_on(&[host]);
                    if Some(&format!("{host}.contoso.com:{port}")) != targets.get("access") {
                        break;
                    }
                }
            }
            targets.insert(role, format!("{host}.contoso.com:{port}"));
            if !down.contains(&role) {
                let file = SERVED.iter().find(|(r, _)| *r == role).unwrap().1;
                running.push(TlsServer::start(
                    SocketAddr::new(ip(host), port),
                    servers::chain(file, 2),
                    false,
                    ClientAuth::None,
                ));
            }
        }
        let zone: String = HOSTS
            .iter()
            .map(|h| format!("{h} IN A {}\n", ip(h)))
            .collect();
        let dns = DnsServer::start(&[("contoso.com", &zone)]);
        let port = |role: &str| targets[role].rsplit_once(':').unwrap().1.to_string();
        let tbxml = include_str!("../../../../fixtures/topology/multi.tbxml");
        let start = tbxml.find("      <CentralSites>").unwrap();
        let end = tbxml.find("    </PartialTopology>").unwrap();
        let machine = |fqdn: &str| format!("<Machine Fqdn=\"{fqdn}.contoso.com\" />");
        let cluster = |id: u8, fqdn: &str, machines: &[&str]| {
            format!(
                "<Cluster UniqueId=\"c{id}\" Fqdn=\"{fqdn}.contoso.com\"><Machines>{}</Machines></Cluster>\n",
                machines.iter().map(|m| machine(m)).collect::<String>()
            )
        };
        let registrar = |id: u8, cluster: u8, director: bool, port: &str| {
            format!(
                "<Service UniqueId=\"s{id}\" RoleName=\"Registrar\" InstalledOn=\"c{cluster}\" ServiceVersion=\"8\"><Ports><Port Owner=\"urn:component:Registrar\" Usage=\"SipServer\" InterfaceSide=\"Primary\" InterfaceNumber=\"1\" Port=\"{port}\" Protocol=\"Mtls\" /></Ports><RegistrarService IsDirector=\"{director}\" /></Service>\n"
            )
        };
        let edge_port = |owner: &str,
                         usage: &str,
                         side: &str,
                         port: &str,
                         protocol: &str,
                         fqdn: &str| {
            let fqdn = if fqdn.is_empty() {
                String::new()
            } else {
                format!(" ConfiguredFqdn=\"{fqdn}.contoso.com\"")
            };
            format!("<Port Owner=\"urn:component:{owner}\" Usage=\"{usage}\" InterfaceSide=\"{side}\" InterfaceNumber=\"1\" Port=\"{port}\" Protocol=\"{protocol}\"{fqdn} />")
        };
        let published = format!("<Port Owner=\"urn:component:OCSWebSite\" Usage=\"WebSite\" InterfaceSide=\"External\" InterfaceNumber=\"1\" Port=\"4443\" Protocol=\"Https\" ConfiguredPort=\"{}\" />", port("webext"));
        let body = format!(
            "<CentralSites><CentralSite SiteId=\"1\"><Name>Lab</Name><Clusters>\n{}{}{}</Clusters></CentralSite></CentralSites>\n<Services>\n{}{}<Service UniqueId=\"s3\" RoleName=\"WebServices\" InstalledOn=\"c2\" ServiceVersion=\"8\"><Ports>{}</Ports><WebService><ExternalSettings Host=\"webext.contoso.com\" /></WebService></Service>\n<Service UniqueId=\"s4\" RoleName=\"EdgeServer\" InstalledOn=\"c1\" ServiceVersion=\"8\"><Ports>{}{}{}{}{}</Ports></Service>\n</Services>\n",
            cluster(1, "edgepool", &["edge1", "edge2"]),
            cluster(2, "fepool", &["fe1", "fe2"]),
            cluster(3, "dirpool", &["dir1"]),
            registrar(1, 2, false, &port("fe1")),
            registrar(2, 3, true, &port("dir1")),
            published,
            edge_port("AccessEdge", "SipServer", "Internal", &port("edge1"), "Mtls", ""),
            edge_port("AccessEdge", "SipClient", "External", &port("access"), "Tls", "sip"),
            edge_port("DataEdge", "PsomClient", "External", &port("webconf"), "Tls", "webconf"),
            edge_port("MediaRelayEdge", "TURNServer", "External", "3478", "Udp", "av"),
            edge_port("AccessEdge", "SipServer", "External", &port("federation"), "Mtls", "sip"),
        );
        let text = format!("{}{body}{}", &tbxml[..start], &tbxml[end..]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lab.tbxml"), text).unwrap();
        Lab {
            dns,
            dir,
            _servers: running,
            targets,
        }
    }

    fn tbxml(&self) -> PathBuf {
        self.dir.path().join("lab.tbxml")
    }

    /// `picert expiry --topology lab.tbxml` through the lab's DNS server, at 2026-06-01.
    fn expiry(&self, extra: &[&str]) -> assert_cmd::Command {
        let mut c = picert();
        c.arg("expiry")
            .arg("--topology")
            .arg(self.tbxml())
            .arg("--dns-server")
            .arg(self.dns.addr.to_string())
            .args(["--at", "2026-06-01", "--timeout", "5"])
            .args(extra)
            .timeout(std::time::Duration::from_secs(60));
        c
    }

    /// The JSON report and the exit status.
    fn json(&self, extra: &[&str]) -> (serde_json::Value, i32) {
        let out = self
            .expiry(extra)
            .args(["--format", "json"])
            .output()
            .unwrap();
        crate::common::no_panic(&out.stderr);
        let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{e}: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (v, out.status.code().unwrap())
    }
}

fn thumbprints(file: &str) -> (String, String) {
    let der = picert_tests::servers::chain(file, 1).remove(0);
    (
        picert_core::pfx::thumbprint_hex(&der),
        picert_core::pfx::sha256_hex(&der),
    )
}

/// `(path, certificate, pool)` of each entry of a list of the report, sorted by path.
fn entries(v: &serde_json::Value, list: &str) -> Vec<(String, String, String)> {
    let mut got: Vec<_> = v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
            (s("path"), s("certificate"), s("pool"))
        })
        .collect();
    got.sort();
    got
}

#[test]
fn every_certificate_of_a_topology_is_read_where_it_is_served() {
    let lab = Lab::start(10, &[]);
    let t = |role: &str| lab.targets[role].clone();
    // The Access Edge given again with --connect is the same connection: read once.
    let (v, code) = lab.json(&["--connect", &t("access")]);
    assert_eq!(code, 0, "{v:#}");
    let edge = "edgepool.contoso.com";
    let fe = "fepool.contoso.com";
    let mut want = vec![
        (t("access"), "edge-external", edge),
        (t("webconf"), "edge-external", edge),
        (t("federation"), "edge-external", edge),
        (t("edge1"), "edge-internal", edge),
        (t("edge2"), "edge-internal", edge),
        (t("fe1"), "front-end", fe),
        (t("fe2"), "front-end", fe),
        (t("dir1"), "director", "dirpool.contoso.com"),
        (t("webext"), "reverse-proxy", fe),
    ];
    want.sort();
    let want: Vec<_> = want
        .into_iter()
        .map(|(p, k, pool)| (p, k.to_string(), pool.to_string()))
        .collect();
    assert_eq!(entries(&v, "certificates"), want, "{v:#}");
    assert!(
        !v.to_string().contains("av.contoso.com"),
        "the A/V Edge is not a TLS endpoint"
    );
    assert_eq!(v["unreadable"].as_array().unwrap().len(), 0);
    for e in v["certificates"].as_array().unwrap() {
        let role = lab
            .targets
            .iter()
            .find(|(_, at)| **at == e["path"].as_str().unwrap())
            .unwrap()
            .0;
        let file = SERVED.iter().find(|(r, _)| r == role).unwrap().1;
        let (sha1, sha256) = thumbprints(file);
        assert_eq!(e["thumbprint"], sha1, "{role}");
        assert_eq!(e["sha256"], sha256, "{role}");
    }
    // The soonest first: the Edge servers' internal certificate.
    assert_eq!(v["certificates"][0]["days_left"], 14);
    assert_eq!(v["certificates"][0]["certificate"], "edge-internal");

    // People read the same, with the thumbprint, the certificate and the pool.
    let out = lab.expiry(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10, "{text}");
    assert!(
        lines[0].contains("  THUMBPRINT  ")
            && lines[0].contains("  CERTIFICATE    POOL  ")
            && lines[0].ends_with("  TARGET"),
        "{text}"
    );
    let (soon, _) = thumbprints("expiring-soon.pem");
    assert!(
        lines[1].contains(&soon)
            && lines[1].contains("edge-internal")
            && lines[1].contains(edge)
            && lines[1].trim_start().starts_with("14 "),
        "{text}"
    );
    // A finding is a finding wherever it is served.
    lab.expiry(&["--fail-within", "30", "-q"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(t("edge1")).and(predicate::str::contains(t("fe1")).not()));

    // One kind; one kind of one pool; one pool; an Edge pool.
    let (v, _) = lab.json(&["--certificate", "edge-internal"]);
    assert_eq!(entries(&v, "certificates").len(), 2, "{v:#}");
    let (v, _) = lab.json(&["--certificate", "reverse-proxy", "--pool", "Lab"]);
    assert_eq!(
        entries(&v, "certificates"),
        [(t("webext"), "reverse-proxy".into(), fe.into())],
        "the reverse proxy's site names it"
    );
    let (v, _) = lab.json(&["--pool", "FEPOOL.contoso.com"]);
    assert_eq!(
        entries(&v, "certificates")
            .iter()
            .map(|e| e.1.as_str())
            .collect::<Vec<_>>(),
        ["front-end", "front-end", "reverse-proxy"]
    );
    let (v, _) = lab.json(&["--edge-pool", edge, "--certificate", "edge-external"]);
    assert_eq!(entries(&v, "certificates").len(), 3);
    // With a file: both.
    let out = lab
        .expiry(&["--certificate", "director"])
        .arg(crate::common::pki("expired.pem"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the expired file");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().next().unwrap().ends_with("FILE/TARGET"),
        "{text}"
    );
    assert!(
        text.contains("  -  "),
        "a file has no certificate kind: {text}"
    );
}

#[test]
fn a_target_that_cannot_be_reached_is_unreadable_and_the_run_fails_to_check() {
    let lab = Lab::start(30, &["fe2"]);
    let (v, code) = lab.json(&[]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(entries(&v, "certificates").len(), 8);
    assert_eq!(
        entries(&v, "unreadable"),
        [(
            lab.targets["fe2"].clone(),
            "front-end".into(),
            "fepool.contoso.com".into()
        )]
    );
    assert!(
        v["unreadable"][0]["error"]
            .as_str()
            .unwrap()
            .contains("connection refused"),
        "{v:#}"
    );
    let out = lab.expiry(&["-q"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().lines().collect::<Vec<_>>(),
        [format!(
            "{} (front-end, fepool.contoso.com): unreadable: cannot connect to {}:{}: connection refused",
            lab.targets["fe2"],
            ip(30, "fe2"),
            lab.targets["fe2"].rsplit_once(':').unwrap().1
        )]
    );
    // A name the DNS server does not know.
    let text = std::fs::read_to_string(lab.tbxml())
        .unwrap()
        .replace("dir1.contoso.com", "dir9.contoso.com");
    std::fs::write(lab.tbxml(), text).unwrap();
    let (v, code) = lab.json(&["--certificate", "director"]);
    assert_eq!(code, 2);
    assert!(
        v["unreadable"][0]["error"]
            .as_str()
            .unwrap()
            .starts_with("cannot resolve dir9.contoso.com: "),
        "{v:#}"
    );
}

#[test]
fn topology_choices_that_contradict_or_name_nothing_are_refused() {
    // Nothing listens: these runs stop before connecting.
    let lab = Lab::start(50, &SERVED.map(|(role, _)| role));
    lab.expiry(&[
        "--certificate",
        "front-end",
        "--edge-pool",
        "edgepool.contoso.com",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "--edge-pool chooses an Edge pool; the front-end certificate's pool is chosen with --pool",
    ));
    lab.expiry(&["--pool", "nowhere.contoso.com"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no certificate of the topology is for nowhere.contoso.com",
        ));
    picert()
        .args(["expiry", "--certificate", "front-end"])
        .assert()
        .code(2);
    // A TOML topology without topology_xml: its Edge external names at the default ports, each
    // read (here none resolves: a DNS server that knows the zone but no name in it); the other
    // kinds need the XML.
    let empty = picert_tests::servers::DnsServer::start(&[("contoso.com", "")]);
    let out = picert()
        .args(["expiry", "--topology"])
        .arg(crate::common::contoso())
        .arg("--dns-server")
        .arg(empty.addr.to_string())
        .args(["--timeout", "5", "--format", "json"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let unreadable: Vec<String> = v["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{} {} {}",
                u["path"].as_str().unwrap(),
                u["certificate"].as_str().unwrap_or("?"),
                u["error"].as_str().unwrap().split(':').next().unwrap()
            )
        })
        .collect();
    assert_eq!(
        unreadable,
        [
            "sip.contoso.com:443 edge-external cannot resolve sip.contoso.com",
            "sip.contoso.com:5061 edge-external cannot resolve sip.contoso.com",
            "webcon.contoso.com:443 edge-external cannot resolve webcon.contoso.com",
        ],
        "{v:#}"
    );
    picert()
        .args(["expiry", "--certificate", "front-end", "--topology"])
        .arg(crate::common::contoso())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the front-end certificate is planned from the XML topology, and this TOML topology names none (topology_xml)",
        ));
}
