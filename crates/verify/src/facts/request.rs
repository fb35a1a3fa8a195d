//! PKCS#10 requests, walked with the asn1-rs reader down to their attributes: x509-parser keeps
//! only the extension request and drops the Microsoft attributes such as the certificate
//! template.

use asn1_rs::{Any, FromDer, Tag};
use x509_parser::extensions::X509Extension;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo, X509Name};

use super::{any_string, base_facts, Facts, InputKind, ParseError, TemplateFacts};

/// Reads a PKCS#10 request: `CertificationRequest ::= SEQUENCE { certificationRequestInfo,
/// signatureAlgorithm, signature BIT STRING }`, walked with asn1-rs so that every attribute is
/// seen.
pub fn csr_facts(der: &[u8]) -> Result<Facts, ParseError> {
    let bad = |what: &str| ParseError(format!("not a valid certificate request ({what})"));
    let (rest, outer) = Any::from_der(der).map_err(|_| bad("outer structure"))?;
    if !rest.is_empty() {
        return Err(bad("trailing data after the request"));
    }
    if outer.tag() != Tag::Sequence {
        return Err(bad("not a SEQUENCE"));
    }
    let body = outer.data;
    let (after_info, info) = Any::from_der(body).map_err(|_| bad("request info"))?;
    if info.tag() == Tag::Oid {
        return Err(ParseError("a CMS/CMC request (PKCS#7 signed data), not a PKCS#10 request: picert reads PKCS#10 requests (certreq -new writes one)".into()));
    }
    let info_tlv = &body[..body.len() - after_info.len()];
    let (after_alg, sig_alg) =
        AlgorithmIdentifier::from_der(after_info).map_err(|_| bad("signature algorithm"))?;
    let (_, sig_bits) = Any::from_der(after_alg).map_err(|_| bad("signature"))?;
    if sig_bits.tag() != Tag::BitString || sig_bits.data.is_empty() {
        return Err(bad("signature is not a BIT STRING"));
    }
    let signature = &sig_bits.data[1..];

    let data = info.data;
    let (data, version) = Any::from_der(data).map_err(|_| bad("version"))?;
    if version.tag() != Tag::Integer {
        return Err(bad("version"));
    }
    let (data, subject) = X509Name::from_der(data).map_err(|_| bad("subject"))?;
    let (data, spki) = SubjectPublicKeyInfo::from_der(data).map_err(|_| bad("public key"))?;

    let mut extensions: Vec<X509Extension<'_>> = Vec::new();
    let mut templates = Vec::new();
    if !data.is_empty() {
        let (_, attrs) = Any::from_der(data).map_err(|_| bad("attributes"))?;
        let mut rest = attrs.data;
        while !rest.is_empty() {
            let (next, attr) = Any::from_der(rest).map_err(|_| bad("attribute"))?;
            rest = next;
            let (values, oid) = Any::from_der(attr.data).map_err(|_| bad("attribute type"))?;
            let oid = oid.oid().map_err(|_| bad("attribute type"))?.to_id_string();
            let (_, set) = Any::from_der(values).map_err(|_| bad("attribute values"))?;
            match oid.as_str() {
                // PKCS#9 extensionRequest: SET { Extensions }
                "1.2.840.113549.1.9.14" => {
                    let (_, exts) =
                        Any::from_der(set.data).map_err(|_| bad("extension request"))?;
                    let mut e = exts.data;
                    while !e.is_empty() {
                        let (next, ext) =
                            X509Extension::from_der(e).map_err(|_| bad("requested extension"))?;
                        e = next;
                        extensions.push(ext);
                    }
                }
                // Microsoft enrollment name-value pairs: SET OF SEQUENCE { name, value }
                "1.3.6.1.4.1.311.13.2.1" => {
                    let mut v = set.data;
                    while let Ok((next, pair)) = Any::from_der(v) {
                        v = next;
                        let Ok((after, name)) = Any::from_der(pair.data) else {
                            continue;
                        };
                        let Ok((_, value)) = Any::from_der(after) else {
                            continue;
                        };
                        if let (Some(n), Some(val)) = (any_string(&name), any_string(&value)) {
                            if n.eq_ignore_ascii_case("CertificateTemplate") {
                                templates.push(TemplateFacts {
                                    source: "request attribute",
                                    value: val,
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut facts = base_facts(InputKind::Csr, &subject, &spki, &sig_alg, &extensions);
    templates.append(&mut facts.templates);
    facts.templates = templates;
    facts.csr_signature = Some(super::signature::verify(
        &sig_alg, &spki, info_tlv, signature,
    ));
    Ok(facts)
}
