//! Windows and the administrator's reality: files as Windows writes them (UTF-16 from
//! PowerShell, UTF-8 with a byte-order mark, base64 without armour), the Windows release and
//! product deciding the defaults, the deployment script, and the slips that must not pass in
//! silence.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{audit, contoso, json, no_panic, picert, pki, root, status_of};
use picert_verify::Status;
use predicates::prelude::*;

/// `text` as Windows PowerShell 5.1's `>` writes it: UTF-16LE with a byte-order mark.
fn utf16le(text: &[u8], bom: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut out = if bom { vec![0xff, 0xfe] } else { vec![] };
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn utf16be(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut out = vec![0xfe, 0xff];
    out.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn files_powershell_wrote_are_read_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let pem = fs::read(pki("good.pem")).unwrap();
    let le = write(dir.path(), "u16.cer", &utf16le(&pem, true));
    let be = write(dir.path(), "u16be.cer", &utf16be(&pem));
    let csr = write(
        dir.path(),
        "u16.csr",
        &utf16le(&fs::read(pki("good.csr")).unwrap(), true),
    );
    let (report, code) = json(audit().arg(&le).arg(&be).arg(&csr));
    assert_eq!(code, 0, "{report:#?}");
    for (i, encoding) in [(0, "UTF-16LE"), (1, "UTF-16BE"), (2, "UTF-16LE")] {
        let input = &report.inputs[i];
        assert!(input.error.is_none(), "{input:#?}");
        assert!(
            input.notes[0].contains(&format!(
                "the file is {encoding} text with a byte-order mark"
            )),
            "{:?}",
            input.notes
        );
        // PowerShell 5.1 writes little-endian: the big-endian note does not say it does.
        assert_eq!(
            input.notes[0].contains("(as Windows PowerShell 5.1's > and Out-File write it)"),
            encoding == "UTF-16LE",
            "{:?}",
            input.notes
        );
    }
    // The human report says it too.
    audit()
        .arg(&le)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "note       the file is UTF-16LE text with a byte-order mark (as Windows PowerShell 5.1's > and Out-File write it)",
        ));

    // UTF-16 without its byte-order mark: one line naming the file and the problem.
    let bare = write(dir.path(), "bare.cer", &utf16le(&pem, false));
    let out = audit().arg(&bare).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    no_panic(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("bare.cer") && stdout.contains("UTF-16 text without a byte-order mark"),
        "{stdout}"
    );

    // A key and a trust store saved the same way work too, and so does a topology file in
    // UTF-16 or in UTF-8 with a byte-order mark.
    let key = write(
        dir.path(),
        "leaf.key",
        &utf16le(&fs::read(pki("keys/leaf.key")).unwrap(), true),
    );
    let roots = write(
        dir.path(),
        "roots.pem",
        &utf16le(&fs::read(pki("public-root.pem")).unwrap(), true),
    );
    let topology_text = fs::read(contoso()).unwrap();
    let topo16 = write(dir.path(), "edge16.toml", &utf16le(&topology_text, true));
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(&topology_text);
    let topo8 = write(dir.path(), "edge8.toml", &bom);
    for topology in [&topo16, &topo8] {
        picert()
            .args(["bundle", "--cert"])
            .arg(&le)
            .arg("--key")
            .arg(&key)
            .arg("--trust-store")
            .arg(&roots)
            .args(["--at", "2026-06-01", "--topology"])
            .arg(topology)
            .arg("-o")
            .arg(dir.path().join(format!(
                "{}.pfx",
                topology.file_stem().unwrap().to_string_lossy()
            )))
            .env("PICERT_PFX_PASSWORD", "pw")
            .assert()
            .success()
            .stdout(predicate::str::contains("friendly name \"Edge external\""));
    }
}

#[test]
fn base64_without_armour_is_read_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let pem = fs::read_to_string(pki("no-client-eku.pem")).unwrap();
    let start = pem.find("-----BEGIN CERTIFICATE-----").unwrap();
    let body: String = pem[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    let file = write(dir.path(), "portal.txt", body.as_bytes());
    let (report, _) = json(audit().arg(&file).arg("--no-aol"));
    let input = &report.inputs[0];
    assert_eq!(
        input
            .subject
            .as_deref()
            .map(|s| s.ends_with("CN=sip.contoso.com")),
        Some(true)
    );
    assert!(
        input
            .notes
            .iter()
            .any(|n| n.contains("base64 without its PEM armour")),
        "{:?}",
        input.notes
    );
    // Base64 of something else stays "not a certificate".
    let other = write(
        dir.path(),
        "words.txt",
        b"SGVsbG8sIHRoaXMgaXMgbm90IGEgY2VydGlmaWNhdGUu\n",
    );
    let (report, code) = json(audit().arg(&other));
    assert_eq!(code, 2);
    assert!(report.inputs[0].error.is_some());
}

