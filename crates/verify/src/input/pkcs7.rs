//! PKCS#7 (CMS) bundles: the certificates of a SignedData, as Windows CAs answer.

use asn1_rs::{Any, Class, FromDer, Tag};

use super::{Contents, InputError};

/// `ContentInfo { contentType signedData, [0] EXPLICIT SignedData { version, digestAlgorithms,
/// encapContentInfo, [0] IMPLICIT certificates OPTIONAL, ... } }`: the certificates, in
/// whatever order (the audit rebuilds the chain).
pub(super) fn certificates(der: &[u8], contents: &mut Contents) -> Result<(), InputError> {
    let bad = |what: &str| InputError::WrongDer(format!("a malformed PKCS#7 bundle ({what})"));
    let (_, ci) = Any::from_der(der).map_err(|_| bad("content info"))?;
    let (after, oid) = Any::from_der(ci.data).map_err(|_| bad("content type"))?;
    let oid = oid.oid().map_err(|_| bad("content type"))?.to_id_string();
    if oid != "1.2.840.113549.1.7.2" {
        return Err(InputError::WrongDer(format!(
            "a PKCS#7 structure of type {oid}, not signedData"
        )));
    }
    let (_, explicit) = Any::from_der(after).map_err(|_| bad("content"))?;
    let (_, signed) = Any::from_der(explicit.data).map_err(|_| bad("signed data"))?;
    let mut rest = signed.data;
    let before = contents.certificates.len();
    while !rest.is_empty() {
        let (next, item) = Any::from_der(rest).map_err(|_| bad("signed data field"))?;
        let item_tlv = &rest[..rest.len() - next.len()];
        rest = next;
        if item.class() == Class::ContextSpecific && item.tag() == Tag(0) {
            let header_len = item_tlv.len() - item.data.len();
            let mut certs = &item_tlv[header_len..];
            while !certs.is_empty() {
                let (next, cert) = Any::from_der(certs).map_err(|_| bad("certificate"))?;
                let cert_tlv = &certs[..certs.len() - next.len()];
                certs = next;
                if cert.tag() == Tag::Sequence {
                    contents.certificates.push(cert_tlv.to_vec().into());
                }
            }
        }
    }
    if contents.certificates.len() == before {
        return Err(InputError::EmptyPkcs7);
    }
    Ok(())
}
