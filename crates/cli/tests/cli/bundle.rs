//! `picert bundle`: PKCS#12 output that OpenSSL reads in both forms and picert audits back;
//! the key check, the audit gate, chain order, passwords and output safety.

use std::fs;
use std::path::PathBuf;

use crate::common::{contoso, picert, pki};
use assert_cmd::Command;
use predicates::prelude::*;

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("pw.txt"), "Edge PFX pass\n").unwrap();
        Setup { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn bundle(&self, cert: &str, out: &str) -> Command {
        self.bundle_paths(pki(cert), pki("keys/leaf.key"), out)
    }

    fn bundle_paths(&self, cert: PathBuf, key: PathBuf, out: &str) -> Command {
        let mut c = picert();
        c.env_remove("PICERT_PFX_PASSWORD")
            .args(["bundle", "--cert"])
            .arg(cert)
            .arg("--key")
            .arg(key)
            .arg("--password-file")
            .arg(self.path("pw.txt"))
            .arg("-o")
            .arg(self.path(out))
            .arg("--trust-store")
            .arg(pki("public-root.pem"))
            .args(["--at", "2026-06-01"])
            .arg("--topology")
            .arg(contoso());
        c
    }

    /// `picert bundle` of good.pem with no password source at all.
    fn bundle_without_password(&self, out: &str) -> Command {
        let mut c = picert();
        c.env_remove("PICERT_PFX_PASSWORD")
            .args(["bundle", "--cert"])
            .arg(pki("good.pem"))
            .arg("--key")
            .arg(pki("keys/leaf.key"))
            .arg("--trust-store")
            .arg(pki("public-root.pem"))
            .args(["--at", "2026-06-01", "-o"])
            .arg(self.path(out));
        c
    }

    fn openssl_info(&self, pfx: &str) -> String {
        openssl_pkcs12(self, pfx, &["-info", "-noout"])
    }
}

#[test]
fn modern_and_legacy_files_read_in_openssl_and_audit_back() {
    let s = Setup::new();
    // Windows Server 2019 and later: AES-256 and a SHA-256 MAC.
    s.bundle("good.pem", "edge.pfx")
        .args(["--windows", "2019"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(AES-256, SHA-256 MAC, for Windows Server 2019, friendly name \"Edge external\")",
        ))
        .stdout(predicate::str::contains(
            "chain       sip.contoso.com -> picert Test Issuing CA",
        ))
        .stderr(predicate::str::contains(
            "Set-CsCertificate -Type AccessEdgeExternal",
        ));
    let info = s.openssl_info("edge.pfx");
    assert!(
        info.contains("AES-256-CBC") && info.contains("MAC: sha256"),
        "{info}"
    );
    // No release known: the form every Windows imports, and one line saying why.
    s.bundle("good.pem", "edge-2016.pfx")
        .assert()
        .success()
        .stdout(predicate::str::contains("(3DES, SHA-1 MAC, friendly name"))
        .stderr(predicate::str::contains(
            "picert: note: the PKCS#12 file uses 3DES and a SHA-1 MAC, which every Windows Server imports, because the Edge's Windows Server release is not known",
        ))
        .stderr(predicate::str::contains("), or give --windows 2019 or --modern"));
    let info = s.openssl_info("edge-2016.pfx");
    assert!(
        info.contains("pbeWithSHA1And3-KeyTripleDES-CBC") && info.contains("MAC: sha1"),
        "{info}"
    );
    for pfx in ["edge.pfx", "edge-2016.pfx"] {
        picert()
            .args(["audit", "--password-file"])
            .arg(s.path("pw.txt"))
            .arg("--trust-store")
            .arg(pki("public-root.pem"))
            .args(["--at", "2026-06-01", "--topology"])
            .arg(contoso())
            .arg(s.path(pfx))
            .assert()
            .code(0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(s.path(pfx)).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
    // The key in the file is the key given.
    let key = std::process::Command::new("openssl")
        .args(["pkcs12", "-nocerts", "-nodes", "-passin"])
        .arg(format!("file:{}", s.path("pw.txt").display()))
        .arg("-in")
        .arg(s.path("edge.pfx"))
        .output()
        .unwrap();
    let key_pub = std::process::Command::new("openssl")
        .args(["pkey", "-pubout"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(&key.stdout)?;
            c.wait_with_output()
        })
        .unwrap();
    let want = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(pki("keys/leaf.key"))
        .output()
        .unwrap();
    assert_eq!(key_pub.stdout, want.stdout);
}

/// The `Next:` advice names the shell the product has: Lync Server 2013 calls it the Lync
/// Server Management Shell.
#[test]
fn the_next_step_names_the_products_management_shell() {
    let s = Setup::new();
    for (product, windows, shell) in [
        ("lync2013", "2012r2", "in the Lync Server Management Shell:"),
        (
            "sfb2019",
            "2019",
            "in the Skype for Business Server Management Shell:",
        ),
    ] {
        s.bundle("good.pem", &format!("{product}.pfx"))
            .args(["--product", product, "--windows", windows])
            .assert()
            .success()
            .stderr(predicate::str::contains(format!(
                "Next: on every Edge server of the pool, {shell}"
            )));
    }
    s.bundle("good.pem", "lync.pfx")
        .args(["--product", "lync2013"])
        .assert()
        .success()
        .stderr(predicate::str::contains("Skype for Business").not());
}

#[test]
fn a_key_that_does_not_match_is_always_refused() {
    let s = Setup::new();
    s.bundle_paths(pki("good.pem"), pki("keys/leaf-p256.key"), "x.pfx")
        .arg("--force")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "leaf-p256.key: this key does not match the certificate",
        ));
    assert!(!s.path("x.pfx").exists());
}

#[test]
fn audit_errors_refuse_unless_forced() {
    let s = Setup::new();
    // Refused for a finding: exit status 1, as `picert audit` would give, nothing written.
    s.bundle("no-crl.pem", "x.pfx")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the audit finds 1 error (lync.crl.distribution_point",
        ));
    assert!(!s.path("x.pfx").exists());
    s.bundle("no-crl.pem", "x.pfx")
        .arg("--force")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "picert: warning: the audit found 1 error (lync.crl.distribution_point",
        ))
        .stderr(predicate::str::contains(
            "written anyway because of --force",
        ));
    assert!(
        s.path("x.pfx").exists(),
        "written, and the exit status still says the finding"
    );
    // Warnings alone do not stop it.
    s.bundle("wrong-san-order.pem", "y.pfx").assert().success();
}

