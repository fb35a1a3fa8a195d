//! Private keys: generation (aws-lc-rs through rcgen), loading (PKCS#8, PKCS#1, SEC1, encrypted
//! PKCS#8), normalisation to PKCS#8, and PEM output, optionally encrypted.
//!
//! Key bytes live in [`zeroize::Zeroizing`] buffers and [`PrivateKey`]'s `Debug` shows no key
//! material.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{
    EcdsaKeyPair, RsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING,
};
use der::Decode;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use zeroize::Zeroizing;

pub use crate::algorithms::KeyKind;
use crate::algorithms::{HashAlg, KeyType};
use crate::error::{Error, KeyError, SettingError};

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";

/// PBKDF2-HMAC-SHA256 iterations for encrypted key files (with AES-256-CBC, PBES2).
pub const PBKDF2_ITERATIONS: u32 = 200_000;

/// A private key held as PKCS#8 DER.
pub struct PrivateKey {
    pkcs8: Zeroizing<Vec<u8>>,
    kind: KeyKind,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Generates a new key of the given type with aws-lc-rs.
    pub fn generate(key_type: KeyType) -> Result<PrivateKey, Error> {
        let pair = match key_type {
            KeyType::Rsa2048 => {
                rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
            }
            KeyType::Rsa3072 => {
                rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_3072)
            }
            KeyType::Rsa4096 => {
                rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_4096)
            }
            KeyType::EcdsaP256 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            KeyType::EcdsaP384 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
        }
        .map_err(|e| KeyError::Crypto(format!("key generation failed: {e}")))?;
        PrivateKey::from_pkcs8(Zeroizing::new(pair.serialize_der()))
    }

    /// Reads a key from PEM or DER: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`), SEC1
    /// (`EC PRIVATE KEY`) or encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, which needs
    /// `passphrase`). The key is normalised to PKCS#8.
    pub fn from_bytes(bytes: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKey, Error> {
        // A PEM key saved by PowerShell is UTF-16; DER passes through.
        let (decoded, _) =
            crate::text::decode(bytes).map_err(|e| KeyError::Format(e.to_string()))?;
        let bytes: &[u8] = &decoded;
        if contains(bytes, b"-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| KeyError::Format("the encrypted key PEM is not text".into()))?;
            let (_, doc) = der::SecretDocument::from_pem(
                text.trim_start_matches('\u{feff}').trim(),
            )
            .map_err(|e| KeyError::Format(format!("cannot read the encrypted key PEM: {e}")))?;
            return PrivateKey::from_encrypted_der(doc.as_bytes(), passphrase);
        }
        if contains(bytes, b"-----BEGIN ") {
            let der = PrivateKeyDer::from_pem_slice(bytes).map_err(|e| {
                KeyError::Format(format!(
                    "no PKCS#8, PKCS#1 or SEC1 private key found in the PEM ({e})"
                ))
            })?;
            return PrivateKey::from_der_any(der);
        }
        if pkcs8::EncryptedPrivateKeyInfoRef::try_from(bytes).is_ok() {
            return PrivateKey::from_encrypted_der(bytes, passphrase);
        }
        let der = PrivateKeyDer::try_from(bytes).map_err(|_| {
            KeyError::Format(
                "not a private key (PEM or DER PKCS#8, PKCS#1 or SEC1 expected)".into(),
            )
        })?;
        PrivateKey::from_der_any(der.clone_key())
    }

    fn from_encrypted_der(der: &[u8], passphrase: Option<&[u8]>) -> Result<PrivateKey, Error> {
        let pass = passphrase.ok_or(KeyError::PassphraseNeeded)?;
        let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der)
            .map_err(|e| KeyError::Format(format!("cannot read the encrypted key: {e}")))?;
        let plain = info.decrypt(pass).map_err(|_| KeyError::WrongPassphrase)?;
        PrivateKey::from_pkcs8(Zeroizing::new(plain.as_bytes().to_vec()))
    }

    fn from_der_any(der: PrivateKeyDer<'_>) -> Result<PrivateKey, Error> {
        match der {
            PrivateKeyDer::Pkcs8(k) => {
                PrivateKey::from_pkcs8(Zeroizing::new(k.secret_pkcs8_der().to_vec()))
            }
            PrivateKeyDer::Pkcs1(k) => {
                let bits = rsa_modulus_bits(k.secret_pkcs1_der())?;
                refuse_small_rsa(bits)?;
                let pair = RsaKeyPair::from_der(k.secret_pkcs1_der())
                    .map_err(|e| KeyError::Crypto(format!("the RSA key is not usable: {e}")))?;
                let pkcs8 = pair
                    .as_der()
                    .map_err(|_| KeyError::Crypto("cannot convert the RSA key to PKCS#8".into()))?;
                PrivateKey::from_pkcs8(Zeroizing::new(pkcs8.as_ref().to_vec()))
            }
            PrivateKeyDer::Sec1(k) => {
                for alg in [
                    &ECDSA_P256_SHA256_ASN1_SIGNING,
                    &ECDSA_P384_SHA384_ASN1_SIGNING,
                ] {
                    if let Ok(pair) = EcdsaKeyPair::from_private_key_der(alg, k.secret_sec1_der()) {
                        let pkcs8 = pair.to_pkcs8v1().map_err(|_| {
                            KeyError::Crypto("cannot convert the EC key to PKCS#8".into())
                        })?;
                        return PrivateKey::from_pkcs8(Zeroizing::new(pkcs8.as_ref().to_vec()));
                    }
                }
                Err(KeyError::Unsupported("the EC key is not on P-256 or P-384".into()).into())
            }
            _ => Err(KeyError::Format("unsupported private key format".into()).into()),
        }
    }

    /// Takes PKCS#8 DER, checks the algorithm (RSA of at least 2048 bits, ECDSA P-256/P-384) and
    /// that the key loads.
    pub fn from_pkcs8(pkcs8: Zeroizing<Vec<u8>>) -> Result<PrivateKey, Error> {
        let info = pkcs8::PrivateKeyInfoRef::try_from(pkcs8.as_slice())
            .map_err(|e| KeyError::Format(format!("not a PKCS#8 private key: {e}")))?;
        let oid = info.algorithm.oid.to_string();
        let kind = if oid == OID_RSA {
            let bits = rsa_modulus_bits(info.private_key.as_bytes())?;
            refuse_small_rsa(bits)?;
            KeyKind::Rsa(bits)
        } else if oid == OID_EC {
            let curve = info
                .algorithm
                .parameters_oid()
                .map(|o| o.to_string())
                .map_err(|_| KeyError::Format("the EC key names no curve".into()))?;
            match curve.as_str() {
                OID_P256 => KeyKind::EcdsaP256,
                OID_P384 => KeyKind::EcdsaP384,
                other => {
                    return Err(KeyError::Unsupported(format!(
                        "the EC curve {other} is not supported (P-256 or P-384)"
                    ))
                    .into())
                }
            }
        } else {
            return Err(KeyError::Unsupported(format!(
                "the key algorithm {oid} is not supported: use RSA (recommended) or ECDSA"
            ))
            .into());
        };
        let key = PrivateKey { pkcs8, kind };
        // Fail now, not at signing time, when aws-lc-rs cannot use the key.
        key.signing_pair(key.default_hash())?;
        Ok(key)
    }

    /// The kind of key.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    fn default_hash(&self) -> HashAlg {
        match self.kind {
            KeyKind::EcdsaP384 => HashAlg::Sha384,
            _ => HashAlg::Sha256,
        }
    }

    /// True when the key can be the key of the given [`KeyType`] (same algorithm and size).
    pub fn matches(&self, key_type: KeyType) -> bool {
        matches!(
            (self.kind, key_type),
            (KeyKind::Rsa(2048), KeyType::Rsa2048)
                | (KeyKind::Rsa(3072), KeyType::Rsa3072)
                | (KeyKind::Rsa(4096), KeyType::Rsa4096)
                | (KeyKind::EcdsaP256, KeyType::EcdsaP256)
                | (KeyKind::EcdsaP384, KeyType::EcdsaP384)
        )
    }

    /// The key as an rcgen signing key for the given hash.
    pub(crate) fn signing_pair(&self, hash: HashAlg) -> Result<rcgen::KeyPair, Error> {
        let alg: &'static rcgen::SignatureAlgorithm = match (self.kind, hash) {
            (KeyKind::Rsa(_), HashAlg::Sha256) => &rcgen::PKCS_RSA_SHA256,
            (KeyKind::Rsa(_), HashAlg::Sha384) => &rcgen::PKCS_RSA_SHA384,
            (KeyKind::Rsa(_), HashAlg::Sha512) => &rcgen::PKCS_RSA_SHA512,
            (KeyKind::EcdsaP256, HashAlg::Sha256) => &rcgen::PKCS_ECDSA_P256_SHA256,
            (KeyKind::EcdsaP384, HashAlg::Sha384) => &rcgen::PKCS_ECDSA_P384_SHA384,
            (kind, hash) => return Err(SettingError::KeyCannotSign { kind, hash }.into()),
        };
        let der = PrivatePkcs8KeyDer::from(self.pkcs8.as_slice());
        rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, alg)
            .map_err(|e| KeyError::Crypto(format!("the key cannot sign: {e}")).into())
    }

    /// The public key as a DER SubjectPublicKeyInfo, to match the key with a certificate.
    pub fn spki_der(&self) -> Result<Vec<u8>, Error> {
        use rcgen::PublicKeyData;
        Ok(self
            .signing_pair(self.default_hash())?
            .subject_public_key_info())
    }

    /// The PKCS#8 DER bytes.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The key as PEM: `PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` (PBES2: PBKDF2-HMAC-SHA256
    /// with [`PBKDF2_ITERATIONS`] iterations, AES-256-CBC) when a passphrase is given.
    pub fn to_pem(&self, passphrase: Option<&[u8]>) -> Result<Zeroizing<String>, Error> {
        let line = der::pem::LineEnding::LF;
        match passphrase {
            None => {
                let doc = der::SecretDocument::try_from(self.pkcs8.as_slice())
                    .map_err(|e| KeyError::Crypto(format!("cannot encode the key: {e}")))?;
                doc.to_pem("PRIVATE KEY", line)
                    .map_err(|e| KeyError::Crypto(format!("cannot encode the key: {e}")).into())
            }
            Some(pass) => {
                if pass.is_empty() {
                    return Err(KeyError::EmptyPassphrase.into());
                }
                let mut salt = [0u8; 16];
                let mut iv = [0u8; 16];
                aws_lc_rs::rand::fill(&mut salt)
                    .map_err(|_| KeyError::Crypto("no randomness".into()))?;
                aws_lc_rs::rand::fill(&mut iv)
                    .map_err(|_| KeyError::Crypto("no randomness".into()))?;
                let params = pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(
                    PBKDF2_ITERATIONS,
                    &salt,
                    iv,
                )
                .map_err(|e| KeyError::Crypto(format!("cannot encrypt the key: {e}")))?;
                let info = pkcs8::PrivateKeyInfoRef::try_from(self.pkcs8.as_slice())
                    .map_err(|e| KeyError::Crypto(format!("cannot encode the key: {e}")))?;
                let doc = info
                    .encrypt_with_params(params, pass)
                    .map_err(|e| KeyError::Crypto(format!("cannot encrypt the key: {e}")))?;
                doc.to_pem("ENCRYPTED PRIVATE KEY", line)
                    .map_err(|e| KeyError::Crypto(format!("cannot encode the key: {e}")).into())
            }
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn refuse_small_rsa(bits: usize) -> Result<(), Error> {
    if bits < 2048 {
        return Err(KeyError::SmallRsa(bits).into());
    }
    Ok(())
}

/// Reads the modulus size of a PKCS#1 RSAPrivateKey (version, modulus, ...) with the `der`
/// reader.
fn rsa_modulus_bits(pkcs1: &[u8]) -> Result<usize, Error> {
    let bad = |_| KeyError::Format("the RSA private key is malformed".into());
    let mut reader = der::SliceReader::new(pkcs1).map_err(bad)?;
    let header = der::Header::decode(&mut reader).map_err(bad)?;
    if header.tag() != der::Tag::Sequence {
        return Err(KeyError::Format("the RSA private key is malformed".into()).into());
    }
    let _version = der::asn1::UintRef::decode(&mut reader).map_err(bad)?;
    let modulus = der::asn1::UintRef::decode(&mut reader).map_err(bad)?;
    let bytes = modulus.as_bytes();
    let lead = bytes.first().copied().unwrap_or(0);
    Ok(bytes.len().saturating_sub(1) * 8 + (8 - lead.leading_zeros() as usize))
}

/// The SHA-256 of a SubjectPublicKeyInfo, as lower-case hex with colons (what Windows and
/// OpenSSL users compare keys by).
pub fn spki_sha256_hex(spki_der: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, spki_der);
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_and_round_trip_plain_and_encrypted() {
        let key = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        assert_eq!(key.kind(), KeyKind::EcdsaP256);
        let pem = key.to_pem(None).unwrap();
        let again = PrivateKey::from_bytes(pem.as_bytes(), None).unwrap();
        assert_eq!(again.pkcs8_der(), key.pkcs8_der());
        let enc = key.to_pem(Some(b"correct horse")).unwrap();
        assert!(enc.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        assert!(matches!(
            PrivateKey::from_bytes(enc.as_bytes(), None),
            Err(Error::Key(KeyError::PassphraseNeeded))
        ));
        assert!(PrivateKey::from_bytes(enc.as_bytes(), Some(b"wrong")).is_err());
        let dec = PrivateKey::from_bytes(enc.as_bytes(), Some(b"correct horse")).unwrap();
        assert_eq!(dec.pkcs8_der(), key.pkcs8_der());
    }

    #[test]
    fn rsa_generation_and_size() {
        let key = PrivateKey::generate(KeyType::Rsa2048).unwrap();
        assert_eq!(key.kind(), KeyKind::Rsa(2048));
        assert!(key.matches(KeyType::Rsa2048));
        assert!(!key.matches(KeyType::Rsa4096));
    }

    #[test]
    fn debug_hides_key_material() {
        let key = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        let shown = format!("{key:?}");
        assert!(!shown.contains("pkcs8"), "{shown}");
    }

    #[test]
    fn garbage_is_refused() {
        assert!(PrivateKey::from_bytes(b"hello", None).is_err());
        assert!(PrivateKey::from_bytes(
            b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            None
        )
        .is_err());
    }
}

#[cfg(test)]
mod spki_tests {
    use super::*;

    #[test]
    fn spki_is_stable_and_distinct() {
        let a = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        let b = PrivateKey::generate(KeyType::EcdsaP256).unwrap();
        assert_eq!(a.spki_der().unwrap(), a.spki_der().unwrap());
        assert_ne!(a.spki_der().unwrap(), b.spki_der().unwrap());
        assert_eq!(a.spki_der().unwrap()[0], 0x30);
    }
}
