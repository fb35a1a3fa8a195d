//! The human form of audit reports, shared by every command that shows one (`audit`,
//! `bundle`, `federation`, `acme`).

use std::fmt::Write as _;

use picert_verify::facts::tls::{ClientCertificate, TlsFacts};
use picert_verify::rules::Needs;
use picert_verify::{InputKind, InputReport, Severity, Status, Summary};

use crate::output::Style;

/// How much of a report to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// The description, the findings and the verdict.
    Normal,
    /// Also every passing, not-applicable and not-yet-effective rule.
    Verbose,
    /// Only the findings at this severity or above (`--quiet`), with the input's name.
    FindingsAt(Severity),
}

/// `n word(s)`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn severity_label(style: &Style, s: Severity) -> String {
    let label = format!("{:<7}", s.as_str());
    match s {
        Severity::Error => style.paint("1;31", &label),
        Severity::Warning => style.paint("33", &label),
        Severity::Notice => style.paint("36", &label),
    }
}

/// The handshake in one line.
pub fn tls_line(tls: &TlsFacts) -> String {
    let mut line = format!(
        "{}, {}, from {} ({} sent)",
        tls.version,
        tls.cipher,
        tls.address,
        plural(tls.certificates_sent, "certificate")
    );
    let alert = tls
        .alert
        .as_ref()
        .map(|a| format!(": alert {a}"))
        .unwrap_or_default();
    match (tls.client_certificate, tls.client_certificate_accepted) {
        (ClientCertificate::NotRequested, _) => {}
        (ClientCertificate::Required, _) => line.push_str(&format!(
            "; requires a client certificate (refused the handshake without one{alert})"
        )),
        (ClientCertificate::Requested, Some(true)) => {
            line.push_str("; asked for a client certificate and accepted ours")
        }
        (ClientCertificate::Requested, Some(false)) => line.push_str(&format!(
            "; asked for a client certificate and refused ours{alert}"
        )),
        (ClientCertificate::Requested, None) if tls.handshake_failure.is_some() => {
            line.push_str("; asked for a client certificate")
        }
        (ClientCertificate::Requested, None) => {
            line.push_str("; asks for a client certificate (completed without one)")
        }
    }
    if !tls.offered_versions.is_empty() {
        line.push_str(&format!("; offers {}", tls.offered_versions.join(", ")));
    }
    if !tls.key_proved {
        line.push_str("; did not prove it holds the certificate's key");
    }
    line
}

/// Appends one input's report.
pub fn input(out: &mut String, input: &InputReport, style: &Style, detail: Detail) {
    if let Some(err) = &input.error {
        let _ = writeln!(
            out,
            "{}: {} {err}",
            style.paint("1", &input.path),
            style.paint("1;31", "unreadable:")
        );
        return;
    }
    if let Detail::FindingsAt(at) = detail {
        let findings = input.findings_at(at);
        if !findings.is_empty() {
            let _ = writeln!(out, "{}", style.paint("1", &input.path));
            for r in findings {
                finding_line(out, style, r.severity, &r.rule, r.detail.as_deref());
            }
        }
        return;
    }
    let kind = match input.kind {
        Some(InputKind::Csr) => "certificate request",
        Some(InputKind::CaCertificate) => "CA certificate",
        _ => "certificate",
    };
    let _ = writeln!(out, "{} ({kind})", style.paint("1", &input.path));
    let field = |out: &mut String, name: &str, value: &str| {
        let _ = writeln!(out, "  {name:<10} {value}");
    };
    if let Some(s) = &input.subject {
        field(out, "subject", s);
    }
    if let Some(s) = &input.issuer {
        field(out, "issuer", s);
    }
    if let (Some(nb), Some(na)) = (&input.not_before, &input.not_after) {
        field(out, "validity", &format!("{nb} to {na}"));
    }
    // What Set-CsCertificate and Get-CsCertificate show: "is the one I assigned the one here?"
    if let Some(t) = &input.thumbprint {
        field(out, "thumbprint", t);
    }
    let mut names = input.dns_names.clone();
    names.extend(input.other_names.iter().cloned());
    field(
        out,
        "SAN",
        &if names.is_empty() {
            "(none)".into()
        } else {
            names.join(", ")
        },
    );
    field(
        out,
        "EKU",
        &input
            .eku
            .as_ref()
            .map(|e| e.join(", "))
            .unwrap_or_else(|| "(no EKU extension)".into()),
    );
    field(
        out,
        "key",
        &format!(
            "{}; signed {}",
            input.key.as_deref().unwrap_or("?"),
            input.signature.as_deref().unwrap_or("?")
        ),
    );
    if !input.templates.is_empty() {
        field(out, "template", &input.templates.join(", "));
    }
    if let Some(chain) = &input.chain {
        field(out, "chain", &chain.join(" -> "));
    }
    if let Some(tls) = &input.tls {
        field(out, "tls", &tls_line(tls));
    }
    for note in &input.notes {
        field(out, "note", note);
    }
    if input.kind == Some(InputKind::CaCertificate) {
        return;
    }
    let results = input.results.as_deref().unwrap_or_default();
    if input.expectations.as_deref() == Some("inferred") {
        let na = results
            .iter()
            .filter(|r| {
                r.status == Status::Na
                    && picert_verify::rules::find(&r.rule)
                        .is_some_and(|x| x.needs == Needs::Topology)
            })
            .count();
        field(
            out,
            "expected",
            &format!(
                "inferred from the certificate itself (no topology given: {} not checked)",
                plural(na, "topology rule")
            ),
        );
    }
    for r in input.findings() {
        finding_line(out, style, r.severity, &r.rule, r.detail.as_deref());
        if detail == Detail::Verbose {
            advice_line(out, &r.rule, "  ");
        }
    }
    for r in results.iter().filter(|r| r.status == Status::Fatal) {
        let _ = writeln!(
            out,
            "  {} {}  {}",
            style.paint("1;35", "fatal  "),
            r.rule,
            r.detail.as_deref().unwrap_or_default()
        );
    }
    if detail == Detail::Verbose {
        for r in results
            .iter()
            .filter(|r| !matches!(r.status, Status::Finding | Status::Fatal))
        {
            let label = match r.status {
                Status::Pass => style.paint("32", "pass   "),
                Status::Na => "n/a    ".to_string(),
                _ => "not yet".to_string(),
            };
            let _ = writeln!(
                out,
                "  {label} {}{}",
                r.rule,
                r.detail
                    .as_ref()
                    .map(|d| format!("  {d}"))
                    .unwrap_or_default()
            );
        }
    }
    verdict_line(out, style, results);
}

