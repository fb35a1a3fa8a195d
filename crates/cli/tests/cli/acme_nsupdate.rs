//! The documented RFC 2136 hook, `docs/examples/dns-hook-nsupdate.sh`, end to end: BIND's
//! `named` on loopback is primary for contoso.com and fabrikam.com and takes TSIG-signed
//! updates, Pebble validates the dns-01 challenges against it, and `picert acme` runs the hook
//! for the seed table's names. The records are published (named logs each update), the
//! certificate is issued, and the records are gone afterwards; an update refused by the
//! server stops the run with nsupdate's reason.
//!
//! Skipped with a message where named, nsupdate or pebble is missing; `.ci/run` installs them
//! (bind9, bind9-dnsutils, pebble), and under CI a missing one fails the tests instead.

use std::path::{Path, PathBuf};

use crate::common::{contoso, picert, root};
use picert_tests::servers::{self, Named, Pebble};

/// The names of the seed table, whose `_acme-challenge` records the hook publishes.
const NAMES: [&str; 3] = ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"];

fn servers_or_skip() -> bool {
    let named = servers::have_named();
    let pebble = servers::have_pebble();
    if named && pebble {
        return true;
    }
    let missing = match (named, pebble) {
        (false, false) => "BIND (named, tsig-keygen, nsupdate) and pebble are",
        (false, true) => "BIND (named, tsig-keygen or nsupdate) is",
        _ => "pebble is",
    };
    servers::skip(&format!(
        "{missing} not installed (apt-get install bind9 bind9-dnsutils pebble)"
    ));
    false
}

fn hook() -> PathBuf {
    root().join("docs/examples/dns-hook-nsupdate.sh")
}

/// `picert acme` for the contoso topology (AOL declared off) against `pebble`, with the
/// nsupdate hook pointed at `named` and signing with `key_file`.
fn acme(pebble: &Pebble, named: &Named, key_file: &Path, dir: &Path) -> assert_cmd::Command {
    let mut c = picert();
    c.args(["acme", "--topology"])
        .arg(contoso())
        .args([
            "--no-aol",
            "--directory",
            &pebble.directory,
            "--directory-ca",
        ])
        .arg(&pebble.tls_ca)
        .arg("--dns-hook")
        .arg(hook())
        .arg("--account-key")
        .arg(dir.join("account.key"))
        .args([
            "--agree-tos",
            "--email",
            "admin@contoso.com",
            "--timeout",
            "15",
            "--out-dir",
        ])
        .arg(dir.join("issued"))
        .arg("--trust-store")
        .arg(pebble.root())
        .args(["--format", "json"])
        .env("PICERT_NSUPDATE_SERVER", named.addr.ip().to_string())
        .env("PICERT_NSUPDATE_PORT", named.addr.port().to_string())
        .env("PICERT_NSUPDATE_KEY", key_file)
        .env("PICERT_NSUPDATE_ZONES", "contoso.com fabrikam.com")
        .env("PICERT_NSUPDATE_TIMEOUT", "10");
    c
}

#[test]
fn the_nsupdate_hook_publishes_then_withdraws_every_record() {
    if !servers_or_skip() {
        return;
    }
    let named = Named::start(&["contoso.com", "fabrikam.com"]);
    let pebble = Pebble::start_with_dns(&[], named.addr);
    for name in NAMES {
        assert!(named.txt(&format!("_acme-challenge.{name}")).is_empty());
    }
    let dir = tempfile::tempdir().unwrap();
    let out = acme(&pebble, &named, &named.key_file, dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{stderr}\nnamed:\n{}",
            String::from_utf8_lossy(&out.stdout),
            named.log()
        )
    });
    // Pebble puts no CRL distribution point in its certificates: the one finding, exit 1.
    let findings: Vec<&str> = v["audit"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "finding")
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{v:#}\n{stderr}\nnamed:\n{}",
        named.log()
    );
    assert_eq!(findings, ["lync.crl.distribution_point"], "{v:#}");
    assert_eq!(v["issued"], true);
    assert_eq!(v["audit"]["dns_names"], serde_json::json!(NAMES));
    assert!(dir
        .path()
        .join("issued")
        .join("sip.contoso.com.pem")
        .is_file());
    assert!(dir
        .path()
        .join("issued")
        .join("sip.contoso.com.key")
        .is_file());
    let log = named.log();
    for name in NAMES {
        let record = format!("_acme-challenge.{name}");
        assert!(
            stderr.contains(&format!("acme: published {record}")),
            "{stderr}"
        );
        // named took the update signed with the key, into the zone holding the name, and
        // withdrew it after validation.
        let zone = name.split_once('.').unwrap().1;
        assert!(
            log.contains(&format!(
                "/key {}: updating zone '{zone}/IN': adding an RR at '{record}' TXT",
                servers::NAMED_TSIG_KEY
            )),
            "{log}"
        );
        assert!(
            log.contains(&format!(
                "updating zone '{zone}/IN': deleting an RR at {record} TXT"
            )),
            "{log}"
        );
        assert!(named.txt(&record).is_empty(), "{record} is still published");
    }
    assert!(!stderr.contains("acme: warning"), "{stderr}");
}

#[test]
fn an_update_the_server_refuses_stops_the_run_with_its_reason() {
    if !servers_or_skip() {
        return;
    }
    let named = Named::start(&["contoso.com", "fabrikam.com"]);
    let pebble = Pebble::start_with_dns(&[], named.addr);
    let dir = tempfile::tempdir().unwrap();
    // The key's name with another secret: named cannot verify the signature.
    let wrong = dir.path().join("wrong.key");
    std::fs::write(
        &wrong,
        format!(
            "key \"{}\" {{\n\talgorithm hmac-sha256;\n\tsecret \"c2VjcmV0IHRoYXQgbmFtZWQgZG9lcyBub3Qga25vdyE=\";\n}};\n",
            servers::NAMED_TSIG_KEY
        ),
    )
    .unwrap();
    let out = acme(&pebble, &named, &wrong, dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // picert's error names the hook's action and record (the first the CA listed, in no fixed
    // order), then says what the hook said: nsupdate's own reason (named refuses the signature).
    let expected: Vec<String> = NAMES
        .iter()
        .map(|name| {
            format!(
                "add _acme-challenge.{name} failed (exit status 1): dns-hook-nsupdate: add _acme-challenge.{name} at 127.0.0.1 port {} failed (nsupdate exit status 2): TSIG error with server: tsig indicates error update failed: NOTAUTH(BADSIG)",
                named.addr.port()
            )
        })
        .collect();
    assert!(expected.iter().any(|e| stderr.contains(e)), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|error| expected.iter().any(|e| error.ends_with(e))),
        "{v:#}"
    );
    assert!(!dir.path().join("issued").exists(), "nothing written");
    for name in NAMES {
        assert!(named.txt(&format!("_acme-challenge.{name}")).is_empty());
    }
}
