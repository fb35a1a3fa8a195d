//! The public key and the signature algorithm.

use asn1_rs::{Any, FromDer, Tag};
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

use super::{HashKind, KeyFacts, SignatureFacts};

pub(crate) fn key_facts(spki: &SubjectPublicKeyInfo<'_>) -> KeyFacts {
    let oid = spki.algorithm.algorithm.to_id_string();
    match oid.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => KeyFacts::Rsa {
                bits: bit_length(rsa.modulus),
            },
            _ => KeyFacts::Other { oid },
        },
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            let curve = match curve.as_str() {
                "1.2.840.10045.3.1.7" => "P-256".to_string(),
                "1.3.132.0.34" => "P-384".to_string(),
                "1.3.132.0.35" => "P-521".to_string(),
                other => other.to_string(),
            };
            KeyFacts::Ec { curve }
        }
        "1.3.101.112" => KeyFacts::Other {
            oid: "Ed25519 (1.3.101.112)".into(),
        },
        _ => KeyFacts::Other { oid },
    }
}

/// The exact bit length of a big-endian unsigned integer.
pub(crate) fn bit_length(bytes: &[u8]) -> usize {
    let trimmed: &[u8] = {
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        &bytes[start..]
    };
    match trimmed.first() {
        None => 0,
        Some(first) => (trimmed.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

pub(super) fn signature_facts(alg: &AlgorithmIdentifier<'_>) -> SignatureFacts {
    let oid = alg.algorithm.to_id_string();
    let (name, hash) = match oid.as_str() {
        "1.2.840.113549.1.1.2" => ("md2WithRSAEncryption", HashKind::Md5),
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", HashKind::Md5),
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => ("sha1WithRSAEncryption", HashKind::Sha1),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", HashKind::Sha1),
        "1.2.840.10040.4.3" => ("dsa-with-SHA1", HashKind::Sha1),
        "1.2.840.113549.1.1.14" => ("sha224WithRSAEncryption", HashKind::Sha2),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", HashKind::Sha2),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", HashKind::Sha2),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", HashKind::Sha2),
        "1.2.840.10045.4.3.1" => ("ecdsa-with-SHA224", HashKind::Sha2),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", HashKind::Sha2),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", HashKind::Sha2),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", HashKind::Sha2),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", pss_hash(alg)),
        "1.3.101.112" => ("Ed25519", HashKind::Other),
        _ => ("", HashKind::Other),
    };
    SignatureFacts {
        name: if name.is_empty() {
            oid.clone()
        } else {
            name.to_string()
        },
        pss: oid == "1.2.840.113549.1.1.10",
        oid,
        hash,
    }
}

/// RSASSA-PSS parameters name their hash in `[0] hashAlgorithm`; absent means SHA-1 (RFC 4055).
fn pss_hash(alg: &AlgorithmIdentifier<'_>) -> HashKind {
    let Some(params) = &alg.parameters else {
        return HashKind::Sha1;
    };
    let Ok(seq) = params.clone().sequence() else {
        return HashKind::Other;
    };
    let mut rest = seq.content.as_ref();
    while let Ok((next, item)) = Any::from_der(rest) {
        rest = next;
        if item.tag() == Tag(0) && item.class() == asn1_rs::Class::ContextSpecific {
            if let Ok((_, inner)) = AlgorithmIdentifier::from_der(item.data) {
                return match inner.algorithm.to_id_string().as_str() {
                    "1.3.14.3.2.26" => HashKind::Sha1,
                    "1.2.840.113549.2.5" => HashKind::Md5,
                    _ => HashKind::Sha2,
                };
            }
        }
    }
    HashKind::Sha1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_length_is_exact() {
        assert_eq!(bit_length(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_length(&[0x01, 0xff]), 9);
        assert_eq!(bit_length(&[]), 0);
    }
}
