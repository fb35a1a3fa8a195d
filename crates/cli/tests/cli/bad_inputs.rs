//! The malformed-input corpus (fixtures/bad, listed in expected.tsv) through the binary: each
//! refusal is one line naming the file and the problem, exit status 2, no panic; real-world
//! shapes are read; one bad input never stops the others.

use std::path::PathBuf;

use crate::common::{no_panic, picert, root};
use picert_verify::Report;

fn bad_dir() -> PathBuf {
    root().join("fixtures/bad")
}

fn rows() -> Vec<(String, String, String)> {
    let tsv = std::fs::read_to_string(bad_dir().join("expected.tsv")).unwrap();
    tsv.lines()
        .skip(1)
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            (
                parts.next().unwrap().into(),
                parts.next().unwrap().into(),
                parts.next().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn corpus_has_at_least_60_cases() {
    assert!(rows().len() >= 60, "{} cases", rows().len());
}

#[test]
fn every_audit_case_gives_its_exact_message() {
    let mut failures = Vec::new();
    for (file, command, expected) in rows().into_iter().filter(|r| r.1 == "audit") {
        let _ = command;
        let path = bad_dir().join(&file);
        let out = picert()
            .args(["audit", "--format", "json", "--at", "2026-06-01"])
            .arg(&path)
            .output()
            .unwrap();
        no_panic(&out.stderr);
        let report: Report = match serde_json::from_slice(&out.stdout) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{file}: no JSON report ({e})"));
                continue;
            }
        };
        let input = &report.inputs[0];
        assert!(
            input.path.ends_with(&file),
            "{file}: the report names the file"
        );
        if expected == "read" {
            if input.error.is_some() || input.results.is_none() {
                failures.push(format!("{file}: should be read, got {:?}", input.error));
            }
            continue;
        }
        let got = input.error_message().unwrap_or_default();
        // Exact, or exact up to a parenthesised detail from the parser.
        let matches = got == expected || got.starts_with(&format!("{expected} ("));
        if !matches || out.status.code() != Some(2) {
            failures.push(format!(
                "{file}: expected {expected:?} (exit 2), got {got:?} (exit {:?})",
                out.status.code()
            ));
        }
        if got.contains('\n') {
            failures.push(format!("{file}: message is not one line"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn human_report_names_the_file_and_the_problem_on_one_line() {
    let path = bad_dir().join("crl.pem");
    let out = picert().arg("audit").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.trim_end(),
        format!("{}: unreadable: holds a certificate revocation list (X509 CRL), not a certificate or certificate request", path.display())
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn every_topology_case_is_refused_with_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (file, _, expected) in rows().into_iter().filter(|r| r.1 == "request") {
        let path = bad_dir().join(&file);
        let out = picert()
            .args(["request", "--topology"])
            .arg(&path)
            .arg("--out-dir")
            .arg(dir.path())
            .output()
            .unwrap();
        no_panic(&out.stderr);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let names_file = stderr.contains(&file) || !stderr.contains(".toml");
        if out.status.code() != Some(2)
            || !stderr.contains(&expected)
            || stderr.lines().count() != 1
            || !names_file
        {
            failures.push(format!(
                "{file}: expected {expected:?} (exit 2, one line), got {stderr:?} (exit {:?})",
                out.status.code()
            ));
        }
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no output from a refused topology"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn one_bad_input_never_stops_the_others() {
    let good = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki/good.csr");
    let out = picert()
        .args(["audit", "--format", "json"])
        .arg(bad_dir())
        .arg(&good)
        .output()
        .unwrap();
    no_panic(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    let last = report.inputs.last().unwrap();
    assert!(last.path.ends_with("good.csr") && last.results.is_some());
    assert!(report.summary.unreadable > 30);
}

#[test]
fn huge_inputs_are_answered_quickly() {
    let dir = tempfile::tempdir().unwrap();
    // 100 MB of PEM blocks: refused by size before it is read in full.
    let block = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki/public-root.pem"),
    )
    .unwrap();
    let big = dir.path().join("huge.pem");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        let mut written = 0;
        while written < 100_000_000 {
            f.write_all(block.as_bytes()).unwrap();
            written += block.len();
        }
    }
    let out = picert().arg("audit").arg(&big).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("huge.pem: unreadable: the file is larger than 16 MiB"));

    // 2,001 certificates in one file: more than any chain; refused in one line.
    let many = dir.path().join("many.pem");
    std::fs::write(&many, block.repeat(2001)).unwrap();
    let out = picert().arg("audit").arg(&many).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("many.pem: unreadable: holds 2001 certificates"));

    // A certificate with 10,000 SANs is audited.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut names = vec!["sip.contoso.com".to_string()];
    names.extend((0..9_999).map(|i| format!("host{i}.contoso.com")));
    let mut params = rcgen::CertificateParams::new(names).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "sip.contoso.com");
    let cert = params.self_signed(&key).unwrap();
    let path = dir.path().join("many-sans.pem");
    std::fs::write(&path, cert.pem()).unwrap();
    let out = picert()
        .args([
            "audit",
            "--format",
            "json",
            "--access-edge",
            "sip.contoso.com",
            "--sip-domain",
            "contoso.com",
        ])
        .arg(&path)
        .output()
        .unwrap();
    no_panic(&out.stderr);
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.inputs[0].dns_names.len(), 10_000);
    let unexpected = report.inputs[0]
        .results
        .as_ref()
        .unwrap()
        .iter()
        .find(|r| r.rule == "pic.san.unexpected")
        .unwrap();
    assert_eq!(unexpected.status, picert_verify::Status::Finding);
}
