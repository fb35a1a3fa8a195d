//! Round trips: every request picert builds verifies in OpenSSL, parses in x509-parser with
//! exactly the fields asked for, and audits clean; and request -> OpenSSL test CA -> audit.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use picert_core::{
    build_request, EdgeProfile, HashAlg, KeyType, PrivateKey, SubjectFields, Topology,
};
use picert_verify::{Auditor, Severity, Status};
use proptest::prelude::*;
use x509_parser::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn openssl(args: &[&str], input: &[u8]) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("openssl must be installed for the interoperability tests");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// What a request must show, field by field, read back with x509-parser alone.
fn check_request(profile: &EdgeProfile, der: &[u8]) {
    let (rest, csr) =
        X509CertificationRequest::from_der(der).expect("x509-parser reads the request");
    assert!(rest.is_empty());
    let info = &csr.certification_request_info;
    let cns: Vec<&str> = info
        .subject
        .iter_common_name()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(cns, [profile.access_edge.as_str()]);
    let mut sans = Vec::new();
    let mut eku = None;
    let mut ku = None;
    for ext in csr.requested_extensions().into_iter().flatten() {
        match ext {
            ParsedExtension::SubjectAlternativeName(san) => {
                for gn in &san.general_names {
                    if let GeneralName::DNSName(d) = gn {
                        sans.push(d.to_string());
                    }
                }
            }
            ParsedExtension::ExtendedKeyUsage(e) => {
                eku = Some((e.server_auth, e.client_auth, e.other.len()))
            }
            ParsedExtension::KeyUsage(k) => {
                ku = Some((k.digital_signature(), k.key_encipherment()))
            }
            _ => {}
        }
    }
    let plan: Vec<String> = profile
        .san_plan()
        .names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(sans, plan, "SAN order");
    assert_eq!(eku, Some((true, profile.client_eku, 0)));
    assert_eq!(ku, Some((true, profile.key_type.is_rsa())));
    let sig = csr.signature_algorithm.algorithm.to_id_string();
    let want_sig = match (profile.key_type.is_rsa(), profile.hash) {
        (true, HashAlg::Sha256) => "1.2.840.113549.1.1.11",
        (true, HashAlg::Sha384) => "1.2.840.113549.1.1.12",
        (true, HashAlg::Sha512) => "1.2.840.113549.1.1.13",
        (false, HashAlg::Sha256) => "1.2.840.10045.4.3.2",
        (false, _) => "1.2.840.10045.4.3.3",
    };
    assert_eq!(sig, want_sig);
    if let Ok(x509_parser::public_key::PublicKey::RSA(rsa)) = info.subject_pki.parsed() {
        let bits = (rsa.modulus.iter().skip_while(|b| **b == 0).count()) * 8;
        let want = match profile.key_type {
            KeyType::Rsa3072 => 3072,
            KeyType::Rsa4096 => 4096,
            _ => 2048,
        };
        assert_eq!(bits, want);
    }
    // The template attribute, found by walking the raw attribute bytes for its OID and name.
    let raw = der.windows(12).any(|w| {
        w == [
            0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0d, 0x02, 0x01,
        ]
    });
    assert_eq!(
        raw,
        profile.template.is_some(),
        "template attribute presence"
    );
    if let Some(t) = &profile.template {
        let bmp: Vec<u8> = t.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert!(
            der.windows(bmp.len()).any(|w| w == bmp.as_slice()),
            "template name in BMPString"
        );
    }
}

/// The expectations a profile stands for, as the audit takes them.
fn topology_of(profile: &EdgeProfile) -> Topology {
    Topology {
        access_edge: Some(profile.access_edge.clone()),
        webconf_edge: profile.webconf_edge.clone(),
        sip_domains: Some(profile.sip_domains.clone()),
        extra_sans: Some(profile.extra_sans.clone()),
        primary_sip_only: Some(profile.primary_sip_only),
        aol: Some(profile.aol),
        ..Topology::default()
    }
}

fn audit_is_clean(profile: &EdgeProfile, der: &[u8]) {
    let topology = topology_of(profile);
    let report = Auditor::new()
        .expectations(Some(topology.expectations().unwrap()))
        .audit_request("request", der);
    for r in report.results.unwrap() {
        let tolerated = r.rule == "lync.key.algorithm" && !profile.key_type.is_rsa()
            || r.rule == "csr.template" && profile.template.is_none();
        assert!(
            r.status != Status::Fatal && (r.status != Status::Finding || tolerated),
            "{}: {:?} {:?}",
            r.rule,
            r.status,
            r.detail
        );
    }
}

