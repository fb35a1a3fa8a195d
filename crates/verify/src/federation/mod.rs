//! The Edge as federated partners see it: the DNS records of each SIP domain, every address
//! behind the federation SRV target, and the mutual TLS handshake on each.

use serde::{Deserialize, Serialize};

/// One SRV record, its target without the root dot and in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrvRecord {
    /// Priority (lowest first).
    pub priority: u16,
    /// Weight among records of the same priority.
    pub weight: u16,
    /// The port.
    pub port: u16,
    /// The target host.
    pub target: String,
}

/// What a DNS lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<T> {
    /// The records.
    Found(Vec<T>),
    /// None: the name does not exist (`nxdomain`), or has no record of that type.
    NotFound {
        /// The server answered NXDOMAIN.
        nxdomain: bool,
    },
    /// The lookup itself failed (no answer, a server failure, a refusal).
    Failed(String),
}
