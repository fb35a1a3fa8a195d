//! The audit report: data, rendered by the CLI as text or JSON.
//!
//! The JSON form is `serde_json` of [`Report`]; `docs/json.md` documents it, and the fields named
//! there are a contract (`version` changes when one of them does).

use serde::{Deserialize, Serialize};

use crate::facts::InputKind;

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

/// One rule's result for one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// Rule ID.
    pub rule: String,
    /// Outcome.
    pub status: Status,
    /// The rule's severity (what a finding means).
    pub severity: Severity,
    /// What was found, why it does not apply, or a note on a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
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
    /// notBefore, RFC 3339 (certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    /// notAfter, RFC 3339 (certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
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
    /// For a live endpoint: the TLS version, cipher suite and address seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<String>,
    /// Every rule's result, in registry order; absent when the input could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<RuleResult>>,
    /// Why the input could not be read; absent when it was audited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl InputReport {
    /// An unreadable input.
    pub fn unreadable(path: &str, error: impl Into<String>) -> InputReport {
        InputReport {
            path: path.to_string(),
            error: Some(error.into()),
            ..InputReport::default()
        }
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

/// The whole audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Format version: 1.
    pub version: u32,
    /// The audit time, RFC 3339.
    pub audit_time: String,
    /// The trust store used for `pic.issuer.public_ca`.
    pub trust_store: String,
    /// One entry per input.
    pub inputs: Vec<InputReport>,
    /// Counts.
    pub summary: Summary,
}

impl Report {
    /// Builds the report and its summary.
    pub fn new(audit_time: i64, trust_store: &str, inputs: Vec<InputReport>) -> Report {
        let mut summary = Summary {
            inputs: inputs.len(),
            ..Summary::default()
        };
        for input in &inputs {
            if input.error.is_some() {
                summary.unreadable += 1;
            }
            tally(&mut summary, input);
        }
        Report {
            version: 1,
            audit_time: rfc3339(audit_time),
            trust_store: trust_store.to_string(),
            inputs,
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
pub fn tally(summary: &mut Summary, input: &InputReport) {
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

/// Unix seconds as RFC 3339 UTC (`2026-11-22T10:00:00Z`).
pub fn rfc3339(t: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(t) {
        Ok(d) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year(),
            d.month() as u8,
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        ),
        Err(_) => t.to_string(),
    }
}