/// Python `cryptography` (a second, independent X.509 stack) reads the request, finds its
/// signature valid and sees the same SANs.
fn python_verifies(der: &[u8], sans: &[&str]) {
    use std::io::Write;
    const SCRIPT: &str = "import sys\n\
from cryptography import x509\n\
csr = x509.load_der_x509_csr(sys.stdin.buffer.read())\n\
print(csr.is_signature_valid)\n\
ext = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)\n\
print(','.join(ext.value.get_values_for_type(x509.DNSName)))\n";
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with cryptography must be installed (.ci/run installs it)");
    child.stdin.take().unwrap().write_all(der).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python cryptography: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text, format!("True\n{}\n", sans.join(",")));
}

fn openssl_verifies(der: &[u8]) {
    let (ok, out) = openssl(&["req", "-inform", "DER", "-noout", "-verify"], der);
    assert!(
        ok && out.contains("verify OK"),
        "openssl req -verify: {out}"
    );
}

#[test]
fn contoso_request_round_trips() {
    let topology = Topology::load(&root().join("fixtures/contoso.toml")).unwrap();
    let profile = EdgeProfile::from_topology(topology).unwrap();
    for key_type in KeyType::ALL {
        let mut p = profile.clone();
        p.key_type = key_type;
        p.hash = key_type.fixed_hash().unwrap_or(HashAlg::Sha384);
        let key = PrivateKey::generate(key_type).unwrap();
        let req = build_request(&p, &key).unwrap();
        check_request(&p, &req.csr_der);
        openssl_verifies(&req.csr_der);
        python_verifies(&req.csr_der, &p.san_plan().names());
        audit_is_clean(&p, &req.csr_der);
    }
}

#[test]
fn openssl_shows_the_requested_fields() {
    let topology = Topology::load(&root().join("fixtures/contoso.toml")).unwrap();
    let profile = EdgeProfile::from_topology(topology).unwrap();
    let key = shared_key();
    let req = build_request(&profile, key).unwrap();
    let (ok, text) = openssl(&["req", "-inform", "DER", "-noout", "-text"], &req.csr_der);
    assert!(ok);
    assert!(
        text.contains("Subject: C = US, ST = WA, L = Redmond, O = Contoso, CN = sip.contoso.com"),
        "{text}"
    );
    assert!(text.contains("DNS:sip.contoso.com, DNS:webcon.contoso.com, DNS:sip.fabrikam.com"));
    assert!(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"));
    assert!(text.contains("X509v3 Key Usage: critical"));
    assert!(text.contains("1.3.6.1.4.1.311.13.2.1"));
}

fn shared_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate(KeyType::Rsa2048).unwrap())
}

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,10}[a-z0-9]".prop_map(|s| s)
}

fn domain() -> impl Strategy<Value = String> {
    (
        label(),
        prop::sample::select(vec!["com", "net", "org", "example"]),
    )
        .prop_map(|(l, tld)| format!("{l}.{tld}"))
}

