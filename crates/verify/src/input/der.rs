//! DER, told apart: a certificate, a request, a PKCS#7 bundle or a PKCS#12 file, or something
//! else named precisely (a private key, an OCSP response, a CRL).

use asn1_rs::{Any, FromDer, Tag};
use x509_parser::prelude::*;

use super::{Contents, InputError};

/// DER: a certificate, a request, a PKCS#7 bundle, or something named precisely.
pub(super) fn read(
    der: &[u8],
    contents: &mut Contents,
    pfx_password: Option<&str>,
) -> Result<(), InputError> {
    if let Ok((rest, _)) = X509Certificate::from_der(der) {
        if rest.is_empty() {
            contents.certificates.push(der.to_vec().into());
            return Ok(());
        }
        return Err(InputError::WrongDer(format!(
            "a DER certificate followed by {} bytes of trailing data",
            rest.len()
        )));
    }
    if crate::facts::csr_facts(der).is_ok() {
        contents.requests.push(der.to_vec().into());
        return Ok(());
    }
    let (rest, top) =
        Any::from_der(der).map_err(|_| InputError::WrongDer("not valid DER".into()))?;
    if !rest.is_empty() {
        return Err(InputError::WrongDer(format!(
            "DER followed by {} bytes of trailing data",
            rest.len()
        )));
    }
    let seq = top.data;
    if let Ok((_, first)) = Any::from_der(seq) {
        if first.tag() == Tag::Oid && first.data == super::pkcs7::SIGNED_DATA.as_bytes() {
            return super::pkcs7::certificates(der, contents);
        }
        if first.tag() == Tag::Enumerated {
            // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] ... }
            return Err(InputError::WrongDer(
                "an OCSP response, not a certificate or request".into(),
            ));
        }
        if first.tag() == Tag::Integer {
            let version = first.clone().as_u32().unwrap_or(99);
            if version == 3 && super::pkcs12::is_pkcs12(seq) {
                return super::pkcs12::certificates(der, pfx_password, contents);
            }
            if version <= 1 {
                return Err(InputError::PrivateKey(None));
            }
        }
    }
    if parse_x509_crl(der).is_ok() {
        return Err(InputError::WrongDer(
            "a certificate revocation list, not a certificate or request".into(),
        ));
    }
    Err(InputError::WrongDer(
        "not a valid certificate or request (a DER SEQUENCE of another kind, or a damaged one)"
            .into(),
    ))
}
