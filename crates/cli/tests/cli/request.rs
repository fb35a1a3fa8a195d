//! `picert request` through the binary: every flag, every refusal, key-file safety, INF output.

use std::fs;
use std::path::Path;

use crate::common::{contoso, picert, pki, read_csr};
use picert_verify::facts::{csr_facts, KeyFacts};
use predicates::prelude::*;

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn topology_file_writes_csr_and_key() {
    let dir = tempfile::tempdir().unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(format!(
            "wrote {}\nwrote {}\n",
            dir.path().join("sip.contoso.com.csr").display(),
            dir.path().join("sip.contoso.com.key").display()
        ))
        .stderr(predicate::str::contains(
            "1. sip.contoso.com (subject name)",
        ))
        .stderr(predicate::str::contains(
            "3. sip.fabrikam.com (SIP domain fabrikam.com)",
        ))
        .stderr(predicate::str::contains(
            "serverAuth, clientAuth (PIC with AOL)",
        ))
        .stderr(predicate::str::contains(
            "public CAs are dropping the client EKU",
        ))
        .stderr(predicate::str::contains("Next: submit"));
    let csr = dir.path().join("sip.contoso.com.csr");
    let key = dir.path().join("sip.contoso.com.key");
    let f = read_csr(&csr);
    assert_eq!(
        f.dns_sans,
        ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"]
    );
    assert_eq!(
        f.subject,
        "C=US, ST=WA, L=Redmond, O=Contoso, CN=sip.contoso.com"
    );
    assert_eq!(f.csr_signature, Some(picert_verify::SignatureCheck::Valid));
    assert!(fs::read_to_string(&key)
        .unwrap()
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        assert_eq!(mode(&key), 0o600);
        assert_eq!(mode(&csr), 0o644);
    }
}

#[test]
fn flags_alone_make_the_request_and_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    picert()
        .current_dir(dir.path())
        .args([
            "request",
            "--access-edge",
            "Access.Example.COM",
            "--webconf",
            "webconf.example.com",
            "--av",
            "av.example.com",
            "--sip-domain",
            "example.com",
            "--sip-domain",
            "bücher.example",
            "--extra-san",
            "lync.example.com",
            "--extra-san",
            "webconf.example.com",
            "--client-eku",
            "--country",
            "fr",
            "--state",
            "IDF",
            "--locality",
            "Paris",
            "--org",
            "Example",
            "--ou",
            "IT",
            "--friendly-name",
            "Edge",
            "--key-type",
            "ecdsa-p256",
            "--template",
            "EdgeClientServer",
            "--template-extension",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("av.example.com (not a SAN"))
        .stderr(predicate::str::contains("does not support CNG"));
    let f = read_csr(&dir.path().join("access.example.com.csr"));
    assert_eq!(
        f.dns_sans,
        [
            "access.example.com",
            "webconf.example.com",
            "sip.example.com",
            "sip.xn--bcher-kva.example",
            "lync.example.com"
        ]
    );
    assert_eq!(
        f.subject,
        "C=FR, ST=IDF, L=Paris, O=Example, OU=IT, CN=access.example.com"
    );
    assert_eq!(
        f.key,
        KeyFacts::Ec {
            curve: "P-256".into()
        }
    );
    assert_eq!(f.key_usage, Some((true, false, true)));
    assert_eq!(
        f.eku.as_deref(),
        Some(
            &[
                "1.3.6.1.5.5.7.3.1".to_string(),
                "1.3.6.1.5.5.7.3.2".to_string()
            ][..]
        )
    );
    let templates: Vec<_> = f
        .templates
        .iter()
        .map(|t| (t.source, t.value.as_str()))
        .collect();
    assert_eq!(
        templates,
        [
            ("request attribute", "EdgeClientServer"),
            ("V1 template extension", "EdgeClientServer")
        ]
    );

    // Flags over a topology file: the file's AOL stays, its SIP domains are replaced.
    let dir2 = tempfile::tempdir().unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .args([
            "--sip-domain",
            "contoso.com",
            "--primary-sip-only",
            "--hash",
            "sha512",
            "--template",
            "none",
            "--key-type",
            "rsa3072",
        ])
        .arg("--out-dir")
        .arg(dir2.path())
        .assert()
        .success();
    let f = read_csr(&dir2.path().join("sip.contoso.com.csr"));
    assert_eq!(f.dns_sans, ["sip.contoso.com", "webcon.contoso.com"]);
    assert_eq!(f.signature.name, "sha512WithRSAEncryption");
    assert_eq!(f.key, KeyFacts::Rsa { bits: 3072 });
    assert!(f.templates.is_empty());
}

#[test]
fn primary_sip_only_keeps_the_first_domain() {
    let dir = tempfile::tempdir().unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--primary-sip-only")
        .arg("--csr")
        .arg(dir.path().join("x.csr"))
        .arg("--key-out")
        .arg(dir.path().join("x.key"))
        .assert()
        .success();
    let f = read_csr(&dir.path().join("x.csr"));
    assert_eq!(f.dns_sans, ["sip.contoso.com", "webcon.contoso.com"]);
}

