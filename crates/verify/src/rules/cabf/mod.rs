//! Rules from the CA/Browser Forum Baseline Requirements.

pub mod validity_max;
