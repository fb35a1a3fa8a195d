//! One CLI, the same everywhere: `--quiet`, `--color` and NO_COLOR, output folders, JSON for
//! scripts (errors included), what goes to standard output and what to standard error, and how
//! inputs that are not Edge certificates are reported.

use std::fs;

use crate::common::{audit, contoso, json, picert, pki, status_of};
use picert_verify::{InputKind, Status};
use predicates::prelude::*;

/// `picert bundle` of good.pem with the test trust and time, password from a file.
fn bundle(dir: &std::path::Path, cert: &str, out: &str) -> assert_cmd::Command {
    fs::write(dir.join("pw.txt"), "pass\n").unwrap();
    let mut c = picert();
    c.args(["bundle", "--cert"])
        .arg(pki(cert))
        .arg("--key")
        .arg(pki("keys/leaf.key"))
        .arg("--password-file")
        .arg(dir.join("pw.txt"))
        .arg("--trust-store")
        .arg(pki("public-root.pem"))
        .args(["--at", "2026-06-01", "--topology"])
        .arg(contoso())
        .arg("-o")
        .arg(dir.join(out));
    c
}

#[test]
fn quiet_audit_says_nothing_on_success_and_only_the_failing_findings_otherwise() {
    audit()
        .arg("-q")
        .arg(pki("good.pem"))
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    // A warning below --fail-on: exit 0, nothing at all.
    audit()
        .arg("-q")
        .arg(pki("wrong-san-order.pem"))
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    // An error: the input and its error finding, not its description or warnings.
    let out = audit()
        .arg("-q")
        .arg(pki("no-crl.pem"))
        .arg(pki("wrong-san-order.pem"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("no-crl.pem\n  error   lync.crl.distribution_point"),
        "{text}"
    );
    assert!(
        !text.contains("subject") && !text.contains("pic.san.order"),
        "{text}"
    );
    assert!(!text.contains("inputs:"), "no summary line: {text}");
    // With --fail-on warning the warning is shown too.
    let out = audit()
        .args(["-q", "--fail-on", "warning"])
        .arg(pki("wrong-san-order.pem"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("warning pic.san.order"));
}

#[test]
fn quiet_expiry_shows_only_what_fails() {
    let run = |days: &str| {
        picert()
            .args(["-q", "expiry", "--at", "2026-06-01", "--fail-within", days])
            .arg(pki("good.pem"))
            .arg(pki("expiring-soon.pem"))
            .output()
            .unwrap()
    };
    let calm = run("7");
    assert_eq!(calm.status.code(), Some(0));
    assert!(calm.stdout.is_empty() && calm.stderr.is_empty());
    let due = run("30");
    assert_eq!(due.status.code(), Some(1));
    let text = String::from_utf8(due.stdout).unwrap();
    assert!(
        text.contains("expiring-soon.pem") && !text.contains("good.pem"),
        "{text}"
    );
}

#[test]
fn colour_follows_the_same_flag_and_no_color_everywhere() {
    picert()
        .args(["expiry", "--color", "always", "--at", "2027-01-01"])
        .arg(pki("good.pem"))
        .assert()
        .code(1) // expired on that date
        .stdout(predicate::str::contains("\x1b[1;31m"));
    picert()
        .args(["--color", "always", "expiry", "--at", "2027-01-01"])
        .arg(pki("good.pem"))
        .assert()
        .code(1) // expired on that date
        .stdout(predicate::str::contains("\x1b["));
    // auto: never when NO_COLOR is set, nor off a terminal.
    picert()
        .env("NO_COLOR", "1")
        .args(["expiry", "--at", "2027-01-01"])
        .arg(pki("good.pem"))
        .assert()
        .code(1) // expired on that date
        .stdout(predicate::str::contains("\x1b[").not());
    audit()
        .env("NO_COLOR", "1")
        .arg(pki("no-crl.pem"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn json_runs_print_json_even_when_they_fail_before_the_report() {
    // A missing topology file: our own error.
    let out = picert()
        .args([
            "audit",
            "--format",
            "json",
            "--topology",
            "/nonexistent/t.toml",
        ])
        .arg(pki("good.pem"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("t.toml: no such file"));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("picert: error: "));
    // A bad --at: an argument error, found by the parser.
    for args in [
        &["audit", "--at", "June 1", "--format", "json", "x.pem"][..],
        &["expiry", "--format=json", "--at", "soon", "x.pem"][..],
    ] {
        let out = picert().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
        assert_eq!(v["version"], 1);
        assert!(
            v["error"]
                .as_str()
                .unwrap()
                .contains("is not an RFC 3339 time"),
            "{v}"
        );
    }
    // request and bundle too.
    let dir = tempfile::tempdir().unwrap();
    let out = picert()
        .args([
            "request",
            "--format",
            "json",
            "--sip-domain",
            "contoso.com",
            "--out-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("missing the Access Edge"),
        "{v}"
    );
    // Arguments missing: the JSON error names them.
    let out = picert()
        .args(["bundle", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"version\":1,\"error\":\"the following required arguments were not provided: --cert <FILE>, --key <FILE>, --out <FILE>\"}\n"
    );
    let out = bundle(dir.path(), "good.csr", "x.pfx")
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("holds no certificate"),
        "{v}"
    );
}

#[test]
fn summaries_for_scripts_go_to_standard_output_or_json() {
    let dir = tempfile::tempdir().unwrap();
    // bundle: the file, the chain and the thumbprint on stdout; the next step on stderr.
    bundle(dir.path(), "good.pem", "a.pfx")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "thumbprint  A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E",
        ))
        .stderr(predicate::str::contains("Next: on every Edge server"));
    let out = bundle(dir.path(), "good.pem", "b.pfx")
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "JSON asked: nothing on standard error but errors"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["thumbprint"], "A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E");
    assert_eq!(v["encryption"], "3des-sha1", "no Windows release known");
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .contains("because the Edge's Windows Server release is not known"),
        "{v:#}"
    );
    assert_eq!(v["chain"][1], "picert Test Issuing CA");
    assert_eq!(v["audit"]["path"], pki("good.pem").display().to_string());
    // request: the file names, or JSON with the SANs in order.
    let out = picert()
        .args(["request", "--format", "json", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(dir.path().join("req"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["san"],
        serde_json::json!(["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"])
    );
    let csr = v["request"].as_str().unwrap();
    assert!(fs::read_to_string(csr)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    assert_eq!(v["key_generated"], true);
    assert!(v["notes"][0].as_str().unwrap().contains("client EKU"));
    // expiry: JSON too.
    let out = picert()
        .args(["expiry", "--format", "json", "--at", "2026-06-01"])
        .arg(pki("good.pem"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["certificates"][0]["days_left"], 121);
}

#[test]
fn every_output_gets_its_missing_folders() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), "good.pem", "new/dir/edge.pfx")
        .assert()
        .success();
    assert!(dir.path().join("new/dir/edge.pfx").is_file());
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--csr")
        .arg(dir.path().join("a/edge.csr"))
        .arg("--key-out")
        .arg(dir.path().join("b/edge.key"))
        .assert()
        .success();
    assert!(dir.path().join("a/edge.csr").is_file() && dir.path().join("b/edge.key").is_file());
}

#[test]
fn bundle_shows_the_audit_warnings_and_quiet_silences_them() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), "wrong-san-order.pem", "w.pfx")
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: pic.san.order"));
    bundle(dir.path(), "expiring-soon.pem", "e.pfx")
        .args(["--warn-days", "20"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: validity.expiring_soon  14 days left",
        ));
    bundle(dir.path(), "expiring-soon.pem", "f.pfx")
        .args(["--warn-days", "7"])
        .assert()
        .success()
        .stderr(predicate::str::contains("expiring_soon").not());
    bundle(dir.path(), "wrong-san-order.pem", "q.pfx")
        .arg("-q")
        .assert()
        .success()
        .stdout("")
        .stderr("");
}

#[test]
fn other_pem_blocks_are_named_and_ca_certificates_are_chain_material() {
    let dir = tempfile::tempdir().unwrap();
    // A certificate with its private key in one file: audited, the key named in a note.
    let mut with_key = fs::read_to_string(pki("good.pem")).unwrap();
    with_key.push_str(&fs::read_to_string(pki("keys/leaf.key")).unwrap());
    fs::write(dir.path().join("with-key.pem"), with_key).unwrap();
    let (report, code) = json(audit().arg(dir.path().join("with-key.pem")));
    assert_eq!(code, 0);
    assert_eq!(
        report.inputs[0].notes,
        ["the file also holds a private key (PRIVATE KEY), which is not audited"]
    );
    // An intermediate on its own: a CA certificate, no Edge rule, exit 0.
    let (report, code) = json(audit().arg(pki("public-issuing.pem")));
    assert_eq!(code, 0, "{report:?}");
    assert_eq!(report.inputs[0].kind, Some(InputKind::CaCertificate));
    assert_eq!(report.inputs[0].results.as_ref().map(Vec::len), Some(0));
    // A leaf without its intermediate, and the intermediate in another file of the run: the
    // chain is complete. In human form the CA certificate says what it is.
    let (report, code) = json(
        audit()
            .arg(pki("missing-intermediate.pem"))
            .arg(pki("public-issuing.pem")),
    );
    assert_eq!(code, 0, "{report:#?}");
    assert_eq!(
        status_of(&report, 0, "pic.issuer.public_ca").0,
        Status::Pass
    );
    audit()
        .arg(pki("public-issuing.pem"))
        .assert()
        .success()
        .stdout(predicate::str::contains("(CA certificate)"))
        .stdout(predicate::str::contains("offered as chain material"));
}

#[test]
fn a_folder_passes_over_keys_and_other_files_with_a_word() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(pki("missing-intermediate.pem"), dir.path().join("edge.pem")).unwrap();
    fs::copy(pki("public-issuing.pem"), dir.path().join("issuing.pem")).unwrap();
    fs::copy(pki("keys/leaf.key"), dir.path().join("edge-key.pem")).unwrap();
    fs::copy(pki("keys/leaf.key"), dir.path().join("edge.key")).unwrap();
    fs::copy(contoso(), dir.path().join("edge.toml")).unwrap();
    fs::create_dir(dir.path().join("old")).unwrap();
    let out = audit().arg(dir.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("passed over 2 files that are not a certificate file (1 .key, 1 .toml) and 1 sub-folder"), "{text}");
    assert!(
        text.contains("edge-key.pem: skipped: a private key (PRIVATE KEY)"),
        "{text}"
    );
    assert!(text.contains("1 skipped"), "{text}");
    let (report, code) = json(audit().arg(dir.path()));
    assert_eq!(code, 0);
    assert_eq!(report.summary.skipped, 1);
    assert_eq!(report.notes.len(), 2, "{:?}", report.notes);
    // A key named on its own is still an unreadable input.
    audit().arg(pki("keys/leaf.key")).assert().code(2);
}