fn mixed_case(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_profiles_round_trip(
        domains in prop::collection::vec(domain(), 1..5),
        extras in prop::collection::vec(domain(), 0..4),
        dup_extra in any::<bool>(),
        case_mask in any::<u64>(),
        aol in any::<bool>(),
        primary_only in any::<bool>(),
        template in prop::option::of("[A-Za-z][A-Za-z0-9]{0,15}"),
        hash in prop::sample::select(vec![HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512]),
    ) {
        let primary = domains[0].clone();
        let mut extras: Vec<String> = extras.iter().map(|e| mixed_case(e, case_mask)).collect();
        if dup_extra {
            // A duplicate of a name the plan already has: it must appear once, at its first place.
            extras.push(mixed_case(&format!("sip.{primary}"), case_mask));
        }
        let topology = Topology {
            access_edge: Some(mixed_case(&format!("sip.{primary}"), case_mask)),
            webconf_edge: Some(format!("webcon.{primary}")),
            sip_domains: Some(domains.iter().map(|d| mixed_case(d, case_mask.rotate_left(7))).collect()),
            extra_sans: Some(extras),
            aol: Some(aol),
            primary_sip_only: Some(primary_only),
            template: Some(template.clone().unwrap_or_else(|| "none".into())),
            hash: Some(hash),
            subject: Some(SubjectFields { organization: Some("Example".into()), ..SubjectFields::default() }),
            ..Topology::default()
        };
        let profile = EdgeProfile::from_topology(topology).unwrap();
        let names = profile.san_plan();
        let names = names.names();
        let unique: std::collections::BTreeSet<&&str> = names.iter().collect();
        prop_assert_eq!(unique.len(), names.len(), "no duplicate SANs");
        prop_assert_eq!(names[0], format!("sip.{primary}"));
        prop_assert!(names.iter().all(|n| n.chars().all(|c| !c.is_ascii_uppercase())));
        let req = build_request(&profile, shared_key()).unwrap();
        check_request(&profile, &req.csr_der);
        openssl_verifies(&req.csr_der);
        python_verifies(&req.csr_der, &names);
        audit_is_clean(&profile, &req.csr_der);
        issued_certificate_audits_clean_in_any_order(&profile, &req.csr_der);
    }
}

/// The test CA signs the request as a public CA would (copying its extensions, adding a CRL
/// point and a validity under 200 days); the audit of the certificate finds no error, and
/// gives the same results whichever order the chain is given in.
fn issued_certificate_audits_clean_in_any_order(profile: &EdgeProfile, csr_der: &[u8]) {
    let pki = root().join("fixtures/pki");
    let read = |name: &str| {
        picert_verify::input::read_contents(&std::fs::read(pki.join(name)).unwrap())
            .unwrap()
            .certificates
    };
    let (int, root_cert) = (
        read("public-issuing.pem").remove(0),
        read("public-root.pem").remove(0),
    );
    let int_key = rcgen::KeyPair::from_pem(
        &std::fs::read_to_string(pki.join("keys/public-issuing.key")).unwrap(),
    )
    .unwrap();
    let issuer = rcgen::Issuer::from_ca_cert_der(&int, int_key).unwrap();
    let csr = rustls_pki_types::CertificateSigningRequestDer::from(csr_der.to_vec());
    let mut request = rcgen::CertificateSigningRequestParams::from_der(&csr).unwrap();
    request.params.not_before = rcgen::date_time_ymd(2026, 4, 1);
    request.params.not_after = rcgen::date_time_ymd(2026, 9, 30);
    request.params.serial_number = Some(rcgen::SerialNumber::from(4242u64));
    request.params.use_authority_key_identifier_extension = true;
    request.params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec!["http://crl.public-test-ca.example/issuing.crl".into()],
    }];
    let leaf = request.signed_by(&issuer).unwrap().der().clone();

    let topology = topology_of(profile);
    let auditor = Auditor::new()
        .trust(
            picert_verify::TrustStore::from_certificates("root", std::slice::from_ref(&root_cert))
                .unwrap(),
        )
        .expectations(Some(topology.expectations().unwrap()))
        .at(picert_core::Timestamp::from_date(2026, 6, 1));
    let orders = [
        vec![leaf.clone(), int.clone()],
        vec![int.clone(), leaf.clone()],
        vec![root_cert.clone(), int.clone(), leaf.clone()],
        vec![int.clone(), root_cert.clone(), leaf.clone()],
    ];
    let first = auditor.audit_certificates("issued", &orders[0]);
    for r in first.results.as_ref().unwrap() {
        assert!(
            r.status != Status::Fatal
                && !(r.status == Status::Finding && r.severity == Severity::Error),
            "{}: {:?}",
            r.rule,
            r.detail
        );
    }
    assert_eq!(
        first.dns_names,
        profile.san_plan().names(),
        "SAN order survives issuance"
    );
    for order in &orders[1..] {
        assert_eq!(
            auditor.audit_certificates("issued", order).results,
            first.results
        );
    }
}

