//! The PKCS#10 request for the Edge external certificate.

use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, KeyUsagePurpose, PublicKeyData, SanType,
};

use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::error::{encoding, Error, SettingError};
use crate::key::{spki_sha256_hex, KeyKind, PrivateKey};
use crate::profile::EdgeProfile;
use crate::renewal::RequestPlan;
use crate::san::SanPlan;
use crate::store::{write_all, Output};

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
                .map_err(|e| Error::from(SettingError::Unencodable(format!("SAN '{n}': {e}"))))
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
        .map_err(|e| encoding("the request")(e.to_string()))?;
    Ok(EdgeRequest {
        csr_der: csr.der().to_vec(),
        san,
        client_eku: profile.client_eku,
        key_kind: key.kind(),
        spki_sha256: spki_sha256_hex(&signing.subject_public_key_info()),
    })
}

/// The form of the request file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFormat {
    /// A PEM CSR (`CERTIFICATE REQUEST`) and its key.
    Pem,
    /// A DER CSR and its key.
    Der,
    /// A certreq INF: Windows makes the key and the CSR on the Edge server.
    Inf,
}

impl RequestFormat {
    /// The usual file ending: `csr` or `inf`.
    pub fn extension(self) -> &'static str {
        match self {
            RequestFormat::Inf => "inf",
            _ => "csr",
        }
    }
}

/// Where the request and its key go, and how. Its `Debug` never shows the passphrase.
pub struct RequestOutputs<'a> {
    /// The form of the request.
    pub format: RequestFormat,
    /// The request file; `None` returns its bytes instead (for standard output).
    pub request: Option<PathBuf>,
    /// The key file; `None` writes no key (only allowed for a key the caller already has).
    pub key: Option<PathBuf>,
    /// Encrypt the key file with this passphrase (PBES2, AES-256-CBC).
    pub passphrase: Option<&'a [u8]>,
    /// Replace files that exist.
    pub overwrite: bool,
}

impl std::fmt::Debug for RequestOutputs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestOutputs")
            .field("format", &self.format)
            .field("request", &self.request)
            .field("key", &self.key)
            .field("passphrase", &self.passphrase.map(|_| "<redacted>"))
            .field("overwrite", &self.overwrite)
            .finish()
    }
}

/// The key to sign with.
#[derive(Debug)]
pub enum KeySource {
    /// Generate a new key of the profile's type.
    Generate,
    /// A key the caller holds (read from a file, or generated earlier).
    Existing(PrivateKey),
}

/// What [`RequestPlan::write`] did.
#[derive(Debug)]
pub struct WrittenRequest {
    /// The request built (none for an INF, which Windows turns into a request).
    pub request: Option<EdgeRequest>,
    /// The request file's bytes (the CSR in the format asked, or the INF).
    pub bytes: Vec<u8>,
    /// The request file written, or `None` when the bytes were returned instead.
    pub request_path: Option<PathBuf>,
    /// The key file written.
    pub key_path: Option<PathBuf>,
    /// The key was generated here.
    pub key_generated: bool,
    /// The key file is encrypted.
    pub key_encrypted: bool,
}

impl RequestPlan {
    /// The stem of the default file names: the Access Edge FQDN (`sip.contoso.com.csr`).
    pub fn file_stem(&self) -> &str {
        &self.profile.access_edge
    }

    /// Builds the request (generating its key when asked) and writes the request and key
    /// files together, or neither: the key is never left without its request, nor a request
    /// without its key, and no file is replaced unless `overwrite` is set.
    pub fn write(&self, key: KeySource, out: &RequestOutputs<'_>) -> Result<WrittenRequest, Error> {
        if out.format == RequestFormat::Inf {
            if matches!(key, KeySource::Existing(_)) || out.key.is_some() {
                return Err(SettingError::InfMakesItsOwnKey.into());
            }
            let bytes = crate::inf::inf_bytes(&crate::inf::render_inf(&self.profile));
            if let Some(path) = &out.request {
                write_all(
                    &[Output {
                        path: path.clone(),
                        contents: &bytes,
                        secret: false,
                    }],
                    out.overwrite,
                )?;
            }
            return Ok(WrittenRequest {
                request: None,
                bytes,
                request_path: out.request.clone(),
                key_path: None,
                key_generated: false,
                key_encrypted: false,
            });
        }
        let (key, generated) = match key {
            KeySource::Generate => (PrivateKey::generate(self.profile.key_type)?, true),
            KeySource::Existing(k) => (k, false),
        };
        if generated && out.key.is_none() {
            return Err(SettingError::GeneratedKeyNeedsAFile.into());
        }
        let request = build_request(&self.profile, &key)?;
        let bytes = match out.format {
            RequestFormat::Der => request.csr_der.clone(),
            _ => request.csr_pem().into_bytes(),
        };
        let key_pem: Option<Zeroizing<String>> = match &out.key {
            Some(_) => Some(key.to_pem(out.passphrase)?),
            None => None,
        };
        let mut outputs = Vec::new();
        if let (Some(path), Some(pem)) = (&out.key, &key_pem) {
            outputs.push(Output {
                path: path.clone(),
                contents: pem.as_bytes(),
                secret: true,
            });
        }
        if let Some(path) = &out.request {
            outputs.push(Output {
                path: path.clone(),
                contents: &bytes,
                secret: false,
            });
        }
        write_all(&outputs, out.overwrite)?;
        Ok(WrittenRequest {
            request: Some(request),
            bytes,
            request_path: out.request.clone(),
            key_path: out.key.clone(),
            key_generated: generated,
            key_encrypted: out.key.is_some() && out.passphrase.is_some(),
        })
    }
}

