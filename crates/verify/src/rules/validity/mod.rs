//! Validity period rules (RFC 5280 and operations).

pub mod current;
pub mod expiring_soon;