fn picert_bin() -> PathBuf {
    match assert_cmd::cargo::cargo_bin("picert") {
        p if p.exists() => p,
        _ => {
            let status = Command::new(env!("CARGO"))
                .args(["build", "-q", "-p", "picert"])
                .status()
                .unwrap();
            assert!(status.success());
            assert_cmd::cargo::cargo_bin("picert")
        }
    }
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// picert request -> an OpenSSL CA signs it, copying the requested extensions -> picert audit
/// with the test root as the trust store: exit 0, no error finding.
#[test]
fn request_sign_with_openssl_then_audit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = root().join("fixtures/pki");
    run(Command::new(picert_bin())
        .args(["request", "--topology"])
        .arg(root().join("fixtures/contoso.toml"))
        .arg("--out-dir")
        .arg(d));
    let ext = d.join("ext.cnf");
    std::fs::write(&ext, "[leaf]\ncrlDistributionPoints = URI:http://crl.public-test-ca.example/issuing.crl\nauthorityKeyIdentifier = keyid\n").unwrap();
    run(Command::new("openssl")
        .args([
            "x509",
            "-req",
            "-days",
            "90",
            "-sha256",
            "-copy_extensions",
            "copy",
            "-extensions",
            "leaf",
            "-extfile",
        ])
        .arg(&ext)
        .arg("-in")
        .arg(d.join("sip.contoso.com.csr"))
        .arg("-CA")
        .arg(pki.join("public-issuing.pem"))
        .arg("-CAkey")
        .arg(pki.join("keys/public-issuing.key"))
        .args(["-set_serial", "4242", "-out"])
        .arg(d.join("issued.pem")));
    let mut bundle = std::fs::read(d.join("issued.pem")).unwrap();
    bundle.extend(std::fs::read(pki.join("public-issuing.pem")).unwrap());
    std::fs::write(d.join("bundle.pem"), bundle).unwrap();
    let out = Command::new(picert_bin())
        .args(["audit", "--format", "json", "--topology"])
        .arg(root().join("fixtures/contoso.toml"))
        .arg("--trust-store")
        .arg(pki.join("public-root.pem"))
        .arg(d.join("bundle.pem"))
        .output()
        .unwrap();
    let report: picert_verify::Report = serde_json::from_slice(&out.stdout).unwrap();
    let findings: Vec<_> = report.inputs[0]
        .results
        .as_ref()
        .unwrap()
        .iter()
        .filter(|r| r.status == Status::Finding)
        .map(|r| (r.rule.clone(), r.severity, r.detail.clone()))
        .collect();
    assert_eq!(out.status.code(), Some(0), "{findings:?}");
    assert!(
        findings.iter().all(|(_, s, _)| *s < Severity::Error),
        "{findings:?}"
    );
    // OpenSSL agrees that the chain is good for a TLS server.
    let (ok, text) = openssl_verify(&pki, &d.join("issued.pem"));
    assert!(ok, "{text}");
}

