//! Rules from the "Certificate summary - Public IM Connectivity" table (seeds 001 and 002).

pub mod eku_client_auth;
pub mod eku_server_auth;
pub mod issuer_public_ca;
pub mod san_expected_present;
pub mod san_order;
pub mod san_subject_replicated;
pub mod san_unexpected;
pub mod subject_cn_present;
pub mod subject_matches_access_edge;
