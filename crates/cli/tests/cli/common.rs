//! What the CLI tests share: the fixtures' paths, a `picert` command with a clean environment,
//! and reading its JSON reports.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use picert_verify::{Report, Status};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of the test PKI (`fixtures/pki`).
pub fn pki(name: &str) -> PathBuf {
    root().join("fixtures/pki").join(name)
}

/// The seed table's topology.
pub fn contoso() -> PathBuf {
    root().join("fixtures/contoso.toml")
}

/// `picert`, with no secret or colour setting inherited from the environment.
pub fn picert() -> Command {
    let mut c = Command::cargo_bin("picert").unwrap();
    c.env_remove("PICERT_KEY_PASSPHRASE")
        .env_remove("PICERT_PFX_PASSWORD")
        .env_remove("NO_COLOR");
    c
}

/// `picert audit` with the test trust store, the contoso topology and a fixed time.
pub fn audit() -> Command {
    let mut c = picert();
    c.arg("audit")
        .arg("--trust-store")
        .arg(pki("public-root.pem"))
        .arg("--topology")
        .arg(contoso())
        .args(["--at", "2026-06-01T00:00:00Z"]);
    c
}

/// Runs with `--format json` and reads the audit report and the exit status.
pub fn json(cmd: &mut Command) -> (Report, i32) {
    let out = cmd.args(["--format", "json"]).output().unwrap();
    let report: Report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.code().unwrap())
}

/// One rule's status and detail in an input's results.
pub fn status_of(report: &Report, input: usize, rule: &str) -> (Status, String) {
    let r = report.inputs[input]
        .results
        .as_ref()
        .unwrap()
        .iter()
        .find(|r| r.rule == rule)
        .unwrap_or_else(|| panic!("no result for {rule}"));
    (r.status, r.detail.clone().unwrap_or_default().into_owned())
}

/// The facts of the first request in a file.
pub fn read_csr(path: &Path) -> picert_verify::Facts {
    let bytes = std::fs::read(path).unwrap();
    let contents = picert_verify::input::read_contents(&bytes).unwrap();
    picert_verify::facts::csr_facts(&contents.requests[0]).unwrap()
}

/// Standard error carries no panic and no backtrace.
pub fn no_panic(stderr: &[u8]) {
    let text = String::from_utf8_lossy(stderr);
    assert!(
        !text.contains("panicked")
            && !text.contains("RUST_BACKTRACE")
            && !text.contains("internal error"),
        "{text}"
    );
}
