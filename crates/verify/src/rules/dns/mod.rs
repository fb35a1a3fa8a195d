//! Rules for the DNS records federated partners and remote users look up (`picert
//! federation`). The federation workflow runs their checks; each file holds the rule and the
//! check it makes.

pub mod remote_access_srv_present;
pub mod srv_present;
pub mod suffix_match;
pub mod target_in_certificate;
pub mod target_resolves;

use crate::federation::{Lookup, SrvRecord};

/// `target:port (priority p, weight w)` for each record.
pub(crate) fn describe(records: &[SrvRecord]) -> String {
    records
        .iter()
        .map(|r| {
            format!(
                "{}:{} (priority {}, weight {})",
                r.target, r.port, r.priority, r.weight
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why an SRV lookup found nothing, in words.
pub(crate) fn missing(name: &str, answer: &Lookup<SrvRecord>) -> String {
    match answer {
        Lookup::NotFound { nxdomain: true } => format!("{name} does not exist (NXDOMAIN)"),
        Lookup::NotFound { nxdomain: false } => format!("{name} has no SRV record"),
        Lookup::Failed(why) => format!("the lookup of {name} failed: {why}"),
        Lookup::Found(_) => format!("{name} has an SRV record"),
    }
}
