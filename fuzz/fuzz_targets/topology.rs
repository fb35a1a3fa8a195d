//! The topology parser and the profile validation behind `picert request`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    picert_tests::fuzzing::topology(data);
});
