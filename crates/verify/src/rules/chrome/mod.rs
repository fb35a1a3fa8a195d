//! Rules from the Chrome Root Program policy.

pub mod eku_client_auth;
