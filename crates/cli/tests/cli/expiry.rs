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
