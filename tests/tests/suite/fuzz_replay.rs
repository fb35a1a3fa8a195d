//! The fuzz targets' inputs replayed on stable, in the normal suite: every fixture, every
//! malformed input, every regression a fuzzer found (fuzz/regressions/<target>/), and the local
//! fuzz corpus when there is one (fuzz/corpus/<target>/, not checked in).

use std::path::{Path, PathBuf};

use picert_tests::fuzzing;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p));
            } else if p.file_name().is_none_or(|n| n != ".keep") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn inputs(target: &str, seed_dirs: &[&str]) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = seed_dirs
        .iter()
        .flat_map(|d| files(&root().join(d)))
        .collect();
    all.extend(files(&root().join("fuzz/regressions").join(target)));
    all.extend(files(&root().join("fuzz/corpus").join(target)));
    all
}

#[test]
fn parse_input_replay() {
    let all = inputs("parse_input", &["fixtures/pki", "fixtures/bad"]);
    assert!(all.len() > 100, "{} inputs", all.len());
    for path in all {
        fuzzing::parse_input(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn audit_replay() {
    for path in inputs("audit", &["fixtures/pki", "fixtures/bad"]) {
        fuzzing::audit(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn topology_replay() {
    let mut all = inputs("topology", &["fixtures/bad"]);
    all.push(root().join("fixtures/contoso.toml"));
    for path in all {
        fuzzing::topology(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn topology_xml_replay() {
    let all = inputs("topology_xml", &["fixtures/topology"]);
    assert!(all.len() >= 8, "{} inputs", all.len());
    for path in all {
        fuzzing::topology_xml(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn private_key_replay() {
    for path in inputs("private_key", &["fixtures/pki/keys", "fixtures/bad"]) {
        fuzzing::private_key(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn tls_first_flight_replay() {
    for path in inputs("tls_first_flight", &["fixtures/pki", "fixtures/bad"]) {
        fuzzing::tls_first_flight(&std::fs::read(&path).unwrap());
    }
}
