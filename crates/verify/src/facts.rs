//! What the rules look at, read once from a certificate or request.
//!
//! Certificates are read with x509-parser. Requests are walked with the asn1-rs reader down to
//! their attributes (x509-parser keeps only the extension request and drops the Microsoft
//! attributes such as the certificate template), and each requested extension is then read by
//! x509-parser like a certificate's.

use asn1_rs::{Any, FromDer, Tag};
use x509_parser::extensions::{GeneralName, ParsedExtension, X509Extension};
use x509_parser::prelude::*;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo, X509Name};

/// What was read: a certificate or a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// An X.509 certificate.
    Certificate,
    /// A PKCS#10 certificate request.
    Csr,
}

/// The public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyFacts {
    /// RSA with this modulus size in bits (the exact bit length).
    Rsa {
        /// Modulus bit length.
        bits: usize,
    },
    /// Elliptic curve key on the named curve (dotted OID when unknown).
    Ec {
        /// Curve name, such as `P-256`.
        curve: String,
    },
    /// Another algorithm.
    Other {
        /// Its OID.
        oid: String,
    },
}

impl std::fmt::Display for KeyFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyFacts::Rsa { bits } => write!(f, "RSA {bits} bits"),
            KeyFacts::Ec { curve } => write!(f, "EC {curve}"),
            KeyFacts::Other { oid } => write!(f, "algorithm {oid}"),
        }
    }
}

/// The hash inside a signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashKind {
    /// MD2 or MD5.
    Md5,
    /// SHA-1.
    Sha1,
    /// SHA-2 family.
    Sha2,
    /// Ed25519/Ed448 or anything not recognised.
    Other,
}

/// The signature algorithm of the certificate or request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureFacts {
    /// Dotted OID.
    pub oid: String,
    /// Readable name.
    pub name: String,
    /// The hash it uses.
    pub hash: HashKind,
    /// True for RSASSA-PSS.
    pub pss: bool,
}

/// A Microsoft certificate template reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFacts {
    /// Where it was found.
    pub source: &'static str,
    /// The name, or the template OID with its version for V2 templates.
    pub value: String,
}

/// Everything the rules need, owned.
#[derive(Debug, Clone)]
pub struct Facts {
    /// Certificate or request.
    pub kind: InputKind,
    /// Subject, RFC 4514 style.
    pub subject: String,
    /// Issuer (certificates).
    pub issuer: Option<String>,
    /// Every CN in the subject, as text (`None` for a CN that is not a string).
    pub common_names: Vec<Option<String>>,
    /// Whether a SAN extension is present.
    pub san_present: bool,
    /// DNS SANs, in order.
    pub dns_sans: Vec<String>,
    /// Other SAN entries, described.
    pub other_sans: Vec<String>,
    /// EKU OIDs in order, `None` when there is no EKU extension.
    pub eku: Option<Vec<String>>,
    /// The key.
    pub key: KeyFacts,
    /// The signature algorithm.
    pub signature: SignatureFacts,
    /// Key usage: (digitalSignature, keyEncipherment, critical), `None` when absent.
    pub key_usage: Option<(bool, bool, bool)>,
    /// CRL distribution point URIs (certificates); `None` when the extension is absent.
    pub crl_uris: Option<Vec<String>>,
    /// notBefore, Unix seconds (certificates).
    pub not_before: Option<i64>,
    /// notAfter, Unix seconds (certificates).
    pub not_after: Option<i64>,
    /// Template references (request attribute, V1 and V2 extensions).
    pub templates: Vec<TemplateFacts>,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// Raw subject and issuer DER are equal.
    pub self_issued: bool,
    /// The request's self-signature check (requests only).
    pub csr_signature: Option<crate::sig::SignatureCheck>,
}

pub(crate) const EKU_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
pub(crate) const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
const EKU_ANY: &str = "2.5.29.37.0";

/// Readable name of an EKU OID.
pub fn eku_name(oid: &str) -> String {
    match oid {
        EKU_SERVER_AUTH => "serverAuth".into(),
        EKU_CLIENT_AUTH => "clientAuth".into(),
        EKU_ANY => "anyExtendedKeyUsage".into(),
        "1.3.6.1.5.5.7.3.3" => "codeSigning".into(),
        "1.3.6.1.5.5.7.3.4" => "emailProtection".into(),
        "1.3.6.1.5.5.7.3.8" => "timeStamping".into(),
        "1.3.6.1.5.5.7.3.9" => "OCSPSigning".into(),
        other => other.into(),
    }
}

fn name_of(name: &X509Name<'_>) -> String {
    name.to_string()
}

/// Reads a certificate.
pub fn certificate_facts(der: &[u8]) -> Result<Facts, String> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|_| "not a valid X.509 certificate".to_string())?;
    Ok(parsed_certificate_facts(&cert))
}

