//! A folder audited on every core, the reports streamed as one JSON document in file order, as
//! `picert audit DIR --format json` prints it.
//!
//!     cargo run -p picert-verify --example audit_dir -- fixtures/pki \
//!         fixtures/pki/public-root.pem 2026-06-01

use std::io::Write;

use picert_core::Timestamp;
use picert_verify::{AuditOptions, Audited, Batch, Summary};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().ok_or("usage: audit_dir DIR [ROOTS [DATE]]")?;
    let auditor = AuditOptions {
        trust_store: args.get(1).map(Into::into),
        at: args.get(2).map(|d| Timestamp::parse(d)).transpose()?,
        ..AuditOptions::default()
    }
    .auditor()?;
    let batch = Batch::expand(&[dir.into()]);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(
        out,
        "{{\"version\":1,\"audit_time\":\"{}\",\"inputs\":[",
        auditor.audit_time()
    )?;
    let mut summary = Summary::default();
    // Each worker serialises what it audited; the writer gets the lines in file order.
    auditor.audit_batch(
        &batch,
        |audited| match audited {
            Audited::Reports(reports) => reports
                .into_iter()
                .map(|r| (serde_json::to_string(&r).map_err(|e| e.to_string()), r))
                .collect(),
            _ => Vec::new(),
        },
        |lines: Vec<(Result<String, String>, picert_verify::InputReport)>| {
            for (line, report) in lines {
                let comma = if summary.inputs > 0 { "," } else { "" };
                summary.count(&report);
                writeln!(out, "{comma}{}", line?).map_err(|e| e.to_string())?;
            }
            Ok::<(), String>(())
        },
    )?;
    writeln!(out, "],\"summary\":{}}}", serde_json::to_string(&summary)?)?;
    Ok(())
}
