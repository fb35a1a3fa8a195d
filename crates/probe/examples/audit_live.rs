//! What a live Edge presents, audited as `picert audit --connect` does: the handshake, the
//! chain the server sends, the name checked against it.
//!
//!     cargo run -p picert-probe --example audit_live -- 127.0.0.1:5061 sip.contoso.com \
//!         fixtures/pki/public-root.pem 2026-06-01

use std::time::Duration;

use picert_core::Timestamp;
use picert_probe::{audit_live, ConnectOptions, Target};
use picert_verify::AuditOptions;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target: Target = args
        .first()
        .ok_or("usage: audit_live HOST[:PORT] [SERVER-NAME [ROOTS [DATE]]]")?
        .parse()?;
    let auditor = AuditOptions {
        trust_store: args.get(2).map(Into::into),
        at: args.get(3).map(|d| Timestamp::parse(d)).transpose()?,
        ..AuditOptions::default()
    }
    .auditor()?;
    let options = ConnectOptions {
        server_name: args.get(1).cloned(),
        timeout: Duration::from_secs(5),
        ..ConnectOptions::default()
    };
    let report = audit_live(&auditor, &target, &options);
    if let Some(e) = &report.error {
        return Err(format!("{}: {e}", report.path).into());
    }
    if let Some(tls) = &report.tls {
        println!(
            "{}: {} {} from {}, {} certificates",
            report.path, tls.version, tls.cipher, tls.address, tls.certificates_sent
        );
        println!("client certificate: {:?}", tls.client_certificate);
    }
    println!(
        "chain: {}",
        report.chain.as_deref().unwrap_or_default().join(" -> ")
    );
    for r in report.findings() {
        println!(
            "{:<8} {}  {}",
            r.severity.as_str(),
            r.rule,
            r.detail.as_deref().unwrap_or_default()
        );
    }
    Ok(())
}
