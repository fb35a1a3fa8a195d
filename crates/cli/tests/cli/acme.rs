//! `picert acme` against Pebble, the ACME test server (Debian's `pebble` package), with
//! pebble-challtestsrv as its DNS and a Python dns-01 hook that sets the records there: a first
//! issuance for the seed table's topology, the account found again, a renewal keeping the key,
//! `--if-due` both ways, External Account Binding, a failing hook, a challenge that never
//! validates, AOL refused, and a CA that does not answer.
//!
//! Skipped with a message where pebble is not installed; `.ci/run` installs it, and under CI a
//! missing pebble fails the tests instead.

use std::path::Path;

use crate::common::{contoso, picert};
use picert_tests::servers::{self, Pebble};

fn pebble_or_skip() -> bool {
    if servers::have_pebble() {
        return true;
    }
    servers::skip("pebble is not installed (apt-get install pebble)");
    false
}

/// The arguments of `picert acme` against `pebble` with the contoso topology (AOL declared
/// off), its hook, an account key and an output folder under `dir`, auditing with Pebble's
/// root.
fn acme_args(pebble: &Pebble, hook: &Path, dir: &Path) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec!["acme".into(), "--topology".into()];
    args.push(contoso().into());
    args.extend(
        [
            "--no-aol",
            "--directory",
            &pebble.directory,
            "--directory-ca",
        ]
        .map(Into::into),
    );
    args.push(pebble.tls_ca.clone().into());
    args.push("--dns-hook".into());
    args.push(hook.into());
    args.push("--account-key".into());
    args.push(dir.join("account.key").into());
    args.extend(
        [
            "--agree-tos",
            "--email",
            "admin@contoso.com",
            "--timeout",
            "10",
            "--out-dir",
        ]
        .map(Into::into),
    );
    args.push(dir.join("issued").into());
    args.push("--trust-store".into());
    args.push(pebble.root().into());
    args
}

/// `picert acme` against `pebble` with the contoso topology (AOL declared off), its hook, an
/// account key and an output folder under `dir`, auditing with Pebble's root.
fn acme(pebble: &Pebble, hook: &Path, dir: &Path, extra: &[&str]) -> assert_cmd::Command {
    let mut c = picert();
    c.args(acme_args(pebble, hook, dir)).args(extra);
    c
}

