//! The topology: one description of the Edge Server's external names, like Topology Builder's,
//! read from a TOML file or stood for by flags, from which both the request and the audit's
//! expectations are derived.

use std::path::Path;

use serde::Deserialize;

use crate::algorithms::{HashAlg, KeyType};
use crate::error::{Error, Field};
use crate::names::normalize_fqdn;
use crate::profile::Expectations;
use crate::san::SanPlan;

/// A topology file or the flags that stand for it, before validation. Every field is optional
/// so that flags can override a file field by field ([`Topology::overlay`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// Access Edge external FQDN (or the Edge pool's load-balancer FQDN): the subject name.
    pub access_edge: Option<String>,
    /// Web Conferencing Edge external FQDN: the second SAN.
    pub webconf_edge: Option<String>,
    /// A/V Edge external FQDN: recorded, never put in the SAN (the A/V Edge service does not use
    /// the certificate's names).
    pub av_edge: Option<String>,
    /// SIP domains, primary first.
    pub sip_domains: Option<Vec<String>>,
    /// Additional SAN entries, after the SIP domains.
    pub extra_sans: Option<Vec<String>>,
    /// `true`: only the primary SIP domain gets its `sip.` SAN (`Request-CsCertificate` without
    /// `-AllSipDomain`). Default `false`: every SIP domain does.
    pub primary_sip_only: Option<bool>,
    /// Public IM Connectivity with AOL is deployed: the client EKU is required.
    pub aol: Option<bool>,
    /// Ask for the client EKU without AOL.
    pub client_eku: Option<bool>,
    /// Subject fields other than the CN.
    pub subject: Option<SubjectFields>,
    /// Key type: `rsa2048` (default), `rsa3072`, `rsa4096`, `ecdsa-p256`, `ecdsa-p384`.
    pub key_type: Option<KeyType>,
    /// Signature hash: `sha256` (default), `sha384`, `sha512`.
    pub hash: Option<HashAlg>,
    /// Certificate template for an enterprise CA; `"none"` omits it. Default `WebServer`.
    pub template: Option<String>,
    /// Also write the template as the V1 template extension (1.3.6.1.4.1.311.20.2).
    pub template_extension: Option<bool>,
    /// Friendly name for the Windows certificate store.
    pub friendly_name: Option<String>,
}

/// The subject's fields besides the CN.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectFields {
    /// C: two-letter ISO 3166 country code.
    pub country: Option<String>,
    /// ST: state or province.
    pub state: Option<String>,
    /// L: locality (city).
    pub locality: Option<String>,
    /// O: organisation.
    pub organization: Option<String>,
    /// OU: organisational unit.
    pub organizational_unit: Option<String>,
}

impl SubjectFields {
    fn overlay(self, over: SubjectFields) -> SubjectFields {
        SubjectFields {
            country: over.country.or(self.country),
            state: over.state.or(self.state),
            locality: over.locality.or(self.locality),
            organization: over.organization.or(self.organization),
            organizational_unit: over.organizational_unit.or(self.organizational_unit),
        }
    }
}

