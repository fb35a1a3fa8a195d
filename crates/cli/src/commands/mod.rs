//! One module per command. None imports another: what several share lives in `args`,
//! `secrets`, `output`, `render` and `hints`.

pub mod acme;
pub mod audit;
pub mod bundle;
pub mod expiry;
pub mod federation;
pub mod man;
pub mod plan;
pub mod request;
pub mod rules;
pub mod topology;
