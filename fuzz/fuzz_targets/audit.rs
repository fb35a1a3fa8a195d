//! The full audit of arbitrary bytes, with a topology, at a fixed time.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    picert_tests::fuzzing::audit(data);
});
