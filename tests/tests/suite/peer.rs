//! picert measured against peer corpora it did not write: zlint's test certificates and lint
//! expectations, x509-limbo's real public-CA chains, certigo's test PKI, Windows requests and
//! pyca's template vectors.
//!
//! The corpora are not in the repository. Every test here is `#[ignore]` and reads them from the
//! folder named by `PICERT_PEER_CORPUS`:
//!
//! ```text
//! PICERT_PEER_CORPUS=/path/to/peer cargo test -p picert-tests --test peer -- --ignored --nocapture
//! ```
//!
//! The results are written up in `docs/peer-agreement.md`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use picert_verify::rules::{self, Needs};
use picert_verify::{
    Auditor, ChainVerdict, InputKind, InputReport, RuleResult, Status, TrustStore,
};
use x509_parser::prelude::*;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// The peer corpus folder, from `PICERT_PEER_CORPUS`; a clear failure when it is not set.
fn corpus() -> PathBuf {
    let Some(dir) = std::env::var_os("PICERT_PEER_CORPUS") else {
        panic!(
            "PICERT_PEER_CORPUS is not set: point it at the peer corpus folder (zlint/, x509-limbo/, \
             certigo/, windows-csr/, pyca/), for example \
             PICERT_PEER_CORPUS=/path/to/peer cargo test -p picert-tests --test peer -- --ignored"
        );
    };
    // A relative path is taken from the workspace root (cargo runs tests from tests/).
    let given = PathBuf::from(dir);
    let dir = if given.is_relative() && !given.join("zlint").is_dir() {
        repo_root().join(&given)
    } else {
        given
    };
    assert!(
        dir.join("zlint").is_dir(),
        "PICERT_PEER_CORPUS={} does not hold the peer corpus (no zlint/ folder)",
        dir.display()
    );
    dir
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files of a folder, sorted by name.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn unix(date: &str) -> picert_core::Timestamp {
    picert_core::Timestamp::parse(date).unwrap()
}

/// `audit_bytes`, with a panic turned into an `Err` carrying its message.
fn audit(auditor: &Auditor, name: &str, bytes: &[u8]) -> Result<Vec<InputReport>, String> {
    catch_unwind(AssertUnwindSafe(|| auditor.audit_bytes(name, bytes))).map_err(|panic| {
        panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

fn status_of(report: &InputReport, rule: &str) -> Status {
    report
        .results
        .as_ref()
        .and_then(|r| r.iter().find(|r| r.rule == rule))
        .unwrap_or_else(|| panic!("{}: no result for {rule}", report.path))
        .status
}

fn detail_of(report: &InputReport, rule: &str) -> String {
    report
        .results
        .as_ref()
        .and_then(|r| r.iter().find(|r| r.rule == rule))
        .and_then(|r| r.detail.clone())
        .unwrap_or_default()
        .into_owned()
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Finding => "finding",
        Status::Na => "na",
        Status::Ne => "ne",
        Status::Fatal => "fatal",
    }
}

/// How one file came out of `audit_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// Every report has results.
    Audited,
    /// One report, with an error.
    Refused,
    /// Several reports, some refused.
    Mixed,
    /// `audit_bytes` panicked.
    Panicked,
}

/// Tallies of one corpus.
#[derive(Default)]
struct Tally {
    outcomes: BTreeMap<Outcome, usize>,
    /// (file, panic message)
    panics: Vec<(String, String)>,
    /// (file, what is wrong with the report itself)
    malformed: Vec<(String, String)>,
    /// (file, rule, detail)
    fatal: Vec<(String, String, String)>,
}

impl Tally {
    /// Audits one file, checks the shape of its reports, and counts it.
    fn run(&mut self, auditor: &Auditor, name: &str, bytes: &[u8]) -> (Outcome, Vec<InputReport>) {
        let reports = match audit(auditor, name, bytes) {
            Ok(r) => r,
            Err(msg) => {
                self.panics.push((name.into(), msg));
                *self.outcomes.entry(Outcome::Panicked).or_default() += 1;
                return (Outcome::Panicked, Vec::new());
            }
        };
        if reports.is_empty() {
            self.malformed
                .push((name.into(), "no report at all".into()));
        }
        for r in &reports {
            match (&r.results, &r.error) {
                (Some(results), None) => {
                    if r.kind.is_none() {
                        self.malformed
                            .push((r.path.clone(), "audited but has no kind".into()));
                    }
                    for x in results.iter().filter(|x| x.status == Status::Fatal) {
                        self.fatal.push((
                            r.path.clone(),
                            x.rule.to_string(),
                            x.detail.clone().unwrap_or_default().into_owned(),
                        ));
                    }
                }
                (None, Some(e)) => {
                    let e = e.to_string();
                    if e.trim().is_empty() || e.contains('\n') {
                        self.malformed
                            .push((r.path.clone(), format!("error is not one line: {e:?}")));
                    }
                }
                _ => self.malformed.push((
                    r.path.clone(),
                    "has both results and an error, or neither".into(),
                )),
            }
        }
        let refused = reports.iter().filter(|r| r.error.is_some()).count();
        let outcome = if refused == 0 && !reports.is_empty() {
            Outcome::Audited
        } else if refused == 1 && reports.len() == 1 {
            Outcome::Refused
        } else {
            Outcome::Mixed
        };
        *self.outcomes.entry(outcome).or_default() += 1;
        (outcome, reports)
    }

    fn count(&self, o: Outcome) -> usize {
        self.outcomes.get(&o).copied().unwrap_or(0)
    }

    fn print(&self, corpus: &str) {
        println!(
            "[{corpus}] files: {} audited, {} refused, {} mixed, {} panics; {} fatal rule results; {} malformed reports",
            self.count(Outcome::Audited),
            self.count(Outcome::Refused),
            self.count(Outcome::Mixed),
            self.count(Outcome::Panicked),
            self.fatal.len(),
            self.malformed.len()
        );
        for (f, m) in &self.panics {
            println!("[{corpus}] PANIC {f}: {m}");
        }
        for (f, r, d) in &self.fatal {
            println!("[{corpus}] FATAL {f} {r}: {d}");
        }
        for (f, m) in &self.malformed {
            println!("[{corpus}] MALFORMED {f}: {m}");
        }
    }

    fn assert_clean(&self, corpus: &str) {
        assert!(
            self.panics.is_empty(),
            "[{corpus}] picert panicked on: {:?}",
            self.panics
        );
        assert!(
            self.fatal.is_empty(),
            "[{corpus}] rules were fatal: {:?}",
            self.fatal
        );
        assert!(
            self.malformed.is_empty(),
            "[{corpus}] malformed reports: {:?}",
            self.malformed
        );
    }
}

fn one_line(reports: &[InputReport]) -> String {
    reports
        .iter()
        .map(|r| match (&r.error, r.kind) {
            (Some(e), _) => format!("refused: {e}"),
            (None, kind) => {
                let findings: Vec<String> =
                    r.findings().iter().map(|f| f.rule.to_string()).collect();
                format!(
                    "{} {} findings [{}]",
                    match kind {
                        Some(InputKind::Certificate) => "certificate",
                        Some(InputKind::Csr) => "request",
                        Some(InputKind::CaCertificate) => "CA certificate",
                        None => "?",
                    },
                    findings.len(),
                    findings.join(", ")
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The DER certificates of a file: its CERTIFICATE PEM blocks, or the file itself when it has no
/// PEM block. Read with x509-parser, independently of picert's reader.
fn certificates_in(bytes: &[u8]) -> Vec<Vec<u8>> {
    let blocks: Vec<Vec<u8>> = x509_parser::pem::Pem::iter_from_buffer(bytes)
        .filter_map(Result::ok)
        .filter(|p| p.label == "CERTIFICATE")
        .map(|p| p.contents)
        .collect();
    if blocks.is_empty() && X509Certificate::from_der(bytes).is_ok() {
        return vec![bytes.to_vec()];
    }
    blocks
}

// ---------------------------------------------------------------------------------------------
// a. zlint testdata: every file read, audited or refused
// ---------------------------------------------------------------------------------------------

/// zlint certificate files that picert refuses, each with its reason (docs/peer-agreement.md).
const KNOWN_CERT_REFUSALS: &[(&str, &str)] = &[
    (
        "generalizedNotZulu.pem",
        "its notBefore is a GeneralizedTime without the Z (the malformation the zlint lint detects); x509-parser rejects the DER, so picert refuses the file",
    ),
];

#[test]
#[ignore = "needs the peer corpus: PICERT_PEER_CORPUS=... cargo test --test peer -- --ignored"]
fn zlint_testdata_is_audited_or_refused_without_panic() {
    let dir = corpus().join("zlint/testdata");
    let auditor = Auditor::new().at(unix("2026-06-01"));
    let mut tally = Tally::default();
    let mut wrong: Vec<String> = Vec::new();
    let mut refused_reasons: BTreeMap<String, usize> = BTreeMap::new();
    let (mut crls, mut ocsp, mut certs) = (0, 0, 0);
    for path in files_in(&dir) {
        let name = file_name(&path);
        let bytes = std::fs::read(&path).unwrap();
        let (outcome, reports) = tally.run(&auditor, &name, &bytes);
        let text = String::from_utf8_lossy(&bytes);
        let is_crl = text.contains("-----BEGIN X509 CRL-----");
        let is_ocsp = name.starts_with("ocsp") && name.ends_with(".der");
        let is_cert = text.contains("-----BEGIN CERTIFICATE-----");
        if outcome == Outcome::Refused {
            let e = reports[0].error_message().unwrap_or_default();
            *refused_reasons.entry(e).or_default() += 1;
        }
        if is_crl || is_ocsp {
            if is_crl {
                crls += 1;
            } else {
                ocsp += 1;
            }
            if outcome != Outcome::Refused {
                wrong.push(format!(
                    "{name}: a CRL/OCSP response was not refused: {}",
                    one_line(&reports)
                ));
            }
        } else if is_cert {
            certs += 1;
            if let Some((_, why)) = KNOWN_CERT_REFUSALS.iter().find(|(f, _)| *f == name) {
                println!(
                    "[zlint] known refusal {name}: {}; {why}",
                    one_line(&reports)
                );
                if outcome != Outcome::Refused {
                    wrong.push(format!(
                        "{name}: listed as refused but now {outcome:?} (update KNOWN_CERT_REFUSALS and docs/peer-agreement.md)"
                    ));
                }
                continue;
            }
            if outcome != Outcome::Audited {
                wrong.push(format!(
                    "{name}: a certificate was not audited: {}",
                    one_line(&reports)
                ));
            } else if reports.iter().any(|r| {
                !matches!(
                    r.kind,
                    Some(InputKind::Certificate | InputKind::CaCertificate)
                )
            }) {
                wrong.push(format!(
                    "{name}: not read as a certificate: {}",
                    one_line(&reports)
                ));
            }
        } else {
            wrong.push(format!("{name}: neither certificate, CRL nor OCSP"));
        }
    }
    tally.print("zlint");
    println!(
        "[zlint] {} files: {certs} certificate files, {crls} CRLs, {ocsp} OCSP responses",
        certs + crls + ocsp
    );
    for (reason, n) in &refused_reasons {
        println!("[zlint] refused {n}x: {reason}");
    }
    for w in &wrong {
        println!("[zlint] WRONG {w}");
    }
    tally.assert_clean("zlint");
    assert!(
        wrong.is_empty(),
        "{} files misread: {wrong:#?}",
        wrong.len()
    );
    assert_eq!(
        tally.count(Outcome::Audited),
        certs - KNOWN_CERT_REFUSALS.len()
    );
    assert_eq!(
        tally.count(Outcome::Refused),
        crls + ocsp + KNOWN_CERT_REFUSALS.len()
    );
}

// ---------------------------------------------------------------------------------------------
// b. zlint agreement on the lints that map to a picert rule
// ---------------------------------------------------------------------------------------------

/// How a picert rule relates to a zlint lint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// Same clause, same scope.
    Same,
    /// picert flags everything zlint flags, and more.
    Stricter,
    /// A related but different clause: not compared.
    Different,
    /// No picert rule: not compared.
    None,
}

impl Relation {
    fn as_str(self) -> &'static str {
        match self {
            Relation::Same => "same",
            Relation::Stricter => "stricter",
            Relation::Different => "different",
            Relation::None => "none",
        }
    }
}

/// The 45 lints of `zlint/expectations-picert-relevant.tsv` and the picert rule each maps to.
/// The reasons are in docs/peer-agreement.md.
const MAPPING: &[(&str, &str, Relation)] = &[
    ("e_aia_ocsp_must_have_http_only", "-", Relation::None),
    (
        "e_client_auth_not_allowed",
        "chrome.eku.client_auth",
        Relation::Stricter,
    ),
    (
        "e_crl_distrib_points_not_http",
        "lync.crl.distribution_point",
        Relation::Different,
    ),
    (
        "e_dnsname_left_label_wildcard_correct",
        "lync.name.no_wildcard",
        Relation::Stricter,
    ),
    (
        "e_dnsname_wildcard_only_in_left_label",
        "lync.name.no_wildcard",
        Relation::Stricter,
    ),
    ("e_eku_critical", "-", Relation::None),
    (
        "e_ext_key_usage_without_bits",
        "lync.key_usage.rsa",
        Relation::Different,
    ),
    (
        "e_ext_san_missing",
        "pic.san.subject_replicated",
        Relation::Different,
    ),
    (
        "e_ext_san_no_entries",
        "pic.san.subject_replicated",
        Relation::Different,
    ),
    (
        "e_key_usage_and_extended_key_usage_inconsistent",
        "-",
        Relation::None,
    ),
    (
        "e_missing_crl_distrib_point",
        "lync.crl.distribution_point",
        Relation::Stricter,
    ),
    (
        "e_mp_modulus_must_be_2048_bits_or_more",
        "lync.key.rsa_strength",
        Relation::Same,
    ),
    (
        "e_rsa_allowed_ku_ee",
        "lync.key_usage.rsa",
        Relation::Different,
    ),
    (
        "e_rsa_mod_less_than_2048_bits",
        "lync.key.rsa_strength",
        Relation::Stricter,
    ),
    ("e_rsa_public_exponent_too_small", "-", Relation::None),
    (
        "e_san_bare_wildcard",
        "lync.name.no_wildcard",
        Relation::Stricter,
    ),
    (
        "e_san_wildcard_not_first",
        "lync.name.no_wildcard",
        Relation::Stricter,
    ),
    (
        "e_server_cert_valid_time_longer_than_200_days",
        "cabf.validity.max",
        Relation::Stricter,
    ),
    (
        "e_signature_algorithm_not_supported",
        "lync.sig.weak_hash",
        Relation::Different,
    ),
    (
        "e_sub_cert_aia_does_not_contain_ocsp_url",
        "-",
        Relation::None,
    ),
    ("e_sub_cert_aia_marked_critical", "-", Relation::None),
    ("e_sub_cert_aia_missing", "-", Relation::None),
    (
        "e_sub_cert_crl_distribution_points_does_not_contain_url",
        "lync.crl.distribution_point",
        Relation::Stricter,
    ),
    (
        "e_sub_cert_eku_check",
        "pic.eku.server_auth",
        Relation::Different,
    ),
    (
        "e_sub_cert_eku_missing",
        "pic.eku.server_auth",
        Relation::Stricter,
    ),
    (
        "e_sub_cert_eku_server_auth_client_auth_missing",
        "pic.eku.server_auth",
        Relation::Stricter,
    ),
    (
        "e_sub_cert_key_usage_cert_sign_bit_set",
        "-",
        Relation::None,
    ),
    ("e_sub_cert_key_usage_crl_sign_bit_set", "-", Relation::None),
    (
        "e_sub_cert_or_sub_ca_using_sha1",
        "lync.sig.weak_hash",
        Relation::Stricter,
    ),
    (
        "e_sub_cert_valid_time_longer_than_39_months",
        "cabf.validity.max",
        Relation::Stricter,
    ),
    (
        "e_sub_cert_valid_time_longer_than_825_days",
        "cabf.validity.max",
        Relation::Stricter,
    ),
    (
        "e_subject_common_name_not_exactly_from_san",
        "pic.san.subject_replicated",
        Relation::Different,
    ),
    (
        "e_subject_common_name_not_from_san",
        "pic.san.subject_replicated",
        Relation::Stricter,
    ),
    (
        "e_tls_server_cert_valid_time_longer_than_398_days",
        "cabf.validity.max",
        Relation::Stricter,
    ),
    (
        "e_validity_time_not_positive",
        "validity.current",
        Relation::Stricter,
    ),
    (
        "n_dnsname_wildcard_left_of_public_suffix",
        "lync.name.no_wildcard",
        Relation::Stricter,
    ),
    ("n_san_dns_name_duplicate", "-", Relation::None),
    (
        "n_subject_common_name_included",
        "pic.subject.cn_present",
        Relation::Different,
    ),
    (
        "w_extra_subject_common_names",
        "pic.subject.cn_present",
        Relation::Stricter,
    ),
    (
        "w_server_cert_valid_time_longer_than_199_days",
        "cabf.validity.max",
        Relation::Different,
    ),
    (
        "w_sub_cert_aia_does_not_contain_issuing_ca_url",
        "-",
        Relation::None,
    ),
    ("w_sub_cert_eku_extra_values", "-", Relation::None),
    (
        "w_sub_cert_sha1_expiration_too_long",
        "lync.sig.weak_hash",
        Relation::Stricter,
    ),
    (
        "w_tls_server_cert_valid_time_longer_than_397_days",
        "cabf.validity.max",
        Relation::Different,
    ),
];

/// Disagreements on compared rows, each explained in docs/peer-agreement.md: (file, lint, reason).
const KNOWN_DISAGREEMENTS: &[(&str, &str, &str)] = &[];

/// One compared row's result.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// picert agrees with zlint.
    Agree,
    /// zlint passes, picert's stricter rule gives a finding.
    StricterFinding,
    /// picert disagrees.
    Disagree(String),
    /// The rule needs a chain to a public CA, and none could be built from zlint's testdata.
    Skipped(String),
    /// zlint says NA or NE: nothing to compare.
    NotCompared,
}

/// Every certificate in zlint's testdata, by raw subject, for finding issuers.
struct Issuers {
    by_subject: HashMap<Vec<u8>, Vec<(String, Vec<u8>)>>,
}

impl Issuers {
    fn load(dir: &Path) -> Issuers {
        let mut by_subject: HashMap<Vec<u8>, Vec<(String, Vec<u8>)>> = HashMap::new();
        for path in files_in(dir) {
            let bytes = std::fs::read(&path).unwrap();
            for der in certificates_in(&bytes) {
                if let Ok((_, c)) = X509Certificate::from_der(&der) {
                    by_subject
                        .entry(c.subject().as_raw().to_vec())
                        .or_default()
                        .push((file_name(&path), der.clone()));
                }
            }
        }
        Issuers { by_subject }
    }

    /// A trust store made of the testdata certificates whose subject is `leaf`'s issuer (the
    /// leaf itself excluded), with their file names; `None` when there is none.
    fn store_for(&self, leaf: &[u8]) -> Option<(TrustStore, Vec<String>)> {
        let (_, cert) = X509Certificate::from_der(leaf).ok()?;
        let candidates = self.by_subject.get(cert.issuer().as_raw())?;
        let mut names = Vec::new();
        let mut ders = Vec::new();
        for (name, der) in candidates {
            if der.as_slice() == leaf {
                continue;
            }
            // Keep only certificates usable as anchors, so one bad one does not spoil the rest.
            let der = rustls_pki_types::CertificateDer::from(der.clone());
            if TrustStore::from_certificates(name, std::slice::from_ref(&der)).is_ok() {
                names.push(name.clone());
                ders.push(der.clone());
            }
        }
        if ders.is_empty() {
            return None;
        }
        let store =
            TrustStore::from_certificates(&format!("zlint issuer {}", names.join(", ")), &ders)
                .ok()?;
        Some((store, names))
    }
}

#[derive(Default, Clone)]
struct LintStats {
    compared: usize,
    agree: usize,
    stricter_findings: usize,
    disagree: usize,
    skipped: usize,
    not_compared: usize,
}

/// picert's status on a row against zlint's: `error`, `warn` and `info` (notice) must be a
/// finding; `pass` must be pass or na for a "same" rule, anything but fatal for a "stricter" one.
fn judge(zlint: &str, relation: Relation, status: Status, detail: &str) -> Verdict {
    let zlint_flags = zlint != "pass";
    match (zlint_flags, relation, status) {
        (_, _, Status::Fatal) => Verdict::Disagree(format!("picert rule was fatal: {detail}")),
        (true, _, Status::Finding) => Verdict::Agree,
        (true, _, other) => Verdict::Disagree(format!(
            "zlint {zlint}, picert {}: {detail}",
            status_name(other)
        )),
        (false, Relation::Same, Status::Pass | Status::Na) => Verdict::Agree,
        (false, Relation::Same, other) => Verdict::Disagree(format!(
            "zlint pass, picert {}: {detail}",
            status_name(other)
        )),
        (false, _, Status::Finding) => Verdict::StricterFinding,
        (false, _, _) => Verdict::Agree,
    }
}

/// Runs one rule on a zlint certificate as if its chain had validated to a public root, at
/// notBefore + 1 day: the measurement for rows skipped because no issuer could be found.
fn assume_public_chain(path: &Path, rule_id: &str) -> Result<RuleResult, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let der = certificates_in(&bytes)
        .into_iter()
        .next()
        .ok_or("x509-parser finds no certificate")?;
    let facts = picert_verify::facts::certificate_facts(&der).map_err(|e| e.to_string())?;
    let chain = ChainVerdict::Trusted(vec!["(a public root, assumed)".into()]);
    let at = facts.not_before.ok_or("no notBefore")?.plus_days(1);
    let report = Auditor::new()
        .at(at)
        .run_rules("zlint", &facts, Some(&chain));
    report
        .results
        .into_iter()
        .flatten()
        .find(|r| r.rule == rule_id)
        .ok_or_else(|| "unknown rule".to_string())
}

#[test]
#[ignore = "needs the peer corpus: PICERT_PEER_CORPUS=... cargo test --test peer -- --ignored"]
fn zlint_agreement_on_mapped_lints() {
    let root = corpus().join("zlint");
    let testdata = root.join("testdata");
    let tsv = std::fs::read_to_string(root.join("expectations-picert-relevant.tsv")).unwrap();
    let mapping: HashMap<&str, (&str, Relation)> =
        MAPPING.iter().map(|(l, r, rel)| (*l, (*r, *rel))).collect();
    for (lint, rule, relation) in MAPPING {
        assert_eq!(
            *rule == "-",
            *relation == Relation::None,
            "{lint}: only relation none has no rule"
        );
        assert!(
            *rule == "-" || rules::find(rule).is_some(),
            "{lint}: {rule} is not a picert rule"
        );
    }
    let issuers = Issuers::load(&testdata);

    let mut stats: BTreeMap<&str, LintStats> = BTreeMap::new();
    // Skipped rows judged with the chain taken as public.
    let mut assumed_stats: BTreeMap<&str, LintStats> = BTreeMap::new();
    let mut disagreements: BTreeSet<(String, String)> = BTreeSet::new();
    let mut disagreement_details: Vec<String> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut unmapped: BTreeSet<String> = BTreeSet::new();
    let mut rows = 0;
    // (file, anchored?) -> report, so files shared by several lints are audited once.
    let mut cache: HashMap<(String, bool), Result<InputReport, String>> = HashMap::new();

    for line in tsv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "bad row: {line}");
        let (lint, file, zlint) = (cols[0], cols[1], cols[2]);
        rows += 1;
        let Some(&(rule_id, relation)) = mapping.get(lint) else {
            unmapped.insert(lint.to_string());
            continue;
        };
        let entry = stats.entry(lint).or_default();
        match zlint {
            "error" | "warn" | "info" | "pass" => {}
            "NA" | "NE" => {
                entry.not_compared += 1;
                continue;
            }
            other => panic!("unknown zlint status {other} in {line}"),
        }

        // Every row is audited (so that every relation's verdicts are listed), but only "same"
        // and "stricter" rows are judged.
        let rule = rules::find(rule_id);
        let needs_public = rule.is_some_and(|r| r.needs == Needs::PublicCa);
        let verdict_report = |anchored: bool,
                              cache: &mut HashMap<(String, bool), Result<InputReport, String>>|
         -> Result<InputReport, String> {
            cache
                .entry((file.to_string(), anchored))
                .or_insert_with(|| {
                    let bytes = std::fs::read(testdata.join(file))
                        .map_err(|e| format!("cannot read {file}: {e}"))?;
                    let certs = certificates_in(&bytes);
                    let leaf = certs
                        .first()
                        .ok_or_else(|| format!("{file}: x509-parser finds no certificate"))?;
                    let (_, c) = X509Certificate::from_der(leaf)
                        .map_err(|e| format!("{file}: x509-parser cannot read it: {e}"))?;
                    let at = picert_core::Timestamp::from_unix(c.validity().not_before.timestamp())
                        .plus_days(1);
                    let mut auditor = Auditor::new().expectations(None).at(at);
                    let mut store = TrustStore::mozilla();
                    if anchored {
                        let (anchors, _) = issuers
                            .store_for(leaf)
                            .ok_or_else(|| "its issuer is not in zlint's testdata".to_string())?;
                        store = anchors.clone();
                        auditor = auditor.trust(anchors);
                    }
                    let reports = audit(&auditor, file, &bytes)
                        .map_err(|m| format!("{file}: picert panicked: {m}"))?;
                    match reports.into_iter().next() {
                        // zlint's test certificates are often CA certificates; picert reports
                        // one given alone as chain material. Judge it as the leaf zlint does.
                        Some(r) if r.kind == Some(InputKind::CaCertificate) => {
                            let der = rustls_pki_types::CertificateDer::from(leaf.clone());
                            let facts = picert_verify::facts::certificate_facts(&der)
                                .map_err(|e| format!("{file}: {e}"))?;
                            let verdict = picert_verify::chain::check_chain(&der, &[], &store, at);
                            Ok(auditor.run_rules(file, &facts, Some(&verdict)))
                        }
                        Some(r) if r.results.is_some() => Ok(r),
                        Some(r) => Err(format!(
                            "{file}: refused: {}",
                            r.error_message().unwrap_or_default()
                        )),
                        None => Err(format!("{file}: no report")),
                    }
                })
                .clone()
        };

        if rule.is_none() {
            // Relation::None: no picert rule to compare.
            entry.not_compared += 1;
            continue;
        }
        let report = if needs_public {
            match verdict_report(true, &mut cache) {
                Ok(r) if status_of(&r, "pic.issuer.public_ca") == Status::Pass => Ok(r),
                Ok(r) => Err(format!(
                    "the chain to its zlint issuer does not validate: {}",
                    detail_of(&r, "pic.issuer.public_ca")
                )),
                Err(e) => Err(e),
            }
        } else {
            verdict_report(false, &mut cache)
        };
        let verdict = match (&report, relation) {
            (_, Relation::Different | Relation::None) => Verdict::NotCompared,
            (Err(why), _) if needs_public => {
                Verdict::Skipped(format!("skipped: needs a public chain ({why})"))
            }
            (Err(why), _) => Verdict::Disagree(format!("not audited: {why}")),
            (Ok(r), _) => judge(
                zlint,
                relation,
                status_of(r, rule_id),
                &detail_of(r, rule_id),
            ),
        };
        // For a skipped row, what picert's rule says once the chain is taken as public.
        if let Verdict::Skipped(_) = verdict {
            let assumed = assume_public_chain(&testdata.join(file), rule_id);
            let assumed_verdict = match &assumed {
                Ok(x) => judge(
                    zlint,
                    relation,
                    x.status,
                    x.detail.as_deref().unwrap_or_default(),
                ),
                Err(e) => Verdict::Disagree(format!("not audited: {e}")),
            };
            let shown = match &assumed {
                Ok(x) => format!(
                    "{} ({})",
                    status_name(x.status),
                    x.detail.as_deref().unwrap_or_default()
                ),
                Err(e) => format!("- ({e})"),
            };
            println!(
                "[zlint-assumed] {lint}\t{file}\tzlint={zlint}\t{rule_id}={shown}\t{}\t{assumed_verdict:?}",
                relation.as_str()
            );
            let a = assumed_stats.entry(lint).or_default();
            a.compared += 1;
            match assumed_verdict {
                Verdict::Agree => a.agree += 1,
                Verdict::StricterFinding => {
                    a.agree += 1;
                    a.stricter_findings += 1;
                }
                Verdict::Disagree(why) => {
                    a.disagree += 1;
                    disagreements.insert((file.to_string(), lint.to_string()));
                    disagreement_details
                        .push(format!("{file}\t{lint}\t(public chain assumed) {why}"));
                }
                Verdict::Skipped(_) | Verdict::NotCompared => {}
            }
        }
        let picert_shown = match &report {
            Ok(r) => format!(
                "{} ({})",
                status_name(status_of(r, rule_id)),
                detail_of(r, rule_id)
            ),
            Err(e) => format!("- ({e})"),
        };
        println!(
            "[zlint-row] {lint}\t{file}\tzlint={zlint}\t{rule_id}={picert_shown}\t{}\t{verdict:?}",
            relation.as_str()
        );
        match verdict {
            Verdict::NotCompared => entry.not_compared += 1,
            Verdict::Agree => {
                entry.compared += 1;
                entry.agree += 1;
            }
            Verdict::StricterFinding => {
                entry.compared += 1;
                entry.agree += 1;
                entry.stricter_findings += 1;
            }
            Verdict::Disagree(why) => {
                entry.compared += 1;
                entry.disagree += 1;
                disagreements.insert((file.to_string(), lint.to_string()));
                disagreement_details.push(format!("{file}\t{lint}\t{why}"));
            }
            Verdict::Skipped(why) => {
                entry.skipped += 1;
                skipped.push(format!("{file}\t{lint}\tzlint={zlint}\t{why}"));
            }
        }
    }

    println!("[zlint] {rows} rows; lint | picert rule | relation | compared | agree (of which picert-only findings) | disagree | skipped (needs a public chain) | not compared");
    let mut total = LintStats::default();
    for (lint, rule, relation) in MAPPING {
        let s = stats.get(lint).cloned().unwrap_or_default();
        println!(
            "[zlint-table] {lint} | {rule} | {} | {} | {} ({}) | {} | {} | {}",
            relation.as_str(),
            s.compared,
            s.agree,
            s.stricter_findings,
            s.disagree,
            s.skipped,
            s.not_compared
        );
        total.compared += s.compared;
        total.agree += s.agree;
        total.stricter_findings += s.stricter_findings;
        total.disagree += s.disagree;
        total.skipped += s.skipped;
        total.not_compared += s.not_compared;
    }
    println!(
        "[zlint] total: compared {}, agree {} (picert-only findings {}), disagree {}, skipped {}, not compared {}",
        total.compared,
        total.agree,
        total.stricter_findings,
        total.disagree,
        total.skipped,
        total.not_compared
    );
    for s in &skipped {
        println!("[zlint-skipped] {s}");
    }
    for (lint, a) in &assumed_stats {
        println!(
            "[zlint-assumed-table] {lint} | compared {} | agree {} ({} picert-only findings) | disagree {}",
            a.compared, a.agree, a.stricter_findings, a.disagree
        );
    }
    for d in &disagreement_details {
        println!("[zlint-disagree] {d}");
    }

    assert!(unmapped.is_empty(), "lints without a mapping: {unmapped:?}");
    assert_eq!(stats.len(), MAPPING.len(), "every mapped lint has rows");
    let known: BTreeSet<(String, String)> = KNOWN_DISAGREEMENTS
        .iter()
        .map(|(f, l, _)| (f.to_string(), l.to_string()))
        .collect();
    let unexplained: Vec<&(String, String)> = disagreements.difference(&known).collect();
    let stale: Vec<&(String, String)> = known.difference(&disagreements).collect();
    assert!(
        unexplained.is_empty(),
        "disagreements with zlint that are not explained: {unexplained:?}\n{disagreement_details:#?}"
    );
    assert!(
        stale.is_empty(),
        "known disagreements that no longer happen (remove them here and in docs/peer-agreement.md): {stale:?}"
    );
    let doc = std::fs::read_to_string(repo_root().join("docs/peer-agreement.md"))
        .expect("docs/peer-agreement.md explains the known disagreements");
    for (file, lint, reason) in KNOWN_DISAGREEMENTS {
        assert!(!reason.is_empty());
        assert!(
            doc.lines().any(|l| l.contains(file) && l.contains(lint)),
            "docs/peer-agreement.md does not explain {file} / {lint}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// c. x509-limbo online: real public-CA chains
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "needs the peer corpus: PICERT_PEER_CORPUS=... cargo test --test peer -- --ignored"]
fn limbo_online_chains_are_public_ca() {
    let dir = corpus().join("x509-limbo/online");
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    let mut seen = 0;
    for path in files_in(&dir) {
        let name = file_name(&path);
        if !name.ends_with(".limbo.json") {
            continue;
        }
        seen += 1;
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut bundle = case["peer_certificate"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no peer_certificate"))
            .to_string();
        for inter in case["untrusted_intermediates"].as_array().unwrap() {
            bundle.push('\n');
            bundle.push_str(inter.as_str().unwrap());
        }
        let when = case["validation_time"].as_str().unwrap();
        let at = picert_core::Timestamp::parse(when)
            .unwrap_or_else(|e| panic!("{name}: validation_time {when}: {e}"));
        let auditor = Auditor::new().expectations(None).at(at);
        let (outcome, reports) = tally.run(&auditor, &name, bundle.as_bytes());
        if outcome != Outcome::Audited || reports.len() != 1 {
            failures.push(format!("{name}: {}", one_line(&reports)));
            continue;
        }
        let r = &reports[0];
        let s = status_of(r, "pic.issuer.public_ca");
        println!(
            "[limbo-online] {name} at {when}: pic.issuer.public_ca={} ({}) | cabf.validity.max={} | chrome.eku.client_auth={} | pic.san.order={} | {}",
            status_name(s),
            detail_of(r, "pic.issuer.public_ca"),
            status_name(status_of(r, "cabf.validity.max")),
            status_name(status_of(r, "chrome.eku.client_auth")),
            status_name(status_of(r, "pic.san.order")),
            one_line(&reports)
        );
        if s != Status::Pass {
            failures.push(format!(
                "{name}: pic.issuer.public_ca is {}: {}",
                status_name(s),
                detail_of(r, "pic.issuer.public_ca")
            ));
        }
    }
    tally.print("limbo-online");
    tally.assert_clean("limbo-online");
    assert_eq!(seen, 14, "x509-limbo/online holds 14 cases");
    assert!(failures.is_empty(), "{failures:#?}");
}

// ---------------------------------------------------------------------------------------------
// d. certigo's test PKI and Windows requests
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "needs the peer corpus: PICERT_PEER_CORPUS=... cargo test --test peer -- --ignored"]
fn certigo_files_are_audited_or_refused() {
    let dir = corpus().join("certigo/test-certs");
    // certigo's README: "The password for the PKCS12 and JCEKS keystores is always \"password\"".
    let auditor = Auditor::new()
        .expectations(None)
        .at(unix("2023-01-01"))
        .pfx_password(Some("password".into()));
    let mut tally = Tally::default();
    let mut by_ext: BTreeMap<String, BTreeMap<Outcome, usize>> = BTreeMap::new();
    for path in files_in(&dir) {
        let name = file_name(&path);
        let bytes = std::fs::read(&path).unwrap();
        let (outcome, reports) = tally.run(&auditor, &name, &bytes);
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_else(|| "(none)".into());
        *by_ext.entry(ext).or_default().entry(outcome).or_default() += 1;
        println!("[certigo] {name}: {:?}: {}", outcome, one_line(&reports));
        for r in reports.iter().filter(|r| r.results.is_some()) {
            for f in r.findings() {
                println!(
                    "[certigo]     {} {}: {}",
                    r.path,
                    f.rule,
                    f.detail.as_deref().unwrap_or_default()
                );
            }
        }
    }
    for (ext, outcomes) in &by_ext {
        println!("[certigo] .{ext}: {outcomes:?}");
    }
    tally.print("certigo");
    tally.assert_clean("certigo");
    assert_eq!(tally.count(Outcome::Mixed), 0);
}

#[test]
#[ignore = "needs the peer corpus: PICERT_PEER_CORPUS=... cargo test --test peer -- --ignored"]
fn windows_requests_are_read_as_requests() {
    const BAD_INPUT: &[&str] = &["csr_039.pem", "csr_043.pem", "csr_044.pem", "csr_046.pem"];
    let dir = corpus().join("windows-csr");
    let auditor = Auditor::new().expectations(None).at(unix("2026-06-01"));
    let mut tally = Tally::default();
    let mut wrong = Vec::new();
    let mut signature: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut rule_findings: BTreeMap<String, usize> = BTreeMap::new();
    for path in files_in(&dir) {
        let name = file_name(&path);
        let bytes = std::fs::read(&path).unwrap();
        let (outcome, reports) = tally.run(&auditor, &name, &bytes);
        if BAD_INPUT.contains(&name.as_str()) {
            println!(
                "[windows-csr] bad input {name}: {outcome:?}: {} | subject '{}' dns {:?} signature {:?}",
                one_line(&reports),
                reports
                    .first()
                    .and_then(|r| r.subject.clone())
                    .unwrap_or_default(),
                reports.first().map(|r| &r.dns_names),
                reports
                    .first()
                    .filter(|r| r.results.is_some())
                    .map(|r| status_name(status_of(r, "csr.signature.valid")))
            );
            continue;
        }
        println!(
            "[windows-csr] {name}: {} | subject '{}' dns {:?} other {:?}",
            one_line(&reports),
            reports
                .first()
                .and_then(|r| r.subject.clone())
                .unwrap_or_default(),
            reports.first().map(|r| &r.dns_names),
            reports.first().map(|r| &r.other_names)
        );
        for r in &reports {
            for f in r
                .findings()
                .iter()
                .filter(|f| f.rule != "csr.template" && f.rule != "pic.eku.server_auth")
            {
                println!(
                    "[windows-csr]     {}: {}",
                    f.rule,
                    f.detail.as_deref().unwrap_or_default()
                );
            }
        }
        if outcome != Outcome::Audited || reports.len() != 1 {
            wrong.push(format!("{name}: {outcome:?}: {}", one_line(&reports)));
            continue;
        }
        let r = &reports[0];
        if r.kind != Some(InputKind::Csr) {
            wrong.push(format!("{name}: read as {:?}, not a request", r.kind));
            continue;
        }
        let s = status_of(r, "csr.signature.valid");
        *signature.entry(status_name(s)).or_default() += 1;
        if s != Status::Pass {
            println!(
                "[windows-csr] {name}: csr.signature.valid {}: {}",
                status_name(s),
                detail_of(r, "csr.signature.valid")
            );
        }
        for f in r.findings() {
            *rule_findings.entry(f.rule.to_string()).or_default() += 1;
        }
    }
    tally.print("windows-csr");
    println!("[windows-csr] csr.signature.valid: {signature:?}");
    println!("[windows-csr] findings by rule: {rule_findings:?}");
    for w in &wrong {
        println!("[windows-csr] WRONG {w}");
    }
    tally.assert_clean("windows-csr");
    assert!(wrong.is_empty(), "{wrong:#?}");
}

// ---------------------------------------------------------------------------------------------
// e. pyca: certificate template extensions
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "needs the peer corpus: PICERT_PEER_CORPUS=... cargo test --test peer -- --ignored"]
fn pyca_template_extensions_are_named() {
    let dir = corpus().join("pyca");
    let auditor = Auditor::new().expectations(None).at(unix("2026-06-01"));
    let mut tally = Tally::default();

    let bytes = std::fs::read(dir.join("freeipa-bad-critical.pem")).unwrap();
    let (outcome, reports) = tally.run(&auditor, "freeipa-bad-critical.pem", &bytes);
    println!(
        "[pyca] freeipa-bad-critical.pem: {outcome:?}: {} templates={:?} other_names={:?}",
        one_line(&reports),
        reports.first().map(|r| &r.templates),
        reports.first().map(|r| &r.other_names)
    );
    assert_eq!(outcome, Outcome::Audited);
    assert_eq!(reports.len(), 1);
    let csr = &reports[0];
    assert_eq!(csr.kind, Some(InputKind::Csr));
    assert!(
        csr.templates
            .iter()
            .any(|t| t == "caIPAserviceCert (V1 template extension)"),
        "templates: {:?}",
        csr.templates
    );
    assert_eq!(status_of(csr, "csr.template"), Status::Pass);

    let bytes = std::fs::read(dir.join("ms-certificate-template.pem")).unwrap();
    let (outcome, reports) = tally.run(&auditor, "ms-certificate-template.pem", &bytes);
    println!(
        "[pyca] ms-certificate-template.pem: {outcome:?}: {} templates={:?}",
        one_line(&reports),
        reports.first().map(|r| &r.templates)
    );
    assert_eq!(outcome, Outcome::Audited);
    assert_eq!(reports.len(), 1);
    let cert = &reports[0];
    assert_eq!(cert.kind, Some(InputKind::Certificate));
    assert!(
        cert.templates
            .iter()
            .any(|t| t.starts_with("1.2.3.4.5.6.7.8.9.0") && t.ends_with("(V2 template extension)")),
        "templates: {:?}",
        cert.templates
    );
    tally.print("pyca");
    tally.assert_clean("pyca");
}

/// picert reads common PEM files through rustls-pki-types and everything else through a general
/// reader; on every peer file both must read the same bytes.
#[test]
#[ignore = "needs the peer corpus: PICERT_PEER_CORPUS=... cargo test --test peer -- --ignored"]
fn pem_fast_path_agrees_with_the_general_reader() {
    let root = corpus();
    let mut checked = 0;
    for dir in [
        "zlint/testdata",
        "windows-csr",
        "certigo/test-certs",
        "pyca",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                picert_verify::input::pem_paths_agree(&bytes),
                "{}",
                path.display()
            );
            checked += 1;
        }
    }
    println!("[pem] {checked} files: both readers agree");
}
