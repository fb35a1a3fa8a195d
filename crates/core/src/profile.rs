//! The validated Edge external certificate profile.

use crate::algorithms::{HashAlg, KeyType};
use crate::error::{Error, Field, Missing, SettingError};
use crate::notes::Note;
use crate::plan::{CertificateKind, CertificatePlan};
use crate::platform::Platform;
use crate::san::SanPlan;
use crate::topology::{planned_sans, SubjectFields, Topology};

/// The default certificate template for an enterprise CA, as `Request-CsCertificate` uses it
/// (seed 000: "the default template name used for Lync Server is WebServer").
pub const DEFAULT_TEMPLATE: &str = "WebServer";

/// A validated Edge external certificate profile: everything needed to build the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeProfile {
    /// Access Edge external FQDN: the subject CN and the first SAN.
    pub access_edge: String,
    /// Web Conferencing Edge external FQDN.
    pub webconf_edge: Option<String>,
    /// A/V Edge external FQDN (recorded, not in the SAN).
    pub av_edge: Option<String>,
    /// SIP domains, primary first; at least one.
    pub sip_domains: Vec<String>,
    /// Extra SAN names.
    pub extra_sans: Vec<String>,
    /// Only the primary SIP domain gets a `sip.` SAN.
    pub primary_sip_only: bool,
    /// PIC with AOL is deployed.
    pub aol: bool,
    /// The client EKU was asked for (always true when `aol`).
    pub client_eku: bool,
    /// Subject fields besides the CN, validated.
    pub subject: SubjectFields,
    /// Key type.
    pub key_type: KeyType,
    /// Signature hash.
    pub hash: HashAlg,
    /// Certificate template name, or `None` to omit it.
    pub template: Option<String>,
    /// Also write the V1 template extension.
    pub template_extension: bool,
    /// Friendly name for Windows.
    pub friendly_name: Option<String>,
    /// A SAN list fixed in advance (renewal from the certificate in service keeps its order);
    /// `None` derives the list from the names above.
    pub fixed_sans: Option<SanPlan>,
    /// The Edge's Windows release and product, as far as the topology says.
    pub platform: Platform,
    /// The certificate of the plan this profile requests, when it is not the topology's Edge
    /// external certificate: its subject is `access_edge`, its SANs `fixed_sans`.
    pub certificate: Option<CertificatePlan>,
}

impl EdgeProfile {
    /// A profile for one certificate of the plan: its subject and SANs in the plan's order,
    /// the server EKU only, and the other settings (subject fields, key, hash, template,
    /// friendly name, platform) from `settings`, validated as [`EdgeProfile::from_topology`]
    /// validates them. The names and AOL settings of `settings` are not used.
    pub fn for_certificate(
        certificate: &CertificatePlan,
        settings: Topology,
    ) -> Result<EdgeProfile, Error> {
        let t = Topology {
            access_edge: Some(certificate.subject.clone()),
            webconf_edge: None,
            av_edge: None,
            sip_domains: None,
            extra_sans: None,
            primary_sip_only: None,
            aol: None,
            client_eku: None,
            ..settings
        };
        EdgeProfile::build(t, Some(certificate))
    }

    /// The kind of certificate this profile requests.
    pub fn kind(&self) -> CertificateKind {
        self.certificate
            .as_ref()
            .map_or(CertificateKind::EdgeExternal, |c| c.kind)
    }

    /// Validates a topology into a profile: names normalised and checked, at least one SIP
    /// domain, subject fields within their X.520 limits, key and hash compatible.
    pub fn from_topology(t: Topology) -> Result<EdgeProfile, Error> {
        EdgeProfile::build(t, None)
    }

