//! Rules for certificate requests.

pub mod signature_valid;
pub mod template;
