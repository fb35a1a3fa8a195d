//! The ordered parallel map under every batch run: work on all cores, results handed on in
//! input order as soon as the ones before them are done, within a bounded window.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Runs `work` on every index on all cores and hands the results to `sink` in index order, as
/// soon as the ones before are done: the writer works while the workers do. Workers stay within
/// a window of the writer, so the results waiting to be written stay bounded.
pub(crate) fn for_each_ordered<T: Send, E>(
    count: usize,
    work: impl Fn(usize) -> T + Sync,
    mut sink: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    // Workers claim CHUNK inputs at a time and send each chunk's results at once: one channel
    // hand-off per chunk, not per input.
    const CHUNK: usize = 32;
    const WINDOW: usize = 1024;
    if count == 0 {
        return Ok(());
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(count.div_ceil(CHUNK));
    let next = AtomicUsize::new(0);
    // How many results the writer has handed on; workers beyond the window wait for it to move.
    let written = (std::sync::Mutex::new(0usize), std::sync::Condvar::new());
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<T>)>(WINDOW / CHUNK);
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, written, stop, work) = (&next, &written, &stop, &work);
            scope.spawn(move || loop {
                let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                if start >= count || stop.load(Ordering::Relaxed) {
                    break;
                }
                {
                    let (count_written, moved) = written;
                    let mut done = count_written.lock().unwrap_or_else(|e| e.into_inner());
                    while start >= *done + WINDOW && !stop.load(Ordering::Relaxed) {
                        done = moved.wait(done).unwrap_or_else(|e| e.into_inner());
                    }
                }
                let results: Vec<T> = (start..(start + CHUNK).min(count)).map(work).collect();
                if tx.send((start, results)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut expected = 0;
        let mut result = Ok(());
        for (start, values) in rx {
            pending.insert(start, values);
            while let Some(values) = pending.remove(&expected) {
                expected += values.len();
                for value in values {
                    if result.is_ok() {
                        result = sink(value);
                        if result.is_err() {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
                let (count_written, moved) = &written;
                *count_written.lock().unwrap_or_else(|e| e.into_inner()) = expected;
                moved.notify_all();
            }
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_and_a_sink_error_stops_the_run() {
        let mut seen = Vec::new();
        for_each_ordered(
            1000,
            |i| i * 2,
            |v| {
                seen.push(v);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        let mut count = 0;
        let stopped = for_each_ordered(
            5000,
            |i| i,
            |_| {
                count += 1;
                if count == 10 {
                    Err("enough")
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(stopped, Err("enough"));
        assert_eq!(count, 10);
    }

    #[test]
    fn workers_wait_within_the_window_of_a_slow_writer() {
        let produced = AtomicUsize::new(0);
        let mut consumed = 0usize;
        let mut most_ahead = 0usize;
        for_each_ordered(
            20_000,
            |i| {
                produced.fetch_add(1, Ordering::SeqCst);
                i
            },
            |v| {
                assert_eq!(v, consumed, "in order");
                consumed += 1;
                most_ahead = most_ahead.max(produced.load(Ordering::SeqCst) - consumed);
                if consumed.is_multiple_of(2048) {
                    // A writer that falls behind now and then.
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(consumed, 20_000);
        // A chunk is claimed only within 1024 inputs of the writer, and is at most 32 long.
        assert!(most_ahead <= 1024 + 32, "{most_ahead} results waiting");
    }
}
