//! Parsing and auditing one certificate: rules only, chain only, both; chain building from a
//! shuffled bundle; and the bare RSA-2048 signature check the chain cannot avoid, as the
//! yardstick for audit throughput.

use criterion::{criterion_group, criterion_main, Criterion};
use picert_core::Timestamp;
use picert_verify::chain::{check_chain, TrustStore};
use picert_verify::input::read_contents;
use picert_verify::{facts, Auditor};

const AT: Timestamp = Timestamp::from_date(2026, 6, 1);

fn benches(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let pki = root.join("fixtures/pki");
    let good = std::fs::read(pki.join("good.pem")).unwrap();
    let certs = read_contents(&good).unwrap().certificates;
    let roots = read_contents(&std::fs::read(pki.join("public-root.pem")).unwrap())
        .unwrap()
        .certificates;
    let store = TrustStore::from_certificates("roots", &roots).unwrap();
    let topology = picert_core::Topology::load(&root.join("fixtures/contoso.toml")).unwrap();
    let auditor = Auditor::new()
        .trust(store.clone())
        .expectations(Some(topology.expectations().unwrap()))
        .at(AT);

    c.bench_function("parse_pem_bundle", |b| {
        b.iter(|| read_contents(&good).unwrap())
    });
    // The same chain as a DER PKCS#7 bundle, as Windows CAs answer.
    let p7b = std::fs::read(pki.join("good.p7b")).unwrap();
    c.bench_function("parse_p7b_bundle", |b| {
        b.iter(|| read_contents(&p7b).unwrap())
    });
    c.bench_function("rules_only", |b| {
        b.iter(|| {
            let f = facts::certificate_facts(&certs[0]).unwrap();
            auditor.run_rules("good.pem", &f, None)
        })
    });
    c.bench_function("chain_only_uncached", |b| {
        b.iter(|| check_chain(&certs[0], &certs[1..], &store, AT))
    });
    // The auditor remembers the issuing CA it validated: later leaves are checked against it.
    c.bench_function("audit_certificates_cached_issuer", |b| {
        b.iter(|| auditor.audit_certificates("good.pem", &certs))
    });
    c.bench_function("audit_bytes_both", |b| {
        b.iter(|| auditor.audit_bytes("good.pem", &good))
    });
    c.bench_function("audit_bytes_json", |b| {
        b.iter(|| serde_json::to_string(&auditor.audit_bytes("good.pem", &good)).unwrap())
    });
    // One report in JSON, as `picert audit --format json` writes each input: serde against the
    // hand-written writer it replaced (docs/performance.md).
    let report = auditor.audit_bytes("good.pem", &good).remove(0);
    c.bench_function("report_json_serde", |b| {
        b.iter(|| serde_json::to_string(&report).unwrap())
    });
    c.bench_function("report_json_writer", |b| {
        b.iter(|| {
            let mut out = String::new();
            report.write_json(&mut out);
            out
        })
    });

    // Chain building from a shuffled bundle: the intermediate first, plus unrelated CAs.
    let private = read_contents(&std::fs::read(pki.join("private-root.pem")).unwrap())
        .unwrap()
        .certificates;
    let shuffled = [
        certs[1].clone(),
        private[0].clone(),
        roots[0].clone(),
        certs[0].clone(),
    ];
    c.bench_function("chain_from_shuffled_bundle", |b| {
        b.iter(|| auditor.audit_certificates("bundle", &shuffled))
    });

    // The yardstick: one bare RSA-2048 PKCS#1 v1.5 SHA-256 verification with aws-lc-rs.
    let key_pem = std::fs::read(pki.join("keys/public-issuing.key")).unwrap();
    let key = picert_core::PrivateKey::from_bytes(&key_pem, None).unwrap();
    let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(key.pkcs8_der()).unwrap();
    let message = b"picert benchmark message";
    let mut sig = vec![0; pair.public_modulus_len()];
    pair.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        message,
        &mut sig,
    )
    .unwrap();
    let public = aws_lc_rs::signature::KeyPair::public_key(&pair)
        .as_ref()
        .to_vec();
    let verifier = aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        public,
    );
    c.bench_function("bare_rsa2048_verify", |b| {
        b.iter(|| verifier.verify(message, &sig).unwrap())
    });
    // The same check with the public key parsed once (its Montgomery constants computed once).
    let parsed = verifier.parse().unwrap();
    c.bench_function("parsed_rsa2048_verify", |b| {
        b.iter(|| parsed.verify_sig(message, &sig).unwrap())
    });
}

criterion_group!(audit, benches);
criterion_main!(audit);
