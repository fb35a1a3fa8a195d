//! Setting up an [`Auditor`] from what a user gives: a topology, a trust store file, chain
//! files, a time and a threshold. The `picert` binary, the examples and the tests all start
//! here.

use std::path::{Path, PathBuf};

use picert_core::{Timestamp, Topology};
use rustls_pki_types::CertificateDer;

use crate::auditor::Auditor;
use crate::chain::{TrustStore, TrustStoreError};
use crate::input::{self, InputError};

/// What an audit expects and trusts.
#[derive(Clone, Default)]
pub struct AuditOptions {
    /// The topology (a file with flags over it); an empty one leaves the topology rules `na`.
    pub topology: Topology,
    /// Trusted roots replacing the built-in Mozilla roots (a lab CA, a test CA).
    pub trust_store: Option<PathBuf>,
    /// Intermediates offered to every file's chain.
    pub chain_files: Vec<PathBuf>,
    /// The audit time; now when absent.
    pub at: Option<Timestamp>,
    /// `validity.expiring_soon` threshold in days (30 when absent).
    pub warn_days: Option<u32>,
    /// The password of PKCS#12 inputs.
    pub pfx_password: Option<String>,
    /// The certificate of the plan to audit against (`picert_core::plan::load_certificate`),
    /// its settings in `topology`; `None` expects the topology's Edge external certificate.
    pub certificate: Option<picert_core::plan::CertificatePlan>,
}

impl std::fmt::Debug for AuditOptions {
    /// Every field but the password, which shows only whether there is one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditOptions")
            .field("topology", &self.topology)
            .field("trust_store", &self.trust_store)
            .field("chain_files", &self.chain_files)
            .field("at", &self.at)
            .field("warn_days", &self.warn_days)
            .field("pfx_password", &crate::redacted(&self.pfx_password))
            .field("certificate", &self.certificate)
            .finish()
    }
}

/// Why an auditor could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The topology is unreadable or names something the name rules refuse.
    #[error(transparent)]
    Topology(#[from] picert_core::Error),
    /// The trust store file cannot be used.
    #[error("{path}: {reason}")]
    TrustStore {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: CertificateFileError,
    },
    /// A chain file cannot be used.
    #[error("{path}: {reason}")]
    ChainFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: CertificateFileError,
    },
}

/// Why a file of certificates (trust store, chain) cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateFileError {
    /// It could not be read.
    #[error("{0}")]
    Io(String),
    /// It is not a certificate file.
    #[error(transparent)]
    Input(#[from] InputError),
    /// It holds no certificate (a request, say).
    #[error("holds no certificate")]
    Empty,
    /// Its certificates cannot be trust anchors.
    #[error(transparent)]
    Anchor(#[from] TrustStoreError),
}

/// Reads every certificate in a file (PEM, DER, PKCS#7), for trust stores and chains.
pub fn read_certificates(
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, CertificateFileError> {
    let bytes = match std::fs::File::open(path)
        .and_then(|file| input::read_limited(file, input::MAX_INPUT_BYTES))
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(too_big)) => return Err(too_big.into()),
        Err(e) => return Err(CertificateFileError::Io(picert_core::io_message(&e))),
    };
    let contents = input::read_contents(&bytes)?;
    if contents.certificates.is_empty() {
        return Err(CertificateFileError::Empty);
    }
    Ok(contents.certificates)
}

impl AuditOptions {
    /// The auditor for these options.
    ///
    /// ```
    /// use picert_verify::AuditOptions;
    /// let auditor = AuditOptions {
    ///     topology: picert_core::Topology::load("../../fixtures/contoso.toml".as_ref())?,
    ///     trust_store: Some("../../fixtures/pki/public-root.pem".into()),
    ///     at: Some(picert_core::Timestamp::parse("2026-06-01").unwrap()),
    ///     ..AuditOptions::default()
    /// }
    /// .auditor()?;
    /// assert_eq!(auditor.trust_name(), "../../fixtures/pki/public-root.pem");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn auditor(&self) -> Result<Auditor, SetupError> {
        let expectations = if let Some(certificate) = &self.certificate {
            Some(picert_core::Expectations::for_certificate(
                certificate,
                &self.topology,
            )?)
        } else if self.topology.is_empty() {
            None
        } else {
            Some(self.topology.expectations()?)
        };
        let mut auditor = Auditor::new()
            .expectations(expectations)
            .warn_days(self.warn_days.unwrap_or(30))
            .pfx_password(self.pfx_password.clone());
        if let Some(at) = self.at {
            auditor = auditor.at(at);
        }
        if let Some(path) = &self.trust_store {
            let store_error = |reason| SetupError::TrustStore {
                path: path.clone(),
                reason,
            };
            let certs = read_certificates(path).map_err(store_error)?;
            let store = TrustStore::from_certificates(&path.display().to_string(), &certs)
                .map_err(|e| store_error(e.into()))?;
            auditor = auditor.trust(store);
        }
        let mut extra = Vec::new();
        for path in &self.chain_files {
            extra.extend(
                read_certificates(path).map_err(|reason| SetupError::ChainFile {
                    path: path.clone(),
                    reason,
                })?,
            );
        }
        Ok(auditor.extra_chain(extra))
    }
}
