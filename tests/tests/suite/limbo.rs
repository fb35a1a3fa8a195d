//! x509-limbo harness: every test case of `x509-limbo/limbo.json` through picert's chain check
//! (`picert_verify::chain::check_chain`, the check behind `pic.issuer.public_ca`) and, where the
//! case names a peer, `chain::matches_name`. Results are written in the harness format to
//! `target/limbo-results.json`; counts and every disagreement class are in
//! docs/peer-agreement.md.
//!
//! Run: PICERT_PEER_CORPUS=../shared/peer cargo test -p picert-tests --test limbo -- --ignored --nocapture

use std::collections::BTreeMap;
use std::path::PathBuf;

use picert_verify::chain::{check_chain, matches_name, ChainVerdict, TrustStore};
use picert_verify::input::read_contents;
use serde::Deserialize;

#[derive(Deserialize)]
struct Limbo {
    testcases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    #[serde(default)]
    features: Vec<String>,
    validation_kind: String,
    trusted_certs: Vec<String>,
    untrusted_intermediates: Vec<String>,
    peer_certificate: String,
    validation_time: Option<String>,
    #[serde(default)]
    extended_key_usage: Vec<String>,
    expected_result: String,
    expected_peer_name: Option<PeerName>,
    max_chain_depth: Option<u32>,
    #[serde(default)]
    crls: Vec<String>,
}

#[derive(Deserialize)]
struct PeerName {
    value: String,
}

fn corpus() -> PathBuf {
    let dir = std::env::var_os("PICERT_PEER_CORPUS")
        .expect("PICERT_PEER_CORPUS is not set: point it at the peer corpus folder");
    let given = PathBuf::from(dir);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    if given.is_relative() && !given.join("x509-limbo").is_dir() {
        root.join(given)
    } else {
        given
    }
}

fn ders(pems: &[String]) -> Vec<rustls_pki_types::CertificateDer<'static>> {
    pems.iter()
        .flat_map(|p| {
            read_contents(p.as_bytes())
                .map(|c| c.certificates)
                .unwrap_or_default()
        })
        .collect()
}

/// Why picert does not judge a case (its chain check does not cover the feature).
fn skip_reason(case: &Case) -> Option<&'static str> {
    if case.validation_kind != "SERVER" {
        return Some("client validation: picert checks server certificates");
    }
    if !case.crls.is_empty() {
        return Some("revocation: picert's chain check reads no CRL");
    }
    if case.max_chain_depth.is_some() {
        return Some("a caller-set maximum chain depth: picert sets none");
    }
    None
}

/// Disagreement classes, each explained in docs/peer-agreement.md. A case is in a class when
/// its ID starts with one of the prefixes listed.
const EXPLAINED: &[(&str, &[&str])] = &[
    (
        "CN versus SAN: the subject CN is judged by pic.subject.cn_present and pic.san.subject_replicated, not by the chain check",
        &["webpki::cn::"],
    ),
    (
        "subscriber key: judged by lync.key.rsa_strength and lync.key.algorithm, not by the chain check",
        &[
            "webpki::forbidden-p192-leaf",
            "webpki::forbidden-dsa-leaf",
            "webpki::forbidden-weak-rsa-in-leaf",
            "webpki::forbidden-rsa-key-not-divisible-by-8-in-leaf",
        ],
    ),
    (
        "EKU shape: rustls-webpki accepts a leaf without EKU, a critical EKU, anyEKU beside serverAuth and a root with an EKU; pic.eku.server_auth requires serverAuth in the leaf",
        &["webpki::eku::"],
    ),
    (
        "RFC 5280 structure rustls-webpki does not enforce: AKI/SKI presence and criticality, serial number form, empty subjects, root basicConstraints and extensions, leaf keyCertSign, AIA syntax, an expired or odd trust anchor (anchors are taken as given), policy constraints",
        &[
            "rfc5280::aki::",
            "rfc5280::ski::",
            "rfc5280::serial::",
            "rfc5280::ca-empty-subject",
            "rfc5280::san::noncritical-with-empty-subject",
            "rfc5280::root-",
            "rfc5280::unknown-critical-extension-root",
            "rfc5280::leaf-ku-keycertsign",
            "rfc5280::validity::expired-root",
            "rfc5280::pc::",
            "webpki::aki::",
            "webpki::san::san-critical-with-nonempty-subject",
            "webpki::malformed-aia",
            "webpki::forbidden-rsa-not-divisible-by-8-in-root",
        ],
    ),
    (
        "name constraints: rustls-webpki supports no directoryName constraints, accepts empty or null subtrees, and ignores criticality",
        &["rfc5280::nc::", "webpki::nc::"],
    ),
    (
        "a CA certificate as the leaf: refused, an Edge certificate is never a CA (picert is stricter)",
        &["pathlen::validation-ignores-pathlen-in-leaf", "rfc5280::ca-as-leaf"],
    ),
    (
        "self-issued intermediates (CA key rollover): rustls-webpki does not build such paths (picert is stricter)",
        &["pathlen::self-issued-certs-pathlen"],
    ),
    (
        "DNS name syntax in SANs: rustls-webpki accepts underscores and wildcards under public suffixes; lync.name.no_wildcard flags every wildcard",
        &["rfc5280::san::underscore-dns", "webpki::san::public-suffix"],
    ),
];

