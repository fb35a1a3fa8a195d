//! Preparing the PKCS#12 file Windows imports: the issued certificate with its chain in order,
//! the key checked against it, and the audit gate, before picert-core writes the file.

use picert_core::pfx::{thumbprint_hex, write_pfx, PfxContents, PfxEncryption};
use picert_core::PrivateKey;
use rustls_pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, X509Certificate};
use zeroize::Zeroizing;

use crate::auditor::Auditor;
use crate::chain::pick_leaf;
use crate::report::{InputReport, RuleResult, Severity};

/// What goes into a bundle.
#[derive(Debug)]
pub struct BundleInput<'a> {
    /// What the issued-certificate file holds: the leaf, with or without its chain, any order.
    pub certificates: &'a [CertificateDer<'static>],
    /// More intermediates (chain files).
    pub extra: &'a [CertificateDer<'static>],
    /// The private key made with the request.
    pub key: &'a PrivateKey,
    /// Keep the root at the end of the chain (Windows usually has it already).
    pub include_root: bool,
    /// The name the audit report goes by (the certificate file).
    pub label: &'a str,
}

/// A bundle ready to be written: checked and ordered, with its audit.
#[derive(Debug, Clone)]
pub struct PreparedBundle {
    /// Leaf first, then each issuer in turn (the root only when asked for).
    pub chain: Vec<CertificateDer<'static>>,
    /// The CN (or whole subject) of each certificate of the chain, in order.
    pub names: Vec<String>,
    /// The leaf's SHA-1 thumbprint, upper-case hex: what Windows shows and `Set-CsCertificate
    /// -Thumbprint` takes.
    pub thumbprint: String,
    /// The audit of the chain, as `picert audit` makes it.
    pub report: InputReport,
}

/// Why a bundle cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// No certificate among the inputs (a request is not an issued certificate).
    #[error("holds no certificate (a request is not an issued certificate)")]
    NoCertificate,
    /// The key is not the certificate's.
    #[error("this key does not match the certificate ({subject}): the key made with its request is needed")]
    KeyMismatch {
        /// The certificate's subject.
        subject: String,
    },
    /// The leaf does not parse.
    #[error("not a valid X.509 certificate")]
    Unparsable,
}

/// Subject, issuer, the CN or subject as a name, and whether it is self-issued.
fn names_of(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>, String)> {
    let (_, c) = X509Certificate::from_der(der).ok()?;
    let cn = c
        .subject()
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| c.subject().to_string());
    Some((
        c.subject().as_raw().to_vec(),
        c.issuer().as_raw().to_vec(),
        cn,
    ))
}

/// Orders the chain from the leaf up: each next certificate is the issuer of the previous
/// one. Certificates off that path are dropped; the root only stays when asked for.
pub fn order_chain(
    leaf: &CertificateDer<'static>,
    others: &[CertificateDer<'static>],
    include_root: bool,
) -> Vec<CertificateDer<'static>> {
    let mut chain = vec![leaf.clone()];
    let mut current = leaf.clone();
    while chain.len() < 10 {
        let Some((subject, issuer, _)) = names_of(&current) else {
            break;
        };
        if subject == issuer {
            break;
        }
        let Some(next) = others
            .iter()
            .find(|o| names_of(o).is_some_and(|(s, _, _)| s == issuer))
        else {
            break;
        };
        if chain.contains(next) {
            break;
        }
        chain.push(next.clone());
        current = next.clone();
    }
    if !include_root && chain.len() > 1 {
        if let Some((s, i, _)) = chain.last().and_then(|c| names_of(c)) {
            if s == i {
                chain.pop();
            }
        }
    }
    chain
}

impl Auditor {
    /// Checks the key against the certificate, orders the chain and audits it.
    ///
    /// ```
    /// use picert_verify::{bundle::BundleInput, AuditOptions};
    /// let certs = picert_verify::options::read_certificates("../../fixtures/pki/good.pem".as_ref())?;
    /// let key = picert_core::PrivateKey::from_bytes(&std::fs::read("../../fixtures/pki/keys/leaf.key")?, None)?;
    /// let auditor = AuditOptions {
    ///     trust_store: Some("../../fixtures/pki/public-root.pem".into()),
    ///     at: Some(picert_core::Timestamp::parse("2026-06-01").unwrap()),
    ///     ..AuditOptions::default()
    /// }
    /// .auditor()?;
    /// let bundle = auditor.prepare_bundle(&BundleInput {
    ///     certificates: &certs, extra: &[], key: &key, include_root: false, label: "good.pem",
    /// })?;
    /// assert_eq!(bundle.names, ["sip.contoso.com", "picert Test Issuing CA"]);
    /// assert!(bundle.errors().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_bundle(&self, input: &BundleInput<'_>) -> Result<PreparedBundle, BundleError> {
        if input.certificates.is_empty() {
            return Err(BundleError::NoCertificate);
        }
        let leaf = &input.certificates[pick_leaf(input.certificates)];
        let (_, parsed) = X509Certificate::from_der(leaf).map_err(|_| BundleError::Unparsable)?;
        let spki = input.key.spki_der().map_err(|_| BundleError::KeyMismatch {
            subject: parsed.subject().to_string(),
        })?;
        if parsed.tbs_certificate.subject_pki.raw != spki.as_slice() {
            return Err(BundleError::KeyMismatch {
                subject: parsed.subject().to_string(),
            });
        }
        let mut offered: Vec<CertificateDer<'static>> = input.certificates.to_vec();
        offered.extend(input.extra.iter().cloned());
        let chain = order_chain(leaf, &offered, input.include_root);
        let report = self.audit_certificates(input.label, &chain);
        Ok(PreparedBundle {
            names: chain
                .iter()
                .filter_map(|c| names_of(c).map(|n| n.2))
                .collect(),
            thumbprint: thumbprint_hex(leaf),
            chain,
            report,
        })
    }
}

impl PreparedBundle {
    /// The audit's findings of severity error: the gate.
    pub fn errors(&self) -> Vec<&RuleResult> {
        self.report.findings_at(Severity::Error)
    }

    /// The name the Windows store shows: the one configured, else the leaf's CN.
    pub fn friendly_name(&self, configured: Option<&str>) -> String {
        configured
            .map(str::to_string)
            .or_else(|| self.names.first().cloned())
            .unwrap_or_else(|| "Edge external".into())
    }

    /// The PKCS#12 file's bytes.
    pub fn to_pfx(
        &self,
        key: &PrivateKey,
        password: &str,
        encryption: PfxEncryption,
        friendly_name: &str,
    ) -> Result<Zeroizing<Vec<u8>>, picert_core::Error> {
        write_pfx(
            &PfxContents {
                key_pkcs8: key.pkcs8_der(),
                chain: &self.chain,
                friendly_name,
            },
            password,
            encryption,
        )
    }
}
