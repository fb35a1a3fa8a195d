//! Rules for a live endpoint (`picert audit --connect`, `picert federation`).

pub mod client_auth_accepted;
pub mod host_name_match;
pub mod key_proved;
pub mod version_minimum;
