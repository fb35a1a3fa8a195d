//! One way to run independent network steps at once: `f` over items on a bounded number of
//! threads, the results in the items' order, a panic in one call kept to that item.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `f` over `items` on at most `workers` threads at once; each result in its item's place,
/// `None` where that call panicked (a picert bug, which must not lose the other results).
pub(crate) fn bounded_map<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<Option<R>> {
    let call = |item: &T| catch_unwind(AssertUnwindSafe(|| f(item))).ok();
    if items.len() <= 1 || workers <= 1 {
        return items.iter().map(call).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers.min(items.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = call(item);
                if let Ok(mut slots) = results.lock() {
                    slots[i] = r;
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

/// [`bounded_map`] with one thread per item: for steps that mostly wait on the network.
pub(crate) fn map_all<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<Option<R>> {
    bounded_map(items, items.len(), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_kept_and_a_panic_stays_with_its_item() {
        let items: Vec<u32> = (0..40).collect();
        let out = bounded_map(&items, 7, |i| {
            assert!(*i != 13, "a bug in one call");
            i * 2
        });
        assert_eq!(out.len(), 40);
        for (i, r) in out.iter().enumerate() {
            if i == 13 {
                assert_eq!(*r, None);
            } else {
                assert_eq!(*r, Some(i as u32 * 2));
            }
        }
        assert_eq!(map_all(&[1, 2], |i| i + 1), [Some(2), Some(3)]);
    }
}
