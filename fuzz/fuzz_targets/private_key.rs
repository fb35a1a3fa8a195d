//! Private key reading (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8) behind `picert request --key`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    picert_tests::fuzzing::private_key(data);
});
