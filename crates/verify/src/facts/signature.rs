//! Signature checks with aws-lc-rs, for requests' self-signatures.

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// The outcome of a signature check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// The signature verifies.
    Valid,
    /// It does not; why.
    Invalid(String),
    /// picert cannot check this algorithm or key (neither valid nor invalid); why.
    Unchecked(String),
}

/// Verifies `signature` over `message` with the key in `spki`, by the algorithm `alg` names.
/// RSA keys from 1024 bits are accepted here where aws-lc-rs allows it: key strength is
/// another rule's business.
pub fn verify(
    alg: &AlgorithmIdentifier<'_>,
    spki: &SubjectPublicKeyInfo<'_>,
    message: &[u8],
    sig: &[u8],
) -> SignatureCheck {
    let oid = alg.algorithm.to_id_string();
    let candidates: Vec<&'static dyn VerificationAlgorithm> = match oid.as_str() {
        "1.2.840.113549.1.1.5" => vec![&signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY],
        "1.2.840.113549.1.1.11" => vec![&signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY],
        // aws-lc-rs has no 1024-bit variant for SHA-384.
        "1.2.840.113549.1.1.12" => vec![&signature::RSA_PKCS1_2048_8192_SHA384],
        "1.2.840.113549.1.1.13" => vec![&signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY],
        "1.2.840.113549.1.1.10" => vec![
            &signature::RSA_PSS_2048_8192_SHA256,
            &signature::RSA_PSS_2048_8192_SHA384,
            &signature::RSA_PSS_2048_8192_SHA512,
        ],
        // ECDSA: the curve is the key's, the hash the algorithm's; try each curve aws-lc-rs has.
        "1.2.840.10045.4.1" => vec![
            &signature::ECDSA_P256_SHA1_ASN1,
            &signature::ECDSA_P521_SHA1_ASN1,
        ],
        "1.2.840.10045.4.3.1" => vec![&signature::ECDSA_P521_SHA224_ASN1],
        "1.2.840.10045.4.3.2" => vec![
            &signature::ECDSA_P256_SHA256_ASN1,
            &signature::ECDSA_P384_SHA256_ASN1,
            &signature::ECDSA_P521_SHA256_ASN1,
        ],
        "1.2.840.10045.4.3.3" => vec![
            &signature::ECDSA_P384_SHA384_ASN1,
            &signature::ECDSA_P256_SHA384_ASN1,
            &signature::ECDSA_P521_SHA384_ASN1,
        ],
        "1.2.840.10045.4.3.4" => vec![
            &signature::ECDSA_P521_SHA512_ASN1,
            &signature::ECDSA_P256_SHA512_ASN1,
            &signature::ECDSA_P384_SHA512_ASN1,
        ],
        "1.3.101.112" => vec![&signature::ED25519],
        _ => {
            return SignatureCheck::Unchecked(format!(
                "picert cannot check signatures of algorithm {oid}"
            ))
        }
    };
    let key = spki.subject_public_key.data.as_ref();
    if candidates
        .iter()
        .any(|a| UnparsedPublicKey::new(*a, key).verify(message, sig).is_ok())
    {
        return SignatureCheck::Valid;
    }
    // aws-lc-rs lacks some curve and hash pairs (P-384 with SHA-1, P-256 and P-384 with
    // SHA-224): those are unchecked, not invalid.
    if let super::KeyFacts::Ec { curve } = super::key_facts(spki) {
        let covered = match oid.as_str() {
            "1.2.840.10045.4.1" => curve == "P-256" || curve == "P-521",
            "1.2.840.10045.4.3.1" => curve == "P-521",
            _ => true,
        };
        if !covered {
            return SignatureCheck::Unchecked(format!(
                "picert cannot check {curve} signatures with this hash ({oid})"
            ));
        }
    }
    if let super::KeyFacts::Rsa { bits } = super::key_facts(spki) {
        if bits < 1024 || (bits < 2048 && oid == "1.2.840.113549.1.1.12") {
            return SignatureCheck::Unchecked(format!(
                "picert cannot check RSA signatures made with {bits}-bit keys"
            ));
        }
    }
    SignatureCheck::Invalid(
        "the signature does not verify with the request's own public key: the request was altered or is corrupt".into(),
    )
}
