//! The PKCS#10 request for the Edge external certificate.

use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, KeyUsagePurpose, PublicKeyData, SanType,
};

use crate::key::{spki_sha256_hex, KeyKind, PrivateKey};
use crate::profile::{EdgeProfile, SanPlan};
use crate::Error;

/// Microsoft enrollment name-value pair request attribute (szOID_ENROLLMENT_NAME_VALUE_PAIR).
pub const OID_ENROLLMENT_NAME_VALUE_PAIR: &[u64] = &[1, 3, 6, 1, 4, 1, 311, 13, 2, 1];
/// Microsoft V1 certificate template extension (szOID_ENROLL_CERTTYPE_EXTENSION).
pub const OID_CERTTYPE_EXTENSION: &[u64] = &[1, 3, 6, 1, 4, 1, 311, 20, 2];

/// A built request: the CSR and what it contains, for the summary.
#[derive(Debug)]
pub struct EdgeRequest {
    /// The CSR, DER.
    pub csr_der: Vec<u8>,
    /// The SAN list written, in order.
    pub san: SanPlan,
    /// Whether clientAuth was written besides serverAuth.
    pub client_eku: bool,
    /// The key's kind.
    pub key_kind: KeyKind,
    /// SHA-256 of the SubjectPublicKeyInfo, hex with colons.
    pub spki_sha256: String,
}

impl EdgeRequest {
    /// The CSR as PEM (`CERTIFICATE REQUEST`, RFC 7468).
    pub fn csr_pem(&self) -> String {
        der::pem::encode_string(
            "CERTIFICATE REQUEST",
            der::pem::LineEnding::LF,
            &self.csr_der,
        )
        .expect("base64 of an in-memory buffer cannot fail")
    }
}

/// Builds the request for `profile`, signed with `key`.
///
/// ```
/// use picert_core::{EdgeProfile, KeyType, PrivateKey, Topology, build_request};
/// let topology = Topology {
///     access_edge: Some("sip.contoso.com".into()),
///     webconf_edge: Some("webcon.contoso.com".into()),
///     sip_domains: Some(vec!["contoso.com".into(), "fabrikam.com".into()]),
///     key_type: Some(KeyType::EcdsaP256),
///     ..Topology::default()
/// };
/// let profile = EdgeProfile::from_topology(topology)?;
/// let key = PrivateKey::generate(profile.key_type)?;
/// let request = build_request(&profile, &key)?;
/// assert_eq!(request.san.names(), ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"]);
/// assert!(request.csr_pem().starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
/// # Ok::<(), picert_core::Error>(())
/// ```
pub fn build_request(profile: &EdgeProfile, key: &PrivateKey) -> Result<EdgeRequest, Error> {
    let signing = key.signing_pair(profile.hash)?;
    let san = profile.san_plan();

    let mut params = CertificateParams::default();
    params.distinguished_name = subject_dn(profile)?;
    params.subject_alt_names = san
        .names()
        .into_iter()
        .map(|n| {
            rcgen::string::Ia5String::try_from(n)
                .map(SanType::DnsName)
                .map_err(|e| Error::Invalid(format!("SAN '{n}': {e}")))
        })
        .collect::<Result<_, _>>()?;
    params.key_usages = match key.kind() {
        KeyKind::Rsa(_) => vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ],
        // ECDSA keys cannot encipher: digitalSignature only.
        _ => vec![KeyUsagePurpose::DigitalSignature],
    };
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    if profile.client_eku {
        params
            .extended_key_usages
            .push(ExtendedKeyUsagePurpose::ClientAuth);
    }
    let mut attributes = Vec::new();
    if let Some(template) = &profile.template {
        attributes.push(rcgen::Attribute {
            oid: OID_ENROLLMENT_NAME_VALUE_PAIR,
            values: template_attribute_values(template)?,
        });
        if profile.template_extension {
            params
                .custom_extensions
                .push(CustomExtension::from_oid_content(
                    OID_CERTTYPE_EXTENSION,
                    bmp_string(template)?,
                ));
        }
    }
    let csr = params
        .serialize_request_with_attributes(&signing, attributes)
        .map_err(|e| Error::Invalid(format!("cannot build the request: {e}")))?;
    Ok(EdgeRequest {
        csr_der: csr.der().to_vec(),
        san,
        client_eku: profile.client_eku,
        key_kind: key.kind(),
        spki_sha256: spki_sha256_hex(&signing.subject_public_key_info()),
    })
}

/// Subject in the fixed order C, ST, L, O, OU, CN; C as PrintableString, the rest UTF8String.
fn subject_dn(profile: &EdgeProfile) -> Result<DistinguishedName, Error> {
    let s = &profile.subject;
    let mut dn = DistinguishedName::new();
    if let Some(c) = &s.country {
        let printable = rcgen::string::PrintableString::try_from(c.as_str())
            .map_err(|e| Error::Invalid(format!("country '{c}': {e}")))?;
        dn.push(DnType::CountryName, DnValue::PrintableString(printable));
    }
    for (ty, value) in [
        (DnType::StateOrProvinceName, &s.state),
        (DnType::LocalityName, &s.locality),
        (DnType::OrganizationName, &s.organization),
        (DnType::OrganizationalUnitName, &s.organizational_unit),
    ] {
        if let Some(v) = value {
            dn.push(ty, DnValue::Utf8String(v.clone()));
        }
    }
    dn.push(
        DnType::CommonName,
        DnValue::Utf8String(profile.access_edge.clone()),
    );
    Ok(dn)
}

/// A DER BMPString for `text` (UCS-2, big-endian).
fn bmp_string(text: &str) -> Result<Vec<u8>, Error> {
    let bmp = der::asn1::BmpString::from_utf8(text)
        .map_err(|_| Error::Invalid(format!("'{text}' cannot be written as a BMPString")))?;
    der::Encode::to_der(&bmp).map_err(|e| Error::Invalid(format!("'{text}': {e}")))
}

fn tlv(tag: u8, content: &[u8]) -> Result<Vec<u8>, Error> {
    let len = der::Length::try_from(content.len()).map_err(|e| Error::Invalid(e.to_string()))?;
    let mut out = vec![tag];
    out.extend(der::Encode::to_der(&len).map_err(|e| Error::Invalid(e.to_string()))?);
    out.extend_from_slice(content);
    Ok(out)
}

/// `SET { SEQUENCE { BMPString "CertificateTemplate", BMPString name } }`: the value set of the
/// enrollment name-value pair attribute, as certreq writes it for `CertificateTemplate=`.
pub fn template_attribute_values(template: &str) -> Result<Vec<u8>, Error> {
    let mut pair = bmp_string("CertificateTemplate")?;
    pair.extend(bmp_string(template)?);
    tlv(0x31, &tlv(0x30, &pair)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_template_extension_matches_brief_bytes() {
        // pic-brief section 3: the whole extension for WebServer is 30 21 06 09 ... 04 14 1e 12 ...;
        // the extension value (inside the OCTET STRING) is the bare BMPString.
        let got = bmp_string("WebServer").unwrap();
        let want: Vec<u8> = [0x1e, 0x12]
            .into_iter()
            .chain("WebServer".bytes().flat_map(|b| [0, b]))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn template_attribute_shape() {
        let v = template_attribute_values("WebServer").unwrap();
        assert_eq!(v[0], 0x31);
        assert_eq!(v[2], 0x30);
        assert_eq!(&v[4..6], &[0x1e, 38]);
    }
}
