//! One file audited as `picert audit` does it: the findings, and the verdict.
//!
//!     cargo run -p picert-verify --example audit_file -- fixtures/pki/good.pem \
//!         fixtures/contoso.toml fixtures/pki/public-root.pem 2026-06-01
//!
//! The topology, trust store and date are optional (without them: no topology rules, Mozilla's
//! roots, now).

use picert_core::{Timestamp, Topology};
use picert_verify::{AuditOptions, Severity, Summary};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .first()
        .ok_or("usage: audit_file FILE [TOPOLOGY [ROOTS [DATE]]]")?;
    let auditor = AuditOptions {
        topology: match args.get(1) {
            Some(t) => Topology::load(t.as_ref())?,
            None => Topology::default(),
        },
        trust_store: args.get(2).map(Into::into),
        at: args.get(3).map(|d| Timestamp::parse(d)).transpose()?,
        ..AuditOptions::default()
    }
    .auditor()?;
    let mut summary = Summary::default();
    let mut worst = None;
    for report in auditor.audit_file(file.as_ref()) {
        summary.count(&report);
        worst = worst.max(report.worst());
        if let Some(e) = &report.error {
            println!("{}: unreadable: {e}", report.path);
            continue;
        }
        println!(
            "{} ({})",
            report.path,
            report.subject.as_deref().unwrap_or_default()
        );
        for r in report.findings() {
            println!(
                "  {:<8} {}  {}",
                r.severity.as_str(),
                r.rule,
                r.detail.as_deref().unwrap_or_default()
            );
        }
    }
    println!(
        "{} errors, {} warnings, {} notices: {:?} at --fail-on error",
        summary.errors,
        summary.warnings,
        summary.notices,
        summary.verdict(worst, Severity::Error)
    );
    Ok(())
}
