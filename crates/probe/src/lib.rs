//! picert-probe: everything picert learns over the network, gathered as facts for
//! picert-verify to judge.
//!
//! - [`fetch_chain`] makes one TLS handshake with a live Edge (SNI, a deadline that holds
//!   whatever the peer does, optionally a client certificate as a partner Edge presents one)
//!   and records what it presented ([`Presented`]): the chain, whether the server proved it
//!   holds the key, the TLS versions it offers;
//! - [`audit_live`] and [`audit_live_all`] audit what one or several targets present
//!   (`picert audit --connect`);
//! - [`federation::federation`] takes a federated partner's steps for each SIP domain (DNS SRV
//!   records, every address of every target, mutual TLS) and has
//!   [`picert_verify::Auditor::audit_domain`] judge them;
//! - [`expiry::check_expiry`] counts the days left of files and live targets together.
//!
//! Nothing here judges a certificate and nothing here prints: the facts are picert-verify's
//! types ([`picert_verify::facts::tls`], [`picert_verify::facts::dns`]), and so is every
//! report.
//!
//! ```no_run
//! use picert_probe::{audit_live, ConnectOptions};
//! use std::time::Duration;
//! let target = "sip.contoso.com:5061".parse()?;
//! let options = ConnectOptions { timeout: Duration::from_secs(5), ..ConnectOptions::default() };
//! let report = audit_live(&picert_verify::Auditor::new(), &target, &options);
//! for finding in report.findings() {
//!     println!("{} {}", finding.rule, finding.detail.as_deref().unwrap_or(""));
//! }
//! # Ok::<(), picert_probe::LiveError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod dns;
pub mod expiry;
pub mod federation;
mod live;
mod parallel;
pub mod tls;

pub use live::{audit_live, audit_live_all, target_label};
pub use picert_verify::facts::tls::{
    ClientCertificate, LiveError, Presented, Target, TlsFacts, SIP_TLS_PORT,
};
pub use tls::{fetch_chain, ClientIdentity, ConnectOptions, IdentityError};
