//! The chain check behind `pic.issuer.public_ca`: does the leaf chain, with valid signatures and
//! serverAuth usage, to a trusted root at the audit time? rustls-webpki decides; this module
//! picks the leaf out of a bundle and turns webpki's error into the reason an administrator
//! can act on.

mod cache;
mod explain;

use asn1_rs::FromDer as _;
use picert_core::Timestamp;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, KeyUsage};
use x509_parser::prelude::*;

use cache::remember_issuer;
pub(crate) use cache::IssuerCache;
use explain::explain;

/// The trust store: Mozilla's roots (built in, through webpki-roots) or a replacement.
#[derive(Debug, Clone)]
pub struct TrustStore {
    anchors: Anchors,
    /// What it is, for reports.
    pub name: String,
}

#[derive(Debug, Clone)]
enum Anchors {
    Builtin,
    Owned(Vec<TrustAnchor<'static>>),
}

impl Default for TrustStore {
    fn default() -> Self {
        TrustStore::mozilla()
    }
}

impl TrustStore {
    /// Mozilla's root program, as shipped by webpki-roots (nothing is parsed or copied).
    pub fn mozilla() -> TrustStore {
        TrustStore {
            anchors: Anchors::Builtin,
            name: "Mozilla roots (built in)".into(),
        }
    }

    /// Roots from certificates; `name` says what they are in reports (a file name).
    pub fn from_certificates(
        name: &str,
        certs: &[CertificateDer<'_>],
    ) -> Result<TrustStore, TrustStoreError> {
        let mut anchors = Vec::new();
        for (i, cert) in certs.iter().enumerate() {
            let anchor = webpki::anchor_from_trusted_cert(cert).map_err(|e| {
                TrustStoreError::NotAnAnchor {
                    index: i + 1,
                    reason: webpki_error(&e),
                }
            })?;
            anchors.push(anchor.to_owned());
        }
        if anchors.is_empty() {
            return Err(TrustStoreError::Empty);
        }
        Ok(TrustStore {
            anchors: Anchors::Owned(anchors),
            name: name.to_string(),
        })
    }

    fn anchors(&self) -> &[TrustAnchor<'_>] {
        match &self.anchors {
            Anchors::Builtin => webpki_roots::TLS_SERVER_ROOTS,
            Anchors::Owned(v) => v,
        }
    }

    fn has_subject(&self, raw_subject_content: &[u8]) -> bool {
        self.anchors()
            .iter()
            .any(|a| a.subject.as_ref() == raw_subject_content)
    }
}

/// Why certificates cannot make a trust store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustStoreError {
    /// No certificate at all.
    #[error("holds no certificate")]
    Empty,
    /// A certificate webpki cannot take as a trust anchor.
    #[error("certificate {index} is not usable as a trust anchor ({reason})")]
    NotAnAnchor {
        /// Its place among the certificates, from 1.
        index: usize,
        /// webpki's reason.
        reason: String,
    },
}

/// The chain check's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainVerdict {
    /// Chains to a trusted root; the path from the leaf's issuer up, by subject.
    Trusted(Vec<String>),
    /// Does not; the reason, worded for the report.
    Untrusted(String),
}

impl ChainVerdict {
    /// True when trusted.
    pub fn is_trusted(&self) -> bool {
        matches!(self, ChainVerdict::Trusted(_))
    }
}

