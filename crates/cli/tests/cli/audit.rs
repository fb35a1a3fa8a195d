//! `picert audit` and `picert rules` through the binary: reports, JSON, exit codes, inputs.

use std::path::PathBuf;

use crate::common::{audit, json, picert, pki, root};
use picert_verify::rules::input_rules;
use picert_verify::{Status, RULES};
use predicates::prelude::*;

#[test]
fn good_certificate_passes_with_exit_0() {
    audit()
        .arg(pki("good.pem"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "subject    C=US, ST=WA, L=Redmond, O=Contoso, CN=sip.contoso.com",
        ))
        .stdout(predicate::str::contains(
            "chain      C=US, O=picert Test Public CA, CN=picert Test Issuing CA -> trusted root",
        ))
        // What Set-CsCertificate and Get-CsCertificate show, to match with the one assigned.
        .stdout(predicate::str::contains(
            "thumbprint A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E\n",
        ))
        .stdout(predicate::str::contains(
            "PASS: 0 errors, 0 warnings, 0 notices",
        ));
}

#[test]
fn error_finding_exits_1_and_names_the_rule() {
    audit()
        .arg(pki("no-client-eku.pem"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "error   pic.eku.client_auth  PIC with AOL is declared and needs the client EKU",
        ))
        .stdout(predicate::str::contains("FAIL: 1 error"));
}

#[test]
fn fail_on_sets_the_threshold() {
    audit()
        .arg(pki("wrong-san-order.pem"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("warning pic.san.order"));
    audit()
        .arg(pki("wrong-san-order.pem"))
        .args(["--fail-on", "warning"])
        .assert()
        .code(1);
    audit()
        .arg(pki("good.csr"))
        .args(["--fail-on", "notice"])
        .assert()
        .code(0);
    audit()
        .arg(pki("no-template.csr"))
        .args(["--fail-on", "notice"])
        .assert()
        .code(1);
    audit()
        .arg(pki("no-template.csr"))
        .args(["--fail-on", "bogus"])
        .assert()
        .code(2);
}

#[test]
fn json_report_has_every_rule_for_every_input_and_deserialises() {
    let (report, code) = json(
        audit()
            .arg(pki("good.pem"))
            .arg(pki("good.csr"))
            .arg(pki("no-crl.pem")),
    );
    assert_eq!(code, 1);
    assert_eq!(report.version, 1);
    assert_eq!(report.audit_time.to_string(), "2026-06-01T00:00:00Z");
    assert_eq!(report.inputs.len(), 3);
    for input in &report.inputs {
        let results = input.results.as_ref().unwrap();
        let ids: Vec<&str> = results.iter().map(|r| r.rule.as_ref()).collect();
        let all: Vec<&str> = input_rules().map(|r| r.id).collect();
        assert_eq!(ids, all, "{}", input.path);
    }
    assert_eq!(report.inputs[1].kind, Some(picert_verify::InputKind::Csr));
    assert_eq!(report.summary.errors, 1);
    // The raw JSON uses the documented spellings.
    let out = audit()
        .arg(pki("good.csr"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(raw["inputs"][0]["kind"], "csr");
    assert_eq!(raw["inputs"][0]["results"][0]["status"], "pass");
    assert_eq!(raw["inputs"][0]["results"][0]["severity"], "error");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains('\x1b'),
        "JSON is never coloured"
    );
}

#[test]
fn unreadable_input_exits_2_and_the_others_are_still_audited() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, b"").unwrap();
    let key = dir.path().join("key.pem");
    std::fs::write(
        &key,
        std::fs::read(root().join("fixtures/pki/keys/leaf.key")).unwrap(),
    )
    .unwrap();
    let (report, code) = json(
        audit()
            .arg(&empty)
            .arg(pki("good.pem"))
            .arg(&key)
            .arg(dir.path().join("missing.pem")),
    );
    assert_eq!(code, 2);
    assert_eq!(report.inputs.len(), 4);
    assert_eq!(
        report.inputs[0].error_message().as_deref(),
        Some("the file is empty")
    );
    assert!(report.inputs[0].results.is_none());
    assert!(report.inputs[1].error.is_none() && report.inputs[1].results.is_some());
    assert!(report.inputs[2]
        .error_message()
        .as_deref()
        .unwrap()
        .contains("private key"));
    assert_eq!(
        report.inputs[3].error_message().as_deref(),
        Some("no such file or directory")
    );
    assert_eq!(report.summary.unreadable, 3);
    audit()
        .arg(&empty)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "empty.pem: unreadable: the file is empty",
        ))
        .stderr("");
}

