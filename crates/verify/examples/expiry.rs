//! Days left per certificate, soonest first, as `picert expiry` counts them.
//!
//!     cargo run -p picert-verify --example expiry -- 2026-06-01 fixtures/pki

use picert_core::Timestamp;
use picert_verify::expiry::check_expiry;
use picert_verify::Batch;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(at), files) = (args.first(), &args[1.min(args.len())..]) else {
        return Err("usage: expiry DATE FILE|DIR...".into());
    };
    let at = Timestamp::parse(at)?;
    let batch = Batch::expand(&files.iter().map(Into::into).collect::<Vec<_>>());
    // Files and folders here; what live endpoints presented (picert-probe) would go in the second argument.
    let report = check_expiry(&batch, &[], at, None);
    for e in &report.certificates {
        println!(
            "{:>5}  {}  {:<24} {}",
            e.days_left,
            e.not_after.date(),
            e.subject,
            e.path
        );
    }
    for u in report.skipped.iter().chain(&report.unreadable) {
        println!("       {}: {}", u.path, u.error);
    }
    println!("{:?} with 30 days' notice", report.verdict(Some(30)));
    Ok(())
}
