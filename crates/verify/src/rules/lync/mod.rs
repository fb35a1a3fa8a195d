//! Rules from Microsoft's Lync Server 2013 / Skype for Business Server certificate requirements.

pub mod crl_distribution_point;
pub mod key_algorithm;
pub mod key_product_support;
pub mod key_rsa_strength;
pub mod key_usage_rsa;
pub mod name_no_wildcard;
pub mod sig_no_pss;
pub mod sig_weak_hash;