#[test]
fn directory_and_stdin_inputs() {
    let (report, _) = json(audit().arg(root().join("fixtures/pki")));
    // Every .pem, .csr and .p7b in the folder; keys live in keys/ and are not picked up.
    let expected = std::fs::read_dir(root().join("fixtures/pki"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x == "pem" || x == "csr" || x == "p7b")
        })
        .count();
    assert_eq!(report.inputs.len(), expected);
    assert!(
        report.inputs.iter().all(|i| i.error.is_none()),
        "every fixture reads"
    );

    let bytes = std::fs::read(pki("windows-label.csr")).unwrap();
    let (report, code) = json(audit().arg("-").write_stdin(bytes));
    assert_eq!(code, 0);
    assert_eq!(report.inputs[0].path, "<stdin>");
    assert_eq!(report.inputs[0].kind, Some(picert_verify::InputKind::Csr));

    let dir = tempfile::tempdir().unwrap();
    audit()
        .arg(dir.path())
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "holds no certificate or request file",
        ));
}

#[test]
fn pkcs7_and_der_inputs() {
    audit().arg(pki("good.p7b")).assert().code(0);
    let dir = tempfile::tempdir().unwrap();
    let der = dir.path().join("leaf.cer");
    let out = std::process::Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(pki("good.pem"))
        .output()
        .unwrap();
    std::fs::write(&der, out.stdout).unwrap();
    // Alone, the DER leaf lacks its intermediate; --chain supplies it.
    audit()
        .arg(&der)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("add the intermediate"));
    audit()
        .arg(&der)
        .arg("--chain")
        .arg(pki("public-issuing.pem"))
        .assert()
        .code(0);
}

#[test]
fn without_topology_says_expectations_are_inferred() {
    picert()
        .args(["audit", "--at", "2026-06-01", "--trust-store"])
        .arg(pki("public-root.pem"))
        .arg(pki("missing-sip-domain.pem"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("inferred from the certificate itself (no topology given: 3 topology rules not checked)"));
}

#[test]
fn flags_stand_in_for_the_topology() {
    let mut c = picert();
    c.args([
        "audit",
        "--at",
        "2026-06-01",
        "--access-edge",
        "sip.contoso.com",
        "--webconf",
        "webcon.contoso.com",
    ])
    .args([
        "--sip-domain",
        "contoso.com",
        "--sip-domain",
        "fabrikam.com",
        "--sip-domain",
        "litwareinc.com",
        "--aol",
    ])
    .arg("--trust-store")
    .arg(pki("public-root.pem"))
    .arg(pki("good.pem"))
    .assert()
    .code(1)
    .stdout(predicate::str::contains(
        "missing DNS SAN: sip.litwareinc.com (SIP domain litwareinc.com)",
    ));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let colored = audit()
        .arg(pki("no-crl.pem"))
        .args(["--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&colored.stdout).contains("\x1b[1;31m"));
    let plain = audit().arg(pki("no-crl.pem")).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&plain.stdout).contains('\x1b'),
        "not a terminal: no colour"
    );
    let never = audit()
        .arg(pki("no-crl.pem"))
        .args(["--color", "never"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&never.stdout).contains('\x1b'));
}

#[test]
fn verbose_lists_every_rule() {
    let out = audit()
        .arg(pki("good.pem"))
        .arg("--verbose")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for rule in input_rules() {
        assert!(text.contains(rule.id), "{} missing from --verbose", rule.id);
    }
    assert!(text.contains("pass    pic.issuer.public_ca  chain:"));
    assert!(text.contains("not yet chrome.eku.client_auth"));
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for (args, message) in [
        (vec!["--at", "yesterday"], "not an RFC 3339 time"),
        (
            vec!["--trust-store", "/nonexistent/roots.pem"],
            "/nonexistent/roots.pem: no such file or directory",
        ),
        (
            vec!["--chain", "/nonexistent/int.pem"],
            "/nonexistent/int.pem: no such file or directory",
        ),
        (vec!["--sip-domain", "*.contoso.com"], "wildcard"),
    ] {
        let out = picert()
            .current_dir(dir.path())
            .arg("audit")
            .args(&args)
            .arg(pki("good.pem"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            stderr.lines().filter(|l| !l.is_empty()).count() <= 2,
            "{args:?}: short error, got {stderr}"
        );
    }
}

#[test]
fn rules_list_and_explain() {
    let out = picert().arg("rules").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), RULES.len());
    picert()
        .args(["rules", "explain", "pic.san.order"])
        .assert()
        .success()
        .stdout(predicate::str::contains("severity    warning"))
        .stdout(predicate::str::contains("seeds 001/002"));
    let out = picert()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    let list = doc["rules"].as_array().unwrap();
    assert_eq!(list.len(), RULES.len());
    assert!(list
        .iter()
        .all(|r| r["citation"].as_str().is_some_and(|c| !c.is_empty())));
    // A finding says what is wrong in two lines at most; the rest is the rule's advice, in
    // `rules explain` (or `rules --explain`) and under the finding with -v.
    for args in [
        &["rules", "explain", "pic.eku.client_auth"][..],
        &["rules", "--explain", "pic.eku.client_auth"][..],
    ] {
        picert()
            .args(args)
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "  advice      Microsoft ties the client EKU to PIC with AOL alone",
            ));
    }
    let out = audit().arg(pki("no-client-eku.pem")).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("pic.eku.client_auth"))
        .unwrap();
    assert!(line.len() <= 240, "two terminal lines at most: {line}");
    assert!(
        line.contains("picert rules explain pic.eku.client_auth"),
        "{line}"
    );
    assert!(!text.contains("Microsoft ties the client EKU"), "{text}");
    let out = audit()
        .arg(pki("no-client-eku.pem"))
        .arg("-v")
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("          Microsoft ties the client EKU to PIC with AOL alone"));
    picert()
        .args(["rules", "explain", "pic.nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule 'pic.nope'"));
}

