//! `picert expiry` with live targets: what each presents, fetched at once, counted with the
//! files by picert-verify's [`picert_verify::expiry::check_expiry`].

use picert_core::Timestamp;
use picert_verify::expiry::ExpiryReport;
use picert_verify::facts::tls::{LiveError, Target};
use picert_verify::Batch;

use crate::live::target_label;
use crate::parallel::map_all;
use crate::tls::{fetch_chain, ConnectOptions};

/// The expiry of each file's leaf and of what each live target presents, every target at
/// once (the run lasts as long as the slowest connection, each ending at its deadline).
pub fn check_expiry(
    batch: &Batch,
    targets: &[Target],
    options: &ConnectOptions,
    at: Timestamp,
    pfx_password: Option<&str>,
) -> ExpiryReport {
    let live: Vec<_> = map_all(targets, |target| fetch_chain(target, options))
        .into_iter()
        .zip(targets)
        .map(|(fetched, target)| {
            let fetched = fetched.unwrap_or_else(|| {
                Err(LiveError::Handshake {
                    address: target.label(),
                    why: "the connection failed (a picert bug)".into(),
                })
            });
            (target_label(target, options), fetched)
        })
        .collect();
    picert_verify::expiry::check_expiry(batch, &live, at, pfx_password)
}