/// Subject in the fixed order C, ST, L, O, OU, CN; C as PrintableString, the rest UTF8String.
fn subject_dn(profile: &EdgeProfile) -> Result<DistinguishedName, Error> {
    let s = &profile.subject;
    let mut dn = DistinguishedName::new();
    if let Some(c) = &s.country {
        let printable = rcgen::string::PrintableString::try_from(c.as_str())
            .map_err(|_| SettingError::Country(c.clone()))?;
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
        .map_err(|_| SettingError::TemplateNotBmp(text.to_string()))?;
    der::Encode::to_der(&bmp).map_err(|e| encoding("a BMPString")(e.to_string()))
}

fn tlv(tag: u8, content: &[u8]) -> Result<Vec<u8>, Error> {
    let len =
        der::Length::try_from(content.len()).map_err(|e| encoding("a length")(e.to_string()))?;
    let mut out = vec![tag];
    out.extend(der::Encode::to_der(&len).map_err(|e| encoding("a length")(e.to_string()))?);
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
    fn debug_shows_no_passphrase_and_no_key() {
        let outputs = RequestOutputs {
            format: RequestFormat::Der,
            request: None,
            key: Some("edge.key".into()),
            passphrase: Some(b"hunter2-passphrase"),
            overwrite: false,
        };
        let shown = format!("{outputs:?}");
        assert!(
            shown.contains("<redacted>") && !shown.contains("hunter2"),
            "{shown}"
        );
        let shown = format!(
            "{:?}",
            crate::pfx::PfxContents {
                key_pkcs8: b"SECRET-KEY-BYTES",
                chain: &[],
                friendly_name: "Edge",
            }
        );
        assert!(
            !shown.contains("83, 69, 67") && shown.contains("<redacted>"),
            "{shown}"
        );
    }

    fn plan() -> RequestPlan {
        let topology = crate::Topology {
            access_edge: Some("sip.contoso.com".into()),
            sip_domains: Some(vec!["contoso.com".into(), "fabrikam.com".into()]),
            key_type: Some(crate::KeyType::EcdsaP256),
            ..crate::Topology::default()
        };
        crate::renewal::plan_request(topology, None, None).unwrap()
    }

    #[test]
    fn writes_the_request_and_its_key_together() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan();
        let out = RequestOutputs {
            format: RequestFormat::Pem,
            request: Some(dir.path().join("sub/edge.csr")),
            key: Some(dir.path().join("sub/edge.key")),
            passphrase: Some(b"pass"),
            overwrite: false,
        };
        let written = plan.write(KeySource::Generate, &out).unwrap();
        assert!(written.key_generated && written.key_encrypted);
        assert_eq!(
            written.request.as_ref().unwrap().san.names(),
            ["sip.contoso.com", "sip.fabrikam.com"]
        );
        let key = std::fs::read(dir.path().join("sub/edge.key")).unwrap();
        assert!(key.starts_with(b"-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        // A second run refuses both files and changes neither.
        assert!(matches!(
            plan.write(KeySource::Generate, &out),
            Err(Error::Exists(_))
        ));
        assert_eq!(std::fs::read(dir.path().join("sub/edge.key")).unwrap(), key);
    }

    #[test]
    fn inf_and_returned_bytes() {
        let plan = plan();
        let inf = plan
            .write(
                KeySource::Generate,
                &RequestOutputs {
                    format: RequestFormat::Inf,
                    request: None,
                    key: None,
                    passphrase: None,
                    overwrite: false,
                },
            )
            .unwrap();
        assert!(String::from_utf8_lossy(&inf.bytes).contains("[NewRequest]"));
        assert!(inf.request.is_none() && inf.request_path.is_none());
        let key = PrivateKey::generate(crate::KeyType::EcdsaP256).unwrap();
        let der = plan
            .write(
                KeySource::Existing(key),
                &RequestOutputs {
                    format: RequestFormat::Der,
                    request: None,
                    key: None,
                    passphrase: None,
                    overwrite: false,
                },
            )
            .unwrap();
        assert_eq!(der.bytes[0], 0x30);
        assert!(der.key_path.is_none() && !der.key_generated);
        assert!(matches!(
            plan.write(
                KeySource::Generate,
                &RequestOutputs {
                    format: RequestFormat::Pem,
                    request: None,
                    key: None,
                    passphrase: None,
                    overwrite: false,
                }
            ),
            Err(Error::Setting(SettingError::GeneratedKeyNeedsAFile))
        ));
    }

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