#[test]
fn every_status_is_reachable_through_the_cli() {
    let (report, _) = json(audit().arg(pki("good.pem")).arg(pki("good.csr")));
    let statuses: Vec<Status> = report
        .inputs
        .iter()
        .flat_map(|i| i.results.clone().unwrap())
        .map(|r| r.status)
        .collect();
    for s in [Status::Pass, Status::Na, Status::Ne] {
        assert!(statuses.contains(&s), "{s:?}");
    }
}

#[test]
fn pkcs12_inputs_modern_and_legacy() {
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pfx-pass.txt");
    std::fs::write(&pass, "Edge pfx pass\n").unwrap();
    let modern = dir.path().join("edge.pfx");
    let legacy = dir.path().join("edge-legacy.p12");
    for (out, extra) in [
        (&modern, vec![]),
        (
            &legacy,
            vec![
                "-certpbe",
                "PBE-SHA1-3DES",
                "-keypbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
            ],
        ),
    ] {
        let status = std::process::Command::new("openssl")
            .args(["pkcs12", "-export", "-passout", "pass:Edge pfx pass", "-in"])
            .arg(pki("good.pem"))
            .arg("-inkey")
            .arg(root().join("fixtures/pki/keys/leaf.key"))
            .args(&extra)
            .arg("-out")
            .arg(out)
            .status()
            .unwrap();
        assert!(status.success());
        audit()
            .arg(out)
            .arg("--password-file")
            .arg(&pass)
            .assert()
            .code(0)
            .stdout(predicate::str::contains("PASS"));
        audit()
            .env("PICERT_PFX_PASSWORD", "Edge pfx pass")
            .arg(out)
            .assert()
            .code(0);
        audit()
            .env("PICERT_PFX_PASSWORD", "wrong")
            .arg(out)
            .assert()
            .code(2)
            .stdout(predicate::str::contains(
                "cannot open the PKCS#12 file: wrong password",
            ));
        audit()
            .env_remove("PICERT_PFX_PASSWORD")
            .arg(out)
            .assert()
            .code(2)
            .stdout(predicate::str::contains(
                "give its password with --password-file",
            ));
    }
}

