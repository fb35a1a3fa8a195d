//! Rules for an Edge pool: every member behind one name (`picert federation`).

pub mod same_certificate;
