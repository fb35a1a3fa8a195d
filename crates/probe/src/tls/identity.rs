//! The certificate a partner Edge presents: a chain and its key, from PEM files or a PKCS#12
//! file.

use rustls::pki_types::CertificateDer;

/// A certificate and key to present when the server asks for one, as a partner Edge does.
/// Its `Debug` shows the certificates, never the key; the key's bytes are wiped when it goes.
#[derive(Clone)]
pub struct ClientIdentity {
    /// The certificate, then its intermediates.
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key, PKCS#8 DER.
    pub(super) key_pkcs8: zeroize::Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("chain", &self.chain.len())
            .field("key_pkcs8", &"<redacted>")
            .finish()
    }
}

/// Why a client certificate cannot be presented.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The certificate file cannot be read.
    #[error(transparent)]
    Input(#[from] picert_verify::input::InputError),
    /// No certificate in it.
    #[error("holds no certificate")]
    NoCertificate,
    /// The key is not the certificate's.
    #[error("the key does not match the certificate")]
    KeyMismatch,
    /// The key cannot be used.
    #[error("{0}")]
    Key(String),
}

impl ClientIdentity {
    /// A client identity from the bytes of a certificate file (the leaf and its intermediates,
    /// any order) and its key, which must match the leaf.
    pub fn new(
        certificate_file: &[u8],
        key: &picert_core::PrivateKey,
    ) -> Result<ClientIdentity, IdentityError> {
        let certs = picert_verify::input::read_contents(certificate_file)?.certificates;
        ClientIdentity::from_parts(certs, key.pkcs8_der().to_vec(), key)
    }

    /// The certificate and key of a PKCS#12 file.
    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<ClientIdentity, IdentityError> {
        let (pkcs8, certs) = picert_verify::input::read_pkcs12_identity(bytes, password)?;
        let key = picert_core::PrivateKey::from_pkcs8(pkcs8.clone())
            .map_err(|e| IdentityError::Key(e.to_string()))?;
        ClientIdentity::from_parts(certs, pkcs8.to_vec(), &key)
    }

    fn from_parts(
        certs: Vec<CertificateDer<'static>>,
        key_pkcs8: Vec<u8>,
        key: &picert_core::PrivateKey,
    ) -> Result<ClientIdentity, IdentityError> {
        if certs.is_empty() {
            return Err(IdentityError::NoCertificate);
        }
        let leaf_index = picert_verify::chain::pick_leaf(&certs);
        let spki = key
            .spki_der()
            .map_err(|e| IdentityError::Key(e.to_string()))?;
        let facts = picert_verify::facts::certificate_facts(&certs[leaf_index])
            .map_err(|e| IdentityError::Key(e.to_string()))?;
        if facts.spki_der != spki {
            return Err(IdentityError::KeyMismatch);
        }
        let mut chain = vec![certs[leaf_index].clone()];
        chain.extend(
            certs
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != leaf_index)
                .map(|(_, c)| c.clone()),
        );
        Ok(ClientIdentity {
            chain,
            key_pkcs8: zeroize::Zeroizing::new(key_pkcs8),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let key = picert_core::PrivateKey::generate(picert_core::KeyType::EcdsaP256).unwrap();
        let id = ClientIdentity {
            chain: Vec::new(),
            key_pkcs8: zeroize::Zeroizing::new(key.pkcs8_der().to_vec()),
        };
        let shown = format!("{id:?}");
        assert!(shown.contains("<redacted>"), "{shown}");
        let hex: String = key.pkcs8_der()[..8]
            .iter()
            .map(|b| format!("{b}"))
            .collect();
        assert!(!shown.contains(&hex), "{shown}");
    }
}