#[test]
fn the_windows_release_decides_the_pkcs12_form() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = |out: &str, extra: &[&str]| {
        let mut c = picert();
        c.args(["bundle", "--cert"])
            .arg(pki("good.pem"))
            .arg("--key")
            .arg(pki("keys/leaf.key"))
            .arg("--trust-store")
            .arg(pki("public-root.pem"))
            .args(["--at", "2026-06-01", "--topology"])
            .arg(contoso())
            .arg("-o")
            .arg(dir.path().join(out))
            .args(["--format", "json"])
            .args(extra)
            .env("PICERT_PFX_PASSWORD", "pw");
        let out = c.output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (
            v,
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code(),
        )
    };
    // At the edge of the table: 2016 imports only 3DES, 2019 AES-256.
    for (windows, want) in [
        ("2016", "3des-sha1"),
        ("2019", "aes256-sha256"),
        ("2025", "aes256-sha256"),
    ] {
        let (v, stderr, code) = bundle(&format!("w{windows}.pfx"), &["--windows", windows]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(v["encryption"], want, "{windows}");
        assert!(v.get("notes").is_none(), "{windows}: nothing to say");
    }
    // A product alone: Subscription Edition runs on 2019 and later, SfB 2015 not always.
    let (v, _, _) = bundle("se.pfx", &["--product", "sfbse"]);
    assert_eq!(v["encryption"], "aes256-sha256");
    let (v, _, _) = bundle("sfb2015.pfx", &["--product", "sfb2015"]);
    assert_eq!(v["encryption"], "3des-sha1");
    assert!(v["notes"][0].as_str().unwrap().contains(
        "Skype for Business Server 2015 runs on Windows Server releases older than 2019"
    ));
    // --modern for a release that cannot import it: done, with a warning, which JSON carries
    // (standard error has errors only).
    let (v, stderr, code) = bundle("forced.pfx", &["--windows", "2012r2", "--modern"]);
    assert_eq!(code, Some(0));
    assert_eq!(v["encryption"], "aes256-sha256");
    assert!(
        v["notes"][0].as_str().unwrap().contains("the PKCS#12 file uses AES-256 and a SHA-256 MAC, which Windows Server 2012 R2 cannot import"),
        "{v}"
    );
    assert_eq!(stderr, "");
    // --legacy and --modern together make no sense.
    let (_, stderr, code) = bundle("both.pfx", &["--legacy", "--modern"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    // A product on a release it does not run on is refused, naming what Microsoft lists.
    let (_, stderr, code) = bundle("bad.pfx", &["--windows", "2022", "--product", "sfb2015"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("Skype for Business Server 2015 does not run on Windows Server 2022: Microsoft lists Windows Server 2008 R2, Windows Server 2012, Windows Server 2012 R2, Windows Server 2016 and Windows Server 2019"),
        "{stderr}"
    );
    // One with a caveat goes ahead, with the caveat said (in the JSON's notes).
    let (v, stderr, code) = bundle("caveat.pfx", &["--windows", "2022", "--product", "sfb2019"]);
    assert_eq!(code, Some(0));
    assert!(v["notes"][0].as_str().unwrap().contains("Skype for Business Server 2019 on Windows Server 2022: Microsoft's Skype for Business Server 2019 requirements list Windows Server 2016 and 2019"), "{v}");
    assert_eq!(stderr, "");
}

#[test]
fn ecc_keys_and_the_product() {
    let dir = tempfile::tempdir().unwrap();
    let request = |extra: &[&str]| {
        picert()
            .current_dir(dir.path())
            .args([
                "request",
                "--access-edge",
                "sip.contoso.com",
                "--sip-domain",
                "contoso.com",
            ])
            .args(["--key-type", "ecdsa-p256", "--out-dir", "out"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = request(&["--product", "sfb2015"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Skype for Business Server 2015 does not support CNG certificates")
            && stderr.contains("--force goes ahead anyway")
            && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists(), "nothing written");
    let out = request(&["--product", "sfb2015", "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("goes ahead only because it was forced"));
    let out = request(&["--product", "sfb2019", "--force"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: ecdsa-p256 is an ECC key, which Windows keeps as a CNG key: Skype for Business Server 2019 takes CNG certificates"));
    // The audit agrees with the request: for SfB 2015 an ECC certificate cannot work, an error
    // (exit 1) said once, by lync.key.product_support; lync.key.algorithm defers to it.
    let audit = |product: &str| {
        json(
            picert()
                .args(["audit", "--product", product, "--trust-store"])
                .arg(pki("public-root.pem"))
                .args(["--at", "2026-06-01"])
                .arg(pki("ecc.pem")),
        )
    };
    let (report, code) = audit("sfb2015");
    assert_eq!(code, 1, "an error at the default --fail-on");
    let (status, detail) = status_of(&report, 0, "lync.key.product_support");
    assert_eq!(status, Status::Finding);
    assert!(
        detail.contains(
            "Skype for Business Server 2015 (the topology's product) does not support CNG"
        ) && detail.contains("will not work on its Edge"),
        "{detail}"
    );
    let (status, detail) = status_of(&report, 0, "lync.key.algorithm");
    assert_eq!(status, Status::Na, "{detail}");
    assert!(detail.contains("lync.key.product_support"), "{detail}");
    // SfB 2019 takes CNG certificates: the advice stays a warning, and the audit passes.
    let (report, code) = audit("sfb2019");
    assert_eq!(code, 0);
    assert_eq!(
        status_of(&report, 0, "lync.key.product_support").0,
        Status::Pass
    );
    assert_eq!(
        status_of(&report, 0, "lync.key.algorithm").0,
        Status::Finding
    );
}

#[test]
fn slips_are_said() {
    let dir = tempfile::tempdir().unwrap();
    let out = picert()
        .current_dir(dir.path())
        .args([
            "request",
            "--access-edge",
            "sip.tailspintoys.com.",
            "--webconf",
            "SIP.tailspintoys.com",
            "--sip-domain",
            "sip.tailspintoys.com",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "the names are legal");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["san"],
        serde_json::json!(["sip.tailspintoys.com", "sip.sip.tailspintoys.com"])
    );
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n
                .starts_with("'sip.tailspintoys.com.' (--access-edge) ends with the root's dot")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("the SIP domain sip.tailspintoys.com (--sip-domain) gives the SAN sip.sip.tailspintoys.com: if the SIP domain is tailspintoys.com, give that")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("Web Conferencing Edge name is the Access Edge name (sip.tailspintoys.com): one SAN carries both")), "{notes:?}");

    // The audit says the same about its topology, on stderr and in the JSON notes.
    let topology = write(
        dir.path(),
        "edge.toml",
        b"access_edge = 'sip.contoso.com.'\nwebconf_edge = 'webcon.contoso.com'\nsip_domains = ['contoso.com', 'sip.fabrikam.com']\n",
    );
    let out = picert()
        .args(["audit", "--trust-store"])
        .arg(pki("public-root.pem"))
        .args(["--at", "2026-06-01", "--topology"])
        .arg(&topology)
        .arg(pki("no-client-eku.pem"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("picert: note: 'sip.contoso.com.' (")
            && stderr.contains("edge.toml:1) ends with the root's dot"),
        "{stderr}"
    );
    assert!(
        stderr.contains("picert: warning: the SIP domain sip.fabrikam.com (")
            && stderr.contains("edge.toml:3) gives the SAN sip.sip.fabrikam.com"),
        "{stderr}"
    );
    let (report, _) = json(
        picert()
            .args(["audit", "--trust-store"])
            .arg(pki("public-root.pem"))
            .args(["--at", "2026-06-01", "--topology"])
            .arg(&topology)
            .arg(pki("no-client-eku.pem")),
    );
    assert_eq!(report.notes.len(), 2, "{:?}", report.notes);

    // A misspelt field names the one meant, with the file and line.
    let typo = write(
        dir.path(),
        "typo.toml",
        b"access_edge = 'sip.contoso.com'\nsip_domain = ['contoso.com']\n",
    );
    picert()
        .args(["request", "--topology"])
        .arg(&typo)
        .assert()
        .code(2)
        .stderr(predicate::str::ends_with(
            "typo.toml: line 2: unknown field `sip_domain`: did you mean `sip_domains`?\n",
        ));
}

#[test]
fn an_expired_certificate_is_one_error_with_its_chain() {
    // No --at: the current time, long after expired.pem's end (2025-06-30).
    let (report, code) = json(
        picert()
            .args(["audit", "--no-aol", "--trust-store"])
            .arg(pki("public-root.pem"))
            .arg("--topology")
            .arg(contoso())
            .arg(pki("expired.pem")),
    );
    assert_eq!(code, 1);
    let input = &report.inputs[0];
    let errors: Vec<&str> = input
        .results
        .as_ref()
        .unwrap()
        .iter()
        .filter(|r| r.status == Status::Finding)
        .map(|r| r.rule.as_ref())
        .collect();
    assert_eq!(errors, ["validity.current"], "one cause, one error");
    assert!(input.chain.is_some(), "the chain is reported");
    let (status, detail) = status_of(&report, 0, "pic.issuer.public_ca");
    assert_eq!(status, Status::Pass);
    assert!(
        detail.contains("checked as of 2025-06-30T00:00:00Z, its last moment of validity"),
        "{detail}"
    );
    let (_, detail) = status_of(&report, 0, "validity.current");
    assert!(
        detail.contains("days before the audit time: since then")
            && detail.contains("renew it now"),
        "{detail}"
    );
    // A certificate not yet valid: the same, the other way.
    let (report, _) = json(
        picert()
            .args(["audit", "--no-aol", "--trust-store"])
            .arg(pki("public-root.pem"))
            .args(["--at", "2026-01-01"])
            .arg(pki("not-yet-valid.pem")),
    );
    let (status, detail) = status_of(&report, 0, "pic.issuer.public_ca");
    assert_eq!(status, Status::Pass, "{detail}");
    assert!(detail.contains("its first moment of validity"), "{detail}");
}

/// The deployment script: every step present, the thumbprint, no password, the roll, and the
/// whole text against a golden file (tests/cli/golden/deploy.ps1; PICERT_BLESS=1 rewrites it). It
/// is not run here: there is no Windows on this machine.
#[test]
fn the_deployment_script() {
    let dir = tempfile::tempdir().unwrap();
    // The fields go before the [subject] table.
    let topology = format!(
        "windows = \"2019\"\nproduct = \"sfb2019\"\nedge_servers = [\"edge1.perimeter.contoso.com\", \"edge2.perimeter.contoso.com\"]\n{}",
        fs::read_to_string(contoso()).unwrap()
    );
    let topology = write(dir.path(), "edge.toml", topology.as_bytes());
    let run = |script: &str, force: bool| {
        let mut c = picert();
        c.args(["bundle", "--cert"])
            .arg(pki("good.pem"))
            .arg("--key")
            .arg(pki("keys/leaf.key"))
            .arg("--trust-store")
            .arg(pki("public-root.pem"))
            .args(["--at", "2026-06-01", "--topology"])
            .arg(&topology)
            .arg("-o")
            .arg(dir.path().join("edge.pfx"))
            .arg("--deploy-script")
            .arg(dir.path().join(script))
            .env("PICERT_PFX_PASSWORD", "pfx secret");
        if force {
            c.arg("--force");
        }
        c.assert()
    };
    let before = picert_core::Timestamp::now().date();
    run("deploy.ps1", false)
        .success()
        .stdout(predicate::str::contains(
            "(PowerShell: import and assign on edge1.perimeter.contoso.com, edge2.perimeter.contoso.com)",
        ))
        .stderr(predicate::str::contains("Next: read "));
    let after = picert_core::Timestamp::now().date();
    let bytes = fs::read(dir.path().join("deploy.ps1")).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    // The header has the day the script was written, not the --at date of the audit.
    const WRITTEN: &str = "\n# Written by picert on ";
    let at = text
        .find(WRITTEN)
        .expect("the header says when it was written")
        + WRITTEN.len();
    let written = &text[at..at + 10];
    assert!(
        written == before || written == after,
        "written on {written}, today is {after}"
    );
    assert_ne!(written, "2026-06-01", "not the --at date");
    assert!(
        text.starts_with('\u{feff}'),
        "UTF-8 with a byte-order mark, for PowerShell 5.1"
    );
    assert!(
        text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'),
        "CRLF"
    );
    for step in [
        "Import-PfxCertificate -FilePath $file -CertStoreLocation Cert:\\LocalMachine\\My -Password $Password",
        "Read-Host -AsSecureString",
        "$Thumbprint = 'A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E'",
        "Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal -Thumbprint $Thumbprint",
        "Set-CsCertificate -Type AudioVideoAuthentication -Thumbprint $Thumbprint -Roll -EffectiveDate $EffectiveDate",
        "Get-CsCertificate",
        "@('edge1.perimeter.contoso.com', 'edge2.perimeter.contoso.com')",
        "(Join-Path $PSScriptRoot 'edge.pfx')",
    ] {
        assert!(text.contains(step), "missing {step}");
    }
    assert!(
        !text.contains("pfx secret"),
        "the password is never in the script"
    );
    // Both files exist now: refused without --force, before anything is asked.
    run("deploy.ps1", false)
        .code(2)
        .stderr(predicate::str::contains("already exists"));

    // The golden file has YYYY-MM-DD for the day it is written.
    let bytes = format!("{}YYYY-MM-DD{}", &text[..at], &text[at + 10..]).into_bytes();
    let golden = root().join("crates/cli/tests/cli/golden/deploy.ps1");
    if std::env::var_os("PICERT_BLESS").is_some() {
        fs::create_dir_all(golden.parent().unwrap()).unwrap();
        fs::write(&golden, &bytes).unwrap();
    }
    let want = fs::read(&golden).expect("the golden file (PICERT_BLESS=1 writes it)");
    assert!(
        want == bytes,
        "deploy.ps1 differs from {}: review the change, then PICERT_BLESS=1",
        golden.display()
    );
}

#[test]
fn xml_topologies_saved_as_utf16_are_read_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["multi-utf16le.tbxml", "multi-published-utf16le.xml"] {
        let path = root().join("fixtures/topology").join(file);
        let out = picert()
            .args(["request", "--topology"])
            .arg(&path)
            .args(["--edge-pool", "edgepool-red.contoso.com", "--out-dir"])
            .arg(dir.path().join(file))
            .output()
            .unwrap();
        no_panic(&out.stderr);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "{}: the file is UTF-16LE text with a byte-order mark",
                path.display()
            )),
            "{stderr}"
        );
        let f = crate::common::read_csr(&dir.path().join(file).join("sip.contoso.com.csr"));
        assert_eq!(
            f.dns_sans,
            ["sip.contoso.com", "webconf.contoso.com", "sip.fabrikam.com"]
        );
    }
}

#[test]
fn a_toml_topology_names_the_xml_and_keeps_its_settings() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        root().join("fixtures/topology/multi-utf16le.tbxml"),
        dir.path().join("topology.tbxml"),
    )
    .unwrap();
    // Saved by PowerShell too: UTF-16LE with a byte-order mark, CRLF.
    let toml = "topology_xml = \"topology.tbxml\"\r\nedge_pool = \"edgepool-dub.contoso.com\"\r\nkey_type = \"rsa3072\"\r\n\r\n[subject]\r\norganization = \"Contoso\"\r\nlocality = \"Dublin\"\r\ncountry = \"IE\"\r\n";
    fs::write(dir.path().join("edge.toml"), utf16le(toml.as_bytes(), true)).unwrap();
    let out = picert()
        .current_dir(dir.path())
        .args(["request", "--topology", "edge.toml", "--out-dir", "out"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let f = crate::common::read_csr(&dir.path().join("out/sip-eu.contoso.com.csr"));
    assert_eq!(
        f.subject,
        "C=IE, L=Dublin, O=Contoso, CN=sip-eu.contoso.com"
    );
    assert_eq!(
        f.dns_sans,
        [
            "sip-eu.contoso.com",
            "webconf-eu.contoso.com",
            "sip.contoso.com",
            "sip.fabrikam.com"
        ]
    );
    assert_eq!(f.key, picert_verify::facts::KeyFacts::Rsa { bits: 3072 });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("edge.toml: the file is UTF-16LE"),
        "{stderr}"
    );
    assert!(
        stderr.contains("topology.tbxml: the file is UTF-16LE"),
        "{stderr}"
    );
}

/// The servers of the Edge pool an XML topology names go into the deployment script.
#[test]
fn the_deployment_script_takes_the_pool_servers_from_the_xml() {
    let dir = tempfile::tempdir().unwrap();
    picert()
        .args(["bundle", "--cert"])
        .arg(pki("good.pem"))
        .arg("--key")
        .arg(pki("keys/leaf.key"))
        .arg("--trust-store")
        .arg(pki("public-root.pem"))
        .args(["--at", "2026-06-01", "--topology"])
        .arg(root().join("fixtures/topology/multi.tbxml"))
        .args(["--edge-pool", "edgepool-red.contoso.com"])
        .args(["--webconf", "webcon.contoso.com", "--aol"])
        .arg("-o")
        .arg(dir.path().join("edge.pfx"))
        .arg("--deploy-script")
        .arg(dir.path().join("deploy.ps1"))
        .env("PICERT_PFX_PASSWORD", "pfx secret")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(PowerShell: import and assign on edge-red1.contoso.com, edge-red2.contoso.com)",
        ));
    let script = fs::read_to_string(dir.path().join("deploy.ps1")).unwrap();
    assert!(
        script.contains("@('edge-red1.contoso.com', 'edge-red2.contoso.com')"),
        "{script}"
    );
}
