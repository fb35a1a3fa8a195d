//! The signature algorithms the chain check accepts: rustls-webpki's aws-lc-rs set, with the
//! RSA PKCS#1 v1.5 ones keeping each issuer's parsed public key.
//!
//! Every leaf signed by the same issuing CA is checked against the same RSA key. Parsing that key
//! (and computing its Montgomery constants) is the same work for each leaf, about a sixth of an
//! RSA-2048 verification; aws-lc-rs's `ParsedPublicKey` does it once. The verification itself is
//! unchanged: the same aws-lc-rs algorithm, with the same key-size limits, on the same bytes.
//! The cache is keyed by the exact public key bytes and holds at most [`MAX_KEYS`] keys; past
//! that, keys are parsed per check as before.

use std::sync::{Arc, LazyLock, Mutex};

use aws_lc_rs::signature::{self, ParsedPublicKey, UnparsedPublicKey};
use rustls_pki_types::{AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};

/// Issuer keys kept per algorithm.
pub const MAX_KEYS: usize = 32;

struct CachedRsa {
    /// webpki's algorithm: its identifiers, and the reference for everything else.
    webpki: &'static dyn SignatureVerificationAlgorithm,
    /// The aws-lc-rs algorithm webpki's verifies with.
    aws: &'static signature::RsaParameters,
    keys: Mutex<Vec<(Vec<u8>, Arc<ParsedPublicKey>)>>,
}

impl std::fmt::Debug for CachedRsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedRsa")
            .field("webpki", &self.webpki)
            .finish_non_exhaustive()
    }
}

impl CachedRsa {
    fn parsed(&self, public_key: &[u8]) -> Option<Arc<ParsedPublicKey>> {
        let mut keys = self.keys.lock().ok()?;
        if let Some((_, k)) = keys
            .iter()
            .find(|(bytes, _)| bytes.as_slice() == public_key)
        {
            return Some(k.clone());
        }
        if keys.len() >= MAX_KEYS {
            return None;
        }
        let parsed = Arc::new(ParsedPublicKey::new(self.aws, public_key).ok()?);
        keys.push((public_key.to_vec(), parsed.clone()));
        Some(parsed)
    }
}

impl SignatureVerificationAlgorithm for CachedRsa {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let verified = match self.parsed(public_key) {
            Some(parsed) => parsed.verify_sig(message, signature),
            // A key aws-lc-rs refuses to parse, or a full cache: the check as webpki makes it.
            None => UnparsedPublicKey::new(self.aws, public_key).verify(message, signature),
        };
        verified.map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.webpki.public_key_alg_id()
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.webpki.signature_alg_id()
    }

    fn fips(&self) -> bool {
        self.webpki.fips()
    }
}

fn cached(
    webpki: &'static dyn SignatureVerificationAlgorithm,
    aws: &'static signature::RsaParameters,
) -> &'static dyn SignatureVerificationAlgorithm {
    Box::leak(Box::new(CachedRsa {
        webpki,
        aws,
        keys: Mutex::new(Vec::new()),
    }))
}

static ALGS: LazyLock<Vec<&'static dyn SignatureVerificationAlgorithm>> = LazyLock::new(|| {
    use webpki::aws_lc_rs as w;
    // webpki's ALL_VERIFICATION_ALGS, in its order (a test compares the two), with the three
    // RSA PKCS#1 v1.5 algorithms for 2048-bit and larger keys keeping parsed keys.
    vec![
        w::ECDSA_P256_SHA256,
        w::ECDSA_P256_SHA384,
        w::ECDSA_P256_SHA512,
        w::ECDSA_P384_SHA256,
        w::ECDSA_P384_SHA384,
        w::ECDSA_P384_SHA512,
        w::ECDSA_P521_SHA256,
        w::ECDSA_P521_SHA384,
        w::ECDSA_P521_SHA512,
        w::ED25519,
        cached(
            w::RSA_PKCS1_2048_8192_SHA256,
            &signature::RSA_PKCS1_2048_8192_SHA256,
        ),
        cached(
            w::RSA_PKCS1_2048_8192_SHA384,
            &signature::RSA_PKCS1_2048_8192_SHA384,
        ),
        cached(
            w::RSA_PKCS1_2048_8192_SHA512,
            &signature::RSA_PKCS1_2048_8192_SHA512,
        ),
        w::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
        w::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
        w::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
        w::RSA_PKCS1_3072_8192_SHA384,
        w::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        w::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        w::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        w::ML_DSA_44,
        w::ML_DSA_65,
        w::ML_DSA_87,
    ]
});

/// The algorithms for `verify_for_usage`: webpki's full set, in its order.
pub fn algorithms() -> &'static [&'static dyn SignatureVerificationAlgorithm] {
    &ALGS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_algorithms_as_webpki_in_the_same_order() {
        let ours = algorithms();
        assert_eq!(ours.len(), webpki::ALL_VERIFICATION_ALGS.len());
        for (a, b) in ours.iter().zip(webpki::ALL_VERIFICATION_ALGS) {
            assert_eq!(a.public_key_alg_id(), b.public_key_alg_id());
            assert_eq!(a.signature_alg_id(), b.signature_alg_id());
            assert_eq!(a.fips(), b.fips());
        }
    }

    #[test]
    fn a_cached_key_verifies_like_webpki_and_refuses_what_it_refuses() {
        let pair =
            aws_lc_rs::signature::RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let public = aws_lc_rs::signature::KeyPair::public_key(&pair)
            .as_ref()
            .to_vec();
        let message = b"tbsCertificate";
        let mut sig = vec![0; pair.public_modulus_len()];
        pair.sign(
            &signature::RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            message,
            &mut sig,
        )
        .unwrap();
        let ours = algorithms()[10];
        let theirs = webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256;
        assert_eq!(ours.signature_alg_id(), theirs.signature_alg_id());
        for _ in 0..3 {
            assert!(ours.verify_signature(&public, message, &sig).is_ok());
            assert!(theirs.verify_signature(&public, message, &sig).is_ok());
        }
        let mut bad = sig.clone();
        bad[10] ^= 1;
        assert!(ours.verify_signature(&public, message, &bad).is_err());
        assert!(ours.verify_signature(&public, b"other", &sig).is_err());
        assert!(ours.verify_signature(b"not a key", message, &sig).is_err());
        // SHA-384 under the SHA-256 algorithm: refused by both.
        assert!(algorithms()[11]
            .verify_signature(&public, message, &sig)
            .is_err());
    }
}
