//! Test crate: see the files under `tests/tests/`.
