//! What federated partners find for each SIP domain, as `picert federation` checks it: the SRV
//! records, every address of the target, the chain each one presents, the DNS and pool rules.
//!
//!     cargo run -p picert-probe --example federation -- 127.0.0.1:5353 contoso.com fabrikam.com
//!
//! The first argument is the DNS server to ask (`system` for the system's resolvers). Loopback
//! answers are accepted, for a lab on this machine.

use std::time::Duration;

use picert_probe::federation::{federation, DnsServer, FederationOptions};
use picert_verify::{Auditor, Severity, Status};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(server), domains) = (args.first(), &args[1.min(args.len())..]) else {
        return Err("usage: federation DNS-SERVER|system DOMAIN...".into());
    };
    let dns = match server.as_str() {
        "system" => DnsServer::System,
        addr => DnsServer::At(addr.parse()?),
    };
    let options = FederationOptions {
        dns,
        timeout: Duration::from_secs(3),
        ..FederationOptions::default()
    };
    let auditor = Auditor::new().allow_loopback(true);
    let report = federation(&auditor, domains, &options)?;
    for domain in &report.domains {
        println!("{}", domain.domain);
        if let Some(why) = &domain.error {
            println!("  not checked: {why}");
        }
        for r in domain.results.iter().flatten() {
            if r.status == Status::Finding {
                let detail = r.detail.as_deref().unwrap_or_default();
                println!("  {:<8} {}  {detail}", r.severity.as_str(), r.rule);
            }
        }
        for e in &domain.endpoints {
            let what = match (&e.error, &e.thumbprint) {
                (Some(error), _) => format!("unreachable: {error}"),
                (None, Some(thumbprint)) => format!("presents {thumbprint}"),
                (None, None) => "presented nothing".into(),
            };
            println!("  {} port {}: {what}", e.address, e.port);
        }
    }
    let verdict = report.summary.verdict(report.worst(), Severity::Error);
    println!("{verdict:?} (exit status {})", verdict.exit_code());
    Ok(())
}