fn openssl_verify(pki: &Path, leaf: &Path) -> (bool, String) {
    let out = Command::new("openssl")
        .args(["verify", "-purpose", "sslserver", "-CAfile"])
        .arg(pki.join("public-root.pem"))
        .arg("-untrusted")
        .arg(pki.join("public-issuing.pem"))
        .arg(leaf)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// OpenSSL's `verify -purpose sslserver` and `pic.issuer.public_ca` agree on the fixtures
/// (at the fixtures' audit date, with the intermediate offered).
#[test]
fn openssl_verify_agrees_with_public_ca_rule_on_fixtures() {
    let pki = root().join("fixtures/pki");
    let roots =
        picert_verify::input::read_contents(&std::fs::read(pki.join("public-root.pem")).unwrap())
            .unwrap()
            .certificates;
    let int = picert_verify::input::read_contents(
        &std::fs::read(pki.join("public-issuing.pem")).unwrap(),
    )
    .unwrap()
    .certificates;
    let when = picert_core::Timestamp::from_date(2026, 6, 1);
    let auditor = Auditor::new()
        .trust(picert_verify::TrustStore::from_certificates("roots", &roots).unwrap())
        .extra_chain(int)
        .at(when);
    let mut disagreements = Vec::new();
    for entry in std::fs::read_dir(&pki).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".pem")
            || name.starts_with("public-")
            || name.starts_with("private-")
            || name.starts_with("issued-2027")
        {
            continue;
        }
        let report = auditor.audit_file(&path).remove(0);
        let status = |rule: &str| {
            report
                .results
                .as_ref()
                .unwrap()
                .iter()
                .find(|r| r.rule == rule)
                .unwrap()
                .status
        };
        // OpenSSL's verdict covers the leaf's own dates, which picert reports apart, in
        // validity.current (the chain of an out-of-date leaf is checked inside its validity).
        let ours = status("pic.issuer.public_ca") == Status::Pass
            && status("validity.current") != Status::Finding;
        let out = Command::new("openssl")
            .args([
                "verify",
                "-purpose",
                "sslserver",
                "-attime",
                &when.unix().to_string(),
                "-CAfile",
            ])
            .arg(pki.join("public-root.pem"))
            .arg("-untrusted")
            .arg(pki.join("public-issuing.pem"))
            .arg(&path)
            .output()
            .unwrap();
        let theirs = out.status.success();
        if ours != theirs {
            disagreements.push((
                name,
                ours,
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
    }
    // Known and explained: OpenSSL 3.0 at security level 1 still accepts SHA-1 and PSS chains
    // and 1024-bit leaf keys; picert's chain check (rustls-webpki) refuses SHA-1 and zero-salt PSS
    // signatures. The key size is lync.key.rsa_strength's business in both cases.
    let explained = ["sha1.pem", "pss.pem"];
    let unexplained: Vec<_> = disagreements
        .iter()
        .filter(|(n, _, _)| !explained.contains(&n.as_str()))
        .collect();
    assert!(unexplained.is_empty(), "{unexplained:?}");
}

/// The fixture chain (leaf, issuing CA) and the leaf's key, for the PKCS#12 round trips.
fn fixture_chain_and_key() -> (Vec<rustls_pki_types::CertificateDer<'static>>, PrivateKey) {
    let pki = root().join("fixtures/pki");
    let bundle = std::fs::read(pki.join("good.pem")).unwrap();
    let chain = picert_verify::input::read_contents(&bundle)
        .unwrap()
        .certificates;
    let key =
        PrivateKey::from_bytes(&std::fs::read(pki.join("keys/leaf.key")).unwrap(), None).unwrap();
    (chain, key)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Whatever the password and friendly name (any Basic Multilingual Plane text), the PKCS#12
    /// file picert writes opens in an independent reader (p12-keystore) with the same password,
    /// pairs the key with the leaf under the friendly name, and holds the chain in order; and
    /// picert's own reader finds the same certificates.
    #[test]
    fn pkcs12_files_round_trip(
        password in "[ -~\u{a0}-\u{d7ff}]{1,24}",
        name in "[ -~\u{a0}-\u{d7ff}]{1,32}",
        legacy in any::<bool>(),
    ) {
        use picert_core::pfx::{write_pfx, PfxContents, PfxEncryption};
        let (chain_der, key) = fixture_chain_and_key();
        let chain = &chain_der;
        let encryption = if legacy { PfxEncryption::Legacy } else { PfxEncryption::Modern };
        let pfx = write_pfx(
            &PfxContents { key_pkcs8: key.pkcs8_der(), chain, friendly_name: &name },
            &password,
            encryption,
        )
        .unwrap();
        let store = p12_keystore::KeyStore::from_pkcs12(
            &pfx,
            &password,
            p12_keystore::Pkcs12ImportPolicy::Strict,
        )
        .unwrap();
        let (alias, found) = store.private_key_chain().unwrap();
        prop_assert_eq!(alias, name.as_str());
        prop_assert_eq!(found.key().as_der(), key.pkcs8_der());
        let certs: Vec<Vec<u8>> = found.certs().iter().map(|c| c.as_der().to_vec()).collect();
        let chain: Vec<Vec<u8>> = chain.iter().map(|c| c.to_vec()).collect();
        prop_assert_eq!(&certs, &chain);
        // picert's reader takes the bags in no particular order; the audit builds the chain.
        let mut read = picert_verify::input::read_contents_with_password(&pfx, Some(&password))
            .unwrap()
            .certificates
            .iter()
            .map(|c| c.to_vec())
            .collect::<Vec<_>>();
        read.sort();
        let mut want = chain.clone();
        want.sort();
        prop_assert_eq!(read, want);
        // A wrong password is refused, not misread.
        let wrong = format!("{password}x");
        prop_assert!(picert_verify::input::read_contents_with_password(&pfx, Some(&wrong)).is_err());
    }
}