/// `  error   rule  detail`.
pub fn finding_line(
    out: &mut String,
    style: &Style,
    s: Severity,
    rule: &str,
    detail: Option<&str>,
) {
    let _ = writeln!(
        out,
        "  {} {rule}  {}",
        severity_label(style, s),
        detail.unwrap_or_default()
    );
}

/// With `-v`, under a finding: the rule's longer advice, where it has one (`picert rules
/// explain ID` shows the same).
pub fn advice_line(out: &mut String, rule: &str, indent: &str) {
    if let Some(advice) = picert_verify::rules::find(rule).and_then(|r| r.advice) {
        let _ = writeln!(out, "{indent}          {advice}");
    }
}

/// The verdict in a few words, for a one-line summary: `PASS`, `PASS with 1 warning`,
/// `FAIL: 2 errors, 1 notice`.
pub fn short_verdict(style: &Style, results: &[picert_verify::RuleResult]) -> String {
    let sev = |s: Severity| {
        results
            .iter()
            .filter(|r| r.status == Status::Finding && r.severity == s)
            .count()
    };
    let counts: Vec<String> = [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Notice, "notice"),
    ]
    .into_iter()
    .filter(|(s, _)| sev(*s) > 0)
    .map(|(s, word)| plural(sev(s), word))
    .collect();
    if sev(Severity::Error) > 0 {
        format!("{}: {}", style.paint("1;31", "FAIL"), counts.join(", "))
    } else if counts.is_empty() {
        style.paint("1;32", "PASS")
    } else {
        format!("{} with {}", style.paint("33", "PASS"), counts.join(", "))
    }
}

/// `  PASS: 0 errors, ...` for one input's results.
pub fn verdict_line(out: &mut String, style: &Style, results: &[picert_verify::RuleResult]) {
    let count = |st: Status| results.iter().filter(|r| r.status == st).count();
    let sev = |s: Severity| {
        results
            .iter()
            .filter(|r| r.status == Status::Finding && r.severity == s)
            .count()
    };
    let verdict = if sev(Severity::Error) > 0 {
        style.paint("1;31", "FAIL")
    } else if sev(Severity::Warning) + sev(Severity::Notice) > 0 {
        style.paint("33", "PASS with findings")
    } else {
        style.paint("1;32", "PASS")
    };
    let _ = writeln!(
        out,
        "  {verdict}: {}, {}, {} ({} passed, {} not applicable{})",
        plural(sev(Severity::Error), "error"),
        plural(sev(Severity::Warning), "warning"),
        plural(sev(Severity::Notice), "notice"),
        count(Status::Pass),
        count(Status::Na),
        if count(Status::Ne) > 0 {
            format!(", {} not yet effective", count(Status::Ne))
        } else {
            String::new()
        },
    );
}

/// The last line of a run of several inputs.
pub fn summary_line(s: &Summary) -> String {
    format!(
        "{}: {}, {}, {}{}{}{}\n",
        plural(s.inputs, "input"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notices, "notice"),
        if s.unreadable > 0 {
            format!(", {} unreadable", s.unreadable)
        } else {
            String::new()
        },
        if s.skipped > 0 {
            format!(", {} skipped", s.skipped)
        } else {
            String::new()
        },
        if s.fatal > 0 {
            format!(", {} rule failures", s.fatal)
        } else {
            String::new()
        },
    )
}