#[test]
fn csr_to_stdout_and_der_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .args(["--csr", "-", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    assert!(
        dir.path().join("sip.contoso.com.key").exists(),
        "the key is still written to a file"
    );

    let dir = tempfile::tempdir().unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .args(["--format", "der", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success();
    let der = fs::read(dir.path().join("sip.contoso.com.csr")).unwrap();
    assert_eq!(der[0], 0x30);
    assert!(csr_facts(&der).is_ok());
}

#[test]
fn existing_key_is_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("sip.contoso.com.key");
    fs::write(&key, b"precious key material").unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "sip.contoso.com.key: already exists",
        ))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(fs::read(&key).unwrap(), b"precious key material");
    assert!(
        !dir.path().join("sip.contoso.com.csr").exists(),
        "no CSR without its key"
    );
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );

    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(dir.path())
        .arg("--force")
        .assert()
        .success();
    assert_ne!(fs::read(&key).unwrap(), b"precious key material");
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o600);
}

#[test]
fn existing_csr_blocks_too_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let csr = dir.path().join("sip.contoso.com.csr");
    fs::write(&csr, b"old csr").unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(dir.path())
        .assert()
        .code(2);
    assert_eq!(fs::read(&csr).unwrap(), b"old csr");
    assert!(!dir.path().join("sip.contoso.com.key").exists());
}

#[test]
fn unwritable_destination_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // The key cannot be written (a name longer than the file system allows): the CSR, which
    // could be written, is not left behind without its key.
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--csr")
        .arg(dir.path().join("edge.csr"))
        .arg("--key-out")
        .arg(dir.path().join("k".repeat(300)))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            ": cannot write: file name too long",
        ));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    // --out-dir that is a file is refused.
    let file = dir.path().join("plain-file");
    fs::write(&file, b"x").unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("plain-file: not a folder"));
}

#[test]
fn missing_out_dir_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out/edge");
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("sip.contoso.com.csr").exists() && out.join("sip.contoso.com.key").exists());
}

#[test]
fn next_step_repeats_the_expectations() {
    let dir = tempfile::tempdir().unwrap();
    picert()
        .current_dir(dir.path())
        .args([
            "request",
            "--access-edge",
            "sip.contoso.com",
            "--sip-domain",
            "contoso.com",
            "--aol",
            "--key-type",
            "ecdsa-p256",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "picert audit ISSUED.pem --access-edge sip.contoso.com --sip-domain contoso.com --aol",
        ));
}

#[test]
fn reuses_a_key_in_each_format_and_keeps_it_in_place() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("pkcs1.pem", vec!["genrsa", "-traditional", "2048"]),
        (
            "sec1.pem",
            vec!["ecparam", "-name", "prime256v1", "-genkey", "-noout"],
        ),
        (
            "pkcs8.pem",
            vec![
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ],
        ),
    ] {
        let Ok(out) = std::process::Command::new("openssl").args(&args).output() else {
            panic!("openssl is needed for this test");
        };
        assert!(out.status.success());
        let key = dir.path().join(name);
        fs::write(&key, &out.stdout).unwrap();
        let csr = dir.path().join(format!("{name}.csr"));
        picert()
            .args(["request", "--topology"])
            .arg(contoso())
            .args([
                "--key-type",
                if name == "sec1.pem" {
                    "ecdsa-p256"
                } else {
                    "rsa2048"
                },
            ])
            .arg("--key")
            .arg(&key)
            .arg("--csr")
            .arg(&csr)
            .assert()
            .success();
        assert_eq!(
            fs::read(&key).unwrap(),
            out.stdout,
            "{name}: the key file is untouched"
        );
        let f = read_csr(&csr);
        assert_eq!(
            f.csr_signature,
            Some(picert_verify::SignatureCheck::Valid),
            "{name}"
        );
        // The CSR's public key is the given key's.
        let spki = std::process::Command::new("openssl")
            .args(["pkey", "-pubout", "-in"])
            .arg(&key)
            .output()
            .unwrap()
            .stdout;
        let from_csr = std::process::Command::new("openssl")
            .args(["req", "-pubkey", "-noout", "-in"])
            .arg(&csr)
            .output()
            .unwrap()
            .stdout;
        assert_eq!(spki, from_csr, "{name}");
    }
    assert_eq!(
        fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "key"))
            .count(),
        0,
        "no key written when reusing one"
    );
}

#[test]
fn key_type_mismatch_with_given_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    let out = std::process::Command::new("openssl")
        .args(["ecparam", "-name", "prime256v1", "-genkey", "-noout"])
        .output()
        .unwrap();
    fs::write(&key, out.stdout).unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--key")
        .arg(&key)
        .arg("--out-dir")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("k.pem: the key is ECDSA P-256, but the key type asked for (--key-type or key_type in the topology) is rsa2048"));
}

#[test]
fn passphrase_from_file_and_environment_encrypts_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass.txt");
    fs::write(&pass, "s3cret passphrase\n").unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .args(["--key-type", "ecdsa-p256", "--key-passphrase-file"])
        .arg(&pass)
        .arg("--out-dir")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("encrypted"));
    let key = dir.path().join("sip.contoso.com.key");
    let text = fs::read_to_string(&key).unwrap();
    assert!(text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let ok = std::process::Command::new("openssl")
        .args(["pkey", "-noout", "-passin", "pass:s3cret passphrase", "-in"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(
        ok.success(),
        "openssl reads the encrypted key with the passphrase"
    );

    // The encrypted key is reused with the passphrase from the environment.
    picert()
        .env("PICERT_KEY_PASSPHRASE", "s3cret passphrase")
        .args(["request", "--topology"])
        .arg(contoso())
        .args(["--key-type", "ecdsa-p256"])
        .arg("--key")
        .arg(&key)
        .arg("--csr")
        .arg(dir.path().join("again.csr"))
        .assert()
        .success();
    // Without it, the refusal names the file and the remedy.
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .args(["--key-type", "ecdsa-p256"])
        .arg("--key")
        .arg(&key)
        .arg("--csr")
        .arg(dir.path().join("third.csr"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "sip.contoso.com.key: the key is encrypted",
        ));
    let empty = dir.path().join("empty.txt");
    fs::write(&empty, "").unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .arg("--key-passphrase-file")
        .arg(&empty)
        .arg("--out-dir")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "empty.txt: the key passphrase is empty",
        ));
}

