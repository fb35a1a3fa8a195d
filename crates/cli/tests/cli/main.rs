//! The picert command's integration tests: one binary, a module per command or concern.

mod acme;
mod acme_nsupdate;
mod audit;
mod bad_inputs;
mod bundle;
mod common;
mod connect;
mod consistency;
mod expiry;
mod federation;
mod key_safety;
mod request;
mod topology;
mod windows;
