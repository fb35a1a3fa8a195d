//! Every fixture in fixtures/pki audited through the library, against the exact set of findings
//! it is built to produce; and the registry's promise that every rule has at least one passing
//! and one failing fixture.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use picert_core::Topology;
use picert_verify::facts::tls::{ClientCertificate, Presented, TlsFacts};
use picert_verify::rules::input_rules;
use picert_verify::{input::read_contents, AuditOptions, Auditor, InputReport, Status};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn at(date: &str) -> picert_core::Timestamp {
    picert_core::Timestamp::parse(date).unwrap()
}

fn auditor(when: &str) -> Auditor {
    AuditOptions {
        topology: Topology::load(&root().join("fixtures/contoso.toml")).unwrap(),
        trust_store: Some(root().join("fixtures/pki/public-root.pem")),
        at: Some(at(when)),
        ..AuditOptions::default()
    }
    .auditor()
    .unwrap()
}

/// (file, audit date, findings it must produce, and nothing else)
const EXPECTED: &[(&str, &str, &[&str])] = &[
    ("good.pem", "2026-06-01", &[]),
    ("good.p7b", "2026-06-01", &[]),
    ("no-client-eku.pem", "2026-06-01", &["pic.eku.client_auth"]),
    (
        "cn-not-in-san.pem",
        "2026-06-01",
        &[
            "pic.san.subject_replicated",
            "pic.san.expected_present",
            "pic.san.order",
        ],
    ),
    ("wrong-san-order.pem", "2026-06-01", &["pic.san.order"]),
    (
        "missing-sip-domain.pem",
        "2026-06-01",
        &["pic.san.expected_present"],
    ),
    (
        "stale-sip-domain.pem",
        "2026-06-01",
        &["pic.san.unexpected"],
    ),
    (
        "wildcard.pem",
        "2026-06-01",
        &[
            "pic.subject.matches_access_edge",
            "pic.san.expected_present",
            "pic.san.unexpected",
            "lync.name.no_wildcard",
        ],
    ),
    ("rsa1024.pem", "2026-06-01", &["lync.key.rsa_strength"]),
    ("ecc.pem", "2026-06-01", &["lync.key.algorithm"]),
    (
        "sha1.pem",
        "2026-06-01",
        &["pic.issuer.public_ca", "lync.sig.weak_hash"],
    ),
    (
        "pss.pem",
        "2026-06-01",
        &["pic.issuer.public_ca", "lync.sig.no_pss"],
    ),
    ("no-crl.pem", "2026-06-01", &["lync.crl.distribution_point"]),
    // One cause, one error: the chain is checked inside the certificate's validity.
    ("expired.pem", "2026-06-01", &["validity.current"]),
    // One cause, one error: the chain is checked inside the certificate's validity.
    ("not-yet-valid.pem", "2026-06-01", &["validity.current"]),
    ("over-200-days.pem", "2026-06-01", &["cabf.validity.max"]),
    ("self-signed.pem", "2026-06-01", &["pic.issuer.public_ca"]),
    ("private-ca.pem", "2026-06-01", &["pic.issuer.public_ca"]),
    (
        "missing-intermediate.pem",
        "2026-06-01",
        &["pic.issuer.public_ca"],
    ),
    ("no-cn.pem", "2026-06-01", &["pic.subject.cn_present"]),
    (
        "wrong-cn.pem",
        "2026-06-01",
        &["pic.subject.matches_access_edge", "pic.san.unexpected"],
    ),
    (
        "client-eku-only.pem",
        "2026-06-01",
        &["pic.eku.server_auth", "pic.issuer.public_ca"],
    ),
    (
        "ku-no-keyencipherment.pem",
        "2026-06-01",
        &["lync.key_usage.rsa"],
    ),
    (
        "expiring-soon.pem",
        "2026-06-01",
        &["validity.expiring_soon"],
    ),
    (
        "issued-2027-client-eku.pem",
        "2027-05-01",
        &["chrome.eku.client_auth"],
    ),
    (
        "issued-2027-server-only.pem",
        "2027-05-01",
        &["pic.eku.client_auth"],
    ),
    ("good.csr", "2026-06-01", &[]),
    ("windows-label.csr", "2026-06-01", &[]),
    ("template-extension.csr", "2026-06-01", &[]),
    ("no-template.csr", "2026-06-01", &["csr.template"]),
    ("bad-signature.csr", "2026-06-01", &["csr.signature.valid"]),
];

