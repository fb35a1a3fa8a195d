//! The chain check behind `pic.issuer.public_ca`: does the leaf chain, with valid signatures and
//! serverAuth usage, to a trusted root at the audit time? rustls-webpki decides; this module
//! picks the leaf out of a bundle and turns webpki's error into the reason an administrator
//! can act on.

use asn1_rs::FromDer as _;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, KeyUsage};
use x509_parser::prelude::*;

use crate::facts::{eku_name, EKU_SERVER_AUTH};

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

    /// Roots from DER certificates.
    pub fn from_certificates(name: &str, certs: &[Vec<u8>]) -> Result<TrustStore, String> {
        let mut anchors = Vec::new();
        for (i, der) in certs.iter().enumerate() {
            let cert = CertificateDer::from(der.as_slice());
            let anchor = webpki::anchor_from_trusted_cert(&cert).map_err(|e| {
                format!(
                    "certificate {} is not usable as a trust anchor ({e:?})",
                    i + 1
                )
            })?;
            anchors.push(anchor.to_owned());
        }
        if anchors.is_empty() {
            return Err("holds no certificate".into());
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
pub fn pick_leaf(certs: &[Vec<u8>]) -> usize {
    let parsed: Vec<Option<X509Certificate<'_>>> = certs
        .iter()
        .map(|d| X509Certificate::from_der(d).ok().map(|(_, c)| c))
        .collect();
    pick_leaf_parsed(&parsed)
}

/// [`pick_leaf`] over certificates already parsed (`None` for one that did not parse).
pub fn pick_leaf_parsed(parsed: &[Option<X509Certificate<'_>>]) -> usize {
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

/// Issuing CAs already validated in this run, by their DER.
///
/// When a leaf's path is `leaf -> I -> trusted root R` and R has no name constraints, every
/// later leaf issued by I is checked against I as if I were the trust anchor. That is sound for
/// one trust store at one audit time: what webpki checked about I (its signature by R, its
/// validity at the audit time, its EKU and basic constraints, R's trust) does not depend on the
/// leaf, and what does depend on the leaf (its signature by I, its validity and EKU, I's name
/// constraints, which the anchor keeps) is still checked for every leaf.
#[derive(Debug, Default)]
pub struct IssuerCache {
    // A run meets a handful of issuing CAs: a short list compared by length, then bytes, costs
    // less than hashing a kilobyte of DER for every leaf.
    validated: std::sync::Mutex<Vec<(Vec<u8>, std::sync::Arc<Validated>)>>,
}

/// Issuing CAs remembered at most per run; more are validated in full each time.
const MAX_CACHED_ISSUERS: usize = 64;

#[derive(Debug)]
struct Validated {
    anchor: TrustAnchor<'static>,
    path: Vec<String>,
}

impl IssuerCache {
    fn get(&self, der: &[u8]) -> Option<std::sync::Arc<Validated>> {
        let list = self.validated.lock().ok()?;
        list.iter()
            .find(|(k, _)| k.len() == der.len() && k.as_slice() == der)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, der: &[u8], validated: Validated) {
        if let Ok(mut list) = self.validated.lock() {
            if list.len() < MAX_CACHED_ISSUERS && !list.iter().any(|(k, _)| k.as_slice() == der) {
                list.push((der.to_vec(), std::sync::Arc::new(validated)));
            }
        }
    }
}

/// Checks `leaf` against `store` with `intermediates` (any order, extras allowed) at `at`.
pub fn check_chain(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    store: &TrustStore,
    at: i64,
) -> ChainVerdict {
    check_chain_cached(leaf, intermediates, store, at, &IssuerCache::default())
}

/// [`check_chain`], reusing issuing CAs that `cache` already validated for this store and time.
pub fn check_chain_cached(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    store: &TrustStore,
    at: i64,
    cache: &IssuerCache,
) -> ChainVerdict {
    check_chain_from(leaf, intermediates, store, at, cache, ChainSource::Files)
}

/// Where the intermediates came from, which decides the advice when one is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainSource {
    /// Files given to picert: the missing intermediate can be added to them.
    Files,
    /// What a live server sent in its handshake: a partner has nothing else, so the server
    /// must send it.
    Presented,
}

/// [`check_chain_cached`] for intermediates from `source`.
#[allow(deprecated)] // matches the old unit variants too, for webpki versions that still emit them
pub fn check_chain_from(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    store: &TrustStore,
    at: i64,
    cache: &IssuerCache,
    source: ChainSource,
) -> ChainVerdict {
    let leaf_der = CertificateDer::from(leaf);
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(at.max(0) as u64));
    let ee = match EndEntityCert::try_from(&leaf_der) {
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
        if let Some(known) = cache.get(der) {
            if verify(std::slice::from_ref(&known.anchor), &[]).is_ok() {
                return ChainVerdict::Trusted(known.path.clone());
            }
        }
    }
    let inter: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|d| CertificateDer::from(d.as_slice()))
        .collect();
    match verify(store.anchors(), &inter) {
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

/// Caches the one intermediate of a validated path: the given certificate that issued the leaf.
fn remember_issuer(leaf: &[u8], intermediates: &[Vec<u8>], path: &[String], cache: &IssuerCache) {
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
        let int_der = CertificateDer::from(der.as_slice());
        if let Ok(anchor) = webpki::anchor_from_trusted_cert(&int_der) {
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

/// Words webpki's error with what the input shows.
#[allow(deprecated)]
fn explain(
    e: &webpki::Error,
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    store: &TrustStore,
    at: i64,
    source: ChainSource,
) -> String {
    use webpki::Error as E;
    let Ok((_, cert)) = X509Certificate::from_der(leaf) else {
        return format!("chain check failed ({})", webpki_error(e));
    };
    let parsed: Vec<X509Certificate<'_>> = intermediates
        .iter()
        .filter_map(|d| X509Certificate::from_der(d).ok().map(|(_, c)| c))
        .collect();
    let when = |t: i64| {
        ::time::OffsetDateTime::from_unix_timestamp(t)
            .map(|d| d.date().to_string())
            .unwrap_or_else(|_| t.to_string())
    };
    match e {
        E::CertExpired { .. } | E::CertNotValidYet { .. } | E::InvalidCertValidity => {
            let out_of_date = |c: &X509Certificate<'_>| {
                let (nb, na) = (c.validity().not_before.timestamp(), c.validity().not_after.timestamp());
                if at > na {
                    Some(format!("expired on {}", when(na)))
                } else if at < nb {
                    Some(format!("is not valid until {}", when(nb)))
                } else {
                    None
                }
            };
            if let Some(why) = out_of_date(&cert) {
                return format!("the certificate {why}, so no chain is valid at the audit time");
            }
            for c in &parsed {
                if let Some(why) = out_of_date(c) {
                    return format!("the chain member '{}' {why}", c.subject());
                }
            }
            "a chain member is outside its validity period at the audit time".into()
        }
        E::UnknownIssuer => {
            let issuer_raw = cert.issuer().as_raw();
            if cert.subject().as_raw() == issuer_raw {
                return "self-signed: a self-signed certificate is not from a public CA; federation partners and remote clients will not trust it".into();
            }
            // Walk up through the certificates given, to the last one we can reach.
            let mut current = &cert;
            let mut seen = 0;
            while let Some(up) = parsed.iter().find(|c| c.subject().as_raw() == current.issuer().as_raw()) {
                seen += 1;
                if up.subject().as_raw() == up.issuer().as_raw() {
                    return format!(
                        "chains to the root '{}', which is not in the trust store ({}): a private or unknown CA, not a public one",
                        up.subject(),
                        store.name
                    );
                }
                if seen > 8 {
                    break;
                }
                current = up;
            }
            let missing = current.issuer();
            if seen > 0 {
                return format!(
                    "the chain given ends at '{}', whose issuer '{missing}' is not a trusted root ({}): the CA is private or unknown, or the chain needs one more intermediate",
                    current.subject(),
                    store.name
                );
            }
            let hint = if store.has_subject(&name_content(missing.as_raw())) {
                String::new()
            } else {
                " and is not a trusted root".to_string()
            };
            match source {
                ChainSource::Files => format!(
                    "the issuer '{missing}' is not in the input{hint}: add the intermediate certificate (put it in the file or use --chain), or the CA is private or unknown"
                ),
                ChainSource::Presented => format!(
                    "the issuer '{missing}' is not among the certificates the server sends{hint}: a partner has only its roots, so the Edge must send the intermediate (import it into the computer's Intermediate Certification Authorities store, or bundle it in the PFX), or the CA is private or unknown"
                ),
            }
        }
        E::InvalidSignatureForPublicKey => {
            "a signature in the chain does not verify: the certificate or an intermediate was altered, or the wrong intermediate was given".into()
        }
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => format!(
            "a chain signature uses an algorithm the verifier does not accept (the certificate's is {}): SHA-1, MD5 and PSS with unusual parameters are refused",
            crate::facts::certificate_facts(leaf).map(|f| f.signature.name).unwrap_or_default()
        ),
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => {
            let leaf_eku: Option<Vec<String>> = crate::facts::certificate_facts(leaf).ok().and_then(|f| f.eku);
            match leaf_eku {
                Some(list) if !list.iter().any(|o| o == EKU_SERVER_AUTH) => {
                    let names: Vec<String> = list.iter().map(|o| eku_name(o)).collect();
                    if list.iter().any(|o| o == "2.5.29.37.0") {
                        format!("the certificate's EKU is {} without serverAuth; anyExtendedKeyUsage does not stand in for serverAuth in path validation", names.join(", "))
                    } else {
                        format!("the certificate's EKU ({}) does not include serverAuth", names.join(", "))
                    }
                }
                _ => "an intermediate's EKU does not allow serverAuth, so the chain is not valid for TLS servers".into(),
            }
        }
        E::CaUsedAsEndEntity => "the certificate is a CA certificate (basicConstraints cA=TRUE), not a server certificate".into(),
        E::EndEntityUsedAsCa => "an intermediate in the chain is not a CA certificate".into(),
        E::PathLenConstraintViolated => "an intermediate's path length constraint is exceeded".into(),
        E::NameConstraintViolation => "a name in the certificate violates a CA's name constraints".into(),
        E::UnsupportedCriticalExtension => "the certificate or an intermediate has a critical extension the verifier does not know".into(),
        E::MaximumPathBuildCallsExceeded | E::MaximumSignatureChecksExceeded | E::MaximumPathDepthExceeded => {
            "the chain is too long or too tangled to build".into()
        }
        other => format!("chain check failed ({})", webpki_error(other)),
    }
}

/// The content of a DER Name (without the SEQUENCE header), as trust anchors hold it.
fn name_content(raw: &[u8]) -> Vec<u8> {
    asn1_rs::Any::from_der(raw)
        .map(|(_, a)| a.data.to_vec())
        .unwrap_or_default()
}

/// Checks that the certificate is valid for `name` (a DNS name or an IP address), as a TLS
/// client checks the server it connects to: DNS SANs (wildcards as RFC 6125 allows) or IP SANs;
/// the CN is not consulted.
pub fn matches_name(leaf: &[u8], name: &str) -> Result<(), String> {
    let der = CertificateDer::from(leaf);
    let ee = EndEntityCert::try_from(&der)
        .map_err(|e| format!("the certificate cannot be read ({})", webpki_error(&e)))?;
    let server_name = rustls_pki_types::ServerName::try_from(name)
        .map_err(|_| format!("'{name}' is not a DNS name or IP address"))?;
    ee.verify_is_valid_for_subject_name(&server_name)
        .map_err(|_| format!("the certificate is not valid for {name}: no matching DNS or IP SAN"))
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
        assert!(matches_name(cert.der(), "sip.contoso.com").is_ok());
        assert!(matches_name(cert.der(), "SIP.contoso.com").is_ok());
        assert!(matches_name(cert.der(), "sip.fabrikam.com").is_ok());
        assert!(matches_name(cert.der(), "webcon.contoso.com").is_err());
        assert!(matches_name(cert.der(), "192.0.2.1").is_err());
    }
}