#[test]
#[ignore = "needs the peer corpus: PICERT_PEER_CORPUS=... cargo test --test limbo -- --ignored"]
fn limbo_cases_agree_or_are_explained() {
    let path = corpus().join("x509-limbo/limbo.json");
    let limbo: Limbo = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut results = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for case in &limbo.testcases {
        if let Some(reason) = skip_reason(case) {
            *skipped.entry(reason).or_default() += 1;
            results.push(
                serde_json::json!({"id": case.id, "actual_result": "SKIPPED", "context": reason}),
            );
            continue;
        }
        let trusted = ders(&case.trusted_certs);
        let intermediates = ders(&case.untrusted_intermediates);
        let peer = ders(std::slice::from_ref(&case.peer_certificate));
        let at = case
            .validation_time
            .as_deref()
            .and_then(|t| picert_core::Timestamp::parse(t).ok())
            .unwrap_or_else(picert_core::Timestamp::now);
        let (actual, context) = match (
            TrustStore::from_certificates("limbo", &trusted),
            peer.first(),
        ) {
            (Err(e), _) => ("FAILURE", format!("trust store: {e}")),
            (_, None) => ("FAILURE", "peer certificate unreadable".to_string()),
            (Ok(store), Some(leaf)) => match check_chain(leaf, &intermediates, &store, at) {
                ChainVerdict::Untrusted(why) => ("FAILURE", why),
                ChainVerdict::Trusted(_) => match &case.expected_peer_name {
                    Some(name) => match matches_name(leaf, &name.value) {
                        Ok(()) => ("SUCCESS", String::new()),
                        Err(why) => ("FAILURE", why.to_string()),
                    },
                    None => ("SUCCESS", String::new()),
                },
            },
        };
        let agree = actual == case.expected_result;
        *counts
            .entry(if agree { "agree" } else { "disagree" })
            .or_default() += 1;
        if !agree {
            disagreements.push((
                case.id.clone(),
                case.expected_result.clone(),
                context.clone(),
                case.features.clone(),
                case.extended_key_usage.clone(),
            ));
        }
        results
            .push(serde_json::json!({"id": case.id, "actual_result": actual, "context": context}));
    }
    let out = serde_json::json!({"version": 1, "harness": "picert", "results": results});
    // Beside the build (CARGO_TARGET_DIR when set), created when missing.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("limbo-results.json");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, serde_json::to_string_pretty(&out).unwrap()).unwrap();
    println!(
        "[limbo] {} cases: {counts:?}; skipped {skipped:?}",
        limbo.testcases.len()
    );
    let mut unexplained = Vec::new();
    let mut per_class: BTreeMap<&str, usize> = BTreeMap::new();
    for (id, expected, context, features, eku) in &disagreements {
        let class = EXPLAINED
            .iter()
            .find(|(_, prefixes)| prefixes.iter().any(|p| id.starts_with(p)))
            .map(|(c, _)| *c);
        println!("[limbo] disagree {id}: expected {expected}; picert: {context} features={features:?} eku={eku:?}");
        match class {
            Some(c) => *per_class.entry(c).or_default() += 1,
            None => unexplained.push(id.clone()),
        }
    }
    for (class, n) in &per_class {
        println!("[limbo] class {n:>3}: {class}");
    }
    println!("[limbo] results written to {}", target.display());
    assert!(
        unexplained.is_empty(),
        "unexplained disagreements: {unexplained:?}"
    );
}
