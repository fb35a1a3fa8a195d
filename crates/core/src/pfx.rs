//! The PKCS#12 (`.pfx`) file Windows imports: the Edge certificate with its friendly name, the
//! intermediates, and the private key, under one password.
//!
//! The layout is the one Windows itself exports, and what `Import-PfxCertificate` and
//! `Import-CsCertificate` read:
//!
//! - an encrypted safe holding the certificates, leaf first. The leaf's bag carries the
//!   friendly name (Windows shows it in the certificate store) and a local key ID that pairs it
//!   with the key; the intermediates carry neither;
//! - a plain safe holding the key as a shrouded (encrypted) PKCS#8 bag with the same friendly
//!   name and local key ID;
//! - a MAC over both, keyed from the password.
//!
//! [`PfxEncryption::Modern`] encrypts with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and MACs with
//! HMAC-SHA256; [`PfxEncryption::Legacy`] uses pbeWithSHAAnd3-KeyTripleDES-CBC and HMAC-SHA1,
//! the only kind Windows Server 2016 and older import. The ASN.1 types come from the `pkcs12`,
//! `cms` and `x509-cert` crates, the ciphers and KDFs from `pkcs5`, `pkcs12`, `des` and `cbc`.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::encrypted_data::EncryptedData;
use cms::enveloped_data::EncryptedContentInfo;
use der::asn1::{BmpString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use hmac::{KeyInit, Mac};
use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::{Pfx, Version};
use pkcs12::safe_bag::SafeBag;
use pkcs12::{CertBag, DigestInfo, MacData};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, Attributes};
use zeroize::Zeroizing;

use rustls_pki_types::CertificateDer;

use crate::error::{encoding, Error, PfxError, SettingError};
use crate::notes::Note;
use crate::platform::Platform;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// Iterations of PBKDF2 and of the MAC key derivation in a modern file.
pub const MODERN_ITERATIONS: u32 = 10_000;
/// Iterations in a legacy file (what Windows Server 2016 itself writes is 2,000).
pub const LEGACY_ITERATIONS: u32 = 2_048;

/// How the file is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PfxEncryption {
    /// AES-256-CBC with PBKDF2-HMAC-SHA256, HMAC-SHA256 MAC: Windows Server 2019 and later.
    Modern,
    /// 3DES with the PKCS#12 KDF, HMAC-SHA1 MAC: Windows Server 2016 and older.
    Legacy,
}

impl PfxEncryption {
    /// The protection for a file: `asked` when given (with a warning when the Edge's Windows
    /// release cannot import it), else what every release the platform may be imports: AES-256
    /// on Windows Server 2019 and later, 3DES / SHA-1 below or when the release is unknown,
    /// with a note saying why and how to get AES-256.
    pub fn choose(
        asked: Option<PfxEncryption>,
        platform: &Platform,
    ) -> (PfxEncryption, Option<Note>) {
        match (asked, platform.windows) {
            (Some(PfxEncryption::Modern), Some(windows)) if !windows.imports_aes_pfx() => (
                PfxEncryption::Modern,
                Some(Note::PfxModernUnsupported { windows }),
            ),
            (Some(asked), _) => (asked, None),
            (None, Some(windows)) if windows.imports_aes_pfx() => (PfxEncryption::Modern, None),
            (None, Some(_)) => (PfxEncryption::Legacy, None),
            (None, None) => match platform.product {
                Some(_) if platform.imports_aes_pfx() == Some(true) => {
                    (PfxEncryption::Modern, None)
                }
                Some(product) => (
                    PfxEncryption::Legacy,
                    Some(Note::PfxLegacyForProduct { product }),
                ),
                None => (PfxEncryption::Legacy, Some(Note::PfxLegacyUnknownWindows)),
            },
        }
    }

    /// How the file is protected, for people: `AES-256, SHA-256 MAC`.
    pub fn describe(self) -> &'static str {
        match self {
            PfxEncryption::Modern => "AES-256, SHA-256 MAC",
            PfxEncryption::Legacy => "3DES, SHA-1 MAC",
        }
    }
}

/// What goes into the file. Its `Debug` shows the certificates, never the key.
pub struct PfxContents<'a> {
    /// The private key, PKCS#8 DER.
    pub key_pkcs8: &'a [u8],
    /// The certificates, DER, leaf first, then each issuer in turn.
    pub chain: &'a [CertificateDer<'static>],
    /// The name the Windows certificate store shows for the certificate.
    pub friendly_name: &'a str,
}