/// Reads a certificate x509-parser has already parsed.
pub fn parsed_certificate_facts(cert: &X509Certificate<'_>) -> Facts {
    let tbs = &cert.tbs_certificate;
    let mut facts = base_facts(
        InputKind::Certificate,
        &tbs.subject,
        &tbs.subject_pki,
        &cert.signature_algorithm,
        tbs.extensions(),
    );
    facts.issuer = Some(name_of(&tbs.issuer));
    facts.not_before = Some(tbs.validity.not_before.timestamp());
    facts.not_after = Some(tbs.validity.not_after.timestamp());
    facts.self_issued = tbs.subject.as_raw() == tbs.issuer.as_raw();
    facts
}

fn base_facts(
    kind: InputKind,
    subject: &X509Name<'_>,
    spki: &SubjectPublicKeyInfo<'_>,
    sig: &AlgorithmIdentifier<'_>,
    extensions: &[X509Extension<'_>],
) -> Facts {
    let mut facts = Facts {
        kind,
        subject: name_of(subject),
        issuer: None,
        common_names: subject
            .iter_common_name()
            .map(|cn| cn.as_str().ok().map(str::to_string))
            .collect(),
        san_present: false,
        dns_sans: Vec::new(),
        other_sans: Vec::new(),
        eku: None,
        key: key_facts(spki),
        signature: signature_facts(sig),
        key_usage: None,
        crl_uris: None,
        not_before: None,
        not_after: None,
        templates: Vec::new(),
        is_ca: false,
        self_issued: false,
        csr_signature: None,
    };
    for ext in extensions {
        apply_extension(&mut facts, ext);
    }
    facts
}

fn apply_extension(facts: &mut Facts, ext: &X509Extension<'_>) {
    match ext.parsed_extension() {
        ParsedExtension::SubjectAlternativeName(san) => {
            facts.san_present = true;
            for gn in &san.general_names {
                match gn {
                    GeneralName::DNSName(d) => facts.dns_sans.push(d.to_string()),
                    GeneralName::IPAddress(ip) => {
                        facts.other_sans.push(format!("IP:{}", show_ip(ip)))
                    }
                    GeneralName::RFC822Name(m) => facts.other_sans.push(format!("email:{m}")),
                    GeneralName::URI(u) => facts.other_sans.push(format!("URI:{u}")),
                    GeneralName::OtherName(oid, _) => {
                        facts.other_sans.push(format!("otherName:{oid}"))
                    }
                    other => facts.other_sans.push(format!("{other:?}")),
                }
            }
        }
        ParsedExtension::ExtendedKeyUsage(eku) => {
            let mut list = Vec::new();
            for (flag, oid) in [
                (eku.server_auth, EKU_SERVER_AUTH),
                (eku.client_auth, EKU_CLIENT_AUTH),
                (eku.any, EKU_ANY),
                (eku.code_signing, "1.3.6.1.5.5.7.3.3"),
                (eku.email_protection, "1.3.6.1.5.5.7.3.4"),
                (eku.time_stamping, "1.3.6.1.5.5.7.3.8"),
                (eku.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
            ] {
                if flag {
                    list.push(oid.to_string());
                }
            }
            list.extend(eku.other.iter().map(|o| o.to_id_string()));
            facts.eku = Some(list);
        }
        ParsedExtension::KeyUsage(ku) => {
            facts.key_usage = Some((ku.digital_signature(), ku.key_encipherment(), ext.critical));
        }
        ParsedExtension::CRLDistributionPoints(points) => {
            let mut uris = Vec::new();
            for point in points.iter() {
                if let Some(DistributionPointName::FullName(names)) = &point.distribution_point {
                    for n in names {
                        if let GeneralName::URI(u) = n {
                            uris.push(u.to_string());
                        }
                    }
                }
            }
            facts.crl_uris = Some(uris);
        }
        ParsedExtension::BasicConstraints(bc) => facts.is_ca = bc.ca,
        _ => {
            let oid = ext.oid.to_id_string();
            if let Some(t) = template_extension(&oid, ext.value) {
                facts.templates.push(t);
            }
        }
    }
}

fn show_ip(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(bytes).unwrap_or_default()).to_string(),
        16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).unwrap_or_default()).to_string(),
        _ => format!("{bytes:02x?}"),
    }
}

pub(crate) fn key_facts(spki: &SubjectPublicKeyInfo<'_>) -> KeyFacts {
    let oid = spki.algorithm.algorithm.to_id_string();
    match oid.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => KeyFacts::Rsa {
                bits: bit_length(rsa.modulus),
            },
            _ => KeyFacts::Other { oid },
        },
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string())
                .unwrap_or_default();
            let curve = match curve.as_str() {
                "1.2.840.10045.3.1.7" => "P-256".to_string(),
                "1.3.132.0.34" => "P-384".to_string(),
                "1.3.132.0.35" => "P-521".to_string(),
                other => other.to_string(),
            };
            KeyFacts::Ec { curve }
        }
        "1.3.101.112" => KeyFacts::Other {
            oid: "Ed25519 (1.3.101.112)".into(),
        },
        _ => KeyFacts::Other { oid },
    }
}