fn json(c: &mut assert_cmd::Command) -> (serde_json::Value, i32, String) {
    let out = c.args(["--format", "json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap(), stderr)
}

fn findings(v: &serde_json::Value) -> Vec<String> {
    v["audit"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "finding")
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A first issuance, the account found again, a renewal keeping the key, and --if-due.
#[test]
fn issue_renew_and_renew_only_when_due() {
    if !pebble_or_skip() {
        return;
    }
    let pebble = Pebble::start(&[]);
    let hook = pebble.hook(false, false);
    let dir = tempfile::tempdir().unwrap();
    let issued = dir.path().join("issued");
    let (v, code, stderr) = json(
        acme(
            &pebble,
            &hook,
            dir.path(),
            &["--pfx", &servers::arg(&issued.join("edge.pfx"))],
        )
        .env("PICERT_PFX_PASSWORD", "pfx pass"),
    );
    // Pebble puts no CRL distribution point in its certificates: the one finding.
    assert_eq!(code, 1, "{v:#}\n{stderr}");
    assert_eq!(findings(&v), ["lync.crl.distribution_point"], "{v:#}");
    assert!(
        stderr.contains("acme: new account https://127.0.0.1:"),
        "{stderr}"
    );
    for record in ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"] {
        assert!(
            stderr.contains(&format!("acme: published _acme-challenge.{record}")),
            "{stderr}"
        );
    }
    assert_eq!(
        v["audit"]["dns_names"],
        serde_json::json!(["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"])
    );
    assert_eq!(v["audit"]["subject"], "CN=sip.contoso.com");
    let pem = std::fs::read_to_string(issued.join("sip.contoso.com.pem")).unwrap();
    assert_eq!(
        pem.matches("-----BEGIN CERTIFICATE-----").count(),
        2,
        "leaf and intermediate"
    );
    let key = issued.join("sip.contoso.com.key");
    #[cfg(unix)]
    {
        assert_eq!(mode(&key), 0o600);
        assert_eq!(mode(&dir.path().join("account.key")), 0o600);
        assert_eq!(mode(&issued.join("edge.pfx")), 0o600);
    }
    // The PKCS#12 file opens with its password and holds the issued certificate.
    picert()
        .args(["audit", "--password-file"])
        .arg({
            let p = dir.path().join("pw.txt");
            std::fs::write(&p, "pfx pass\n").unwrap();
            p
        })
        .arg(issued.join("edge.pfx"))
        .arg("--trust-store")
        .arg(pebble.root())
        .assert()
        .stdout(predicates::str::contains("CN=sip.contoso.com"));
    let first_account = v["account"].as_str().unwrap().to_string();
    let first_key = std::fs::read(&key).unwrap();
    let first_thumbprint = v["thumbprint"].as_str().unwrap().to_string();

    // The same outputs again without --force: refused before the CA is asked.
    let out = acme(&pebble, &hook, dir.path(), &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "sip.contoso.com.pem: already exists; picert never overwrites a file without --force"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("acme: account"), "{stderr}");

    // A renewal from the certificate in service, keeping its key: the account is found again.
    let current = issued.join("sip.contoso.com.pem");
    let (v, code, stderr) = json(&mut acme(
        &pebble,
        &hook,
        dir.path(),
        &[
            "--from-cert",
            &servers::arg(&current),
            "--reuse-key",
            &servers::arg(&key),
            "--force",
        ],
    ));
    assert_eq!(code, 1, "{v:#}\n{stderr}");
    assert_eq!(
        v["account"],
        first_account.as_str(),
        "the account key found its account"
    );
    assert!(
        stderr.contains(&format!("acme: account {first_account}"))
            && !stderr.contains("new account"),
        "{stderr}"
    );
    assert_ne!(
        v["thumbprint"],
        first_thumbprint.as_str(),
        "a new certificate"
    );
    assert!(v["key"].is_null(), "a kept key is not written again");
    assert_eq!(std::fs::read(&key).unwrap(), first_key);
    let renewed =
        picert_verify::renewal::read_current(&std::fs::read(&current).unwrap(), None).unwrap();
    let original_key = picert_core::PrivateKey::from_bytes(&first_key, None).unwrap();
    assert_eq!(
        renewed.spki_der,
        original_key.spki_der().unwrap(),
        "the renewal kept the key"
    );

    // --if-due: a fresh 90-day certificate is not due; nothing is asked or written.
    let before = std::fs::read(&current).unwrap();
    let out = acme(
        &pebble,
        &hook,
        dir.path(),
        &[
            "--from-cert",
            &servers::arg(&current),
            "--if-due",
            "--force",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("not due: renewal is due on ")
            && text.contains("when a third of its 90-day lifetime is left"),
        "{text}"
    );
    assert_eq!(std::fs::read(&current).unwrap(), before);
    // 70 days on, a third is left: it renews.
    let later = (std::time::SystemTime::now() + std::time::Duration::from_secs(70 * 86_400))
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let at = picert_core::Timestamp::from_unix(later as i64).to_string();
    let (v, code, stderr) = json(&mut acme(
        &pebble,
        &hook,
        dir.path(),
        &[
            "--from-cert",
            &servers::arg(&current),
            "--if-due",
            "--force",
            "--at",
            &at,
        ],
    ));
    assert!(code == 1, "{v:#}\n{stderr}");
    assert!(
        stderr.contains("renewal is due: a third or less of its 90-day lifetime is left"),
        "{stderr}"
    );
    assert_eq!(v["issued"], true);
    assert_ne!(std::fs::read(&current).unwrap(), before);
    // The new key made by that renewal is the one the request was signed with.
    let csr_like = read_key_spki(&issued.join("sip.contoso.com.key"));
    let now_current =
        picert_verify::renewal::read_current(&std::fs::read(&current).unwrap(), None).unwrap();
    assert_eq!(now_current.spki_der, csr_like);
}

fn read_key_spki(path: &Path) -> Vec<u8> {
    picert_core::PrivateKey::from_bytes(&std::fs::read(path).unwrap(), None)
        .unwrap()
        .spki_der()
        .unwrap()
}

/// A CA that requires External Account Binding: refused without it, issued with it.
#[test]
fn external_account_binding() {
    if !pebble_or_skip() {
        return;
    }
    let hmac = "Iwc2HmxBJ2O5oRLKF_YYDrYjTcjX2ZlE1n1_3jE0nmY";
    let pebble = Pebble::start(&[("kid-1", hmac)]);
    let hook = pebble.hook(false, false);
    let dir = tempfile::tempdir().unwrap();
    let out = acme(&pebble, &hook, dir.path(), &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the CA requires External Account Binding") && stderr.contains("--eab-kid"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("account.key").exists(),
        "no account, no key file"
    );
    let hmac_file = dir.path().join("eab.txt");
    std::fs::write(&hmac_file, format!("{hmac}\n")).unwrap();
    let (v, code, stderr) = json(&mut acme(
        &pebble,
        &hook,
        dir.path(),
        &[
            "--eab-kid",
            "kid-1",
            "--eab-hmac-key-file",
            &servers::arg(&hmac_file),
        ],
    ));
    assert_eq!(code, 1, "{v:#}\n{stderr}");
    assert_eq!(v["issued"], true);
    assert!(dir.path().join("account.key").exists());
    // The same binding from the environment, for a second account.
    let other = tempfile::tempdir().unwrap();
    let (v, _, stderr) = json(
        acme(&pebble, &hook, other.path(), &[])
            .env("PICERT_EAB_KID", "kid-1")
            .env("PICERT_EAB_HMAC_KEY", hmac),
    );
    assert_eq!(v["issued"], true, "{stderr}");
}

/// A hook that fails, and a challenge that never validates: nothing is written, the reason is
/// said; the records are withdrawn all the same.
#[test]
fn failures_are_named_and_leave_nothing() {
    if !pebble_or_skip() {
        return;
    }
    let pebble = Pebble::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let out = acme(&pebble, &pebble.hook(false, true), dir.path(), &[])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("add _acme-challenge.")
            && stderr
                .contains("failed (exit status 1): zone update refused by the test DNS provider"),
        "{stderr}"
    );
    let out = acme(&pebble, &pebble.hook(true, false), dir.path(), &[])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the CA could not validate _acme-challenge."),
        "{stderr}"
    );
    assert!(
        stderr.contains("Correct value not found for DNS challenge"),
        "{stderr}"
    );
    assert!(!dir
        .path()
        .join("issued")
        .join("sip.contoso.com.pem")
        .exists());
    assert!(!dir
        .path()
        .join("issued")
        .join("sip.contoso.com.key")
        .exists());
}

/// AOL declared is refused before anything is asked; a CA that does not answer is said to
/// within the bounded retries.
#[test]
fn aol_refused_and_an_unreachable_ca() {
    let dir = tempfile::tempdir().unwrap();
    let closed = servers::free_port(&[std::net::Ipv4Addr::LOCALHOST.into()]);
    let directory = format!("https://127.0.0.1:{closed}/dir");
    let base = |topology_aol: bool| {
        let mut c = picert();
        c.args(["acme", "--topology"])
            .arg(contoso())
            .args([
                "--directory",
                &directory,
                "--dns-hook",
                "/bin/true",
                "--account-key",
            ])
            .arg(dir.path().join("account.key"))
            .args(["--agree-tos", "--timeout", "1", "--out-dir"])
            .arg(dir.path().join("issued"));
        if !topology_aol {
            c.arg("--no-aol");
        }
        c
    };
    let out = base(true).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("AOL's PIC ended in June 2014") && stderr.contains("--no-aol"),
        "{stderr}"
    );
    // Bounded by its retries and timeouts; the command's own bound only stops a hang.
    let out = base(false)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "cannot reach the ACME server 127.0.0.1:{closed} (3 attempts)"
        )),
        "{stderr}"
    );
    assert!(!dir.path().join("account.key").exists());

    // --if-due on a day with nothing to do: the CA's renewal information cannot be read, the
    // certificate's lifetime decides, and the daily job does not fail.
    let status = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(dir.path().join("account.key"))
        .status()
        .unwrap();
    assert!(status.success());
    let out = base(false)
        .arg("--from-cert")
        .arg(crate::common::pki("good.pem"))
        .args(["--if-due", "--at", "2026-06-01"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("acme: warning: the CA's renewal information could not be read (cannot reach the ACME server"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("not due: renewal is due on 2026-07-31"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// An ACME server whose TLS certificate is not trusted is named at once, not retried as a
/// network failure, with the flag that trusts a lab CA.
#[test]
fn an_untrusted_acme_server_is_said_at_once() {
    if !pebble_or_skip() {
        return;
    }
    let pebble = Pebble::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let out = picert()
        .args(["acme", "--topology"])
        .arg(contoso())
        .args([
            "--no-aol",
            "--directory",
            &pebble.directory,
            "--dns-hook",
            "/bin/true",
        ])
        .arg("--account-key")
        .arg(dir.path().join("account.key"))
        .args(["--agree-tos", "--timeout", "5", "--out-dir"])
        .arg(dir.path().join("issued"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("presented a TLS certificate picert does not trust")
            && stderr.contains("--directory-ca FILE"),
        "{stderr}"
    );
    // Said at once: no retry with back-off.
    assert!(!stderr.contains("attempts"), "{stderr}");
}

/// An output that is the account key (the same path, a symbolic or a hard link) or another
/// output is refused before the CA is asked, even with --force, the account key unchanged.
#[test]
fn outputs_never_land_on_the_account_key() {
    let dir = tempfile::tempdir().unwrap();
    let issued = dir.path().join("issued");
    std::fs::create_dir(&issued).unwrap();
    // An account key where the certificate key would be written.
    let account = issued.join("sip.contoso.com.key");
    let status = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(&account)
        .status()
        .unwrap();
    assert!(status.success());
    let before = std::fs::read(&account).unwrap();
    // If anything were asked of the CA, the run would say it cannot reach it.
    let closed = servers::free_port(&[std::net::Ipv4Addr::LOCALHOST.into()]);
    let directory = format!("https://127.0.0.1:{closed}/dir");
    let run = |account_key: &Path, extra: &[&str]| {
        let out = picert()
            .args(["acme", "--topology"])
            .arg(contoso())
            .args([
                "--no-aol",
                "--directory",
                &directory,
                "--dns-hook",
                "/bin/true",
                "--account-key",
            ])
            .arg(account_key)
            .args(["--agree-tos", "--timeout", "1", "--force", "--out-dir"])
            .arg(&issued)
            .args(extra)
            .env("PICERT_PFX_PASSWORD", "pfx pass")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(!stderr.contains("cannot reach"), "{stderr}");
        stderr
    };
    // The certificate's new key would be written over the account key.
    let stderr = run(&account, &[]);
    assert!(
        stderr.contains(&format!(
            "the account key {} and the certificate key {} are the same file: picert never writes over an account key",
            account.display(),
            account.display()
        )),
        "{stderr}"
    );
    // The PKCS#12 file through other spellings and links of the account key.
    let spelled = issued.join("..").join("issued").join("sip.contoso.com.key");
    let mut others = vec![spelled];
    #[cfg(unix)]
    {
        let link = dir.path().join("account-link.key");
        std::os::unix::fs::symlink(&account, &link).unwrap();
        let hard = dir.path().join("account-hard.key");
        std::fs::hard_link(&account, &hard).unwrap();
        others.push(link);
        others.push(hard);
    }
    let kept = servers::pki("keys/leaf.key");
    for other in &others {
        // A kept certificate key: only the chain and the PKCS#12 file are written.
        let stderr = run(
            other,
            &[
                "--key",
                &servers::arg(&kept),
                "--pfx",
                &servers::arg(&account),
                "--legacy",
            ],
        );
        assert!(
            stderr.contains(&format!(
                "the account key {} and the PKCS#12 file {} are the same file",
                other.display(),
                account.display()
            )),
            "{stderr}"
        );
    }
    // Two outputs that are one file.
    let stderr = run(
        &dir.path().join("new-account.key"),
        &[
            "--pfx",
            &servers::arg(&issued.join("sip.contoso.com.pem")),
            "--legacy",
        ],
    );
    assert!(
        stderr.contains(&format!(
            "the certificate chain {} and the PKCS#12 file {} are the same file: give each file its own path",
            issued.join("sip.contoso.com.pem").display(),
            issued.join("sip.contoso.com.pem").display()
        )),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(&account).unwrap(),
        before,
        "the account key is unchanged"
    );
    assert!(!dir.path().join("new-account.key").exists());
    assert!(!issued.join("sip.contoso.com.pem").exists());
}

/// `picert acme` for the contoso topology against `directory`, trusting `tls_ca`, with a new
/// account (no key yet) in `dir`: (exit status, standard error).
fn against(directory: &str, tls_ca: &Path, dir: &Path, limit_memory: bool) -> (i32, String) {
    let mut c = if limit_memory {
        // Under a 1 GiB address-space limit: reading a body without end would fail on it.
        let mut c = assert_cmd::Command::new("sh");
        c.args(["-c", "ulimit -v 1048576 && exec \"$@\"", "sh"])
            .arg(assert_cmd::cargo::cargo_bin("picert"));
        c
    } else {
        picert()
    };
    let out = c
        .args(["acme", "--topology"])
        .arg(contoso())
        .args(["--no-aol", "--directory", directory, "--directory-ca"])
        .arg(tls_ca)
        .args(["--dns-hook", "/bin/true", "--account-key"])
        .arg(dir.join("account.key"))
        .args(["--agree-tos", "--timeout", "5", "--out-dir"])
        .arg(dir.join("issued"))
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!dir.join("account.key").exists(), "{stderr}");
    assert!(!dir.join("issued").exists(), "{stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

/// Answers without end and answers too large are read up to 1 MiB, then refused with the
/// server and the request named, within a bounded address space.
#[cfg(unix)]
#[test]
fn answers_too_large_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    // Without end, then 200 MB announced and sent.
    for answer in [servers::Answer::Endless, servers::Answer::Huge(200 << 20)] {
        let server = servers::HttpsServer::start(move |_| answer.clone());
        let host = server.base.trim_start_matches("https://").to_string();
        let (code, stderr) = against(
            &format!("{}/dir", server.base),
            &server.tls_ca,
            dir.path(),
            true,
        );
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains(&format!(
                "the answer from {host} to the directory request is larger than 1048576 bytes"
            )),
            "{stderr}"
        );
        assert_eq!(server.requests().len(), 1, "not asked again");
    }
}

/// A directory answering garbage, 500, 503 with a Retry-After; a newNonce and a newAccount
/// refused; an http:// directory: each said with the server, the request and the status.
#[test]
fn server_errors_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let one = |answer: servers::Answer| {
        let server = servers::HttpsServer::start(move |_| answer.clone());
        let host = server.base.trim_start_matches("https://").to_string();
        let (code, stderr) = against(
            &format!("{}/dir", server.base),
            &server.tls_ca,
            dir.path(),
            false,
        );
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        (host, stderr, server.requests().len())
    };
    let (host, stderr, _) = one(servers::Answer::with(
        200,
        "text/html",
        "<html><body>Welcome to nginx</body></html>",
    ));
    assert!(
        stderr.contains(&format!(
            "the ACME server {host} answered the directory request (HTTP 200 OK) with what is not an ACME directory: not JSON"
        )) && stderr.contains("<html><body>Welcome to nginx</body></html>"),
        "{stderr}"
    );
    let (host, stderr, _) = one(servers::Answer::with(
        200,
        "application/json",
        r#"{"newNonce":"x"}"#,
    ));
    assert!(
        stderr.contains(&format!(
            "the ACME server {host} answered the directory request (HTTP 200 OK) with what is not an ACME directory: it has no newAccount URL"
        )),
        "{stderr}"
    );
    let (host, stderr, _) = one(servers::Answer::with(
        500,
        "text/html",
        "<h1>Internal error</h1>",
    ));
    assert!(
        stderr.contains(&format!(
            "the ACME server {host} answered the directory request with HTTP 500 Internal Server Error: <h1>Internal error</h1>"
        )),
        "{stderr}"
    );
    // A Retry-After longer than --timeout: said, not waited for, not asked again.
    let (host, stderr, asked) = one(servers::Answer::Fixed {
        status: 503,
        headers: vec![("Retry-After".into(), "3600".into())],
        body: Vec::new(),
    });
    assert!(
        stderr.contains(&format!(
            "the ACME server {host} answered the directory request with HTTP 503 Service Unavailable, retry after "
        )) && stderr.contains("(3600 s)"),
        "{stderr}"
    );
    assert_eq!(asked, 1);
    // One that fits within it: waited for, and asked again.
    let busy_once = servers::HttpsServer::start(|r| {
        if r.index == 0 {
            servers::Answer::Fixed {
                status: 503,
                headers: vec![("Retry-After".into(), "1".into())],
                body: Vec::new(),
            }
        } else {
            servers::Answer::with(500, "text/plain", "still down")
        }
    });
    let (code, stderr) = against(
        &format!("{}/dir", busy_once.base),
        &busy_once.tls_ca,
        dir.path(),
        false,
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("HTTP 500 Internal Server Error: still down"),
        "{stderr}"
    );
    assert_eq!(
        busy_once.requests().len(),
        2,
        "asked again after the Retry-After"
    );

    // A directory, then newNonce or newAccount refused.
    let acme = |nonce: servers::Answer, account: servers::Answer| {
        let base = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
        let b = base.clone();
        let server = servers::HttpsServer::start(move |r| {
            let base = b.get().unwrap();
            match (r.method.as_str(), r.path.as_str()) {
                ("GET", "/dir") => servers::Answer::with(
                    200,
                    "application/json",
                    &format!(
                        r#"{{"newNonce":"{base}/nonce","newAccount":"{base}/account","newOrder":"{base}/order"}}"#
                    ),
                ),
                ("HEAD", "/nonce") => nonce.clone(),
                _ => account.clone(),
            }
        });
        base.set(server.base.clone()).unwrap();
        let host = server.base.trim_start_matches("https://").to_string();
        let (code, stderr) = against(
            &format!("{}/dir", server.base),
            &server.tls_ca,
            dir.path(),
            false,
        );
        assert_eq!(code, 2, "{stderr}");
        (host, stderr)
    };
    let nonce = servers::Answer::Fixed {
        status: 200,
        headers: vec![("Replay-Nonce".into(), "bm9uY2U".into())],
        body: Vec::new(),
    };
    let (host, stderr) = acme(
        servers::Answer::Fixed {
            status: 502,
            headers: vec![],
            body: Vec::new(),
        },
        nonce.clone(),
    );
    assert!(
        stderr.contains(&format!(
            "the ACME server {host} answered the newNonce request with HTTP 502 Bad Gateway"
        )),
        "{stderr}"
    );
    let (host, stderr) = acme(
        nonce.clone(),
        servers::Answer::with(500, "text/html", "<p>database down</p>"),
    );
    assert!(
        stderr.contains(&format!(
            "creating the account (directory, newAccount): the ACME server {host} answered the newAccount request with HTTP 500 Internal Server Error: <p>database down</p>"
        )),
        "{stderr}"
    );
    let (host, stderr) = acme(
        nonce.clone(),
        servers::Answer::with(
            500,
            "application/problem+json",
            r#"{"type":"urn:ietf:params:acme:error:serverInternal","detail":"database down"}"#,
        ),
    );
    assert!(
        stderr.contains(&format!(
            "creating the account (directory, newAccount): the ACME server {host} answered HTTP 500 Internal Server Error: serverInternal: database down"
        )),
        "{stderr}"
    );

    // http://: refused at once, nothing asked.
    let server = servers::HttpsServer::start(|_| servers::Answer::Endless);
    let plain = format!("{}/dir", server.base.replace("https://", "http://"));
    let (code, stderr) = against(&plain, &server.tls_ca, dir.path(), false);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!(
            "the ACME directory {plain} is not an https:// URL: ACME runs over HTTPS only"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("attempts"), "{stderr}");
    assert_eq!(
        server.connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "not connected to"
    );
}

/// A CA refusing half of the nonces it is sent (badNonce): each refused request is sent again
/// with the fresh nonce, and issuance after issuance succeeds, one after the other.
#[test]
fn bad_nonces_are_retried() {
    if !pebble_or_skip() {
        return;
    }
    let pebble = Pebble::start_rejecting_nonces(&[], 50);
    let hook = pebble.hook(false, false);
    let dir = tempfile::tempdir().unwrap();
    let mut issued = 0;
    let mut failures = Vec::new();
    let chain = dir.path().join("issued").join("sip.contoso.com.pem");
    for _ in 0..20 {
        let _ = std::fs::remove_dir_all(dir.path().join("issued"));
        let out = acme(&pebble, &hook, dir.path(), &[]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        // Issued: exit 1 for Pebble's certificate without a CRL distribution point.
        if out.status.code() == Some(1) && chain.exists() {
            issued += 1;
        } else {
            failures.push(stderr);
        }
    }
    assert!(issued >= 19, "{issued} of 20 issued: {failures:#?}");
    // Pebble was refusing nonces all along.
    let log = ["pebble.log", "pebble.err"]
        .map(|f| std::fs::read_to_string(pebble.dir.path().join(f)).unwrap_or_default())
        .concat();
    assert!(
        log.contains("Configured to reject 50% of good nonces"),
        "{log}"
    );
}

/// Every run says whether the set in place belongs together (the key is the certificate's, the
/// PKCS#12 file holds both): the one it will replace, before ordering, and the one it wrote. A
/// file of an earlier generation left in place is put right from the generation in use; a file
/// no generation wrote stops the run, named; a set picert keeps no generations of is checked
/// and replaced.
#[test]
fn the_set_in_place_is_checked() {
    if !pebble_or_skip() {
        return;
    }
    let pebble = Pebble::start(&[]);
    let hook = pebble.hook(false, false);
    let dir = tempfile::tempdir().unwrap();
    let issued = dir.path().join("issued");
    let (pem, key, pfx) = (
        issued.join("sip.contoso.com.pem"),
        issued.join("sip.contoso.com.key"),
        issued.join("edge.pfx"),
    );
    let store = issued.join("sip.contoso.com.picert");
    let run = |force: bool| {
        let mut extra = vec!["--pfx".to_string(), servers::arg(&pfx), "--legacy".into()];
        if force {
            extra.push("--force".into());
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let out = acme(&pebble, &hook, dir.path(), &extra)
            .env("PICERT_PFX_PASSWORD", "pfx pass")
            .output()
            .unwrap();
        crate::common::no_panic(&out.stderr);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let issued_ok = |force: bool| {
        let (code, stderr) = run(force);
        assert_eq!(code, Some(1), "{stderr}");
        stderr
    };
    let together = |which: &str| {
        format!(
            "acme: the {which} set in place belongs together: {}, {}, {}",
            pem.display(),
            key.display(),
            pfx.display()
        )
    };
    // Nothing in place yet: only the new set is checked.
    let stderr = issued_ok(false);
    assert!(!stderr.contains("current set"), "{stderr}");
    assert!(stderr.contains(&together("new")), "{stderr}");
    let first_pfx = std::fs::read(&pfx).unwrap();
    // A renewal over a set that belongs together.
    let stderr = issued_ok(true);
    assert!(
        stderr.contains(&format!(
            "acme: the set in place is generation 1 of {} (thumbprint ",
            store.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains(&together("current")), "{stderr}");
    assert!(stderr.contains(&together("new")), "{stderr}");
    // A PKCS#12 file of an earlier generation: put right before the run goes on.
    std::fs::write(&pfx, &first_pfx).unwrap();
    let stderr = issued_ok(true);
    assert!(
        stderr.contains(&format!(
            "acme: repaired the set in place, split by an interruption, from generation 2 of {} (thumbprint ",
            store.display()
        )) && stderr.contains(&format!("): {} held generation 1's", pfx.display())),
        "{stderr}"
    );
    assert!(stderr.contains(&together("current")), "{stderr}");
    assert!(stderr.contains(&together("new")), "{stderr}");
    // A key no generation wrote: not written over, named, exit 2, nothing ordered.
    std::fs::copy(crate::common::pki("keys/leaf.key"), &key).unwrap();
    let (code, stderr) = run(true);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "picert: error: {} is not a file picert placed (neither generation 3 of {} nor an earlier one): picert does not write over it. Move it away to have generation 3 placed again, or remove {} to keep it",
            key.display(),
            store.display(),
            store.display()
        )
    );
    assert_eq!(
        std::fs::read(&key).unwrap(),
        std::fs::read(crate::common::pki("keys/leaf.key")).unwrap()
    );
    // Without the generations (removed, as the message says), the set is checked alone: a
    // mismatch is said, and the run replaces it.
    std::fs::remove_dir_all(&store).unwrap();
    let stderr = issued_ok(true);
    assert!(
        stderr.contains(&format!(
            "acme: warning: the current set in place does not belong together: {} is not the key of the certificate in {}",
            key.display(),
            pem.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains(&together("new")), "{stderr}");
}

/// `picert acme` started in the background, its standard error read line by line as it comes;
/// killed when dropped if it is still running.
struct Running {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(args: Vec<std::ffi::OsString>, env: &[(&str, &str)]) -> Running {
        use std::io::BufRead;
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("picert"));
        command
            .args(args)
            .env_remove("PICERT_KEY_PASSPHRASE")
            .env_remove("PICERT_PFX_PASSWORD")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (sent, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if sent.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits (two minutes at most) for a line of standard error that starts with `start`.
    fn wait_for(&mut self, start: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.starts_with(start);
                    self.seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => panic!("no line starting {start:?}: {:#?}", self.seen),
            }
        }
    }

    fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args(["-s", name, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (two minutes at most) for the end: its exit status (`None` when killed by a
    /// signal) and all it wrote on standard error.
    fn finish(mut self) -> (Option<i32>, String) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "still running: {:#?}",
                self.seen
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        while let Ok(line) = self.lines.recv_timeout(std::time::Duration::from_secs(5)) {
            self.seen.push(line);
        }
        (status.code(), self.seen.join("\n"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The set in place: the chain, the key and the PKCS#12 file, as bytes.
fn set_bytes(issued: &Path) -> [Vec<u8>; 3] {
    ["sip.contoso.com.pem", "sip.contoso.com.key", "edge.pfx"]
        .map(|f| std::fs::read(issued.join(f)).unwrap())
}

/// Checked apart from picert's own check: the key is the leaf's, and the PKCS#12 file holds
/// that leaf and that key.
fn belongs_together(set: &[Vec<u8>; 3], password: &str) -> bool {
    let (leaf, current) = picert_verify::renewal::read_in_service(&set[0], None).unwrap();
    let key = picert_core::PrivateKey::from_bytes(&set[1], None).unwrap();
    let (pfx_key, certificates) =
        picert_verify::input::read_pkcs12_identity(&set[2], password).unwrap();
    let pfx_key = picert_core::PrivateKey::from_bytes(&pfx_key, None).unwrap();
    key.spki_der().unwrap() == current.spki_der
        && pfx_key.spki_der().unwrap() == current.spki_der
        && certificates.iter().any(|c| c.as_ref() == leaf.as_ref())
}

/// SIGINT before the switch, between the renames and after them: the set in place is all old
/// or all new, never split; a kill between two renames splits it, and the next run (an
/// --if-due run with nothing due) completes it from the generation it had switched to.
#[cfg(unix)]
#[test]
fn interruptions_never_split_the_set() {
    if !pebble_or_skip() {
        return;
    }
    let pebble = Pebble::start(&[]);
    let hook = pebble.hook(false, false);
    let dir = tempfile::tempdir().unwrap();
    let issued = dir.path().join("issued");
    let pfx = issued.join("edge.pfx");
    let password = "pfx pass";
    let renewal = |extra: &[&str]| {
        let mut args = acme_args(&pebble, &hook, dir.path());
        args.extend(
            ["--pfx", &servers::arg(&pfx), "--legacy", "--force"]
                .iter()
                .chain(extra)
                .map(Into::into),
        );
        args
    };
    let env = [
        ("PICERT_PFX_PASSWORD", password),
        ("PICERT_TEST_PLACEMENT_DELAY_MS", "1500"),
    ];
    let first = Running::start(renewal(&[]), &[("PICERT_PFX_PASSWORD", password)]);
    let (code, stderr) = first.finish();
    assert_eq!(code, Some(1), "{stderr}");
    let store = issued.join("sip.contoso.com.picert");
    assert!(
        stderr.contains(&format!(
            "acme: switched to generation 1 of {}",
            store.display()
        )),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(store.join("current")).unwrap(),
        "gen-0001\n"
    );

    // Before the switch: the new generation is removed, the set in place is the old one.
    let old = set_bytes(&issued);
    let mut run = Running::start(renewal(&[]), &env);
    run.wait_for("acme: the new set is written in ");
    run.signal("INT");
    let (code, stderr) = run.finish();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("picert: error: interrupted before the switch to the new set"),
        "{stderr}"
    );
    assert!(!stderr.contains("acme: placed"), "{stderr}");
    assert_eq!(set_bytes(&issued), old, "all old");
    assert!(!store.join("gen-0002").exists());

    // Between two renames, and after the last: the switch is finished, the set all new.
    for (moment, generation) in [
        (
            format!(
                "acme: placed {}",
                issued.join("sip.contoso.com.pem").display()
            ),
            2,
        ),
        (format!("acme: placed {}", pfx.display()), 3),
    ] {
        let old = set_bytes(&issued);
        let mut run = Running::start(renewal(&[]), &env);
        run.wait_for(&moment);
        run.signal("INT");
        let (code, stderr) = run.finish();
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains("picert: error: interrupted after the new set was put in place"),
            "{stderr}"
        );
        let new = set_bytes(&issued);
        assert!(
            new.iter().zip(&old).all(|(n, o)| n != o),
            "all new: {stderr}"
        );
        assert!(belongs_together(&new, password), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(store.join("current")).unwrap(),
            format!("gen-{generation:04}\n")
        );
    }

    // Killed between two renames: split, then completed by the next run.
    let old = set_bytes(&issued);
    let mut run = Running::start(renewal(&[]), &env);
    run.wait_for(&format!(
        "acme: placed {}",
        issued.join("sip.contoso.com.pem").display()
    ));
    run.signal("KILL");
    let (code, _) = run.finish();
    assert_eq!(code, None, "killed");
    let split = set_bytes(&issued);
    assert!(split[0] != old[0] && split[1] == old[1] && split[2] == old[2]);
    assert!(!belongs_together(&split, password));
    let mut again = renewal(&[]);
    again.extend(
        [
            "--from-cert",
            &servers::arg(&issued.join("sip.contoso.com.pem")),
            "--if-due",
        ]
        .map(Into::into),
    );
    let (code, stderr) = Running::start(again.clone(), &env).finish();
    assert_eq!(code, Some(0), "not due: {stderr}");
    assert!(
        stderr.contains(&format!(
            "acme: repaired the set in place, split by an interruption, from generation 4 of {} (thumbprint ",
            store.display()
        )) && stderr.contains(&format!(
            "{} held generation 3's; {} held generation 3's",
            issued.join("sip.contoso.com.key").display(),
            pfx.display()
        )),
        "{stderr}"
    );
    let repaired = set_bytes(&issued);
    assert_eq!(repaired[0], split[0]);
    assert!(belongs_together(&repaired, password));
    // And the run after that finds it whole.
    let (code, stderr) = Running::start(again, &env).finish();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("acme: the set in place is generation 4 of ")
            && !stderr.contains("repaired"),
        "{stderr}"
    );
    // Kept: the generation in place and the two before it.
    let mut kept: Vec<String> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("gen-"))
        .collect();
    kept.sort();
    assert_eq!(kept, ["gen-0002", "gen-0003", "gen-0004"]);
}

/// SIGINT during --propagation-wait: the run stops at once, and every record it published
/// is withdrawn by the hook before it exits; nothing is written.
#[cfg(unix)]
#[test]
fn an_interrupted_wait_withdraws_the_records() {
    if !pebble_or_skip() {
        return;
    }
    let pebble = Pebble::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    // The test hook, with each action logged.
    let log = dir.path().join("hook.log");
    let logging = dir.path().join("logging-hook.sh");
    std::fs::write(
        &logging,
        format!(
            "#!/bin/sh\necho \"$1 $2\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            pebble.hook(false, false).display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&logging, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut args = acme_args(&pebble, &logging, dir.path());
    args.extend(["--propagation-wait", "600"].map(Into::into));
    let mut run = Running::start(args, &[]);
    run.wait_for("acme: waiting 600s for the records to propagate");
    run.signal("INT");
    let (code, stderr) = run.finish();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("picert: error: interrupted before the certificate was issued: nothing was written, and every record published was withdrawn"),
        "{stderr}"
    );
    let actions = std::fs::read_to_string(&log).unwrap();
    let mut added: Vec<&str> = actions
        .lines()
        .filter_map(|l| l.strip_prefix("add "))
        .collect();
    let mut removed: Vec<&str> = actions
        .lines()
        .filter_map(|l| l.strip_prefix("remove "))
        .collect();
    added.sort();
    removed.sort();
    assert_eq!(added.len(), 3, "{actions}");
    assert_eq!(added, removed, "{actions}");
    assert!(!dir
        .path()
        .join("issued")
        .join("sip.contoso.com.pem")
        .exists());
}

/// --deploy-script writes the PowerShell deployment of the PKCS#12 file as part of each new set:
/// in the generation, switched with it, placed with it, naming the new thumbprint; it needs a
/// PKCS#12 file and may not be another output.
#[test]
fn the_deploy_script_is_part_of_each_new_set() {
    if !pebble_or_skip() {
        return;
    }
    let pebble = Pebble::start(&[]);
    let hook = pebble.hook(false, false);
    let dir = tempfile::tempdir().unwrap();
    let issued = dir.path().join("issued");
    let (pfx, script) = (issued.join("edge.pfx"), issued.join("deploy.ps1"));
    let run = |extra: &[&str]| {
        let mut args: Vec<String> = vec![
            "--pfx".into(),
            servers::arg(&pfx),
            "--legacy".into(),
            "--force".into(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        json(acme(&pebble, &hook, dir.path(), &args).env("PICERT_PFX_PASSWORD", "pfx pass"))
    };
    let store = issued.join("sip.contoso.com.picert");
    let mut thumbprints = Vec::new();
    for generation in ["gen-0001", "gen-0002"] {
        let (v, code, stderr) = run(&["--deploy-script", &servers::arg(&script)]);
        assert!(code <= 1, "{v:#}\n{stderr}");
        let thumbprint = v["thumbprint"].as_str().unwrap().to_string();
        let placed = std::fs::read(&script).unwrap();
        assert!(
            placed.starts_with(b"\xEF\xBB\xBF"),
            "UTF-8 with a byte-order mark"
        );
        let text = String::from_utf8_lossy(&placed);
        assert!(text.contains(&thumbprint), "{text}");
        assert!(text.contains("edge.pfx"), "{text}");
        assert_eq!(
            std::fs::read(store.join(generation).join("deploy.ps1")).unwrap(),
            placed,
            "the script is the generation's"
        );
        thumbprints.push(thumbprint);
    }
    assert_ne!(thumbprints[0], thumbprints[1]);
    // It may not be another output.
    let (_, code, stderr) = run(&["--deploy-script", &servers::arg(&pfx)]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the deployment script"), "{stderr}");
    // And it needs a PKCS#12 file to deploy.
    let out = acme(&pebble, &hook, dir.path(), &["--deploy-script", "x.ps1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pfx"));
}

/// --deploy-hook runs once per new set, after it is in place, with its paths and thumbprint in
/// its environment and none of picert's secrets; not on a run with nothing due; a failure is
/// said and leaves the new set in place.
#[cfg(unix)]
#[test]
fn the_deploy_hook_runs_once_per_new_set() {
    if !pebble_or_skip() {
        return;
    }
    let pebble = Pebble::start(&[]);
    let hook = pebble.hook(false, false);
    let dir = tempfile::tempdir().unwrap();
    let issued = dir.path().join("issued");
    let (pem, pfx) = (issued.join("sip.contoso.com.pem"), issued.join("edge.pfx"));
    let log = dir.path().join("deploy.log");
    let refuse = dir.path().join("refuse");
    let deploy = dir.path().join("deploy.sh");
    std::fs::write(
        &deploy,
        format!(
            "#!/bin/sh\n[ -e '{refuse}' ] && {{ echo 'the Edge refused the copy' >&2; exit 4; }}\n# What the set looks like from here: it must be in place.\nopenssl x509 -in \"$PICERT_DEPLOY_CERTIFICATE\" -noout -fingerprint -sha1 | tr -d : | sed 's/.*=//' > '{log}.seen'\necho \"$PICERT_DEPLOY_THUMBPRINT|$PICERT_DEPLOY_CERTIFICATE|$PICERT_DEPLOY_KEY|$PICERT_DEPLOY_PFX|$PICERT_DEPLOY_GENERATION|${{PICERT_PFX_PASSWORD:-withheld}}|$(cat '{log}.seen')\" >> '{log}'\n",
            refuse = refuse.display(),
            log = log.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&deploy, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = |extra: &[&str]| {
        let mut args: Vec<String> = vec![
            "--pfx".into(),
            servers::arg(&pfx),
            "--legacy".into(),
            "--force".into(),
            "--deploy-hook".into(),
            servers::arg(&deploy),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        json(acme(&pebble, &hook, dir.path(), &args).env("PICERT_PFX_PASSWORD", "pfx pass"))
    };
    let lines = || -> Vec<String> {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    };
    let (v, code, stderr) = run(&[]);
    assert_eq!(code, 1, "{v:#}\n{stderr}");
    let thumbprint = v["thumbprint"].as_str().unwrap();
    assert!(
        stderr.contains(&format!(
            "acme: the deploy hook {} ran for the new set",
            deploy.display()
        )),
        "{stderr}"
    );
    let store = issued.join("sip.contoso.com.picert");
    assert_eq!(
        lines(),
        [format!(
            "{thumbprint}|{}|{}|{}|{}|withheld|{thumbprint}",
            pem.display(),
            issued.join("sip.contoso.com.key").display(),
            pfx.display(),
            store.join("gen-0001").display()
        )]
    );
    // Nothing due: nothing new, no deployment.
    let (v, code, stderr) = run(&["--from-cert", &servers::arg(&pem), "--if-due"]);
    assert_eq!(code, 0, "{v:#}\n{stderr}");
    assert_eq!(v["issued"], false);
    assert_eq!(lines().len(), 1);
    // A deployment that fails: said, exit status 1 at least, the new set in place.
    std::fs::write(&refuse, "").unwrap();
    let (v, code, stderr) = run(&[]);
    assert_eq!(code, 1, "{v:#}\n{stderr}");
    let failure = format!(
        "the deploy hook {} failed (exit status 4): the Edge refused the copy",
        deploy.display()
    );
    assert_eq!(v["deploy_hook_error"], failure.as_str(), "{v:#}");
    assert!(
        stderr.contains(&format!(
            "acme: warning: {failure}; the new set is in place all the same"
        )),
        "{stderr}"
    );
    let in_place = picert_verify::renewal::read_in_service(&std::fs::read(&pem).unwrap(), None)
        .unwrap()
        .0;
    assert_eq!(
        picert_core::pfx::thumbprint_hex(&in_place),
        v["thumbprint"].as_str().unwrap()
    );
    assert_eq!(lines().len(), 1);
    // With --quiet, the failure is still said: the one line on standard error.
    let (_, code, stderr) = run(&["--quiet"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "acme: warning: {failure}; the new set is in place all the same: deploy it by hand, or run the hook again\n"
        )
    );
}

/// Every file under `dir`, with the SHA-256 of each regular file: what a dry run must leave
/// as it was.
fn tree(dir: &Path) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            if path.is_dir() {
                todo.push(path);
                found.push((name, None));
            } else {
                let bytes = std::fs::read(&path).unwrap();
                found.push((name, Some(picert_core::pfx::sha256_hex(&bytes))));
            }
        }
    }
    found.sort();
    found
}

/// `picert acme status` reads the store and says what a run would do, writing nothing;
/// `--dry-run` orders and audits at Pebble and leaves the live set and its store byte for
/// byte as they were; `picert expiry` notes whether the set of a chain is whole; `--quiet`
/// prints nothing when nothing is due and one line when a run fails.
#[test]
fn status_dry_run_expiry_note_and_quiet() {
    if !pebble_or_skip() {
        return;
    }
    let pebble = Pebble::start(&[]);
    let hook = pebble.hook(false, false);
    let dir = tempfile::tempdir().unwrap();
    let issued = dir.path().join("issued");
    let (pem, key, pfx) = (
        issued.join("sip.contoso.com.pem"),
        issued.join("sip.contoso.com.key"),
        issued.join("edge.pfx"),
    );
    let pfx_arg = servers::arg(&pfx);
    let with_pfx = ["--pfx", pfx_arg.as_str(), "--legacy"];
    // A dry run before anything exists: the one file written is the new account's key.
    let out = acme(&pebble, &hook, dir.path(), &["--dry-run"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with(&format!(
            "dry run: nothing of the set was written; the one file written is the new account's key {}\n",
            dir.path().join("account.key").display()
        )),
        "{stdout}"
    );
    assert!(!issued.exists());
    assert!(dir.path().join("account.key").exists());
    let (v, code, stderr) =
        json(acme(&pebble, &hook, dir.path(), &with_pfx).env("PICERT_PFX_PASSWORD", "pfx pass"));
    assert_eq!(code, 1, "{v:#}\n{stderr}");
    let thumbprint = v["thumbprint"].as_str().unwrap().to_string();
    let status = |extra: &[&str]| {
        let out = picert()
            .args(["acme", "status", "--out-dir"])
            .arg(&issued)
            .args(extra)
            .output()
            .unwrap();
        crate::common::no_panic(&out.stderr);
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let status_json = |extra: &[&str]| {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        let (code, stdout, stderr) = status(&args);
        let v: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
        (code, v)
    };
    // Whole and not due.
    let (code, v) = status_json(&[]);
    assert_eq!(code, 0, "{v:#}");
    let store = &v["stores"][0];
    assert_eq!(store["committed"], 1);
    assert_eq!(store["whole"], true);
    assert_eq!(store["renewal_information"], "not asked");
    let gen = &store["generations"][0];
    assert_eq!(gen["thumbprint"], thumbprint.as_str());
    assert_eq!(gen["due"], false);
    assert!(gen["days_left"].as_i64().unwrap() > 0, "{gen:#}");
    let files: Vec<(&str, &str)> = store["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["role"].as_str().unwrap(), f["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files,
        [
            ("chain", "as_written"),
            ("key", "as_written"),
            ("pfx", "as_written")
        ]
    );
    let (code, stdout, _) = status(&[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("generation 1 in place, whole; not due: renewal is due on ")
            && stdout.contains(&thumbprint)
            && stdout.contains("(ARI) was not asked"),
        "{stdout}"
    );
    // At its notAfter it is due: exit 1.
    let not_after = gen["not_after"].as_str().unwrap().to_string();
    let (code, v) = status_json(&["--at", &not_after]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["stores"][0]["generations"][0]["due"], true);

    // --quiet with nothing due: nothing at all.
    let in_service = servers::arg(&pem);
    let out = acme(
        &pebble,
        &hook,
        dir.path(),
        &[
            "--quiet",
            "--from-cert",
            &in_service,
            "--if-due",
            "--force",
            "--pfx",
            &pfx_arg,
            "--legacy",
        ],
    )
    .env("PICERT_PFX_PASSWORD", "pfx pass")
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    // --quiet and a run that fails: one line on standard error, nothing else.
    let out = acme(
        &pebble,
        &pebble.hook(false, true),
        dir.path(),
        &["--quiet", "--force", "--pfx", &pfx_arg, "--legacy"],
    )
    .env("PICERT_PFX_PASSWORD", "pfx pass")
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("picert: error: the DNS hook ") && stderr.ends_with('\n'),
        "{stderr}"
    );

    // A dry run: a real order and audit, the live set and its store left byte for byte.
    let before = tree(&issued);
    let account_before = std::fs::read(dir.path().join("account.key")).unwrap();
    let mut dry = acme(
        &pebble,
        &hook,
        dir.path(),
        &["--dry-run", "--force", "--pfx", &pfx_arg, "--legacy"],
    );
    let out = dry.env("PICERT_PFX_PASSWORD", "pfx pass").output().unwrap();
    crate::common::no_panic(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("dry run: nothing was written\n"),
        "{stdout}"
    );
    for path in [&pem, &key, &pfx] {
        assert!(
            stdout.contains(&format!("would place {}\n", path.display())),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains(&format!(
            "would write generation {}",
            issued.join("sip.contoso.com.picert/gen-0002").display()
        )),
        "{stdout}"
    );
    assert!(stderr.contains("acme: issued"), "{stderr}");
    assert!(!stderr.contains("acme: placed"), "{stderr}");
    assert!(!stderr.contains("acme: switched"), "{stderr}");
    let dry_thumbprint = stdout
        .lines()
        .find_map(|l| l.strip_prefix("thumbprint "))
        .and_then(|l| l.split(' ').next())
        .unwrap()
        .to_string();
    assert_ne!(dry_thumbprint, thumbprint, "a new certificate was issued");
    assert_eq!(tree(&issued), before);
    assert_eq!(
        std::fs::read(dir.path().join("account.key")).unwrap(),
        account_before
    );
    // In JSON too.
    let (v, code, _) = json(
        acme(
            &pebble,
            &hook,
            dir.path(),
            &["--dry-run", "--force", "--pfx", &pfx_arg, "--legacy"],
        )
        .env("PICERT_PFX_PASSWORD", "pfx pass"),
    );
    assert_eq!(code, 1);
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["directory"], pebble.directory.as_str());
    assert_eq!(v["certificate"], pem.display().to_string());
    assert_eq!(tree(&issued), before);

    // picert expiry on the chain: the set is whole. On a copy elsewhere: no note.
    let expiry = |file: &Path| {
        let out = picert().arg("expiry").arg(file).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = expiry(&pem);
    assert!(
        text.contains(&format!(
            "{}: the chain of generation 1 of {}: the set in place is whole (certificate, key, PKCS#12 file, of that generation)",
            pem.display(),
            issued.join("sip.contoso.com.picert").display()
        )),
        "{text}"
    );
    let copy = dir.path().join("copy.pem");
    std::fs::copy(&pem, &copy).unwrap();
    assert!(!expiry(&copy).contains("the chain of"), "unchanged");

    // The key removed: a run would write it again; status, a dry run and expiry say so and
    // leave it missing.
    let key_bytes = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let split = tree(&issued);
    let (code, stdout, _) = status(&[]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(tree(&issued), split, "status writes nothing");
    assert!(
        stdout.contains("split: a picert acme run writes 1 file again from generation 1")
            && stdout.contains(&format!(
                "{} is missing: picert acme writes it again from generation 1",
                key.display()
            )),
        "{stdout}"
    );
    assert!(!key.exists());
    let out = acme(
        &pebble,
        &hook,
        dir.path(),
        &["--dry-run", "--force", "--pfx", &pfx_arg, "--legacy"],
    )
    .env("PICERT_PFX_PASSWORD", "pfx pass")
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "acme: dry run: the set in place is split; a run would write again from generation 1 of {}",
            issued.join("sip.contoso.com.picert").display()
        )) && stderr.contains(&format!("{} is missing", key.display())),
        "{stderr}"
    );
    assert!(!key.exists());
    assert_eq!(tree(&issued), split, "a dry run repairs nothing");
    let text = expiry(&pem);
    assert_eq!(tree(&issued), split, "expiry writes nothing");
    assert!(
        text.contains("the set in place is not whole: ")
            && text.contains("a picert acme run writes those files again from it"),
        "{text}"
    );
    // A key no generation wrote: exit 2, named, left as it is.
    std::fs::copy(crate::common::pki("keys/leaf.key"), &key).unwrap();
    let (code, stdout, _) = status(&[]);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{} is a file no generation wrote: a picert acme run stops there",
            key.display()
        )),
        "{stdout}"
    );
    assert_ne!(std::fs::read(&key).unwrap(), key_bytes);
    // A folder with no store: exit 2, one line.
    let out = picert()
        .args(["acme", "status", "--out-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}