#[test]
fn streamed_json_keeps_input_order_and_is_one_document() {
    let dir = tempfile::tempdir().unwrap();
    // A file with two requests, then many files: the order of the command line and of the
    // folder listing is the order of the report, whatever the threads do.
    let csr = std::fs::read_to_string(pki("good.csr")).unwrap();
    std::fs::write(dir.path().join("000-two.csr"), format!("{csr}{csr}")).unwrap();
    let good = std::fs::read(pki("good.pem")).unwrap();
    for i in 1..300 {
        std::fs::write(dir.path().join(format!("{i:03}.pem")), &good).unwrap();
    }
    let (report, code) = json(audit().arg(dir.path()).arg(pki("no-crl.pem")));
    assert_eq!(code, 1);
    let paths: Vec<String> = report
        .inputs
        .iter()
        .map(|i| i.path.rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(paths[0], "000-two.csr");
    assert_eq!(paths[1], "000-two.csr#2");
    for (i, p) in paths[2..301].iter().enumerate() {
        assert_eq!(p, &format!("{:03}.pem", i + 1));
    }
    assert_eq!(paths[301], "no-crl.pem");
    assert_eq!(report.summary.inputs, 302);
    assert_eq!(report.summary.errors, 1);
}

#[test]
fn json_keys_come_in_the_documented_order() {
    let out = audit()
        .args(["--format", "json"])
        .arg(pki("good.pem"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap();
    assert!(text.starts_with("{\"version\":1,"), "{}", &text[..60]);
    assert!(at("version") < at("audit_time"));
    assert!(at("audit_time") < at("trust_store"));
    assert!(at("trust_store") < at("inputs"));
    assert!(at("inputs") < at("summary"));
    // Still one JSON document.
    serde_json::from_str::<serde_json::Value>(&text).unwrap();
}

#[test]
fn a_certificate_is_audited_against_a_pool_of_a_multi_site_topology() {
    let topology = root().join("fixtures/topology/multi.tbxml");
    let run = |extra: &[&str]| {
        let mut c = picert();
        c.arg("audit")
            .arg(pki("good.pem"))
            .arg("--trust-store")
            .arg(pki("public-root.pem"))
            .arg("--topology")
            .arg(&topology)
            .args(["--at", "2026-06-01T00:00:00Z", "--aol"])
            .args(extra);
        json(&mut c)
    };
    // The Redmond pool wants webconf.contoso.com; the certificate has webcon.contoso.com.
    let (report, code) = run(&["--edge-pool", "EDGEPOOL-RED.contoso.com"]);
    assert_eq!(code, 1);
    let (status, message) = crate::common::status_of(&report, 0, "pic.san.expected_present");
    assert_eq!(status, Status::Finding);
    assert!(message.contains("webconf.contoso.com"), "{message}");
    // A flag over the XML's name: the Redmond pool then matches.
    let (_, code) = run(&[
        "--edge-pool",
        "edgepool-red.contoso.com",
        "--webconf",
        "webcon.contoso.com",
    ]);
    assert_eq!(code, 0);
    // The Dublin pool's Access Edge is another name.
    let (report, code) = run(&["--edge-pool", "edgepool-dub.contoso.com"]);
    assert_eq!(code, 1);
    let (status, message) = crate::common::status_of(&report, 0, "pic.san.expected_present");
    assert_eq!(status, Status::Finding);
    assert!(message.contains("sip-eu.contoso.com"), "{message}");
}

/// A self-signed certificate from OpenSSL with these DNS names, the subject CN the first of
/// `cn`, serverAuth and a CRL point, valid from now for 90 days.
fn openssl_certificate(dir: &std::path::Path, name: &str, cn: &str, sans: &[&str]) -> PathBuf {
    let path = dir.join(format!("{name}.pem"));
    let san = sans
        .iter()
        .map(|n| format!("DNS:{n}"))
        .collect::<Vec<_>>()
        .join(",");
    // A configuration of its own: OpenSSL's default one makes a CA certificate.
    let config = dir.join(format!("{name}.cnf"));
    std::fs::write(
        &config,
        format!(
            "[req]\ndistinguished_name = dn\nx509_extensions = leaf\nprompt = no\n[dn]\nO = Contoso\nCN = {cn}\n[leaf]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = serverAuth\nsubjectAltName = {san}\ncrlDistributionPoints = URI:http://pki.contoso.com/contoso-ca.crl\n"
        ),
    )
    .unwrap();
    let out = std::process::Command::new("openssl")
        .args(["req", "-x509", "-new", "-days", "90", "-sha256", "-config"])
        .arg(&config)
        .arg("-key")
        .arg(pki("keys/leaf.key"))
        .arg("-out")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

#[test]
fn a_certificate_is_audited_against_a_front_end_pool_of_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let topology = root().join("fixtures/topology/multi.tbxml");
    let planned = [
        "fepool-red.contoso.com",
        "fe-red1.contoso.com",
        "fe-red2.contoso.com",
        "webint-red.contoso.com",
        "dialin.contoso.com",
        "meet.contoso.com",
        "meet.fabrikam.com",
        "admin.contoso.com",
        "lyncdiscoverinternal.contoso.com",
        "lyncdiscoverinternal.fabrikam.com",
        "sip.contoso.com",
        "sip.fabrikam.com",
    ];
    let run = |cert: &PathBuf, pool: &str| {
        let mut c = picert();
        c.arg("audit")
            .arg(cert)
            .args(["--certificate", "front-end", "--pool", pool, "--topology"])
            .arg(&topology)
            .args(["--fail-on", "warning"]);
        json(&mut c)
    };
    // Every planned name, the subject first and the others in another order: order matters
    // only for the subject's place, outside the PIC table.
    let mut shuffled = planned.to_vec();
    shuffled[1..].reverse();
    let good = openssl_certificate(dir.path(), "good", planned[0], &shuffled);
    let (report, code) = run(&good, "FEPOOL-RED.contoso.com");
    let findings: Vec<_> = report.inputs[0]
        .findings()
        .into_iter()
        .map(|r| r.rule.clone())
        .collect();
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
    assert_eq!(report.certificate.as_deref(), Some("front-end"));
    assert_eq!(report.pool.as_deref(), Some("fepool-red.contoso.com"));
    for (rule, status, says) in [
        ("pic.san.expected_present", Status::Pass, "all 12 expected names present"),
        ("pic.san.order", Status::Pass, ""),
        ("pic.san.unexpected", Status::Pass, ""),
        ("pic.eku.server_auth", Status::Pass, ""),
        (
            "pic.subject.matches_access_edge",
            Status::Na,
            "applies to the Edge external certificate; this is the front-end certificate",
        ),
        (
            "pic.eku.client_auth",
            Status::Na,
            "applies to the Edge external certificate; this is the front-end certificate",
        ),
        (
            "pic.issuer.public_ca",
            Status::Na,
            "applies to the certificates of a public CA; the front-end certificate comes from the enterprise CA (picert plan)",
        ),
    ] {
        assert_eq!(crate::common::status_of(&report, 0, rule), (status, says.to_string()), "{rule}");
    }
    // The same certificate is not the Dublin server's.
    let (report, code) = run(&good, "se-dub.contoso.com");
    assert_eq!(code, 1);
    let (status, message) = crate::common::status_of(&report, 0, "pic.san.expected_present");
    assert_eq!(status, Status::Finding);
    assert!(
        message.contains("se-dub.contoso.com (pool FQDN (subject name))"),
        "{message}"
    );
    // A name missing, and a server's name before the pool's: the subject's place matters.
    let mut wrong: Vec<&str> = planned[..11].to_vec();
    wrong.swap(0, 1);
    let bad = openssl_certificate(dir.path(), "bad", planned[0], &wrong);
    let (report, code) = run(&bad, "fepool-red.contoso.com");
    assert_eq!(code, 1);
    let (status, message) = crate::common::status_of(&report, 0, "pic.san.expected_present");
    assert_eq!(status, Status::Finding);
    assert!(
        message.starts_with("missing DNS SAN: sip.fabrikam.com (automatic client sign-in inside, SIP domain fabrikam.com)"),
        "{message}"
    );
    let (status, message) = crate::common::status_of(&report, 0, "pic.san.order");
    assert_eq!(status, Status::Finding);
    assert!(
        message.starts_with(
            "the first SAN is fe-red1.contoso.com, not the subject name fepool-red.contoso.com"
        ),
        "{message}"
    );
    // The text report says which certificate it checked against.
    let out = picert()
        .arg("audit")
        .arg(&bad)
        .args([
            "--certificate",
            "front-end",
            "--pool",
            "fepool-red.contoso.com",
            "--topology",
        ])
        .arg(&topology)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "picert: checked against the front-end certificate of fepool-red.contoso.com (site Redmond) in the plan of the topology"
    ));
    // Several pools and none chosen: one line listing them.
    let out = picert()
        .arg("audit")
        .arg(&bad)
        .args(["--certificate", "front-end", "--topology"])
        .arg(&topology)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("the topology has 2 front-end certificates, choose one by its pool: fepool-red.contoso.com (site Redmond"), "{stderr}");
}

#[test]
fn the_edge_external_certificate_is_still_the_default() {
    let (report, code) = json(audit().arg(pki("good.pem")));
    assert_eq!(code, 0);
    assert_eq!(report.certificate.as_deref(), Some("edge-external"));
    assert_eq!(report.pool, None);
    let (status, _) = crate::common::status_of(&report, 0, "pic.subject.matches_access_edge");
    assert_eq!(status, Status::Pass);
    let (status, _) = crate::common::status_of(&report, 0, "pic.issuer.public_ca");
    assert_eq!(status, Status::Pass);
}
