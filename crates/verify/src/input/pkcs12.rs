//! PKCS#12 (`.pfx`) files, opened with `p12-keystore` given their password.

use asn1_rs::{Any, FromDer};
use rustls_pki_types::CertificateDer;

use super::{Contents, InputError};

/// The certificates of a PKCS#12 file, in no meaningful order (each bag is read on its own;
/// the audit finds the leaf by building the chain, as for a PEM bundle).
pub(super) fn certificates(
    der: &[u8],
    password: Option<&str>,
    contents: &mut Contents,
) -> Result<(), InputError> {
    use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
    let password = password.ok_or(InputError::Pkcs12PasswordNeeded)?;
    let store = KeyStore::from_pkcs12(der, password, Pkcs12ImportPolicy::Raw).map_err(|e| {
        InputError::Pkcs12(match e {
            p12_keystore::error::Error::MacError(_) => "cannot open the PKCS#12 file: wrong password".into(),
            other => format!("cannot open the PKCS#12 file: wrong password, or an encryption picert does not read ({other})"),
        })
    })?;
    let before = contents.certificates.len();
    for (_, entry) in store.entries() {
        match entry {
            KeyStoreEntry::PrivateKeyChain(chain) => contents
                .certificates
                .extend(chain.certs().iter().map(|c| c.as_der().to_vec().into())),
            KeyStoreEntry::Certificate(cert) => {
                contents.certificates.push(cert.as_der().to_vec().into())
            }
            _ => {}
        }
    }
    if contents.certificates.len() == before {
        return Err(InputError::Pkcs12(
            "the PKCS#12 file holds no certificate".into(),
        ));
    }
    Ok(())
}

/// The private key (PKCS#8 DER) and certificates of a PKCS#12 file: for a client certificate
/// taken from the same `.pfx` the Edge imports. The certificates of the key's chain come first.
pub fn read_pkcs12_identity(
    der: &[u8],
    password: &str,
) -> Result<(zeroize::Zeroizing<Vec<u8>>, Vec<CertificateDer<'static>>), InputError> {
    use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
    let store = KeyStore::from_pkcs12(der, password, Pkcs12ImportPolicy::Raw)
        .map_err(|e| InputError::Pkcs12(format!("cannot open the PKCS#12 file ({e})")))?;
    let mut key = None;
    let mut certs = Vec::new();
    let mut others = Vec::new();
    for (_, entry) in store.entries() {
        match entry {
            KeyStoreEntry::PrivateKeyChain(chain) if key.is_none() => {
                key = Some(zeroize::Zeroizing::new(chain.key().as_der().to_vec()));
                certs.extend(chain.certs().iter().map(|c| c.as_der().to_vec().into()));
            }
            KeyStoreEntry::Certificate(cert) => others.push(cert.as_der().to_vec().into()),
            _ => {}
        }
    }
    certs.extend(others);
    let key =
        key.ok_or_else(|| InputError::Pkcs12("the PKCS#12 file holds no private key".into()))?;
    Ok((key, certs))
}

pub(super) fn is_pkcs12(seq: &[u8]) -> bool {
    // PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }
    let Ok((rest, _version)) = Any::from_der(seq) else {
        return false;
    };
    let Ok((_, auth_safe)) = Any::from_der(rest) else {
        return false;
    };
    let Ok((_, oid)) = Any::from_der(auth_safe.data) else {
        return false;
    };
    oid.oid()
        .map(|o| o.to_id_string().starts_with("1.2.840.113549.1.7."))
        .unwrap_or(false)
}
