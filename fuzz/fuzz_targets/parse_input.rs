//! Input detection and parsing: PEM, DER, PKCS#7, PKCS#12 (with a password), requests.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    picert_tests::fuzzing::parse_input(data);
});
