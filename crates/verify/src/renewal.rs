//! Reading the certificate in service for a renewal: its names in their order, its subject,
//! EKUs and key, as picert-core's [`CurrentCertificate`]; [`picert_core::plan_request`] does
//! the rest.

use picert_core::{CurrentCertificate, KeyType};
use rustls_pki_types::CertificateDer;

use crate::chain::pick_leaf;
use crate::facts::{certificate_facts, KeyFacts, ParseError, EKU_CLIENT_AUTH};
use crate::input::{read_contents_with_password, InputError};

/// Why the certificate in service cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CurrentError {
    /// Not a certificate file, or a PKCS#12 file without its password.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A file with no certificate (a request).
    #[error("holds no certificate: a renewal starts from the certificate in service")]
    NoCertificate,
    /// The certificate does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// Reads the certificate in service (PEM, DER, PKCS#7, or PKCS#12 with its password); in a
/// file with its chain, the leaf.
///
/// ```
/// let bytes = std::fs::read("../../fixtures/pki/good.pem")?;
/// let current = picert_verify::renewal::read_current(&bytes, None)?;
/// assert_eq!(current.dns_names, ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_current(
    bytes: &[u8],
    pfx_password: Option<&str>,
) -> Result<CurrentCertificate, CurrentError> {
    read_in_service(bytes, pfx_password).map(|(_, current)| current)
}

/// [`read_current`], with the leaf itself (DER), for a caller that also needs the certificate
/// (an ACME renewal asks the CA about it), from one read of the file.
pub fn read_in_service(
    bytes: &[u8],
    pfx_password: Option<&str>,
) -> Result<(CertificateDer<'static>, CurrentCertificate), CurrentError> {
    let contents = read_contents_with_password(bytes, pfx_password)?;
    if contents.certificates.is_empty() {
        return Err(CurrentError::NoCertificate);
    }
    let leaf = contents.certificates[pick_leaf(&contents.certificates)].clone();
    let current = current_from(&leaf)?;
    Ok((leaf, current))
}

fn current_from(leaf: &CertificateDer<'_>) -> Result<CurrentCertificate, CurrentError> {
    let facts = certificate_facts(leaf)?;
    let key_type = match facts.key {
        KeyFacts::Rsa { bits: 3072 } => Some(KeyType::Rsa3072),
        KeyFacts::Rsa { bits: 4096 } => Some(KeyType::Rsa4096),
        KeyFacts::Rsa { .. } => Some(KeyType::Rsa2048),
        KeyFacts::Ec { ref curve } if curve == "P-256" => Some(KeyType::EcdsaP256),
        KeyFacts::Ec { ref curve } if curve == "P-384" => Some(KeyType::EcdsaP384),
        _ => None,
    };
    Ok(CurrentCertificate {
        common_name: match facts.common_names.as_slice() {
            [Some(cn)] => Some(cn.clone()),
            _ => None,
        },
        client_eku: facts
            .eku
            .as_ref()
            .is_some_and(|e| e.iter().any(|o| o == EKU_CLIENT_AUTH)),
        dns_names: facts.dns_sans,
        subject: facts.subject_fields,
        key_type,
        spki_der: facts.spki_der,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_names_subject_and_key_from_the_certificate() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec![
            "sip.fabrikam.com".into(),
            "sip.contoso.com".into(),
        ])
        .unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "sip.contoso.com");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "Contoso");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.self_signed(&key).unwrap();
        let current = read_current(cert.pem().as_bytes(), None).unwrap();
        assert_eq!(current.common_name.as_deref(), Some("sip.contoso.com"));
        assert_eq!(current.dns_names, ["sip.fabrikam.com", "sip.contoso.com"]);
        assert_eq!(current.subject.organization.as_deref(), Some("Contoso"));
        assert!(current.client_eku);
        assert_eq!(current.key_type, Some(KeyType::EcdsaP256));
        assert!(matches!(
            read_current(b"", None),
            Err(CurrentError::Input(InputError::Empty))
        ));
    }
}
