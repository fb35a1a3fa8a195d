//! The JSON form of one input report, written without serde's per-byte escaping: an audit of
//! thousands of certificates spends more time escaping the same rule details than on anything
//! but the signatures. The output is byte for byte what `serde_json::to_string` writes (a test
//! holds both to that), so it reads back with serde.

use std::fmt::Write as _;

use super::{InputReport, RuleResult, Status};
use crate::facts::InputKind;

/// Appends `s` as a JSON string. Clean text (no quote, backslash or control character, the
/// usual case) is copied as it is; the rest goes through serde_json.
fn string(out: &mut String, s: &str) {
    // No early exit: the compiler turns this into a vector loop.
    let dirty = s.bytes().fold(false, |acc, b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if dirty {
        out.push_str(&serde_json::Value::from(s).to_string());
    } else {
        out.push('"');
        out.push_str(s);
        out.push('"');
    }
}

fn key(out: &mut String, first: &mut bool, name: &str) {
    if !*first {
        out.push(',');
    }
    *first = false;
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
}

fn strings(out: &mut String, list: &[String]) {
    out.push('[');
    for (i, s) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, s);
    }
    out.push(']');
}

fn result(out: &mut String, r: &RuleResult) {
    out.push_str("{\"rule\":");
    string(out, &r.rule);
    out.push_str(",\"status\":\"");
    out.push_str(match r.status {
        Status::Pass => "pass",
        Status::Finding => "finding",
        Status::Na => "na",
        Status::Ne => "ne",
        Status::Fatal => "fatal",
    });
    out.push_str("\",\"severity\":\"");
    out.push_str(r.severity.as_str());
    out.push('"');
    if let Some(d) = &r.detail {
        out.push_str(",\"detail\":");
        string(out, d);
    }
    out.push('}');
}

impl InputReport {
    /// Appends this report as one line of JSON (no line end), exactly as `serde_json` writes it.
    pub fn write_json(&self, out: &mut String) {
        let mut first = true;
        out.push('{');
        key(out, &mut first, "path");
        string(out, &self.path);
        if let Some(kind) = self.kind {
            key(out, &mut first, "kind");
            out.push_str(match kind {
                InputKind::Certificate => "\"certificate\"",
                InputKind::Csr => "\"csr\"",
                InputKind::CaCertificate => "\"ca_certificate\"",
            });
        }
        for (name, value) in [
            ("subject", &self.subject),
            ("issuer", &self.issuer),
            ("thumbprint", &self.thumbprint),
            ("sha256", &self.sha256),
        ] {
            if let Some(v) = value {
                key(out, &mut first, name);
                string(out, v);
            }
        }
        for (name, value) in [
            ("not_before", self.not_before),
            ("not_after", self.not_after),
        ] {
            if let Some(t) = value {
                key(out, &mut first, name);
                let _ = write!(out, "\"{t}\"");
            }
        }
        key(out, &mut first, "dns_names");
        strings(out, &self.dns_names);
        if !self.other_names.is_empty() {
            key(out, &mut first, "other_names");
            strings(out, &self.other_names);
        }
        key(out, &mut first, "eku");
        match &self.eku {
            Some(list) => strings(out, list),
            None => out.push_str("null"),
        }
        for (name, value) in [("key", &self.key), ("signature", &self.signature)] {
            if let Some(v) = value {
                key(out, &mut first, name);
                string(out, v);
            }
        }
        if !self.templates.is_empty() {
            key(out, &mut first, "templates");
            strings(out, &self.templates);
        }
        if let Some(chain) = &self.chain {
            key(out, &mut first, "chain");
            strings(out, chain);
        }
        if let Some(e) = &self.expectations {
            key(out, &mut first, "expectations");
            string(out, e);
        }
        if let Some(tls) = &self.tls {
            key(out, &mut first, "tls");
            out.push_str(&serde_json::to_string(tls).unwrap_or_else(|_| "null".into()));
        }
        if !self.notes.is_empty() {
            key(out, &mut first, "notes");
            strings(out, &self.notes);
        }
        if let Some(results) = &self.results {
            key(out, &mut first, "results");
            out.push('[');
            for (i, r) in results.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                result(out, r);
            }
            out.push(']');
        }
        if let Some(e) = &self.error {
            key(out, &mut first, "error");
            string(out, &e.to_string());
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tls::{ClientCertificate, TlsFacts};
    use crate::{Failure, Severity};

    fn same_as_serde(report: &InputReport) {
        let mut fast = String::new();
        report.write_json(&mut fast);
        assert_eq!(fast, serde_json::to_string(report).unwrap());
    }

    #[test]
    fn writes_what_serde_writes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let auditor = crate::Auditor::new().at(picert_core::Timestamp::from_date(2026, 6, 1));
        let mut seen = 0;
        for dir in ["pki", "bad"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    for report in auditor.audit_file(&path) {
                        same_as_serde(&report);
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen > 90, "{seen}");
        // Escapes, control characters, non-ASCII text, a live endpoint, notes and an error.
        same_as_serde(&InputReport {
            path: "a \"quoted\" path\\with\ttab\u{1}é".into(),
            kind: Some(InputKind::CaCertificate),
            other_names: vec!["IP:192.0.2.1".into()],
            templates: vec!["Web\nServer".into()],
            tls: Some(TlsFacts {
                address: "[::1]:5061".into(),
                server_name: "sip.contoso.com".into(),
                version: "TLSv1.2".into(),
                cipher: "TLS_ECDHE".into(),
                certificates_sent: 1,
                client_certificate: ClientCertificate::Required,
                client_certificate_accepted: None,
                alert: Some("handshake_failure".into()),
                key_proved: true,
                handshake_failure: None,
                offered_versions: Vec::new(),
                versions_not_probed: Vec::new(),
            }),
            notes: vec!["a note".into()],
            results: Some(vec![RuleResult {
                rule: "x.y".into(),
                status: Status::Fatal,
                severity: Severity::Notice,
                detail: Some("\u{7f} and \"quotes\"".into()),
            }]),
            error: Some(Failure::Other("gone \\ away".into())),
            ..InputReport::default()
        });
    }
}