    fn build(t: Topology, certificate: Option<&CertificatePlan>) -> Result<EdgeProfile, Error> {
        let access_edge = t
            .access_edge
            .as_deref()
            .ok_or(Error::Missing(Missing::AccessEdge))?;
        let access_edge = t
            .name(Field::AccessEdge, Some(access_edge))?
            .unwrap_or_default();
        // ub-common-name is 64 (RFC 5280 appendix A): a longer FQDN cannot be the CN.
        if access_edge.len() > 64 {
            return Err(SettingError::CommonNameTooLong {
                len: access_edge.len(),
                name: access_edge,
            }
            .into());
        }
        let sip_domains = t.names(Field::SipDomains, t.sip_domains.as_deref())?;
        let platform = t.platform()?;
        if sip_domains.is_empty() && certificate.is_none() {
            return Err(Error::Missing(Missing::SipDomain));
        }
        let key_type = t.key_type.unwrap_or_default();
        let hash = match (key_type.fixed_hash(), t.hash) {
            (Some(fixed), Some(asked)) if fixed != asked => {
                return Err(SettingError::HashNotForKey {
                    key: key_type,
                    fixed,
                    asked,
                }
                .into())
            }
            (Some(fixed), _) => fixed,
            (None, asked) => asked.unwrap_or_default(),
        };
        let template = match t.template.as_deref().map(str::trim) {
            None => Some(DEFAULT_TEMPLATE.to_string()),
            Some(n) if n.eq_ignore_ascii_case("none") => None,
            Some("") => return Err(SettingError::TemplateEmpty.into()),
            Some(n) if n.chars().any(|c| c.is_control() || c as u32 > 0xFFFF) => {
                return Err(SettingError::TemplateNotBmp(n.to_string()).into())
            }
            Some(n) => Some(n.to_string()),
        };
        let template_extension = t.template_extension.unwrap_or(false);
        if template_extension && template.is_none() {
            return Err(SettingError::TemplateExtensionWithoutTemplate.into());
        }
        let aol = t.aol.unwrap_or(false);
        Ok(EdgeProfile {
            webconf_edge: t.name(Field::WebconfEdge, t.webconf_edge.as_deref())?,
            av_edge: t.name(Field::AvEdge, t.av_edge.as_deref())?,
            extra_sans: t.names(Field::ExtraSans, t.extra_sans.as_deref())?,
            sip_domains,
            primary_sip_only: t.primary_sip_only.unwrap_or(false),
            client_eku: aol || t.client_eku.unwrap_or(false),
            aol,
            subject: validate_subject(t.subject.unwrap_or_default())?,
            key_type,
            hash,
            template,
            template_extension,
            friendly_name: t
                .friendly_name
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty()),
            access_edge,
            fixed_sans: certificate.map(planned_sans),
            platform,
            certificate: certificate.cloned(),
        })
    }

    /// The SAN list this profile produces: the fixed list when there is one, else the PIC
    /// table's order.
    pub fn san_plan(&self) -> SanPlan {
        if let Some(fixed) = &self.fixed_sans {
            return fixed.clone();
        }
        SanPlan::new(
            Some(&self.access_edge),
            self.webconf_edge.as_deref(),
            &self.sip_domains,
            self.primary_sip_only,
            &self.extra_sans,
        )
    }

    /// What a careful administrator should know about this profile before submitting it: the
    /// client EKU's place in 2026, an ECC key's trouble with Skype for Business Server 2015.
    pub fn notes(&self) -> Vec<Note> {
        let mut notes = Vec::new();
        if self.client_eku {
            notes.push(Note::ClientEku { aol: self.aol });
        }
        if !self.key_type.is_rsa() {
            notes.push(Note::EccKey {
                key: self.key_type,
                product: self.platform.product,
            });
        }
        notes
    }

    /// The subject DN as people write it, CN first: `CN=sip.contoso.com, O=Contoso, C=US`.
    pub fn subject_line(&self) -> String {
        let s = &self.subject;
        let mut parts = vec![format!("CN={}", self.access_edge)];
        for (k, v) in [
            ("OU", &s.organizational_unit),
            ("O", &s.organization),
            ("L", &s.locality),
            ("ST", &s.state),
            ("C", &s.country),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}={v}"));
            }
        }
        parts.join(", ")
    }
}

