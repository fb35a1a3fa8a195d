//! webpki's chain error, worded with what the input shows: which certificate expired, which
//! issuer is missing and where it should come from, which EKU is wrong.

use asn1_rs::FromDer as _;
use picert_core::Timestamp;
use rustls_pki_types::CertificateDer;
use x509_parser::prelude::*;

use super::{webpki_error, ChainSource, TrustStore};
use crate::facts::{eku_name, EKU_SERVER_AUTH};

/// Words webpki's error with what the input shows.
#[allow(deprecated)]
pub(super) fn explain(
    e: &webpki::Error,
    leaf: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    store: &TrustStore,
    at: Timestamp,
    source: ChainSource,
) -> String {
    use webpki::Error as E;
    let at = at.unix();
    let Ok((_, cert)) = X509Certificate::from_der(leaf) else {
        return format!("chain check failed ({})", webpki_error(e));
    };
    let parsed: Vec<X509Certificate<'_>> = intermediates
        .iter()
        .filter_map(|d| X509Certificate::from_der(d).ok().map(|(_, c)| c))
        .collect();
    let when = |t: i64| Timestamp::from_unix(t).date();
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