fn audit(file: &str, when: &str) -> InputReport {
    let path = root().join("fixtures/pki").join(file);
    let mut reports = auditor(when).audit_file(&path);
    assert_eq!(reports.len(), 1, "{file}: one input expected");
    let report = reports.remove(0);
    assert!(report.error.is_none(), "{file}: {:?}", report.error);
    report
}

fn findings(report: &InputReport) -> BTreeSet<String> {
    report
        .results
        .iter()
        .flatten()
        .filter(|r| r.status == Status::Finding)
        .map(|r| r.rule.to_string())
        .collect()
}

#[test]
fn each_fixture_produces_exactly_its_findings() {
    let mut failures = Vec::new();
    for (file, when, expected) in EXPECTED {
        let report = audit(file, when);
        let got = findings(&report);
        let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        if got != want {
            failures.push(format!("{file}: expected {want:?}, got {got:?}"));
        }
        let results = report.results.as_ref().unwrap();
        assert_eq!(
            results.len(),
            input_rules().count(),
            "{file}: every certificate rule reports"
        );
        assert!(
            results.iter().all(|r| r.status != Status::Fatal),
            "{file}: fatal result"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_passing_and_a_failing_fixture() {
    // The federation rules have theirs in the federation tests (DNS zones and servers).
    let mut seen: BTreeMap<String, (bool, bool)> = input_rules()
        .map(|r| (r.id.to_string(), (false, false)))
        .collect();
    for (file, when, _) in EXPECTED {
        for r in audit(file, when).results.unwrap() {
            let entry = seen.get_mut(r.rule.as_ref()).unwrap();
            match r.status {
                Status::Pass => entry.0 = true,
                Status::Finding => entry.1 = true,
                _ => {}
            }
        }
    }
    // The rules about the product: the RSA and the ECC fixture for a topology whose product,
    // Skype for Business Server 2015, takes no ECC (CNG) certificate.
    let mut topology = Topology::load(&root().join("fixtures/contoso.toml")).unwrap();
    topology.product = Some(picert_core::Product::Sfb2015);
    let sfb2015 = AuditOptions {
        topology,
        trust_store: Some(root().join("fixtures/pki/public-root.pem")),
        at: Some(at("2026-06-01")),
        ..AuditOptions::default()
    }
    .auditor()
    .unwrap();
    for file in ["good.pem", "ecc.pem"] {
        for report in sfb2015.audit_file(&root().join("fixtures/pki").join(file)) {
            for r in report.results.unwrap() {
                let entry = seen.get_mut(r.rule.as_ref()).unwrap();
                match r.status {
                    Status::Pass => entry.0 = true,
                    Status::Finding => entry.1 = true,
                    _ => {}
                }
            }
        }
    }
    // The live-endpoint rules: good.pem as a server presents it, reached by a name it carries
    // and by one it does not, over TLS 1.2 and 1.1, accepting and refusing our client
    // certificate.
    let chain = read_contents(&std::fs::read(root().join("fixtures/pki/good.pem")).unwrap())
        .unwrap()
        .certificates;
    let cases = [
        ("sip.fabrikam.com", "TLSv1.2", Some(true), true),
        ("edge.litwareinc.com", "TLSv1.1", Some(false), false),
    ];
    for (host, version, accepted, proved) in cases {
        let presented = Presented {
            chain: chain.clone(),
            tls: TlsFacts {
                address: "127.0.0.1:5061".into(),
                server_name: host.into(),
                version: version.into(),
                cipher: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into(),
                certificates_sent: chain.len(),
                client_certificate: ClientCertificate::Requested,
                client_certificate_accepted: accepted,
                alert: None,
                key_proved: proved,
                handshake_failure: (!proved).then(|| "the signature does not verify".into()),
                offered_versions: Vec::new(),
                versions_not_probed: Vec::new(),
            },
        };
        for r in auditor("2026-06-01")
            .audit_presented(host, &presented, host)
            .results
            .unwrap()
        {
            let entry = seen.get_mut(r.rule.as_ref()).unwrap();
            match r.status {
                Status::Pass => entry.0 = true,
                Status::Finding => entry.1 = true,
                _ => {}
            }
        }
    }
    let missing: Vec<String> = seen
        .iter()
        .filter(|(_, (pass, fail))| !(*pass && *fail))
        .map(|(id, (pass, fail))| format!("{id}: pass={pass} finding={fail}"))
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn findings_stay_within_each_rules_ceiling() {
    for (file, when, _) in EXPECTED {
        for r in audit(file, when).results.unwrap() {
            let rule = picert_verify::rules::find(&r.rule).unwrap();
            assert!(
                r.severity <= rule.severity,
                "{file}: {} above its ceiling",
                r.rule
            );
        }
    }
}

#[test]
fn chrome_rule_is_not_yet_effective_for_2026_certificates() {
    let report = audit("good.pem", "2026-06-01");
    let r = report
        .results
        .unwrap()
        .into_iter()
        .find(|r| r.rule == "chrome.eku.client_auth")
        .unwrap();
    assert_eq!(r.status, Status::Ne);
}

#[test]
fn chain_order_does_not_matter() {
    let pki = root().join("fixtures/pki");
    let good = std::fs::read_to_string(pki.join("good.pem")).unwrap();
    // Put the intermediate first: the leaf must still be found and chained.
    let blocks: Vec<&str> = good
        .split_inclusive("-----END CERTIFICATE-----\n")
        .collect();
    let reversed: String = blocks.iter().rev().copied().collect();
    let a = auditor("2026-06-01").audit_bytes("a", good.as_bytes());
    let b = auditor("2026-06-01").audit_bytes("b", reversed.as_bytes());
    assert_eq!(a[0].results, b[0].results);
    assert_eq!(a[0].subject, b[0].subject);
}

#[test]
fn intermediate_given_separately_completes_the_chain() {
    let pki = root().join("fixtures/pki");
    let int = read_contents(&std::fs::read(pki.join("public-issuing.pem")).unwrap())
        .unwrap()
        .certificates;
    let report = auditor("2026-06-01")
        .extra_chain(int)
        .audit_file(&pki.join("missing-intermediate.pem"))
        .remove(0);
    assert!(findings(&report).is_empty(), "{:?}", findings(&report));
}

#[test]
fn without_topology_the_topology_rules_are_na_and_said_inferred() {
    let pki = root().join("fixtures/pki");
    let roots = read_contents(&std::fs::read(pki.join("public-root.pem")).unwrap())
        .unwrap()
        .certificates;
    let report = Auditor::new()
        .trust(picert_verify::TrustStore::from_certificates("roots", &roots).unwrap())
        .at(at("2026-06-01"))
        .audit_file(&pki.join("missing-sip-domain.pem"))
        .remove(0);
    assert_eq!(report.expectations.as_deref(), Some("inferred"));
    for id in [
        "pic.subject.matches_access_edge",
        "pic.san.expected_present",
        "pic.san.unexpected",
        "pic.eku.client_auth",
    ] {
        let r = report
            .results
            .as_ref()
            .unwrap()
            .iter()
            .find(|r| r.rule == id)
            .unwrap();
        assert_eq!(r.status, Status::Na, "{id}");
    }
    assert!(findings(&report).is_empty());
}

#[test]
fn templates_are_decoded_from_requests() {
    let report = audit("template-extension.csr", "2026-06-01");
    assert_eq!(
        report.templates,
        [
            "WebServer (request attribute)",
            "WebServer (V1 template extension)"
        ]
    );
}

#[test]
fn the_built_in_mozilla_store_does_not_trust_the_test_ca() {
    let pki = root().join("fixtures/pki");
    let report = Auditor::new()
        .at(at("2026-06-01"))
        .audit_file(&pki.join("good.pem"))
        .remove(0);
    let r = report
        .results
        .unwrap()
        .into_iter()
        .find(|r| r.rule == "pic.issuer.public_ca")
        .unwrap();
    assert_eq!(r.status, Status::Finding);
    assert!(r.detail.unwrap().contains("is not a trusted root"));
}

/// The issuing-CA cache must never let a bad leaf through: after good.pem has taught the
/// auditor its intermediate, a leaf with a broken signature, an expired leaf and a leaf
/// without serverAuth from the same intermediate still fail.
#[test]
fn issuer_cache_keeps_leaf_checks() {
    let a = auditor("2026-06-01");
    let public_ca = |r: &InputReport| {
        r.results
            .as_ref()
            .unwrap()
            .iter()
            .find(|x| x.rule == "pic.issuer.public_ca")
            .unwrap()
            .status
    };
    let good = a
        .audit_file(&root().join("fixtures/pki/good.pem"))
        .remove(0);
    assert_eq!(public_ca(&good), Status::Pass);
    // Flip one bit in the leaf's signature (its last byte before the intermediate).
    let pki = root().join("fixtures/pki");
    let certs = read_contents(&std::fs::read(pki.join("good.pem")).unwrap())
        .unwrap()
        .certificates;
    let mut bad_leaf = certs[0].to_vec();
    let last = bad_leaf.len() - 1;
    bad_leaf[last] ^= 1;
    let tampered = a.audit_certificates("tampered", &[bad_leaf.into(), certs[1].clone()]);
    assert_eq!(public_ca(&tampered), Status::Finding);
    let r = a.audit_file(&pki.join("client-eku-only.pem")).remove(0);
    assert_eq!(public_ca(&r), Status::Finding, "no serverAuth");
    // Out-of-date leaves from the same intermediate: their chain is checked inside their own
    // validity (and passes), and validity.current reports the dates; the cached issuer does not
    // hide either.
    let status = |r: &InputReport, rule: &str| {
        r.results
            .as_ref()
            .unwrap()
            .iter()
            .find(|x| x.rule == rule)
            .unwrap()
            .status
    };
    for file in ["expired.pem", "not-yet-valid.pem"] {
        let r = a.audit_file(&pki.join(file)).remove(0);
        assert_eq!(public_ca(&r), Status::Pass, "{file}");
        assert_eq!(status(&r, "validity.current"), Status::Finding, "{file}");
    }
    // And the same auditor still passes a second good leaf.
    let again = a.audit_file(&pki.join("wrong-san-order.pem")).remove(0);
    assert_eq!(public_ca(&again), Status::Pass);
}

#[test]
fn validity_finding_names_the_limit_and_its_period() {
    let report = audit("over-200-days.pem", "2026-06-01");
    let r = report
        .results
        .as_ref()
        .unwrap()
        .iter()
        .find(|r| r.rule == "cabf.validity.max")
        .unwrap();
    assert_eq!(r.status, Status::Finding);
    let detail = r.detail.as_deref().unwrap();
    assert!(
        detail.starts_with("valid for 274.00 days (notAfter inclusive) from 2026-04-01, over the 200-day maximum for certificates issued from 2026-03-15 to 2027-03-14;"),
        "{detail}"
    );
}