/// X.520 upper bounds (RFC 5280 appendix A) and PrintableString for C.
fn validate_subject(s: SubjectFields) -> Result<SubjectFields, Error> {
    let clean = |v: Option<String>| v.map(|x| x.trim().to_string()).filter(|x| !x.is_empty());
    let s = SubjectFields {
        country: clean(s.country).map(|c| c.to_ascii_uppercase()),
        state: clean(s.state),
        locality: clean(s.locality),
        organization: clean(s.organization),
        organizational_unit: clean(s.organizational_unit),
    };
    if let Some(c) = &s.country {
        if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            return Err(SettingError::Country(c.clone()).into());
        }
    }
    for (label, value, max) in [
        ("state", &s.state, 128),
        ("locality", &s.locality, 128),
        ("organization", &s.organization, 64),
        ("organizational unit", &s.organizational_unit, 64),
    ] {
        if let Some(v) = value {
            if v.chars().count() > max {
                return Err(SettingError::TooLong {
                    label,
                    value: v.clone(),
                    max,
                }
                .into());
            }
            if v.chars().any(char::is_control) {
                return Err(SettingError::ControlCharacter {
                    label,
                    value: v.clone(),
                }
                .into());
            }
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contoso() -> Topology {
        Topology {
            access_edge: Some("sip.contoso.com".into()),
            webconf_edge: Some("webcon.contoso.com".into()),
            sip_domains: Some(vec!["contoso.com".into(), "fabrikam.com".into()]),
            aol: Some(true),
            ..Topology::default()
        }
    }

    #[test]
    fn seed_table_order() {
        let p = EdgeProfile::from_topology(contoso()).unwrap();
        assert_eq!(
            p.san_plan().names(),
            ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"]
        );
        assert!(p.client_eku);
        assert_eq!(p.template.as_deref(), Some("WebServer"));
        assert_eq!(p.notes(), [Note::ClientEku { aol: true }]);
    }

    #[test]
    fn primary_only_and_extras_dedupe() {
        let mut t = contoso();
        t.primary_sip_only = Some(true);
        t.extra_sans = Some(vec!["Lync.Contoso.com".into(), "webcon.contoso.com".into()]);
        let p = EdgeProfile::from_topology(t).unwrap();
        assert_eq!(
            p.san_plan().names(),
            ["sip.contoso.com", "webcon.contoso.com", "lync.contoso.com"]
        );
    }

    #[test]
    fn refusals_are_typed() {
        let mut t = contoso();
        t.sip_domains = Some(vec![]);
        assert!(matches!(
            EdgeProfile::from_topology(t),
            Err(Error::Missing(Missing::SipDomain))
        ));
        let mut t = contoso();
        t.access_edge = None;
        assert!(matches!(
            EdgeProfile::from_topology(t),
            Err(Error::Missing(Missing::AccessEdge))
        ));
        let mut t = contoso();
        t.key_type = Some(KeyType::EcdsaP256);
        t.hash = Some(HashAlg::Sha512);
        assert!(matches!(
            EdgeProfile::from_topology(t),
            Err(Error::Setting(SettingError::HashNotForKey { .. }))
        ));
        let mut t = contoso();
        t.subject = Some(SubjectFields {
            country: Some("USA".into()),
            ..Default::default()
        });
        assert!(matches!(
            EdgeProfile::from_topology(t),
            Err(Error::Setting(SettingError::Country(_)))
        ));
        let mut t = contoso();
        t.access_edge = Some(format!("{}.contoso.com", "a".repeat(60)));
        assert!(matches!(
            EdgeProfile::from_topology(t),
            Err(Error::Setting(SettingError::CommonNameTooLong { .. }))
        ));
        let mut t = contoso();
        t.template = Some("none".into());
        t.template_extension = Some(true);
        let e = EdgeProfile::from_topology(t).unwrap_err();
        assert!(
            !e.to_string().contains("--"),
            "no flag in a library error: {e}"
        );
    }

    #[test]
    fn ecc_keys_and_the_client_eku_are_noted() {
        let mut t = contoso();
        t.aol = None;
        t.key_type = Some(KeyType::EcdsaP384);
        let p = EdgeProfile::from_topology(t).unwrap();
        assert_eq!(p.hash, HashAlg::Sha384);
        assert_eq!(
            p.notes(),
            [Note::EccKey {
                key: KeyType::EcdsaP384,
                product: None
            }]
        );
        assert_eq!(
            p.subject_line(),
            "CN=sip.contoso.com",
            "no other subject field was given"
        );
    }
}