impl Topology {
    /// Parses a topology from TOML text. `origin` names the file in error messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Topology, Error> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let message = one_line(e.message());
            Error::Topology {
                path: origin.to_string(),
                message: match line {
                    Some(l) => format!("line {l}: {message}"),
                    None => message,
                },
            }
        })
    }

    /// Reads and parses a topology file.
    pub fn load(path: &Path) -> Result<Topology, Error> {
        let shown = path.display().to_string();
        // A topology is a few hundred bytes; refuse anything absurd before reading it all.
        const MAX_TOPOLOGY_BYTES: u64 = 1024 * 1024;
        let read_error = |e: std::io::Error| Error::Read {
            path: shown.clone(),
            message: crate::io_message(&e),
        };
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(
                std::fs::File::open(path).map_err(read_error)?,
                MAX_TOPOLOGY_BYTES + 1,
            ),
            &mut bytes,
        )
        .map_err(read_error)?;
        if bytes.len() as u64 > MAX_TOPOLOGY_BYTES {
            return Err(Error::Topology {
                path: shown,
                message: "the file is larger than 1 MiB; a topology file is a few lines".into(),
            });
        }
        let text = String::from_utf8(bytes).map_err(|_| Error::Topology {
            path: shown.clone(),
            message: "the file is not UTF-8 text".into(),
        })?;
        Topology::from_toml(&text, &shown)
    }

    /// Returns this topology with every field that `over` sets replaced by `over`'s value
    /// (flags over a file). List fields are replaced whole, not appended.
    pub fn overlay(self, over: Topology) -> Topology {
        let subject = match (self.subject, over.subject) {
            (Some(a), Some(b)) => Some(a.overlay(b)),
            (a, b) => b.or(a),
        };
        Topology {
            access_edge: over.access_edge.or(self.access_edge),
            webconf_edge: over.webconf_edge.or(self.webconf_edge),
            av_edge: over.av_edge.or(self.av_edge),
            sip_domains: over.sip_domains.or(self.sip_domains),
            extra_sans: over.extra_sans.or(self.extra_sans),
            primary_sip_only: over.primary_sip_only.or(self.primary_sip_only),
            aol: over.aol.or(self.aol),
            client_eku: over.client_eku.or(self.client_eku),
            subject,
            key_type: over.key_type.or(self.key_type),
            hash: over.hash.or(self.hash),
            template: over.template.or(self.template),
            template_extension: over.template_extension.or(self.template_extension),
            friendly_name: over.friendly_name.or(self.friendly_name),
        }
    }

    /// True when nothing at all is set: no expectation can be derived.
    pub fn is_empty(&self) -> bool {
        *self == Topology::default()
    }

    /// The names the audit expects, from whatever this topology sets (it need not be complete
    /// enough to build a request). Names are normalised; a bad name is an error.
    pub fn expectations(&self) -> Result<Expectations, Error> {
        let access_edge = self
            .access_edge
            .as_deref()
            .map(fqdn(Field::AccessEdge))
            .transpose()?;
        let webconf_edge = self
            .webconf_edge
            .as_deref()
            .map(fqdn(Field::WebconfEdge))
            .transpose()?;
        let sip_domains = normalize_list(Field::SipDomains, self.sip_domains.as_deref())?;
        let extra_sans = normalize_list(Field::ExtraSans, self.extra_sans.as_deref())?;
        let plan = SanPlan::new(
            access_edge.as_deref(),
            webconf_edge.as_deref(),
            &sip_domains,
            self.primary_sip_only.unwrap_or(false),
            &extra_sans,
        );
        Ok(Expectations {
            names_complete: access_edge.is_some() && !sip_domains.is_empty(),
            access_edge,
            aol: self.aol.unwrap_or(false),
            plan,
        })
    }
}

pub(crate) fn fqdn(field: Field) -> impl Fn(&str) -> Result<String, Error> {
    move |name| normalize_fqdn(name).map_err(|source| Error::Name { field, source })
}

pub(crate) fn normalize_list(field: Field, list: Option<&[String]>) -> Result<Vec<String>, Error> {
    list.unwrap_or_default()
        .iter()
        .map(|n| fqdn(field)(n))
        .collect()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contoso() -> Topology {
        Topology::from_toml(
            "access_edge = 'sip.contoso.com'\nwebconf_edge = 'webcon.contoso.com'\nsip_domains = ['contoso.com', 'fabrikam.com']\naol = true\n",
            "contoso.toml",
        )
        .unwrap()
    }

    #[test]
    fn overlay_prefers_flags() {
        let flags = Topology {
            aol: Some(false),
            sip_domains: Some(vec!["x.example".into()]),
            ..Default::default()
        };
        let merged = contoso().overlay(flags);
        assert_eq!(merged.aol, Some(false));
        assert_eq!(merged.sip_domains.unwrap(), ["x.example"]);
        assert_eq!(merged.access_edge.as_deref(), Some("sip.contoso.com"));
    }

    #[test]
    fn toml_rejects_unknown_keys_and_wrong_types() {
        assert!(Topology::from_toml("acces_edge = 'x'", "t.toml").is_err());
        assert!(Topology::from_toml("aol = 'yes'", "t.toml").is_err());
        let t = Topology::from_toml("key_type = 'ecdsa-p384'\nhash = 'sha384'", "t.toml").unwrap();
        assert_eq!(t.key_type, Some(KeyType::EcdsaP384));
    }

    #[test]
    fn a_partial_topology_gives_partial_expectations() {
        let full = contoso().expectations().unwrap();
        assert!(full.names_complete);
        assert!(full.aol);
        let partial = Topology {
            access_edge: Some("SIP.contoso.com".into()),
            ..Topology::default()
        }
        .expectations()
        .unwrap();
        assert!(!partial.names_complete);
        assert_eq!(partial.access_edge.as_deref(), Some("sip.contoso.com"));
        assert_eq!(partial.plan.names(), ["sip.contoso.com"]);
        let bad = Topology {
            sip_domains: Some(vec!["*.contoso.com".into()]),
            ..Topology::default()
        };
        assert!(matches!(
            bad.expectations(),
            Err(Error::Name {
                field: Field::SipDomains,
                ..
            })
        ));
    }
}