impl std::fmt::Debug for PfxContents<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PfxContents")
            .field("key_pkcs8", &"<redacted>")
            .field("chain", &self.chain.len())
            .field("friendly_name", &self.friendly_name)
            .finish()
    }
}

fn asn1(e: der::Error) -> Error {
    encoding("the PKCS#12 file")(e.to_string())
}

fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut out = [0u8; N];
    aws_lc_rs::rand::fill(&mut out).map_err(|_| {
        Error::Key(crate::error::KeyError::Crypto(
            "the system random generator failed".into(),
        ))
    })?;
    Ok(out)
}

/// Encrypts `data` under `password` and names the algorithm, as both safes and the key bag do.
fn encrypt(
    encryption: PfxEncryption,
    password: &str,
    data: &[u8],
) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), Error> {
    match encryption {
        PfxEncryption::Modern => {
            let salt: [u8; 16] = random()?;
            let iv: [u8; 16] = random()?;
            let params = pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(
                MODERN_ITERATIONS,
                &salt,
                iv,
            )
            .map_err(|e| encoding("PBES2 parameters")(e.to_string()))?;
            let ciphertext = params
                .encrypt(password.as_bytes(), data)
                .map_err(|e| encoding("the PBES2 encryption")(e.to_string()))?;
            let scheme = pkcs5::EncryptionScheme::from(params);
            let alg = AlgorithmIdentifierOwned::from_der(&scheme.to_der().map_err(asn1)?)
                .map_err(asn1)?;
            Ok((alg, ciphertext))
        }
        PfxEncryption::Legacy => {
            let salt: [u8; 8] = random()?;
            let rounds = LEGACY_ITERATIONS as i32;
            let key = Zeroizing::new(
                derive_key_utf8::<sha1::Sha1>(
                    password,
                    &salt,
                    Pkcs12KeyType::EncryptionKey,
                    rounds,
                    24,
                )
                .map_err(asn1)?,
            );
            let iv = derive_key_utf8::<sha1::Sha1>(password, &salt, Pkcs12KeyType::Iv, rounds, 8)
                .map_err(asn1)?;
            let cipher =
                cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv).map_err(|_| {
                    encoding("the 3DES encryption")("key or IV of the wrong length".into())
                })?;
            let ciphertext = cipher.encrypt_padded_vec::<Pkcs7>(data);
            let params = Pkcs12PbeParams {
                salt: OctetString::new(salt.to_vec()).map_err(asn1)?,
                iterations: rounds,
            };
            let alg = AlgorithmIdentifierOwned {
                oid: PBE_SHA1_3DES,
                parameters: Some(Any::encode_from(&params).map_err(asn1)?),
            };
            Ok((alg, ciphertext))
        }
    }
}

/// The friendly name and local key ID attributes of the leaf's bag and the key's bag.
fn bag_attributes(friendly_name: &str, local_key_id: &[u8]) -> Result<Attributes, Error> {
    let name = BmpString::from_utf8(friendly_name).map_err(|_| {
        Error::Setting(SettingError::Unencodable(format!(
            "friendly name {friendly_name:?}: only characters of the Basic Multilingual Plane fit in a PKCS#12 friendly name"
        )))
    })?;
    let mut attributes = Attributes::new();
    attributes
        .insert(Attribute {
            oid: FRIENDLY_NAME,
            values: SetOfVec::try_from(vec![Any::encode_from(&name).map_err(asn1)?])
                .map_err(asn1)?,
        })
        .map_err(asn1)?;
    attributes
        .insert(Attribute {
            oid: LOCAL_KEY_ID,
            values: SetOfVec::try_from(vec![Any::encode_from(
                &OctetString::new(local_key_id.to_vec()).map_err(asn1)?,
            )
            .map_err(asn1)?])
            .map_err(asn1)?,
        })
        .map_err(asn1)?;
    Ok(attributes)
}

fn data_content_info(content: &[u8]) -> Result<ContentInfo, Error> {
    Ok(ContentInfo {
        content_type: ID_DATA,
        content: Any::encode_from(&OctetString::new(content.to_vec()).map_err(asn1)?)
            .map_err(asn1)?,
    })
}