#[test]
fn reuses_a_key_openssl_encrypted_with_pbkdf2_or_scrypt() {
    let dir = tempfile::tempdir().unwrap();
    let openssl = |args: &[&str]| {
        let Ok(out) = std::process::Command::new("openssl").args(args).output() else {
            panic!("openssl is needed for this test");
        };
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let plain = dir.path().join("plain.pem");
    fs::write(
        &plain,
        openssl(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ]),
    )
    .unwrap();
    let plain_arg = plain.to_str().unwrap();
    let pass = "pass:openssl wrote this";
    for (name, args) in [
        // OpenSSL's PBES2 default: PBKDF2-HMAC-SHA256 and AES-256-CBC.
        (
            "pbkdf2.pem",
            vec![
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-in",
                plain_arg,
                "-passout",
                pass,
            ],
        ),
        (
            "scrypt.pem",
            vec![
                "pkcs8", "-topk8", "-scrypt", "-in", plain_arg, "-passout", pass,
            ],
        ),
    ] {
        let key = dir.path().join(name);
        fs::write(&key, openssl(&args)).unwrap();
        assert!(fs::read_to_string(&key)
            .unwrap()
            .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        let csr = dir.path().join(format!("{name}.csr"));
        picert()
            .env("PICERT_KEY_PASSPHRASE", "openssl wrote this")
            .args(["request", "--topology"])
            .arg(contoso())
            .args(["--key-type", "ecdsa-p256", "--key"])
            .arg(&key)
            .arg("--csr")
            .arg(&csr)
            .assert()
            .success();
        let from_key = openssl(&["pkey", "-pubout", "-in", plain_arg]);
        let from_csr = openssl(&["req", "-pubkey", "-noout", "-in", csr.to_str().unwrap()]);
        assert_eq!(from_key, from_csr, "{name}");
    }
}

#[test]
fn inf_output_for_certreq() {
    let out = picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .args(["--format", "inf", "--csr", "-"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let inf = String::from_utf8(out).unwrap();
    for line in [
        "Subject = \"CN=sip.contoso.com, O=Contoso, L=Redmond, S=WA, C=US\"",
        "ProviderName = \"Microsoft RSA SChannel Cryptographic Provider\"",
        "Exportable = TRUE",
        "OID=1.3.6.1.5.5.7.3.2",
        "_continue_ = \"dns=sip.fabrikam.com\"",
        "CertificateTemplate = WebServer",
        "FriendlyName = \"Edge external\"",
    ] {
        assert!(inf.contains(&format!("{line}\r\n")), "missing {line}");
    }
    let dir = tempfile::tempdir().unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .args(["--format", "inf", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("certreq -new"));
    assert!(dir.path().join("sip.contoso.com.inf").exists());
    assert!(
        !dir.path().join("sip.contoso.com.key").exists(),
        "no key with --format inf"
    );
    picert()
        .args(["request", "--topology"])
        .arg(contoso())
        .args(["--format", "inf", "--key-out", "x.key"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--format inf makes no key"))
        .stderr(predicate::str::ends_with("drop --key-out\n"));
    // Renewal with the old key cannot be an INF either: certreq makes a new key.
    picert()
        .args(["request", "--from-cert"])
        .arg(pki("good.pem"))
        .arg("--reuse-key")
        .arg(pki("keys/leaf.key"))
        .args(["--format", "inf", "--csr", "-"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "picert: error: --format inf makes no key here (certreq makes a new one on Windows): drop --reuse-key\n",
        );
}

#[test]
fn refusals_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad_toml = dir.path().join("bad.toml");
    fs::write(
        &bad_toml,
        "access_edge = \"sip.contoso.com\"\nsip_domain = [\"contoso.com\"]\n",
    )
    .unwrap();
    let wildcard_toml = dir.path().join("wild.toml");
    fs::write(
        &wildcard_toml,
        "access_edge = 'sip.contoso.com'\nsip_domains = ['contoso.com',\n  '*.fabrikam.com']\n",
    )
    .unwrap();
    let wrong_type = dir.path().join("type.toml");
    fs::write(&wrong_type, "access_edge = 5\n").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--access-edge".into(),
                "*.contoso.com".into(),
                "--sip-domain".into(),
                "contoso.com".into(),
            ],
            "wildcard",
        ),
        (
            vec![
                "--access-edge".into(),
                "192.0.2.10".into(),
                "--sip-domain".into(),
                "contoso.com".into(),
            ],
            "IP address",
        ),
        (
            vec![
                "--access-edge".into(),
                "sip.contoso.com..".into(),
                "--sip-domain".into(),
                "contoso.com".into(),
            ],
            "--access-edge: 'sip.contoso.com..'",
        ),
        (
            vec!["--access-edge".into(), "sip.contoso.com".into()],
            "at least one SIP domain",
        ),
        (
            vec!["--sip-domain".into(), "contoso.com".into()],
            "missing the Access Edge external FQDN",
        ),
        (
            vec![
                "--access-edge".into(),
                "sip.contoso.com".into(),
                "--sip-domain".into(),
                "contoso".into(),
            ],
            "not a fully qualified",
        ),
        (
            vec![
                "--access-edge".into(),
                "sip.contoso.com".into(),
                "--sip-domain".into(),
                "contoso.com".into(),
                "--extra-san".into(),
                format!("{}.com", "a".repeat(300)),
            ],
            "at most 253",
        ),
        (
            vec![
                "--access-edge".into(),
                "sip.contoso.com".into(),
                "--sip-domain".into(),
                "contoso.com".into(),
                "--extra-san".into(),
                format!("{}.contoso.com", "a".repeat(64)),
            ],
            "at most 63",
        ),
        (
            vec![
                "--access-edge".into(),
                "sip.contoso.com".into(),
                "--sip-domain".into(),
                "contoso.com".into(),
                "--country".into(),
                "USA".into(),
            ],
            "two-letter",
        ),
        (
            vec![
                "--access-edge".into(),
                "sip.contoso.com".into(),
                "--sip-domain".into(),
                "contoso.com".into(),
                "--key-type".into(),
                "ecdsa-p256".into(),
                "--hash".into(),
                "sha512".into(),
            ],
            "signs with sha256",
        ),
        (
            vec!["--topology".into(), bad_toml.display().to_string()],
            "bad.toml: line 2: unknown field `sip_domain`: did you mean `sip_domains`?",
        ),
        (
            vec!["--topology".into(), wildcard_toml.display().to_string()],
            "wild.toml:3: sip_domains: '*.fabrikam.com' is a wildcard",
        ),
        (
            vec![
                "--access-edge".into(),
                "sip.contoso.com".into(),
                "--sip-domain".into(),
                "contoso.com".into(),
                "--windows".into(),
                "2022".into(),
                "--product".into(),
                "lync2013".into(),
            ],
            "Lync Server 2013 does not run on Windows Server 2022",
        ),
        (
            vec!["--topology".into(), wrong_type.display().to_string()],
            "type.toml: line 1: invalid type",
        ),
        (
            vec![
                "--topology".into(),
                dir.path().join("none.toml").display().to_string(),
            ],
            "none.toml: no such file or directory",
        ),
        (
            vec!["--topology".into(), dir.path().display().to_string()],
            "is a directory",
        ),
    ];
    for (args, message) in cases {
        let assert = picert()
            .current_dir(dir.path())
            .arg("request")
            .args(&args)
            .assert()
            .code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(
            stderr.contains(message),
            "{args:?}: expected {message:?} in {stderr:?}"
        );
        assert_eq!(
            stderr.lines().count(),
            1,
            "{args:?}: one line, got {stderr:?}"
        );
        assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"));
    }
    // Refused by the argument parser: rsa1024 and sha1, with the reason.
    picert()
        .args([
            "request",
            "--access-edge",
            "sip.contoso.com",
            "--sip-domain",
            "contoso.com",
            "--key-type",
            "rsa1024",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rsa1024 is refused"));
    picert()
        .args([
            "request",
            "--access-edge",
            "sip.contoso.com",
            "--sip-domain",
            "contoso.com",
            "--hash",
            "sha1",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sha1 is refused"));
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        3,
        "nothing written by a refusal: only the three topology files"
    );
}

#[test]
fn aol_and_client_eku_conflict() {
    picert()
        .args([
            "request",
            "--access-edge",
            "sip.contoso.com",
            "--sip-domain",
            "contoso.com",
            "--aol",
            "--client-eku",
        ])
        .assert()
        .code(2);
}

#[test]
fn renewal_from_the_certificate_in_service_keeps_every_name_in_order() {
    let dir = tempfile::tempdir().unwrap();
    // The SANs in the certificate's own order, its subject, its EKUs, its key (reused).
    picert()
        .args(["request", "--from-cert"])
        .arg(pki("wrong-san-order.pem"))
        .arg("--reuse-key")
        .arg(pki("keys/leaf.key"))
        .arg("--csr")
        .arg(dir.path().join("a.csr"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "renewal: sip.contoso.com (the subject) moves to SAN 1",
        ));
    // The subject goes first, as the table wants; the other names keep their order.
    let f = read_csr(&dir.path().join("a.csr"));
    assert_eq!(
        f.dns_sans,
        ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"]
    );
    assert_eq!(
        f.subject,
        "C=US, ST=WA, L=Redmond, O=Contoso, CN=sip.contoso.com"
    );
    assert_eq!(f.eku.as_ref().map(Vec::len), Some(2));
    let spki = |args: &[&str], path: &Path| {
        std::process::Command::new("openssl")
            .args(args)
            .arg(path)
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(
        spki(
            &["req", "-pubkey", "-noout", "-in"],
            &dir.path().join("a.csr")
        ),
        spki(&["pkey", "-pubout", "-in"], &pki("keys/leaf.key"))
    );

    // With a topology: names it adds are appended, names it lacks are kept, and both are said.
    picert()
        .args(["request", "--from-cert"])
        .arg(pki("stale-sip-domain.pem"))
        .arg("--topology")
        .arg(contoso())
        .args(["--extra-san", "lync.contoso.com", "--key-type", "ecdsa-p256", "--csr"])
        .arg(dir.path().join("b.csr"))
        .arg("--key-out")
        .arg(dir.path().join("b.key"))
        .assert()
        .success()
        .stderr(predicate::str::contains("renewal: lync.contoso.com (extra name) is not in the certificate in service: added"))
        .stderr(predicate::str::contains("renewal: sip.litwareinc.com is in the certificate in service but not in the topology: kept"));
    let f = read_csr(&dir.path().join("b.csr"));
    assert_eq!(
        f.dns_sans,
        [
            "sip.contoso.com",
            "webcon.contoso.com",
            "sip.fabrikam.com",
            "sip.litwareinc.com",
            "lync.contoso.com"
        ]
    );
}

#[test]
fn renewal_with_a_new_subject_puts_it_first() {
    let dir = tempfile::tempdir().unwrap();
    picert()
        .args(["request", "--from-cert"])
        .arg(pki("good.pem"))
        .args(["--access-edge", "access.contoso.com", "--csr"])
        .arg(dir.path().join("n.csr"))
        .arg("--key-out")
        .arg(dir.path().join("n.key"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "renewal: the subject changes from sip.contoso.com to access.contoso.com",
        ))
        .stderr(predicate::str::contains(
            "1. access.contoso.com (subject name)",
        ));
    let f = read_csr(&dir.path().join("n.csr"));
    assert_eq!(
        f.subject,
        "C=US, ST=WA, L=Redmond, O=Contoso, CN=access.contoso.com"
    );
    assert_eq!(
        f.dns_sans,
        [
            "access.contoso.com",
            "sip.contoso.com",
            "webcon.contoso.com",
            "sip.fabrikam.com"
        ]
    );
}

#[test]
fn renewal_with_aol_off_drops_the_client_eku() {
    let dir = tempfile::tempdir().unwrap();
    // good.pem has serverAuth and clientAuth.
    let renew = |extra: &[&str], name: &str| {
        let mut c = picert();
        c.args(["request", "--from-cert"])
            .arg(pki("good.pem"))
            .args(extra)
            .arg("--csr")
            .arg(dir.path().join(format!("{name}.csr")))
            .arg("--key-out")
            .arg(dir.path().join(format!("{name}.key")));
        c
    };
    renew(&[], "kept").assert().success();
    assert_eq!(
        read_csr(&dir.path().join("kept.csr")).eku.map(|e| e.len()),
        Some(2)
    );
    renew(&["--no-aol"], "dropped")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "AOL is off, so the new request asks for the server EKU only",
        ))
        .stderr(predicate::str::contains("2026").not());
    assert_eq!(
        read_csr(&dir.path().join("dropped.csr")).eku,
        Some(vec!["1.3.6.1.5.5.7.3.1".to_string()])
    );
    renew(&["--no-aol", "--client-eku"], "asked")
        .assert()
        .success();
    assert_eq!(
        read_csr(&dir.path().join("asked.csr")).eku.map(|e| e.len()),
        Some(2)
    );
}

#[test]
fn renewal_from_a_pfx() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pw.txt"), "pfx-pass\n").unwrap();
    let pfx = dir.path().join("edge.pfx");
    picert()
        .args(["-q", "bundle", "--cert"])
        .arg(pki("good.pem"))
        .arg("--key")
        .arg(pki("keys/leaf.key"))
        .arg("--password-file")
        .arg(dir.path().join("pw.txt"))
        .arg("--trust-store")
        .arg(pki("public-root.pem"))
        .args(["--at", "2026-06-01", "-o"])
        .arg(&pfx)
        .assert()
        .success();
    picert()
        .args(["request", "--from-cert"])
        .arg(&pfx)
        .env_remove("PICERT_PFX_PASSWORD")
        .arg("--csr")
        .arg(dir.path().join("p.csr"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "edge.pfx: a PKCS#12 (.pfx) file: give its password with --password-file or PICERT_PFX_PASSWORD, or give the certificate as PEM, DER or .p7b",
        ));
    // --password-file works here as in audit, bundle and expiry.
    picert()
        .args(["request", "--from-cert"])
        .arg(&pfx)
        .arg("--password-file")
        .arg(dir.path().join("pw.txt"))
        .arg("--csr")
        .arg(dir.path().join("f.csr"))
        .arg("--key-out")
        .arg(dir.path().join("f.key"))
        .assert()
        .success();
    assert_eq!(
        read_csr(&dir.path().join("f.csr")).dns_sans,
        ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"]
    );
    picert()
        .args(["request", "--from-cert"])
        .arg(&pfx)
        .env("PICERT_PFX_PASSWORD", "pfx-pass")
        .arg("--csr")
        .arg(dir.path().join("p.csr"))
        .arg("--key-out")
        .arg(dir.path().join("p.key"))
        .assert()
        .success();
    assert_eq!(
        read_csr(&dir.path().join("p.csr")).dns_sans,
        ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"]
    );
}

#[test]
fn renewal_refusals() {
    let dir = tempfile::tempdir().unwrap();
    picert()
        .args(["request", "--from-cert"])
        .arg(pki("good.pem"))
        .arg("--reuse-key")
        .arg(pki("keys/leaf-p256.key"))
        .arg("--csr")
        .arg(dir.path().join("x.csr"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "leaf-p256.key: this key does not match the certificate in service",
        ));
    picert()
        .args(["request", "--from-cert"])
        .arg(pki("wildcard.pem"))
        .arg("--csr")
        .arg(dir.path().join("x.csr"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wildcard.pem: the certificate in service carries a name picert will not request",
        ));
    picert()
        .args(["request", "--from-cert"])
        .arg(pki("good.csr"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no certificate"));
    picert()
        .args(["request", "--reuse-key"])
        .arg(pki("keys/leaf.key"))
        .arg("--topology")
        .arg(contoso())
        .assert()
        .code(2);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn quiet_prints_nothing_but_errors() {
    let dir = tempfile::tempdir().unwrap();
    picert()
        .args(["-q", "request", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(dir.path())
        .assert()
        .success()
        .stderr("")
        .stdout("");
    // Not a terminal: no progress spinner either, even for a slow key.
    picert()
        .args(["request", "--key-type", "rsa3072", "--topology"])
        .arg(contoso())
        .arg("--out-dir")
        .arg(dir.path().join("slow"))
        .assert()
        .success()
        .stderr(predicate::str::contains("generating").not());
    picert()
        .args(["-q", "request", "--topology", "/nonexistent.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent.toml: no such file"));
}

/// A file of the XML topology fixtures (`fixtures/topology`).
fn topology_xml(name: &str) -> std::path::PathBuf {
    crate::common::root().join("fixtures/topology").join(name)
}

#[test]
fn an_edge_pool_of_a_multi_site_topology_gives_the_request() {
    let cases: [(&str, &str, &str, &[&str]); 2] = [
        (
            "multi.tbxml",
            "EdgePool-Dub.contoso.com",
            "sip-eu.contoso.com",
            &[
                "sip-eu.contoso.com",
                "webconf-eu.contoso.com",
                "sip.contoso.com",
                "sip.fabrikam.com",
            ],
        ),
        (
            "multi-published.xml",
            "edgepool-red.contoso.com",
            "sip.contoso.com",
            &["sip.contoso.com", "webconf.contoso.com", "sip.fabrikam.com"],
        ),
    ];
    for (file, pool, subject, sans) in cases {
        let dir = tempfile::tempdir().unwrap();
        picert()
            .args(["request", "--topology"])
            .arg(topology_xml(file))
            .args(["--edge-pool", pool, "--org", "Contoso", "--country", "US"])
            .arg("--out-dir")
            .arg(dir.path())
            .assert()
            .success();
        let f = read_csr(&dir.path().join(format!("{subject}.csr")));
        assert_eq!(f.dns_sans, sans, "{file}");
        assert_eq!(
            f.subject,
            format!("C=US, O=Contoso, CN={subject}"),
            "{file}"
        );
        assert!(dir.path().join(format!("{subject}.key")).exists());
    }
}

#[test]
fn flags_override_what_the_xml_gives() {
    let dir = tempfile::tempdir().unwrap();
    picert()
        .args(["request", "--topology"])
        .arg(topology_xml("multi.tbxml"))
        .args(["--edge-pool", "edgepool-red.contoso.com"])
        .args([
            "--webconf",
            "meet-edge.contoso.com",
            "--sip-domain",
            "contoso.com",
        ])
        .arg("--out-dir")
        .arg(dir.path())
        .assert()
        .success();
    let f = read_csr(&dir.path().join("sip.contoso.com.csr"));
    assert_eq!(f.dns_sans, ["sip.contoso.com", "meet-edge.contoso.com"]);
}

#[test]
fn several_edge_pools_and_no_choice_exit_2_listing_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = picert()
        .current_dir(dir.path())
        .args(["request", "--topology"])
        .arg(topology_xml("multi.tbxml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for said in [
        "multi.tbxml: the topology has 2 Edge pools, choose one: ",
        "edgepool-red.contoso.com (site Redmond, Access Edge sip.contoso.com)",
        "edgepool-dub.contoso.com (site Dublin, Access Edge sip-eu.contoso.com)",
        "--edge-pool",
    ] {
        assert!(stderr.contains(said), "{said}: {stderr}");
    }
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no key written"
    );
    let out = picert()
        .current_dir(dir.path())
        .args(["request", "--topology"])
        .arg(topology_xml("multi.tbxml"))
        .args(["--edge-pool", "edgepool-nyc.contoso.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no Edge pool edgepool-nyc.contoso.com; the topology has edgepool-red"));
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no key written"
    );
}

#[test]
fn bad_xml_topologies_exit_2_in_one_line_without_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.tbxml");
    fs::File::create(&huge)
        .unwrap()
        .set_len(16 * 1024 * 1024 + 1)
        .unwrap();
    let out_dir = dir.path().join("out");
    for (path, says) in [
        (
            topology_xml("bad/not-topology.xml"),
            "root element is <configuration>, not a topology",
        ),
        (
            topology_xml("bad/truncated.tbxml"),
            "before its elements are closed: the file is truncated",
        ),
        (
            topology_xml("bad/noedge.xml"),
            "the topology defines no Edge pool",
        ),
        (topology_xml("bad/dtd.xml"), "declares a DTD"),
        (huge.clone(), "larger than 16 MiB"),
    ] {
        let out = picert()
            .args(["request", "--topology"])
            .arg(&path)
            .arg("--out-dir")
            .arg(&out_dir)
            .output()
            .unwrap();
        crate::common::no_panic(&out.stderr);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with(&format!("picert: error: {}: ", path.display())),
            "{stderr}"
        );
        assert!(stderr.contains(says), "{says}: {stderr}");
        assert!(!out_dir.exists(), "nothing written for {}", path.display());
    }
    let truncated = fs::read_to_string(topology_xml("bad/truncated.tbxml")).unwrap();
    let out = picert()
        .args(["request", "--topology"])
        .arg(topology_xml("bad/truncated.tbxml"))
        .output()
        .unwrap();
    let line = truncated.matches('\n').count() + 1;
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("ends at line {line}, column ")));
}

/// `picert plan FILE --format json`'s certificates.
fn planned(file: &Path) -> Vec<serde_json::Value> {
    let out = picert()
        .arg("plan")
        .arg(file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["certificates"].as_array().unwrap().clone()
}

#[test]
fn every_certificate_of_the_multi_site_topology_gets_its_request() {
    let topology = topology_xml("multi.tbxml");
    let plans = planned(&topology);
    let dir = tempfile::tempdir().unwrap();
    // Each kind, with the pool (or the reverse proxy's site) that chooses it when there are several.
    let cases: [(&str, Option<&str>, &str); 7] = [
        (
            "edge-external",
            Some("edgepool-dub.contoso.com"),
            "sip-eu.contoso.com",
        ),
        (
            "edge-internal",
            Some("EdgePool-Red.contoso.com"),
            "edgepool-red.contoso.com",
        ),
        (
            "front-end",
            Some("fepool-red.contoso.com"),
            "fepool-red.contoso.com",
        ),
        (
            "front-end",
            Some("se-dub.contoso.com"),
            "se-dub.contoso.com",
        ),
        ("director", None, "dirpool-red.contoso.com"),
        (
            "reverse-proxy",
            Some("fepool-red.contoso.com"),
            "webext-red.contoso.com",
        ),
        ("reverse-proxy", Some("Dublin"), "webext-dub.contoso.com"),
    ];
    for (kind, pool, subject) in cases {
        let out_dir = dir.path().join(format!("{kind}-{subject}"));
        let mut cmd = picert();
        cmd.args(["request", "--certificate", kind, "--topology"])
            .arg(&topology)
            .arg("--key")
            .arg(pki("keys/leaf.key"))
            .args(["--org", "Contoso", "--country", "US"])
            .arg("--out-dir")
            .arg(&out_dir)
            .args(["--format", "json"]);
        if let Some(p) = pool {
            cmd.args(["--pool", p]);
        }
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{kind}: {stderr}");
        let plan = plans
            .iter()
            .find(|p| p["kind"] == kind && p["subject"] == subject)
            .unwrap();
        let want: Vec<&str> = plan["sans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap())
            .collect();
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["certificate"], kind);
        assert_eq!(summary["san"], serde_json::json!(want), "{kind}");
        if kind != "edge-external" {
            assert_eq!(summary["pool"], plan["pool"], "{kind}");
            assert_eq!(summary["eku"], serde_json::json!(["serverAuth"]));
            assert_eq!(summary["template"], "WebServer");
        }
        let csr = out_dir.join(format!("{subject}.csr"));
        // The names in the plan's order, as picert reads the request back ...
        let f = read_csr(&csr);
        assert_eq!(f.dns_sans, want, "{kind}");
        assert_eq!(f.subject, format!("C=US, O=Contoso, CN={subject}"));
        assert_eq!(f.csr_signature, Some(picert_verify::SignatureCheck::Valid));
        // ... and as OpenSSL does, which checks the signature too.
        let text = std::process::Command::new("openssl")
            .args(["req", "-noout", "-text", "-verify", "-in"])
            .arg(&csr)
            .output()
            .unwrap();
        assert!(
            text.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&text.stderr)
        );
        let text = String::from_utf8_lossy(&text.stdout);
        let dns = want
            .iter()
            .map(|n| format!("DNS:{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(text.contains(&dns), "{kind}: {dns} in\n{text}");
        assert!(text.contains(&format!("CN = {subject}")), "{kind}: {text}");
        assert!(text.contains("TLS Web Server Authentication"), "{kind}");
        assert!(!text.contains("TLS Web Client Authentication"), "{kind}");
        // The round trip: the request audits clean against its own kind.
        let mut audit = picert();
        audit
            .args(["audit", "--certificate", kind, "--topology"])
            .arg(&topology)
            .arg(&csr)
            .args(["--fail-on", "warning", "--product", "sfb2019"]);
        if let Some(p) = pool {
            audit.args(["--pool", p]);
        }
        let (report, code) = crate::common::json(&mut audit);
        let findings: Vec<_> = report.inputs[0]
            .findings()
            .into_iter()
            .map(|r| r.rule.clone())
            .collect();
        assert!(findings.is_empty(), "{kind}: {findings:?}");
        assert_eq!(code, 0, "{kind}");
        assert_eq!(report.certificate.as_deref(), Some(kind));
        let (status, _) = crate::common::status_of(&report, 0, "pic.san.expected_present");
        assert_eq!(status, picert_verify::Status::Pass, "{kind}");
    }
}

#[test]
fn a_planned_certificate_keeps_the_key_safety_and_writes_an_inf() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        picert()
            .args(["request", "--certificate", "director", "--topology"])
            .arg(topology_xml("multi.tbxml"))
            .args(["--key-type", "ecdsa-p256"])
            .arg("--out-dir")
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for said in [
        "director certificate request for dirpool-red.contoso.com (site Redmond; enterprise CA)\n",
        "1. dirpool-red.contoso.com (Director pool FQDN (subject name))",
        "3. webext-dir.contoso.com (the Director's external web services FQDN)",
        "  EKU          serverAuth\n",
        "template     WebServer",
        "to the enterprise CA, then check what it issues with: picert audit ISSUED.pem --topology ",
        " --certificate director --pool dirpool-red.contoso.com",
    ] {
        assert!(stderr.contains(said), "{said:?} in\n{stderr}");
    }
    let key = dir.path().join("dirpool-red.contoso.com.key");
    let before = fs::read(&key).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o600);
    // A second run refuses the key file and changes nothing.
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(fs::read(&key).unwrap(), before);
    // The INF: the plan's names, the server EKU only, the template.
    let out = run(&["--format", "inf", "--csr", "-"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inf = String::from_utf8(out.stdout).unwrap();
    assert!(
        inf.contains("Subject = \"CN=dirpool-red.contoso.com\""),
        "{inf}"
    );
    assert!(inf.contains("_continue_ = \"dns=dirpool-red.contoso.com&\"\r\n_continue_ = \"dns=dir-red1.contoso.com&\"\r\n_continue_ = \"dns=webext-dir.contoso.com\"\r\n"), "{inf}");
    assert!(inf.contains("OID=1.3.6.1.5.5.7.3.1\r\n\r\n"), "{inf}");
    assert!(!inf.contains("1.3.6.1.5.5.7.3.2"), "{inf}");
    assert!(inf.contains("CertificateTemplate = WebServer"), "{inf}");
}

#[test]
fn choosing_a_planned_certificate_refuses_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let multi = topology_xml("multi.tbxml");
    // A topology without a Director: the Director pool made a Front End pool.
    let no_director = dir.path().join("nodirector.tbxml");
    fs::write(
        &no_director,
        fs::read_to_string(&multi)
            .unwrap()
            .replace("IsDirector=\"true\"", "IsDirector=\"false\""),
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let cases: Vec<(Vec<std::ffi::OsString>, String)> = vec![
        (
            vec!["--certificate".into(), "front-end".into(), "--topology".into(), multi.clone().into()],
            format!("{}: the topology has 2 front-end certificates, choose one by its pool: fepool-red.contoso.com (site Redmond, subject fepool-red.contoso.com); se-dub.contoso.com (site Dublin, subject se-dub.contoso.com) (--pool FQDN)", multi.display()),
        ),
        (
            vec!["--certificate".into(), "director".into(), "--topology".into(), no_director.clone().into()],
            format!("{}: the topology has no director certificate (no Director pool)", no_director.display()),
        ),
        (
            vec!["--certificate".into(), "front-end".into(), "--topology".into(), multi.clone().into(), "--pool".into(), "fepool-nyc.contoso.com".into()],
            format!("{}: no front-end certificate for fepool-nyc.contoso.com; the topology has fepool-red.contoso.com", multi.display()),
        ),
        (
            vec!["--certificate".into(), "front-end".into()],
            "--certificate front-end is planned from a topology: give --topology FILE (an XML topology, or a TOML one with topology_xml)".into(),
        ),
        (
            vec!["--certificate".into(), "reverse-proxy".into(), "--topology".into(), contoso().into()],
            format!("{}: the reverse-proxy certificate is planned from the XML topology, and this TOML topology names none (topology_xml)", contoso().display()),
        ),
        (
            vec!["--certificate".into(), "director".into(), "--topology".into(), multi.clone().into(), "--sip-domain".into(), "contoso.com".into()],
            "--sip-domain describe the Edge external certificate; the director certificate's names come from the plan of".into(),
        ),
        (
            vec!["--certificate".into(), "director".into(), "--topology".into(), multi.clone().into(), "--client-eku".into()],
            "--client-eku is for the Edge external certificate only, not the director certificate".into(),
        ),
        (
            vec!["--certificate".into(), "director".into(), "--topology".into(), multi.clone().into(), "--edge-pool".into(), "edgepool-red.contoso.com".into()],
            "--edge-pool chooses an Edge pool; the director certificate's pool is chosen with --pool".into(),
        ),
        (
            vec!["--topology".into(), multi.clone().into(), "--pool".into(), "edgepool-red.contoso.com".into(), "--edge-pool".into(), "edgepool-dub.contoso.com".into()],
            "--pool edgepool-red.contoso.com and --edge-pool edgepool-dub.contoso.com name different pools: give one".into(),
        ),
        (
            vec!["--certificate".into(), "edge".into()],
            "unknown certificate kind 'edge' (edge-external, edge-internal, front-end, reverse-proxy, director)".into(),
        ),
    ];
    for (args, says) in cases {
        let out = picert()
            .arg("request")
            .args(&args)
            .arg("--out-dir")
            .arg(&out_dir)
            .output()
            .unwrap();
        crate::common::no_panic(&out.stderr);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(&says), "{says}\nin: {stderr}");
        if !says.starts_with("unknown certificate kind") {
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
        }
        assert!(!out_dir.exists(), "nothing written for {args:?}");
    }
    // --pool is --edge-pool for the Edge certificates: the same request.
    let out = picert()
        .args(["request", "--topology"])
        .arg(&multi)
        .args([
            "--pool",
            "edgepool-dub.contoso.com",
            "--key-type",
            "ecdsa-p256",
            "--format",
            "json",
        ])
        .arg("--out-dir")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["certificate"], "edge-external");
    assert_eq!(summary["subject"], "CN=sip-eu.contoso.com");
    assert!(summary.get("pool").is_none());
}