#[test]
fn chain_is_ordered_leaf_first_and_root_only_when_asked() {
    let s = Setup::new();
    // Intermediate first, root and an unrelated CA mixed in.
    let mut mixed = fs::read_to_string(pki("public-issuing.pem")).unwrap();
    mixed.push_str(&fs::read_to_string(pki("private-root.pem")).unwrap());
    mixed.push_str(&fs::read_to_string(pki("good.pem")).unwrap());
    mixed.push_str(&fs::read_to_string(pki("public-root.pem")).unwrap());
    fs::write(s.path("mixed.pem"), mixed).unwrap();
    let run = |include_root: bool, out: &str| {
        let mut c = s.bundle_paths(s.path("mixed.pem"), pki("keys/leaf.key"), out);
        if include_root {
            c.arg("--include-root");
        }
        c.assert().success();
        let certs = std::process::Command::new("openssl")
            .args(["pkcs12", "-nokeys", "-passin"])
            .arg(format!("file:{}", s.path("pw.txt").display()))
            .arg("-in")
            .arg(s.path(out))
            .output()
            .unwrap();
        String::from_utf8_lossy(&certs.stdout)
            .lines()
            .filter(|l| l.starts_with("subject="))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let without = run(false, "a.pfx");
    assert_eq!(without.len(), 2, "{without:?}");
    assert!(
        without[0].contains("sip.contoso.com") && without[1].contains("Issuing CA"),
        "{without:?}"
    );
    let with = run(true, "b.pfx");
    assert_eq!(with.len(), 3, "{with:?}");
    assert!(with[2].contains("Public Root"));
    // A PKCS#7 response from the CA works the same.
    s.bundle("good.p7b", "c.pfx").assert().success();
}

#[test]
fn password_rules_and_output_safety() {
    let s = Setup::new();
    // No password source and no terminal: refused, nothing written.
    s.bundle_without_password("x.pfx")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no PFX password"));
    assert!(!s.path("x.pfx").exists());
    // From the environment.
    s.bundle_without_password("env.pfx")
        .env("PICERT_PFX_PASSWORD", "from env")
        .arg("-q")
        .assert()
        .success()
        .stderr("");
    // An existing output is never overwritten without --force.
    fs::write(s.path("keep.pfx"), b"old").unwrap();
    s.bundle("good.pem", "keep.pfx")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "keep.pfx: already exists; picert never overwrites a file without --force",
        ));
    // ...and says so before it asks for a password (none is given here, and stdin is no
    // terminal: the refusal is about the file, not the password).
    s.bundle_without_password("keep.pfx")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("keep.pfx: already exists"));
    assert_eq!(fs::read(s.path("keep.pfx")).unwrap(), b"old");
    // A request is not an issued certificate.
    s.bundle("good.csr", "r.pfx")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no certificate"));
}

