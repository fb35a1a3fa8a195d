//! Rules for a live endpoint (`picert audit --connect`).

pub mod host_name_match;
