//! picert-verify: audit an Edge Server external certificate, or its request, against the PIC
//! certificate summary table and the requirements around it, and every workflow around that
//! audit:
//!
//! - [`AuditOptions`] sets up an [`Auditor`] from a topology, a trust store file and a time;
//! - [`Auditor::audit_bytes`], [`Auditor::audit_file`] audit one input; [`Batch`] and
//!   [`Auditor::audit_batch`] audit files and folders on every core, streamed in input order;
//! - [`Auditor::audit_presented`] audits what a live Edge presented ([`facts::tls`]), and
//!   [`Auditor::audit_domain`] what federated partners find for a SIP domain
//!   ([`facts::dns`], [`federation`]); picert-probe gathers both over the network;
//! - [`Auditor::prepare_bundle`] orders a chain, checks the key and gates the PKCS#12 file
//!   ([`bundle`]), and [`deploy::DeployScript`] writes the PowerShell that deploys it on the
//!   pool;
//! - [`renewal::read_current`] reads the certificate in service for
//!   [`picert_core::plan_request`];
//! - [`expiry::check_expiry`] counts the days left.
//!
//! Findings are data: an audit returns reports even when every rule fails; an input that cannot
//! be read becomes a report with an `error` ([`Failure`]) and no results. Nothing here prints,
//! and nothing here touches the network.
//!
//! ```
//! use picert_verify::{Auditor, Status};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let mut params = rcgen::CertificateParams::new(vec!["sip.contoso.com".into()]).unwrap();
//! # params.distinguished_name.push(rcgen::DnType::CommonName, "sip.contoso.com");
//! # let pem = params.self_signed(&key).unwrap().pem();
//! let auditor = Auditor::new();
//! let reports = auditor.audit_bytes("edge.pem", pem.as_bytes());
//! let public_ca = reports[0].results.as_ref().unwrap().iter().find(|r| r.rule == "pic.issuer.public_ca").unwrap();
//! assert_eq!(public_ca.status, Status::Finding); // self-signed
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod auditor;
pub mod batch;
pub mod bundle;
pub mod chain;
pub mod deploy;
pub mod expiry;
pub mod facts;
mod failure;
pub mod federation;
pub mod input;
pub mod options;
pub mod renewal;
pub mod report;
pub mod rules;
mod sigalgs;

pub use auditor::Auditor;
pub use batch::{Audited, Batch};
pub use chain::{ChainVerdict, TrustStore};
pub use facts::SignatureCheck;
pub use facts::{Facts, InputKind};
pub use failure::Failure;
pub use options::{AuditOptions, SetupError};
pub use picert_core::{Expectations, Timestamp};
pub use report::{InputReport, Report, RuleResult, Severity, Status, Summary, Verdict};
pub use rules::{Rule, Source, RULES};
/// DER certificates as every API here takes and returns them.
pub use rustls_pki_types::CertificateDer;

/// What `Debug` shows of a secret: whether there is one, never what it is.
pub(crate) fn redacted(secret: &Option<String>) -> &'static str {
    match secret {
        Some(_) => "Some(<redacted>)",
        None => "None",
    }
}
