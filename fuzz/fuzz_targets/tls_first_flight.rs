//! A TLS 1.0/1.1 server's first flight (ServerHello, Certificate, ServerHelloDone), as picert
//! reads it for the offered-versions probe, from arbitrary bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    picert_tests::fuzzing::tls_first_flight(data);
});
