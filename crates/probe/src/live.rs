//! `--connect`: what one or several live Edges present, audited as they present it.

use picert_verify::facts::tls::Target;
use picert_verify::{Auditor, Failure, InputReport};

use crate::parallel::map_all;
use crate::tls::{fetch_chain, ConnectOptions};

/// The label a live target's report carries: `host:port`, with the name sent as SNI in
/// parentheses when it is not the host.
pub fn target_label(target: &Target, options: &ConnectOptions) -> String {
    match &options.server_name {
        Some(name) if *name != target.host => format!("{} ({name})", target.label()),
        _ => target.label(),
    }
}

/// Connects to `target`, records what it presents and has `auditor` audit it; a failure to
/// connect is an unreadable report named after the target.
///
/// ```no_run
/// use picert_probe::{audit_live, ConnectOptions};
/// let target = "sip.contoso.com:5061".parse()?;
/// let report = audit_live(&picert_verify::Auditor::new(), &target, &ConnectOptions::default());
/// println!("{} findings", report.findings().len());
/// # Ok::<(), picert_verify::facts::tls::LiveError>(())
/// ```
pub fn audit_live(auditor: &Auditor, target: &Target, options: &ConnectOptions) -> InputReport {
    let label = target_label(target, options);
    let name = options
        .server_name
        .clone()
        .unwrap_or_else(|| target.host.clone());
    match fetch_chain(target, options) {
        Ok(presented) => auditor.audit_presented(&label, &presented, &name),
        Err(e) => InputReport::unreadable(&label, e),
    }
}

/// [`audit_live`] for several targets at once, each with its options; the reports in the
/// order given. A run takes about as long as its slowest target: each connection ends at its
/// own deadline, and a slow target does not hold back the report of another.
pub fn audit_live_all(auditor: &Auditor, targets: &[(Target, ConnectOptions)]) -> Vec<InputReport> {
    map_all(targets, |(target, options)| {
        audit_live(auditor, target, options)
    })
    .into_iter()
    .zip(targets)
    .map(|(done, (target, _))| {
        done.unwrap_or_else(|| {
            InputReport::unreadable(
                &target.label(),
                Failure::Other("the connection failed (a picert bug)".into()),
            )
        })
    })
    .collect()
}