/// HMAC over `data` with the PKCS#12 MAC key derived from the password (RFC 7292 B.2).
fn pkcs12_hmac<D>(password: &str, salt: &[u8], rounds: i32, data: &[u8]) -> Result<Vec<u8>, Error>
where
    D: hmac::EagerHash
        + sha2::digest::Digest
        + sha2::digest::FixedOutputReset
        + sha2::digest::block_api::BlockSizeUser,
{
    let key = Zeroizing::new(
        derive_key_utf8::<D>(
            password,
            salt,
            Pkcs12KeyType::Mac,
            rounds,
            <D as sha2::Digest>::output_size(),
        )
        .map_err(asn1)?,
    );
    let mut mac = hmac::Hmac::<D>::new_from_slice(&key)
        .map_err(|_| encoding("the MAC")("key of the wrong length".into()))?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

fn mac(encryption: PfxEncryption, password: &str, auth_safe: &[u8]) -> Result<MacData, Error> {
    let salt: [u8; 16] = random()?;
    let (oid, iterations, digest) = match encryption {
        PfxEncryption::Modern => {
            let rounds = MODERN_ITERATIONS as i32;
            let digest = pkcs12_hmac::<sha2::Sha256>(password, &salt, rounds, auth_safe)?;
            (SHA256, rounds, digest)
        }
        PfxEncryption::Legacy => {
            let rounds = LEGACY_ITERATIONS as i32;
            let digest = pkcs12_hmac::<sha1::Sha1>(password, &salt, rounds, auth_safe)?;
            (SHA1, rounds, digest)
        }
    };
    Ok(MacData {
        mac: DigestInfo {
            algorithm: AlgorithmIdentifierOwned {
                oid,
                parameters: Some(Any::null()),
            },
            digest: OctetString::new(digest).map_err(asn1)?,
        },
        mac_salt: OctetString::new(salt.to_vec()).map_err(asn1)?,
        iterations,
    })
}

/// The certificate's SHA-1 thumbprint: what Windows shows and `Set-CsCertificate -Thumbprint`
/// takes, and the local key ID that pairs the certificate's bag with the key's.
pub fn thumbprint(certificate_der: &[u8]) -> [u8; 20] {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
        certificate_der,
    );
    let mut out = [0u8; 20];
    out.copy_from_slice(digest.as_ref());
    out
}