#[test]
fn a_partial_topology_leaves_unknowable_rules_na() {
    let (report, _) = json(
        picert()
            .args(["audit", "--access-edge", "sip.contoso.com", "--trust-store"])
            .arg(pki("public-root.pem"))
            .args(["--at", "2026-06-01"])
            .arg(pki("good.pem")),
    );
    assert_eq!(status_of(&report, 0, "pic.san.unexpected").0, Status::Na);
    assert_eq!(
        status_of(&report, 0, "pic.subject.matches_access_edge").0,
        Status::Pass
    );
}

#[test]
fn rules_filter_by_source() {
    let out = picert()
        .args(["rules", "--source", "cabf", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &doc["rules"];
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["lync.sig.weak_hash", "cabf.validity.max"]);
    assert!(v.as_array().unwrap().iter().all(|r| r["source"] == "cabf"));
    picert()
        .args(["rules", "--source", "msft"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown source 'msft'"));
}

/// Every command that does a job says its exit statuses in its help, in the same words: 0, then
/// 1 where a finding can make it, then 2.
#[test]
fn every_command_says_its_exit_status() {
    for command in [
        "request",
        "audit",
        "bundle",
        "expiry",
        "federation",
        "acme",
        "plan",
        "topology",
        "rules",
    ] {
        let out = picert().args(["help", command]).output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
        let status = help
            .split("Exit status: ")
            .nth(1)
            .unwrap_or_else(|| panic!("picert help {command} says no exit status"));
        assert!(status.starts_with("0"), "{command}: {status}");
        let two = status
            .find("; 2 ")
            .unwrap_or_else(|| panic!("{command}: no 2 in {status}"));
        if let Some(one) = status.find("; 1 ") {
            assert!(one < two, "{command}: 1 before 2");
        }
    }
}

/// `picert request`: with JSON, nothing on standard error (the notes are in the document); in
/// text, the client EKU advice in two lines, with picert's prefix.
#[test]
fn request_json_is_quiet_and_its_advice_short() {
    let dir = tempfile::tempdir().unwrap();
    let out = picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(dir.path().join("j"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["notes"][0]
        .as_str()
        .unwrap()
        .contains("Sectigo stopped on 2026-05-15"));
    let out = picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(dir.path().join("t"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let advice: Vec<&str> = stderr
        .lines()
        .skip_while(|l| !l.starts_with("picert: warning: public CAs are dropping"))
        .collect();
    assert_eq!(advice.len(), 2, "{stderr}");
    assert!(advice.iter().all(|l| l.len() < 250), "{advice:?}");
}

/// One JSON layout: every command's document starts with its `version`.
#[test]
fn every_json_document_starts_with_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let topology = crate::common::root().join("fixtures/topology/multi.tbxml");
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["audit".into(), pki("good.pem").into()],
        vec!["expiry".into(), pki("good.pem").into()],
        vec!["rules".into()],
        vec!["plan".into(), topology.clone().into()],
        vec!["topology".into(), topology.into()],
        vec![
            "request".into(),
            "--topology".into(),
            contoso().into(),
            "--out-dir".into(),
            dir.path().join("r").into(),
        ],
    ];
    for args in runs {
        let out = picert()
            .args(&args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            compact.starts_with("{\"version\":1,"),
            "{args:?}: {}",
            &text[..text.len().min(80)]
        );
    }
}

/// Wherever a certificate is shown, its SHA-1 thumbprint (what `Get-CsCertificate` and
/// `Set-CsCertificate -Thumbprint` show) is in the text, and the JSON carries it with the SHA-256
/// fingerprint: audit, expiry and bundle here; federation and `--connect` in their own tests.
#[test]
fn every_command_that_shows_a_certificate_shows_its_thumbprint() {
    const SHA1: &str = "A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E";
    let dir = tempfile::tempdir().unwrap();
    let text = |cmd: &mut assert_cmd::Command| {
        let out = cmd.output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let sha256 = |v: &serde_json::Value| v["sha256"].as_str().map(str::len);
    let mut audit_text = audit();
    assert!(text(audit_text.arg(pki("good.pem"))).contains(&format!("  thumbprint {SHA1}\n")));
    let mut expiry = picert();
    expiry
        .args(["expiry", "--at", "2026-06-01"])
        .arg(pki("good.pem"));
    assert!(text(&mut expiry).contains(SHA1));
    let mut bundled = bundle(dir.path(), "good.pem", "edge.pfx");
    assert!(text(&mut bundled).contains(SHA1));

    let json_of = |cmd: &mut assert_cmd::Command| -> serde_json::Value {
        serde_json::from_slice(&cmd.args(["--format", "json"]).output().unwrap().stdout).unwrap()
    };
    let v = json_of(audit().arg(pki("good.pem")));
    assert_eq!(v["inputs"][0]["thumbprint"], SHA1);
    assert_eq!(sha256(&v["inputs"][0]), Some(64));
    let v = json_of(
        picert()
            .args(["expiry", "--at", "2026-06-01"])
            .arg(pki("good.pem")),
    );
    assert_eq!(v["certificates"][0]["thumbprint"], SHA1);
    assert_eq!(sha256(&v["certificates"][0]), Some(64));
    let v = json_of(&mut bundle(dir.path(), "good.pem", "edge2.pfx"));
    assert_eq!(v["thumbprint"], SHA1);
    assert_eq!(sha256(&v["audit"]), Some(64));
}
