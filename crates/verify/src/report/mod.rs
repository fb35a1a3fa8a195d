//! The audit report: data, rendered by the CLI as text or JSON.
//!
//! The JSON form is `serde_json` of [`Report`]; `docs/json.md` documents it, and the fields named
//! there are a contract (`version` changes when one of them does).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use picert_core::Timestamp;

use crate::facts::tls::TlsFacts;
use crate::facts::InputKind;

mod json;

/// A rule's ceiling severity; ordered `Notice < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Notice,
    /// Should be fixed.
    Warning,
    /// Breaks the Edge or its federation.
    Error,
}

impl Severity {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "notice" => Ok(Severity::Notice),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(format!("unknown severity '{s}' (error, warning or notice)")),
        }
    }
}

/// What a rule returned for one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The requirement holds.
    Pass,
    /// It does not, at the rule's severity.
    Finding,
    /// Does not apply to this input or to what the user declared.
    Na,
    /// The input predates the rule's effective date.
    Ne,
    /// The rule could not run (a bug, reported).
    Fatal,
}

/// One rule's result for one input. The ID and the framework's details are static text, not
/// copied for every input (an audit of thousands of certificates makes hundreds of thousands).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// Rule ID.
    pub rule: Cow<'static, str>,
    /// Outcome.
    pub status: Status,
    /// The rule's severity (what a finding means).
    pub severity: Severity,
    /// What was found, why it does not apply, or a note on a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Cow<'static, str>>,
}

/// One audited input (a certificate with its chain, or a request), or one that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct InputReport {
    /// The file (`<stdin>` for standard input; `file#2` for a second request in one file).
    pub path: String,
    /// Certificate or request; absent when unreadable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<InputKind>,
    /// Subject DN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Issuer DN (certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The leaf's SHA-1 thumbprint, upper-case hex, as `Get-CsCertificate` and
    /// `Set-CsCertificate -Thumbprint` show it (certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbprint: Option<String>,
    /// The leaf's SHA-256 fingerprint, upper-case hex (certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// notBefore (certificates); RFC 3339 in JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<Timestamp>,
    /// notAfter (certificates); RFC 3339 in JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<Timestamp>,
    /// DNS SANs in order.
    #[serde(default)]
    pub dns_names: Vec<String>,
    /// Other SAN entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<String>,
    /// EKUs by name; `null` when there is no EKU extension.
    #[serde(default)]
    pub eku: Option<Vec<String>>,
    /// The key, described.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The signature algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Certificate templates found, with where they were found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<String>,
    /// The validated chain above the leaf, when it chains to a trusted root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Vec<String>>,
    /// `topology` when expectations were given, `inferred` when only the certificate's own
    /// subject was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectations: Option<String>,
    /// For a live endpoint: what the TLS handshake showed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsFacts>,
    /// What else the input held or how it was read, worth a line in the report (a private key
    /// beside the certificate, a CA certificate offered as chain material).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Every rule's result, in registry order; absent when the input could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<RuleResult>>,
    /// Why the input could not be read; absent when it was audited. Written as its message.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::failure::as_text"
    )]
    pub error: Option<Failure>,
}

impl InputReport {
    /// An unreadable input.
    pub fn unreadable(path: &str, error: impl Into<Failure>) -> InputReport {
        InputReport {
            path: path.to_string(),
            error: Some(error.into()),
            ..InputReport::default()
        }
    }

    /// Why the input could not be read, as its message.
    pub fn error_message(&self) -> Option<String> {
        self.error.as_ref().map(|e| e.to_string())
    }

    /// The most severe finding, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.results
            .iter()
            .flatten()
            .filter(|r| r.status == Status::Finding)
            .map(|r| r.severity)
            .max()
    }

    /// The findings at `at_least` or above, most severe first.
    pub fn findings_at(&self, at_least: Severity) -> Vec<&RuleResult> {
        let mut list = self.findings();
        list.retain(|r| r.severity >= at_least);
        list
    }

    /// The findings, most severe first.
    pub fn findings(&self) -> Vec<&RuleResult> {
        let mut list: Vec<&RuleResult> = self
            .results
            .iter()
            .flatten()
            .filter(|r| r.status == Status::Finding)
            .collect();
        list.sort_by_key(|r| std::cmp::Reverse(r.severity));
        list
    }
}

/// Counts over the whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Summary {
    /// Inputs audited or attempted.
    pub inputs: usize,
    /// Files of a folder passed over because they hold a private key, each named in the
    /// report's notes. Files with other endings and sub-folders are not counted here: one note
    /// per folder says how many there were.
    #[serde(default)]
    pub skipped: usize,
    /// Inputs that could not be read.
    pub unreadable: usize,
    /// Findings of severity error.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Findings of severity notice.
    pub notices: usize,
    /// Rules that could not run.
    pub fatal: usize,
}

