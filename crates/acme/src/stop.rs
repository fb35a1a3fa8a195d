//! Stopping where it is safe: the caller's flag (set by its SIGINT or SIGTERM handler) is
//! watched while the run waits on the network, and checked between steps elsewhere.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::error::AcmeError;
use crate::AcmeOptions;

/// Whether the caller asked the run to stop.
pub(crate) fn asked(options: &AcmeOptions) -> bool {
    options
        .interrupt
        .as_deref()
        .is_some_and(|f| f.load(Ordering::SeqCst))
}

async fn watch(flag: Option<&AtomicBool>) {
    match flag {
        Some(flag) => {
            while !flag.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        None => std::future::pending().await,
    }
}

/// `step`, unless the caller asks to stop first: then [`AcmeError::Interrupted`] with `what`.
pub(crate) async fn unless_asked<T>(
    options: &AcmeOptions,
    what: &str,
    step: impl Future<Output = Result<T, AcmeError>>,
) -> Result<T, AcmeError> {
    tokio::select! {
        biased;
        done = step => done,
        () = watch(options.interrupt.as_deref()) => Err(AcmeError::Interrupted(what.to_string())),
    }
}