/// Chooses the leaf among a file's certificates: the one that issued none of the others,
/// preferring a non-CA certificate, then file order. Returns its index.
pub fn pick_leaf(certs: &[CertificateDer<'_>]) -> usize {
    let parsed: Vec<Option<X509Certificate<'_>>> = certs
        .iter()
        .map(|d| X509Certificate::from_der(d).ok().map(|(_, c)| c))
        .collect();
    pick_leaf_parsed(&parsed)
}

/// [`pick_leaf`] over certificates already parsed (`None` for one that did not parse).
pub(crate) fn pick_leaf_parsed(parsed: &[Option<X509Certificate<'_>>]) -> usize {
    let issued_other = |i: usize| {
        let Some(me) = &parsed[i] else { return false };
        parsed.iter().enumerate().any(|(j, other)| {
            j != i
                && other.as_ref().is_some_and(|o| {
                    o.issuer().as_raw() == me.subject().as_raw()
                        && o.subject().as_raw() != o.issuer().as_raw()
                })
        })
    };
    let candidates: Vec<usize> = (0..parsed.len())
        .filter(|i| parsed[*i].is_some() && !issued_other(*i))
        .collect();
    candidates
        .iter()
        .copied()
        .find(|i| parsed[*i].as_ref().is_some_and(|c| !c.is_ca()))
        .or_else(|| candidates.first().copied())
        .unwrap_or(0)
}

/// Checks `leaf` against `store` with `intermediates` (any order, extras allowed) at `at`.
///
/// ```
/// use picert_verify::chain::{check_chain, ChainVerdict, TrustStore};
/// # let key = rcgen::KeyPair::generate().unwrap();
/// # let leaf = rcgen::CertificateParams::new(vec!["sip.contoso.com".into()]).unwrap().self_signed(&key).unwrap();
/// let verdict = check_chain(leaf.der(), &[], &TrustStore::mozilla(), picert_core::Timestamp::now());
/// assert!(matches!(verdict, ChainVerdict::Untrusted(why) if why.starts_with("self-signed")));
/// ```
pub fn check_chain(
    leaf: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    store: &TrustStore,
    at: Timestamp,
) -> ChainVerdict {
    check_chain_from(
        leaf,
        intermediates,
        store,
        at,
        &IssuerCache::default(),
        ChainSource::Files,
    )
}

/// Where the intermediates came from, which decides the advice when one is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChainSource {
    /// Files given to picert: the missing intermediate can be added to them.
    Files,
    /// What a live server sent in its handshake: a partner has nothing else, so the server
    /// must send it.
    Presented,
}

/// [`check_chain`] for intermediates from `source`, reusing issuing CAs that `cache` already
/// validated for this store and time.
#[allow(deprecated)] // matches the old unit variants too, for webpki versions that still emit them
pub(crate) fn check_chain_from(
    leaf: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    store: &TrustStore,
    at: Timestamp,
    cache: &IssuerCache,
    source: ChainSource,
) -> ChainVerdict {
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(at.unix().max(0) as u64));
    let ee = match EndEntityCert::try_from(leaf) {
        Ok(ee) => ee,
        Err(e) => {
            return ChainVerdict::Untrusted(format!(
                "the certificate cannot be path-validated ({})",
                webpki_error(&e)
            ))
        }
    };
    let verify = |anchors: &[TrustAnchor<'_>], inter: &[CertificateDer<'_>]| {
        ee.verify_for_usage(
            crate::sigalgs::algorithms(),
            anchors,
            inter,
            time,
            KeyUsage::server_auth(),
            None,
            None,
        )
        .map(|path| {
            let names: Vec<String> = path
                .intermediate_certificates()
                .map(|c| subject_of(c.der().as_ref()))
                .collect();
            let reusable = names.len() == 1 && path.anchor().name_constraints.is_none();
            let root = format!("trusted root {}", anchor_name(path.anchor()));
            (names, root, reusable)
        })
    };
    // Fast path: an issuing CA validated earlier in this run stands in as the anchor.
    for der in intermediates {
        if let Some(known) = cache.get(der.as_ref()) {
            if verify(std::slice::from_ref(&known.anchor), &[]).is_ok() {
                return ChainVerdict::Trusted(known.path.clone());
            }
        }
    }
    match verify(store.anchors(), intermediates) {
        Ok((mut names, root, reusable)) => {
            names.push(root);
            if reusable {
                remember_issuer(leaf, intermediates, &names, cache);
            }
            ChainVerdict::Trusted(names)
        }
        Err(e) => ChainVerdict::Untrusted(explain(&e, leaf, intermediates, store, at, source)),
    }
}

fn subject_of(der: &[u8]) -> String {
    X509Certificate::from_der(der)
        .map(|(_, c)| c.subject().to_string())
        .unwrap_or_else(|_| "(unreadable certificate)".into())
}

fn anchor_name(anchor: &TrustAnchor<'_>) -> String {
    // The anchor subject is the Name's content without its SEQUENCE header; wrap it again.
    let content = anchor.subject.as_ref();
    let mut der = vec![0x30];
    let len = content.len();
    if len < 0x80 {
        der.push(len as u8);
    } else if len < 0x100 {
        der.extend([0x81, len as u8]);
    } else {
        der.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    der.extend_from_slice(content);
    x509_parser::x509::X509Name::from_der(&der)
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|_| "(unnamed)".into())
}

fn webpki_error(e: &webpki::Error) -> String {
    format!("{e:?}")
        .split('(')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Checks that the certificate is valid for `name` (a DNS name or an IP address), as a TLS
/// client checks the server it connects to: DNS SANs (wildcards as RFC 6125 allows) or IP SANs;
/// the CN is not consulted.
pub fn matches_name(leaf: &CertificateDer<'_>, name: &str) -> Result<(), NameMismatch> {
    let ee =
        EndEntityCert::try_from(leaf).map_err(|e| NameMismatch::Unreadable(webpki_error(&e)))?;
    let server_name = rustls_pki_types::ServerName::try_from(name)
        .map_err(|_| NameMismatch::NotAName(name.to_string()))?;
    ee.verify_is_valid_for_subject_name(&server_name)
        .map_err(|_| NameMismatch::NotCovered(name.to_string()))
}

/// Why a certificate is not valid for a name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameMismatch {
    /// No DNS or IP SAN covers the name.
    #[error("the certificate is not valid for {0}: no matching DNS or IP SAN")]
    NotCovered(String),
    /// The name is neither a DNS name nor an IP address.
    #[error("'{0}' is not a DNS name or IP address")]
    NotAName(String),
    /// The certificate cannot be read for the check.
    #[error("the certificate cannot be read ({0})")]
    Unreadable(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_like_a_tls_client() {
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(vec!["sip.contoso.com".into(), "*.fabrikam.com".into()])
                .unwrap();
        let cert = params.self_signed(&key).unwrap();
        assert!(matches!(
            matches_name(cert.der(), "webcon.contoso.com"),
            Err(NameMismatch::NotCovered(_))
        ));
        assert!(matches_name(cert.der(), "sip.contoso.com").is_ok());
        assert!(matches_name(cert.der(), "SIP.contoso.com").is_ok());
        assert!(matches_name(cert.der(), "sip.fabrikam.com").is_ok());
        assert!(matches_name(cert.der(), "webcon.contoso.com").is_err());
        assert!(matches_name(cert.der(), "192.0.2.1").is_err());
    }
}
