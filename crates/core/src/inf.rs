//! The certreq INF that makes the same request on the Edge server itself, so that Windows
//! generates and keeps the key (`certreq -new edge.inf edge.csr`).

use crate::algorithms::{HashAlg, KeyType};
use crate::profile::EdgeProfile;

/// Renders the INF text (CRLF line ends) for `profile`.
///
/// The key is a legacy CAPI key in the Schannel provider on purpose: Skype for Business Server
/// 2015 does not support CNG keys. ECDSA profiles get a CNG key (the only kind Windows has for
/// ECC), which the summary warns about.
pub fn render_inf(profile: &EdgeProfile) -> String {
    let mut lines: Vec<String> = vec![
        "[Version]".into(),
        "Signature=\"$Windows NT$\"".into(),
        String::new(),
        "[NewRequest]".into(),
        format!("Subject = \"{}\"", inf_subject(profile)),
    ];
    match profile.key_type {
        KeyType::EcdsaP256 | KeyType::EcdsaP384 => {
            let (alg, len) = if profile.key_type == KeyType::EcdsaP256 {
                ("ECDSA_P256", 256)
            } else {
                ("ECDSA_P384", 384)
            };
            lines.push(format!("KeyAlgorithm = {alg}"));
            lines.push(format!("KeyLength = {len}"));
            lines.push("ProviderName = \"Microsoft Software Key Storage Provider\"".into());
            lines.push("KeyUsage = 0x80".into());
        }
        rsa => {
            let bits = match rsa {
                KeyType::Rsa3072 => 3072,
                KeyType::Rsa4096 => 4096,
                _ => 2048,
            };
            lines.push("KeySpec = 1".into());
            lines.push(format!("KeyLength = {bits}"));
            lines.push("ProviderName = \"Microsoft RSA SChannel Cryptographic Provider\"".into());
            lines.push("ProviderType = 12".into());
            lines.push("KeyUsage = 0xa0".into());
        }
    }
    // The key must be exportable: every Edge server of a pool needs the same certificate and key.
    lines.push("Exportable = TRUE".into());
    lines.push("MachineKeySet = TRUE".into());
    lines.push("RequestType = PKCS10".into());
    lines.push(format!(
        "HashAlgorithm = {}",
        match profile.hash {
            HashAlg::Sha256 => "SHA256",
            HashAlg::Sha384 => "SHA384",
            HashAlg::Sha512 => "SHA512",
        }
    ));
    if let Some(name) = &profile.friendly_name {
        lines.push(format!("FriendlyName = \"{}\"", name.replace('"', "\"\"")));
    }
    lines.push(String::new());
    lines.push("[EnhancedKeyUsageExtension]".into());
    lines.push("OID=1.3.6.1.5.5.7.3.1".into());
    if profile.client_eku {
        lines.push("OID=1.3.6.1.5.5.7.3.2".into());
    }
    lines.push(String::new());
    lines.push("[Extensions]".into());
    lines.push("2.5.29.17 = \"{text}\"".into());
    let names = profile.san_plan();
    let names = names.names();
    for (i, name) in names.iter().enumerate() {
        let sep = if i + 1 < names.len() { "&" } else { "" };
        lines.push(format!("_continue_ = \"dns={name}{sep}\""));
    }
    if let Some(template) = &profile.template {
        lines.push(String::new());
        lines.push("[RequestAttributes]".into());
        lines.push(format!("CertificateTemplate = {template}"));
    }
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    text
}

/// The INF as bytes: ASCII when it is ASCII, otherwise UTF-16LE with a byte-order mark, the
/// encoding certreq reads without guessing a code page.
pub fn inf_bytes(text: &str) -> Vec<u8> {
    if text.is_ascii() {
        return text.as_bytes().to_vec();
    }
    let mut out = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// The subject as certreq's X.500 string, most specific first (CN, OU, O, L, S, C). A value
/// with a separator or quote is quoted; inside the INF's own quotes every quote is doubled.
fn inf_subject(profile: &EdgeProfile) -> String {
    let s = &profile.subject;
    let parts = [
        ("CN", Some(&profile.access_edge)),
        ("OU", s.organizational_unit.as_ref()),
        ("O", s.organization.as_ref()),
        ("L", s.locality.as_ref()),
        ("S", s.state.as_ref()),
        ("C", s.country.as_ref()),
    ];
    parts
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", quote_rdn(v))))
        .collect::<Vec<_>>()
        .join(", ")
}

fn quote_rdn(value: &str) -> String {
    if value
        .chars()
        .any(|c| matches!(c, ',' | '+' | '=' | '"' | '<' | '>' | '#' | ';'))
    {
        format!("\"\"{}\"\"", value.replace('"', "\"\"\"\""))
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::{SubjectFields, Topology};

    fn contoso() -> EdgeProfile {
        EdgeProfile::from_topology(Topology {
            access_edge: Some("sip.contoso.com".into()),
            webconf_edge: Some("webcon.contoso.com".into()),
            sip_domains: Some(vec!["contoso.com".into(), "fabrikam.com".into()]),
            aol: Some(true),
            friendly_name: Some("Edge external".into()),
            subject: Some(SubjectFields {
                country: Some("US".into()),
                state: Some("WA".into()),
                locality: Some("Redmond".into()),
                organization: Some("Contoso".into()),
                organizational_unit: None,
            }),
            ..Topology::default()
        })
        .unwrap()
    }

    #[test]
    fn matches_the_brief_sample() {
        let inf = render_inf(&contoso());
        for line in [
            "Subject = \"CN=sip.contoso.com, O=Contoso, L=Redmond, S=WA, C=US\"",
            "KeySpec = 1",
            "KeyLength = 2048",
            "Exportable = TRUE",
            "ProviderType = 12",
            "KeyUsage = 0xa0",
            "HashAlgorithm = SHA256",
            "OID=1.3.6.1.5.5.7.3.2",
            "_continue_ = \"dns=sip.contoso.com&\"",
            "_continue_ = \"dns=webcon.contoso.com&\"",
            "_continue_ = \"dns=sip.fabrikam.com\"",
            "CertificateTemplate = WebServer",
            "FriendlyName = \"Edge external\"",
        ] {
            assert!(
                inf.contains(&format!("{line}\r\n")),
                "missing {line:?} in\n{inf}"
            );
        }
        assert!(inf_bytes(&inf).is_ascii());
    }

    #[test]
    fn quotes_and_encodes_non_ascii() {
        let mut p = contoso();
        p.subject.organization = Some("Contoso, Ltd".into());
        p.subject.locality = Some("Zürich".into());
        let inf = render_inf(&p);
        assert!(inf.contains("O=\"\"Contoso, Ltd\"\""), "{inf}");
        let bytes = inf_bytes(&inf);
        assert_eq!(&bytes[..2], &[0xff, 0xfe]);
    }
}