impl Summary {
    /// Counts one more input: whether it was read, and its findings.
    pub fn count(&mut self, input: &InputReport) {
        self.inputs += 1;
        if input.error.is_some() {
            self.unreadable += 1;
        }
        tally(self, input);
    }

    /// Adds another summary's counts to this one.
    pub fn add(&mut self, other: &Summary) {
        self.inputs += other.inputs;
        self.skipped += other.skipped;
        self.unreadable += other.unreadable;
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.notices += other.notices;
        self.fatal += other.fatal;
    }

    /// The verdict for a run with these counts whose worst finding is `worst`: an unreadable
    /// input or a rule that failed to run beats any finding, then a finding at `fail_on` or
    /// above fails the run.
    pub fn verdict(&self, worst: Option<Severity>, fail_on: Severity) -> Verdict {
        if self.unreadable > 0 || self.fatal > 0 {
            Verdict::Incomplete
        } else if worst.is_some_and(|w| w >= fail_on) {
            Verdict::Fail
        } else {
            Verdict::Pass
        }
    }
}

/// How a run ends, for an exit status or a CI gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No finding reaches the threshold.
    Pass,
    /// A finding does.
    Fail,
    /// Something could not be checked at all (an unreadable input, a rule that failed).
    Incomplete,
}

impl Verdict {
    /// The conventional exit status: 0, 1, 2.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::Incomplete => 2,
        }
    }
}

/// The whole audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Format version: 1.
    pub version: u32,
    /// The audit time; RFC 3339 in JSON.
    pub audit_time: Timestamp,
    /// The trust store used for `pic.issuer.public_ca`.
    pub trust_store: String,
    /// The kind of certificate the inputs were audited against (`edge-external`,
    /// `front-end`, ...), as `picert plan` names it; absent in reports written before it was
    /// recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// The pool of that certificate, when it was chosen from the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// One entry per input.
    pub inputs: Vec<InputReport>,
    /// What was passed over or deserves a word, for the run as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Counts.
    pub summary: Summary,
}

impl Report {
    /// Builds the report and its summary.
    pub fn new(audit_time: Timestamp, trust_store: &str, inputs: Vec<InputReport>) -> Report {
        let mut summary = Summary::default();
        for input in &inputs {
            summary.count(input);
        }
        Report {
            version: 1,
            audit_time,
            trust_store: trust_store.to_string(),
            certificate: None,
            pool: None,
            inputs,
            notes: Vec::new(),
            summary,
        }
    }

    /// The most severe finding in the report, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.inputs
            .iter()
            .flat_map(|i| i.findings())
            .map(|r| r.severity)
            .max()
    }
}

/// Adds one input's findings to the counts.
fn tally(summary: &mut Summary, input: &InputReport) {
    for r in input.results.iter().flatten() {
        match (r.status, r.severity) {
            (Status::Finding, Severity::Error) => summary.errors += 1,
            (Status::Finding, Severity::Warning) => summary.warnings += 1,
            (Status::Finding, Severity::Notice) => summary.notices += 1,
            (Status::Fatal, _) => summary.fatal += 1,
            _ => {}
        }
    }
}

pub use crate::failure::Failure;

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity) -> RuleResult {
        RuleResult {
            rule: "x".into(),
            status: Status::Finding,
            severity,
            detail: None,
        }
    }

    #[test]
    fn summaries_add_up_and_decide_the_verdict() {
        let warned = InputReport {
            path: "a.pem".into(),
            results: Some(vec![finding(Severity::Warning), finding(Severity::Notice)]),
            ..InputReport::default()
        };
        let mut run = Summary::default();
        run.count(&warned);
        assert_eq!((run.inputs, run.warnings, run.notices), (1, 1, 1));
        assert_eq!(warned.worst(), Some(Severity::Warning));
        assert_eq!(warned.findings_at(Severity::Warning).len(), 1);
        assert_eq!(run.verdict(warned.worst(), Severity::Error), Verdict::Pass);
        assert_eq!(
            run.verdict(warned.worst(), Severity::Warning),
            Verdict::Fail
        );
        let mut other = Summary::default();
        other.count(&InputReport::unreadable(
            "b.pem",
            Failure::Other("gone".into()),
        ));
        run.add(&other);
        assert_eq!((run.inputs, run.unreadable), (2, 1));
        assert_eq!(
            run.verdict(warned.worst(), Severity::Warning),
            Verdict::Incomplete
        );
        assert_eq!(Verdict::Incomplete.exit_code(), 2);
    }
}