/// The thumbprint as Windows shows it: upper-case hex, no separators.
pub fn thumbprint_hex(certificate_der: &[u8]) -> String {
    thumbprint(certificate_der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The SHA-256 fingerprint of a certificate (DER), upper-case hex.
pub fn sha256_hex(certificate_der: &[u8]) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, certificate_der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// Writes the PKCS#12 file. The password must not be empty (Windows asks for one on import);
/// the chain must hold at least the leaf.
pub fn write_pfx(
    contents: &PfxContents<'_>,
    password: &str,
    encryption: PfxEncryption,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let Some(leaf) = contents.chain.first() else {
        return Err(PfxError::NoCertificate.into());
    };
    if password.is_empty() {
        return Err(PfxError::EmptyPassword.into());
    }
    // Windows pairs the key with the certificate through this ID; the thumbprint is unique.
    let local_key_id = thumbprint(leaf);
    let attributes = bag_attributes(contents.friendly_name, &local_key_id)?;

    let mut cert_bags = Vec::with_capacity(contents.chain.len());
    for (i, der) in contents.chain.iter().enumerate() {
        let bag = CertBag {
            cert_id: X509_CERTIFICATE,
            cert_value: OctetString::new(der.to_vec()).map_err(asn1)?,
        };
        cert_bags.push(SafeBag {
            bag_id: CERT_BAG,
            bag_value: bag.to_der().map_err(asn1)?,
            bag_attributes: (i == 0).then(|| attributes.clone()),
        });
    }
    let cert_safe = cert_bags.to_der().map_err(asn1)?;
    let (cert_alg, cert_ciphertext) = encrypt(encryption, password, &cert_safe)?;
    let encrypted_certs = EncryptedData {
        version: CmsVersion::V0,
        enc_content_info: EncryptedContentInfo {
            content_type: ID_DATA,
            content_enc_alg: cert_alg,
            encrypted_content: Some(OctetString::new(cert_ciphertext).map_err(asn1)?),
        },
        unprotected_attrs: None,
    };

    let (key_alg, key_ciphertext) = encrypt(encryption, password, contents.key_pkcs8)?;
    let shrouded = EncryptedPrivateKeyInfo {
        encryption_algorithm: key_alg,
        encrypted_data: OctetString::new(key_ciphertext).map_err(asn1)?,
    };
    let key_safe = vec![SafeBag {
        bag_id: SHROUDED_KEY_BAG,
        bag_value: shrouded.to_der().map_err(asn1)?,
        bag_attributes: Some(attributes),
    }]
    .to_der()
    .map_err(asn1)?;

    let auth_safe = vec![
        ContentInfo {
            content_type: ID_ENCRYPTED_DATA,
            content: Any::encode_from(&encrypted_certs).map_err(asn1)?,
        },
        data_content_info(&key_safe)?,
    ]
    .to_der()
    .map_err(asn1)?;
    let mac_data = mac(encryption, password, &auth_safe)?;
    let pfx = Pfx {
        version: Version::V3,
        auth_safe: data_content_info(&auth_safe)?,
        mac_data: Some(mac_data),
    };
    Ok(Zeroizing::new(pfx.to_der().map_err(asn1)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{Product, WindowsServer};

    #[test]
    fn the_protection_follows_the_windows_release() {
        let p = |windows, product| Platform { windows, product };
        let choose = |asked, platform| PfxEncryption::choose(asked, &platform);
        // Nothing known: 3DES, with the way to AES-256.
        assert_eq!(
            choose(None, p(None, None)),
            (PfxEncryption::Legacy, Some(Note::PfxLegacyUnknownWindows))
        );
        // The release decides, at its edge (2016 / 2019).
        assert_eq!(
            choose(None, p(Some(WindowsServer::W2016), None)),
            (PfxEncryption::Legacy, None)
        );
        assert_eq!(
            choose(None, p(Some(WindowsServer::W2019), None)),
            (PfxEncryption::Modern, None)
        );
        // A product alone: Subscription Edition runs on 2019 and later only.
        assert_eq!(
            choose(None, p(None, Some(Product::SfbSe))),
            (PfxEncryption::Modern, None)
        );
        assert_eq!(
            choose(None, p(None, Some(Product::Sfb2019))),
            (
                PfxEncryption::Legacy,
                Some(Note::PfxLegacyForProduct {
                    product: Product::Sfb2019
                })
            )
        );
        // Asked for: done, with a warning for a release that cannot import AES-256.
        let (e, note) = choose(
            Some(PfxEncryption::Modern),
            p(Some(WindowsServer::W2012R2), None),
        );
        assert_eq!(e, PfxEncryption::Modern);
        assert!(note.unwrap().is_warning());
        assert_eq!(
            choose(Some(PfxEncryption::Modern), p(None, None)),
            (PfxEncryption::Modern, None)
        );
        assert_eq!(
            choose(
                Some(PfxEncryption::Legacy),
                p(Some(WindowsServer::W2022), None)
            ),
            (PfxEncryption::Legacy, None)
        );
    }

    fn contents<'a>(chain: &'a [CertificateDer<'static>], name: &'a str) -> PfxContents<'a> {
        PfxContents {
            key_pkcs8: b"not looked at before the checks",
            chain,
            friendly_name: name,
        }
    }

    #[test]
    fn refusals_are_worded() {
        let e = write_pfx(&contents(&[], "Edge"), "pw", PfxEncryption::Modern).unwrap_err();
        assert_eq!(e.to_string(), "a PKCS#12 file needs the certificate");
        let chain = [CertificateDer::from(vec![0x30, 0x00])];
        let e = write_pfx(&contents(&chain, "Edge"), "", PfxEncryption::Legacy).unwrap_err();
        assert_eq!(e.to_string(), "the PKCS#12 password is empty");
        let e = write_pfx(
            &contents(&chain, "Edge \u{1F512}"),
            "pw",
            PfxEncryption::Modern,
        )
        .unwrap_err();
        assert!(e.to_string().contains("Basic Multilingual Plane"), "{e}");
    }

    #[test]
    fn each_file_has_fresh_salts() {
        let chain = [CertificateDer::from(vec![0x30, 0x00])];
        let c = contents(&chain, "Edge");
        let a = write_pfx(&c, "pw", PfxEncryption::Modern).unwrap();
        let b = write_pfx(&c, "pw", PfxEncryption::Modern).unwrap();
        assert_ne!(*a, *b);
        let pfx = Pfx::from_der(&a).unwrap();
        let mac = pfx.mac_data.unwrap();
        assert_eq!(mac.iterations, MODERN_ITERATIONS as i32);
        assert_eq!(mac.mac.algorithm.oid, SHA256);
    }
}