/// The exact bit length of a big-endian unsigned integer.
pub(crate) fn bit_length(bytes: &[u8]) -> usize {
    let trimmed: &[u8] = {
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        &bytes[start..]
    };
    match trimmed.first() {
        None => 0,
        Some(first) => (trimmed.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

fn signature_facts(alg: &AlgorithmIdentifier<'_>) -> SignatureFacts {
    let oid = alg.algorithm.to_id_string();
    let (name, hash) = match oid.as_str() {
        "1.2.840.113549.1.1.2" => ("md2WithRSAEncryption", HashKind::Md5),
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", HashKind::Md5),
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => ("sha1WithRSAEncryption", HashKind::Sha1),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", HashKind::Sha1),
        "1.2.840.10040.4.3" => ("dsa-with-SHA1", HashKind::Sha1),
        "1.2.840.113549.1.1.14" => ("sha224WithRSAEncryption", HashKind::Sha2),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", HashKind::Sha2),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", HashKind::Sha2),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", HashKind::Sha2),
        "1.2.840.10045.4.3.1" => ("ecdsa-with-SHA224", HashKind::Sha2),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", HashKind::Sha2),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", HashKind::Sha2),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", HashKind::Sha2),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", pss_hash(alg)),
        "1.3.101.112" => ("Ed25519", HashKind::Other),
        _ => ("", HashKind::Other),
    };
    SignatureFacts {
        name: if name.is_empty() {
            oid.clone()
        } else {
            name.to_string()
        },
        pss: oid == "1.2.840.113549.1.1.10",
        oid,
        hash,
    }
}

/// RSASSA-PSS parameters name their hash in `[0] hashAlgorithm`; absent means SHA-1 (RFC 4055).
fn pss_hash(alg: &AlgorithmIdentifier<'_>) -> HashKind {
    let Some(params) = &alg.parameters else {
        return HashKind::Sha1;
    };
    let Ok(seq) = params.clone().sequence() else {
        return HashKind::Other;
    };
    let mut rest = seq.content.as_ref();
    while let Ok((next, item)) = Any::from_der(rest) {
        rest = next;
        if item.tag() == Tag(0) && item.class() == asn1_rs::Class::ContextSpecific {
            if let Ok((_, inner)) = AlgorithmIdentifier::from_der(item.data) {
                return match inner.algorithm.to_id_string().as_str() {
                    "1.3.14.3.2.26" => HashKind::Sha1,
                    "1.2.840.113549.2.5" => HashKind::Md5,
                    _ => HashKind::Sha2,
                };
            }
        }
    }
    HashKind::Sha1
}

/// Decodes a BMPString, UTF8String, PrintableString or IA5String.
pub(crate) fn any_string(any: &Any<'_>) -> Option<String> {
    match any.tag() {
        Tag::BmpString => {
            let data = any.data;
            if data.len() % 2 != 0 {
                return None;
            }
            char::decode_utf16(data.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])))
                .collect::<Result<String, _>>()
                .ok()
        }
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => {
            std::str::from_utf8(any.data).ok().map(str::to_string)
        }
        _ => None,
    }
}

/// Template extensions: V1 (1.3.6.1.4.1.311.20.2, a string) and V2 (1.3.6.1.4.1.311.21.7,
/// `SEQUENCE { templateID OID, major INTEGER, minor INTEGER OPTIONAL }`).
fn template_extension(oid: &str, value: &[u8]) -> Option<TemplateFacts> {
    match oid {
        "1.3.6.1.4.1.311.20.2" => {
            let (_, any) = Any::from_der(value).ok()?;
            Some(TemplateFacts {
                source: "V1 template extension",
                value: any_string(&any)?,
            })
        }
        "1.3.6.1.4.1.311.21.7" => {
            let (_, any) = Any::from_der(value).ok()?;
            let seq = any.sequence().ok()?;
            let mut rest = seq.content.as_ref();
            let mut parts = Vec::new();
            while let Ok((next, item)) = Any::from_der(rest) {
                rest = next;
                parts.push(item);
            }
            let id = parts.first()?.clone().oid().ok()?.to_id_string();
            let version: Vec<String> = parts[1..]
                .iter()
                .filter_map(|p| p.clone().as_u32().ok().map(|v| v.to_string()))
                .collect();
            let value = if version.is_empty() {
                id
            } else {
                format!("{id} version {}", version.join("."))
            };
            Some(TemplateFacts {
                source: "V2 template extension",
                value,
            })
        }
        _ => None,
    }
}

/// Reads a PKCS#10 request: `CertificationRequest ::= SEQUENCE { certificationRequestInfo,
/// signatureAlgorithm, signature BIT STRING }`, walked with asn1-rs so that every attribute is
/// seen.
pub fn csr_facts(der: &[u8]) -> Result<Facts, String> {
    let bad = |what: &str| format!("not a valid certificate request ({what})");
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
        return Err("a CMS/CMC request (PKCS#7 signed data), not a PKCS#10 request: picert reads PKCS#10 requests (certreq -new writes one)".into());
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
    facts.csr_signature = Some(crate::sig::verify(&sig_alg, &spki, info_tlv, signature));
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_length_is_exact() {
        assert_eq!(bit_length(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_length(&[0x01, 0xff]), 9);
        assert_eq!(bit_length(&[]), 0);
    }
}
