//! picert's cross-crate tests: one binary, a module per corpus or concern (the fixtures, the
//! fuzz corpora replayed, x509-limbo, the peer corpora, round trips).

mod fixtures;
mod fuzz_replay;
mod limbo;
mod peer;
mod roundtrip;
