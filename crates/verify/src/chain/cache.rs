//! Issuing CAs validated once per run and reused as anchors for the leaves they issued.

use rustls_pki_types::{CertificateDer, TrustAnchor};
use x509_parser::prelude::*;

/// Issuing CAs already validated in this run, by their DER.
///
/// When a leaf's path is `leaf -> I -> trusted root R` and R has no name constraints, every
/// later leaf issued by I is checked against I as if I were the trust anchor. That is sound for
/// one trust store at one audit time: what webpki checked about I (its signature by R, its
/// validity at the audit time, its EKU and basic constraints, R's trust) does not depend on the
/// leaf, and what does depend on the leaf (its signature by I, its validity and EKU, I's name
/// constraints, which the anchor keeps) is still checked for every leaf.
#[derive(Debug, Default)]
pub(crate) struct IssuerCache {
    // A run meets a handful of issuing CAs: a short list compared by length, then bytes, costs
    // less than hashing a kilobyte of DER for every leaf.
    validated: std::sync::Mutex<Vec<(Vec<u8>, std::sync::Arc<Validated>)>>,
}

/// Issuing CAs remembered at most per run; more are validated in full each time.
const MAX_CACHED_ISSUERS: usize = 64;

#[derive(Debug)]
pub(super) struct Validated {
    pub(super) anchor: TrustAnchor<'static>,
    pub(super) path: Vec<String>,
}

impl IssuerCache {
    pub(super) fn get(&self, der: &[u8]) -> Option<std::sync::Arc<Validated>> {
        let list = self.validated.lock().ok()?;
        list.iter()
            .find(|(k, _)| k.len() == der.len() && k.as_slice() == der)
            .map(|(_, v)| v.clone())
    }

    pub(super) fn put(&self, der: &[u8], validated: Validated) {
        if let Ok(mut list) = self.validated.lock() {
            if list.len() < MAX_CACHED_ISSUERS && !list.iter().any(|(k, _)| k.as_slice() == der) {
                list.push((der.to_vec(), std::sync::Arc::new(validated)));
            }
        }
    }
}

/// Caches the one intermediate of a validated path: the given certificate that issued the leaf.
pub(super) fn remember_issuer(
    leaf: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    path: &[String],
    cache: &IssuerCache,
) {
    let Ok((_, cert)) = X509Certificate::from_der(leaf) else {
        return;
    };
    let issuer = cert.issuer().as_raw();
    for der in intermediates {
        let Ok((_, int)) = X509Certificate::from_der(der) else {
            continue;
        };
        if int.subject().as_raw() != issuer {
            continue;
        }
        if let Ok(anchor) = webpki::anchor_from_trusted_cert(der) {
            cache.put(
                der,
                Validated {
                    anchor: anchor.to_owned(),
                    path: path.to_vec(),
                },
            );
        }
        return;
    }
}
