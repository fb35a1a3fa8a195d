//! Certificate and request extensions: SANs, EKU, key usage, CRL distribution points, basic
//! constraints and Microsoft's template extensions.

use asn1_rs::{Any, FromDer, Tag};
use x509_parser::extensions::{GeneralName, ParsedExtension, X509Extension};
use x509_parser::prelude::*;

use super::{Facts, TemplateFacts, EKU_ANY, EKU_CLIENT_AUTH, EKU_SERVER_AUTH};

pub(super) fn apply_extension(facts: &mut Facts, ext: &X509Extension<'_>) {
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

/// Decodes a BMPString, UTF8String, PrintableString or IA5String.
pub(crate) fn any_string(any: &Any<'_>) -> Option<String> {
    match any.tag() {
        Tag::BmpString => {
            let data = any.data;
            if !data.len().is_multiple_of(2) {
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