/// On a terminal the password is asked twice and not echoed (run under `script`, which gives
/// the command a pseudo-terminal; skipped where util-linux's script is missing).
#[test]
fn password_prompt_on_a_terminal() {
    if !picert_tests::servers::script_or_skip() {
        return;
    }
    let s = Setup::new();
    let bin = assert_cmd::cargo::cargo_bin("picert");
    let run = |first: &str, second: &str, out: &str| {
        let cmd = format!(
            "env -u PICERT_PFX_PASSWORD {} bundle --cert {} --key {} --trust-store {} --at 2026-06-01 -o {}",
            bin.display(),
            pki("good.pem").display(),
            pki("keys/leaf.key").display(),
            pki("public-root.pem").display(),
            s.path(out).display()
        );
        let mut child = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Answer each prompt only once it is on the screen, so nothing is typed while the
        // terminal still echoes.
        let screen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut stdout = child.stdout.take().unwrap();
        let reader = {
            let screen = screen.clone();
            std::thread::spawn(move || {
                use std::io::Read;
                let mut buf = [0u8; 256];
                while let Ok(n) = stdout.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    screen
                        .lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            })
        };
        let wait_for = |text: &str| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            while !screen.lock().unwrap().contains(text) && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        };
        let mut stdin = child.stdin.take().unwrap();
        {
            use std::io::Write;
            wait_for("PFX password: ");
            let _ = writeln!(stdin, "{first}");
            wait_for("PFX password again: ");
            let _ = writeln!(stdin, "{second}");
        }
        let status = child.wait().unwrap();
        drop(stdin);
        let _ = reader.join();
        let text = screen.lock().unwrap().clone();
        (status.success(), text)
    };
    let (ok, screen) = run("Typed pass 1", "Typed pass 1", "typed.pfx");
    assert!(ok, "{screen}");
    assert!(
        screen.contains("PFX password:") && screen.contains("PFX password again:"),
        "{screen}"
    );
    assert!(
        !screen.contains("Typed pass 1"),
        "the password is not echoed: {screen}"
    );
    let check = std::process::Command::new("openssl")
        .args([
            "pkcs12",
            "-info",
            "-noout",
            "-passin",
            "pass:Typed pass 1",
            "-in",
        ])
        .arg(s.path("typed.pfx"))
        .output()
        .unwrap();
    assert!(check.status.success());
    let (ok, screen) = run("one", "two", "differ.pfx");
    assert!(
        !ok && screen.contains("the two passwords differ"),
        "{screen}"
    );
    assert!(!s.path("differ.pfx").exists());
}

/// `openssl pkcs12` with these options over `pfx`: what it prints on stderr (where `-info`
/// goes), then on stdout.
fn openssl_pkcs12(s: &Setup, pfx: &str, options: &[&str]) -> String {
    let out = std::process::Command::new("openssl")
        .arg("pkcs12")
        .args(options)
        .arg("-passin")
        .arg(format!("file:{}", s.path("pw.txt").display()))
        .arg("-in")
        .arg(s.path(pfx))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl pkcs12 {options:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout)
}

#[test]
fn the_certificate_carries_the_friendly_name_windows_shows() {
    // Windows takes the store's friendly name from the certificate's bag, and pairs the
    // certificate with its key through the local key ID both bags carry.
    let s = Setup::new();
    for (out, extra) in [("m.pfx", None), ("l.pfx", Some("--legacy"))] {
        let mut c = s.bundle("good.pem", out);
        c.args(["--friendly-name", "Edge 2026 (ext)"]);
        if let Some(e) = extra {
            c.arg(e);
        }
        c.assert().success();
        let leaf = openssl_pkcs12(&s, out, &["-nokeys", "-clcerts"]);
        assert!(leaf.contains("friendlyName: Edge 2026 (ext)"), "{leaf}");
        assert!(leaf.contains("CN = sip.contoso.com"), "{leaf}");
        let cas = openssl_pkcs12(&s, out, &["-nokeys", "-cacerts"]);
        assert!(cas.contains("CN = picert Test Issuing CA"), "{cas}");
        assert!(
            !cas.contains("friendlyName"),
            "an intermediate has no friendly name: {cas}"
        );
        let key = openssl_pkcs12(&s, out, &["-nocerts", "-nodes"]);
        assert!(key.contains("friendlyName: Edge 2026 (ext)"), "{key}");
        let id = |text: &str| {
            text.lines()
                .find(|l| l.contains("localKeyID:"))
                .map(str::trim)
                .map(str::to_string)
        };
        assert!(id(&leaf).is_some());
        assert_eq!(id(&leaf), id(&key), "the certificate and key bags pair up");

        // A second, independent PKCS#12 reader: Python cryptography.
        let script = "import sys\n\
from cryptography.hazmat.primitives.serialization import pkcs12, Encoding, PublicFormat\n\
p = pkcs12.load_pkcs12(open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read().splitlines()[0])\n\
same = p.key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == p.cert.certificate.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)\n\
print(p.cert.friendly_name.decode(), same, len(p.additional_certs), [c.friendly_name for c in p.additional_certs])\n";
        let py = std::process::Command::new("python3")
            .args(["-c", script])
            .arg(s.path(out))
            .arg(s.path("pw.txt"))
            .output()
            .expect("python3 with cryptography (.ci/run installs it)");
        assert!(
            py.status.success(),
            "{}",
            String::from_utf8_lossy(&py.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&py.stdout),
            "Edge 2026 (ext) True 1 [None]\n"
        );
    }
}
