//! The topology: one description of the Edge Server's external names, like Topology Builder's,
//! read from a TOML file or stood for by flags, from which both the request and the audit's
//! expectations are derived.

use std::path::Path;

use serde::Deserialize;

use crate::algorithms::{HashAlg, KeyType};
use crate::deployment::Deployment;
use crate::error::{Error, Field, Origin, SettingError};
use crate::names::normalize_fqdn;
use crate::notes::Note;
use crate::platform::{support, Platform, Product, Support, WindowsServer};
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
    /// The Edge's Windows Server release: decides the PKCS#12 protection and whether TLS 1.3
    /// is expected.
    pub windows: Option<WindowsServer>,
    /// The server product: decides whether an ECC (CNG) key can be used.
    pub product: Option<Product>,
    /// The Edge servers of the pool (the names they are reached by for administration), for
    /// the deployment script.
    pub edge_servers: Option<Vec<String>>,
    /// The XML topology (Topology Builder's file or `Get-CsTopology -AsXml`'s) this file takes
    /// its Edge pool's names from, relative to this file; this file's own settings go over it.
    pub topology_xml: Option<String>,
    /// The Edge pool of `topology_xml` (its FQDN, case-insensitive); needed when it has several.
    pub edge_pool: Option<String>,
    /// Where each value came from (file lines, flags), for messages. Not part of the value:
    /// two topologies with the same settings are equal wherever they came from.
    #[serde(skip)]
    pub origins: Origins,
}

/// Where the values of a topology came from: a line of its file, or a label the caller gives
/// (the `picert` binary gives flags' names).
#[derive(Debug, Clone, Default)]
pub struct Origins {
    entries: Vec<(Field, Option<usize>, Origin)>,
    /// Files read from UTF-16 text, for a note.
    converted: Vec<(String, crate::text::TextEncoding)>,
}

impl PartialEq for Origins {
    fn eq(&self, _: &Origins) -> bool {
        true
    }
}

impl Eq for Origins {}

impl Origins {
    /// Records that `field` (item `index` of a list, or the whole field) came from `origin`.
    pub fn set(&mut self, field: Field, index: Option<usize>, origin: Origin) {
        self.entries
            .retain(|(f, i, _)| !(*f == field && *i == index));
        self.entries.push((field, index, origin));
    }

    /// Where `field` (item `index` of a list) came from: the item's own origin, else the
    /// field's.
    pub fn of(&self, field: Field, index: Option<usize>) -> Option<&Origin> {
        let find = |i: Option<usize>| {
            self.entries
                .iter()
                .find(|(f, j, _)| *f == field && *j == i)
                .map(|(_, _, o)| o)
        };
        find(index).or_else(|| index.and_then(|_| find(None)))
    }

    fn converted(&mut self, path: &str, encoding: crate::text::TextEncoding) {
        if encoding.is_converted() {
            self.converted.push((path.to_string(), encoding));
        }
    }

    fn take(&mut self, field: Field, from: &Origins) {
        self.entries.retain(|(f, _, _)| *f != field);
        self.entries
            .extend(from.entries.iter().filter(|(f, _, _)| *f == field).cloned());
    }
}

/// The line of each value in a topology file (parsed a second time, with spans, once the file
/// is known to be valid).
#[derive(Deserialize)]
struct Located {
    access_edge: Option<toml::Spanned<toml::Value>>,
    webconf_edge: Option<toml::Spanned<toml::Value>>,
    av_edge: Option<toml::Spanned<toml::Value>>,
    sip_domains: Option<Vec<toml::Spanned<toml::Value>>>,
    extra_sans: Option<Vec<toml::Spanned<toml::Value>>>,
    edge_servers: Option<Vec<toml::Spanned<toml::Value>>>,
    windows: Option<toml::Spanned<toml::Value>>,
    product: Option<toml::Spanned<toml::Value>>,
}

/// Every field of a topology file, for "did you mean".
const FIELDS: &[&str] = &[
    "access_edge",
    "webconf_edge",
    "av_edge",
    "sip_domains",
    "extra_sans",
    "primary_sip_only",
    "aol",
    "client_eku",
    "subject",
    "key_type",
    "hash",
    "template",
    "template_extension",
    "friendly_name",
    "windows",
    "product",
    "edge_servers",
    "topology_xml",
    "edge_pool",
];

const SUBJECT_FIELDS: &[&str] = &[
    "country",
    "state",
    "locality",
    "organization",
    "organizational_unit",
];

/// The field meant by a misspelt one, when one is close enough: by the optimal string alignment
/// distance (insertions, deletions, substitutions, and swaps of neighbours).
fn closest<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = unknown.to_ascii_lowercase().replace('-', "_");
    known
        .iter()
        .map(|k| (strsim::osa_distance(&lower, k), *k))
        .filter(|(d, k)| *d <= 3 && *d < k.len() / 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// toml's message for an unknown field lists every field; name the closest one instead.
fn unknown_field_message(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let name = &rest[..rest.find('`')?];
    let known = if rest.contains("`country`") {
        SUBJECT_FIELDS
    } else {
        FIELDS
    };
    if known == SUBJECT_FIELDS && FIELDS.contains(&name) {
        return Some(format!(
            "`{name}` is inside the [subject] table: top-level fields go before [subject]"
        ));
    }
    Some(match closest(name, known) {
        Some(k) => format!("unknown field `{name}`: did you mean `{k}`?"),
        None => format!(
            "unknown field `{name}`; the fields are {} (docs/topology.md)",
            known.join(", ")
        ),
    })
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
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let mut topology: Topology = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|span| line_of(span.start));
            let message = one_line(e.message());
            let message = unknown_field_message(&message).unwrap_or(message);
            Error::Topology {
                path: origin.to_string(),
                message: match line {
                    Some(l) => format!("line {l}: {message}"),
                    None => message,
                },
            }
        })?;
        if let Ok(located) = toml::from_str::<Located>(text) {
            let at = |span: std::ops::Range<usize>| Origin::File {
                path: origin.to_string(),
                line: line_of(span.start),
            };
            let origins = &mut topology.origins;
            for (field, value) in [
                (Field::AccessEdge, &located.access_edge),
                (Field::WebconfEdge, &located.webconf_edge),
                (Field::AvEdge, &located.av_edge),
                (Field::Windows, &located.windows),
                (Field::Product, &located.product),
            ] {
                if let Some(v) = value {
                    origins.set(field, None, at(v.span()));
                }
            }
            for (field, list) in [
                (Field::SipDomains, &located.sip_domains),
                (Field::ExtraSans, &located.extra_sans),
                (Field::EdgeServers, &located.edge_servers),
            ] {
                for (i, v) in list.iter().flatten().enumerate() {
                    origins.set(field, Some(i), at(v.span()));
                }
            }
        }
        Ok(topology)
    }

    /// Reads and parses a topology file: picert's TOML, or the XML of Topology Builder or
    /// `Get-CsTopology -AsXml` (told apart by content) with its only Edge pool.
    pub fn load(path: &Path) -> Result<Topology, Error> {
        Topology::load_pool(path, None)
    }

    /// Reads a topology file, as [`Topology::load`], taking the Edge pool `edge_pool` (its FQDN,
    /// case-insensitive) from an XML topology: the file itself, or the one a TOML file names in
    /// `topology_xml` (`edge_pool` here goes over the TOML's).
    pub fn load_pool(path: &Path, edge_pool: Option<&str>) -> Result<Topology, Error> {
        let shown = path.display().to_string();
        let bytes = crate::deployment::read_capped(path, &shown)?;
        // Notepad's UTF-8 byte-order mark and PowerShell's UTF-16 are read as the text they are.
        let (decoded, encoding) = crate::text::decode(&bytes).map_err(|e| Error::Topology {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let text = std::str::from_utf8(&decoded).map_err(|_| Error::Topology {
            path: shown.clone(),
            message: "the file is not UTF-8 text".into(),
        })?;
        if crate::deployment::looks_like_xml(text) {
            let deployment = Deployment::parse(text, encoding, &shown)?;
            return Topology::from_deployment(&deployment, edge_pool, &shown);
        }
        // A TOML topology is a few hundred bytes; refuse anything absurd.
        const MAX_TOPOLOGY_BYTES: usize = 1024 * 1024;
        if bytes.len() > MAX_TOPOLOGY_BYTES {
            return Err(Error::Topology {
                path: shown,
                message: "the file is larger than 1 MiB; a topology file is a few lines".into(),
            });
        }
        let mut own = Topology::from_toml(text, &shown)?;
        own.origins.converted(&shown, encoding);
        let Some(xml) = own.topology_xml.clone() else {
            if let Some(pool) = edge_pool.or(own.edge_pool.as_deref()) {
                return Err(Error::Topology {
                    path: shown,
                    message: format!("the Edge pool {pool} is chosen, but this TOML topology names no XML topology (topology_xml) to take it from"),
                });
            }
            return Ok(own);
        };
        let xml_path = path.parent().unwrap_or(Path::new("")).join(&xml);
        let xml_shown = xml_path.display().to_string();
        let bytes = crate::deployment::read_capped(&xml_path, &xml_shown)?;
        let deployment = Deployment::parse_bytes(&bytes, &xml_shown)?;
        let pool = edge_pool.or(own.edge_pool.as_deref());
        let mut derived = Topology::from_deployment(&deployment, pool, &xml_shown)?;
        derived.origins.converted.append(&mut own.origins.converted);
        Ok(derived.overlay(own))
    }

    /// The Edge pool `edge_pool` of an XML topology (the only one when `None`) as a topology:
    /// its Access Edge, Web Conferencing Edge and A/V Edge external FQDNs, the SIP domains, its
    /// servers, and the product its `ServiceVersion` names. `origin` names the file.
    pub fn from_deployment(
        deployment: &Deployment,
        edge_pool: Option<&str>,
        origin: &str,
    ) -> Result<Topology, Error> {
        let pool = deployment.edge_pool(edge_pool, origin)?;
        let at = |line: usize| Origin::File {
            path: origin.to_string(),
            line,
        };
        let mut t = Topology {
            access_edge: pool.access_edge.as_ref().map(|n| n.fqdn.clone()),
            webconf_edge: pool.webconf_edge.as_ref().map(|n| n.fqdn.clone()),
            av_edge: pool.av_edge.as_ref().map(|n| n.fqdn.clone()),
            sip_domains: (!deployment.sip_domains.is_empty())
                .then(|| deployment.sip_domains.clone()),
            edge_servers: (!pool.machines.is_empty()).then(|| pool.machines.clone()),
            product: pool
                .service_version
                .and_then(|v| v.product())
                .or_else(|| deployment.product()),
            ..Topology::default()
        };
        for (field, name) in [
            (Field::AccessEdge, &pool.access_edge),
            (Field::WebconfEdge, &pool.webconf_edge),
            (Field::AvEdge, &pool.av_edge),
        ] {
            if let Some(n) = name {
                t.origins.set(field, None, at(n.line));
            }
        }
        t.origins
            .set(Field::SipDomains, None, at(deployment.sip_domains_line));
        t.origins.set(Field::EdgeServers, None, at(pool.line));
        if t.product.is_some() {
            t.origins.set(Field::Product, None, at(pool.line));
        }
        t.origins.converted(origin, deployment.encoding);
        Ok(t)
    }

    /// Returns this topology with every field that `over` sets replaced by `over`'s value
    /// (flags over a file). List fields are replaced whole, not appended.
    pub fn overlay(self, over: Topology) -> Topology {
        let subject = match (self.subject, over.subject) {
            (Some(a), Some(b)) => Some(a.overlay(b)),
            (a, b) => b.or(a),
        };
        let mut origins = self.origins.clone();
        origins
            .converted
            .extend(over.origins.converted.iter().cloned());
        for (field, set) in [
            (Field::AccessEdge, over.access_edge.is_some()),
            (Field::WebconfEdge, over.webconf_edge.is_some()),
            (Field::AvEdge, over.av_edge.is_some()),
            (Field::SipDomains, over.sip_domains.is_some()),
            (Field::ExtraSans, over.extra_sans.is_some()),
            (Field::EdgeServers, over.edge_servers.is_some()),
            (Field::Windows, over.windows.is_some()),
            (Field::Product, over.product.is_some()),
        ] {
            if set {
                origins.take(field, &over.origins);
            }
        }
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
            windows: over.windows.or(self.windows),
            product: over.product.or(self.product),
            edge_servers: over.edge_servers.or(self.edge_servers),
            topology_xml: over.topology_xml.or(self.topology_xml),
            edge_pool: over.edge_pool.or(self.edge_pool),
            origins,
        }
    }

    /// True when nothing at all is set: no expectation can be derived.
    pub fn is_empty(&self) -> bool {
        *self == Topology::default()
    }

    /// The names the audit expects, from whatever this topology sets (it need not be complete
    /// enough to build a request). Names are normalised; a bad name is an error, and so is a
    /// product on a Windows release it does not run on.
    pub fn expectations(&self) -> Result<Expectations, Error> {
        let access_edge = self.name(Field::AccessEdge, self.access_edge.as_deref())?;
        let webconf_edge = self.name(Field::WebconfEdge, self.webconf_edge.as_deref())?;
        let sip_domains = self.names(Field::SipDomains, self.sip_domains.as_deref())?;
        let extra_sans = self.names(Field::ExtraSans, self.extra_sans.as_deref())?;
        let plan = SanPlan::new(
            access_edge.as_deref(),
            webconf_edge.as_deref(),
            &sip_domains,
            self.primary_sip_only.unwrap_or(false),
            &extra_sans,
        );
        let platform = self.platform()?;
        Ok(Expectations {
            names_complete: access_edge.is_some() && !sip_domains.is_empty(),
            access_edge,
            aol: self.aol.unwrap_or(false),
            plan,
            platform,
            kind: crate::plan::CertificateKind::EdgeExternal,
            pool: None,
        })
    }

    /// The Edge's platform, checked against the support table: a product on a release
    /// Microsoft does not list is an error.
    pub fn platform(&self) -> Result<Platform, Error> {
        if let (Some(product), Some(windows)) = (self.product, self.windows) {
            if support(product, windows) == Support::Unsupported {
                return Err(SettingError::Platform { product, windows }.into());
            }
        }
        Ok(Platform {
            windows: self.windows,
            product: self.product,
        })
    }

    /// The Edge servers of the pool, normalised.
    pub fn edge_servers(&self) -> Result<Vec<String>, Error> {
        self.names(Field::EdgeServers, self.edge_servers.as_deref())
    }

    /// What this topology's values deserve a word about, though none is an error: a name
    /// written with the root's dot, a SIP domain that is already a SIP name, a Web Conferencing
    /// name that is the Access Edge's, a product on a Windows release with a caveat.
    pub fn notes(&self) -> Vec<Note> {
        let mut notes: Vec<Note> = self
            .origins
            .converted
            .iter()
            .map(|(path, encoding)| Note::ConvertedText {
                path: path.clone(),
                encoding: *encoding,
            })
            .collect();
        let mut dotted = |field: Field, index: Option<usize>, name: &str| {
            if let Some(base) = dotted_name(name) {
                if let Ok(name) = normalize_fqdn(base) {
                    notes.push(Note::TrailingDot {
                        name,
                        origin: self.origins.of(field, index).cloned(),
                    });
                }
            }
        };
        for (field, value) in [
            (Field::AccessEdge, &self.access_edge),
            (Field::WebconfEdge, &self.webconf_edge),
            (Field::AvEdge, &self.av_edge),
        ] {
            if let Some(v) = value {
                dotted(field, None, v);
            }
        }
        for (field, list) in [
            (Field::SipDomains, &self.sip_domains),
            (Field::ExtraSans, &self.extra_sans),
            (Field::EdgeServers, &self.edge_servers),
        ] {
            for (i, v) in list.iter().flatten().enumerate() {
                dotted(field, Some(i), v);
            }
        }
        let normal = |n: &str| normalize_fqdn(dotted_name(n).unwrap_or(n)).ok();
        for (i, domain) in self.sip_domains.iter().flatten().enumerate() {
            let Some(domain) = normal(domain) else {
                continue;
            };
            if let Some(meant) = domain.strip_prefix("sip.") {
                if meant.contains('.') {
                    notes.push(Note::SipNameAsDomain {
                        san: format!("sip.{domain}"),
                        meant: meant.to_string(),
                        origin: self.origins.of(Field::SipDomains, Some(i)).cloned(),
                        domain,
                    });
                }
            }
        }
        let access = self.access_edge.as_deref().and_then(normal);
        let webconf = self.webconf_edge.as_deref().and_then(normal);
        if let (Some(a), Some(w)) = (access, webconf) {
            if a == w {
                notes.push(Note::WebconfMerged { name: a });
            }
        }
        if let (Some(product), Some(windows)) = (self.product, self.windows) {
            if let Support::Caveat(caveat) = support(product, windows) {
                notes.push(Note::PlatformCaveat {
                    product,
                    windows,
                    caveat,
                });
            }
        }
        notes
    }

    /// A name of `field`, normalised (a trailing root dot dropped), or the error naming where
    /// it came from.
    pub(crate) fn name(&self, field: Field, name: Option<&str>) -> Result<Option<String>, Error> {
        name.map(|n| self.checked(field, None, n)).transpose()
    }

    /// The names of a list field, normalised.
    pub(crate) fn names(
        &self,
        field: Field,
        list: Option<&[String]>,
    ) -> Result<Vec<String>, Error> {
        list.unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, n)| self.checked(field, Some(i), n))
            .collect()
    }

    fn checked(&self, field: Field, index: Option<usize>, name: &str) -> Result<String, Error> {
        normalize_fqdn(dotted_name(name).unwrap_or(name)).map_err(|source| Error::Name {
            field,
            origin: self.origins.of(field, index).cloned(),
            source,
        })
    }
}

/// The name without its root dot when it ends with exactly one (`sip.contoso.com.`); a name
/// that is only a dot, or ends with two, is left to the name rules to refuse.
fn dotted_name(name: &str) -> Option<&str> {
    let base = name.trim().strip_suffix('.')?;
    (!base.is_empty() && !base.ends_with('.')).then_some(base)
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

    #[test]
    fn a_misspelt_field_names_the_one_meant() {
        let e = Topology::from_toml(
            "access_edge = 'sip.contoso.com'\nsip_domain = ['contoso.com']\n",
            "edge.toml",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "edge.toml: line 2: unknown field `sip_domain`: did you mean `sip_domains`?"
        );
        let e = Topology::from_toml(
            "[subject]\ncountry = 'US'\norganisation = 'Contoso'\n",
            "edge.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.ends_with("unknown field `organisation`: did you mean `organization`?"),
            "{e}"
        );
        let e = Topology::from_toml("[subject]\ncountry = 'US'\nwindows = '2019'\n", "edge.toml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "edge.toml: line 3: `windows` is inside the [subject] table: top-level fields go before [subject]"
        );
        let e = Topology::from_toml("colour = 'blue'\n", "edge.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown field `colour`; the fields are access_edge, "),
            "{e}"
        );
    }

    /// A swap of neighbours is one edit (as in "hsah"): with plain Levenshtein it is two, and
    /// short fields would get no suggestion.
    #[test]
    fn did_you_mean_counts_a_swap_as_one_edit() {
        assert_eq!(closest("hsah", FIELDS), Some("hash"));
        assert_eq!(closest("rpdouct", FIELDS), Some("product"));
        assert_eq!(closest("Access-Egde", FIELDS), Some("access_edge"));
        assert_eq!(
            closest("organisation", SUBJECT_FIELDS),
            Some("organization")
        );
        // Too far, or too short to guess from.
        assert_eq!(closest("hshs", FIELDS), None);
        assert_eq!(closest("aoll", FIELDS), None);
        assert_eq!(closest("colour", FIELDS), None);
    }

    #[test]
    fn a_bad_value_names_its_file_and_line_or_its_flag() {
        let text = "access_edge = 'sip.contoso.com'\nsip_domains = [\n  'contoso.com',\n  '*.fabrikam.com',\n]\n";
        let t = Topology::from_toml(text, "edge.toml").unwrap();
        let e = t.expectations().unwrap_err().to_string();
        assert!(
            e.starts_with("edge.toml:4: sip_domains: '*.fabrikam.com' is a wildcard"),
            "{e}"
        );
        // A flag over the file: the flag's label, given by the caller.
        let mut flags = Topology {
            webconf_edge: Some("webcon..contoso.com".into()),
            ..Topology::default()
        };
        flags
            .origins
            .set(Field::WebconfEdge, None, Origin::Given("--webconf".into()));
        let e = t
            .clone()
            .overlay(flags)
            .expectations()
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--webconf: 'webcon..contoso.com' has an empty label"),
            "{e}"
        );
        // A list replaced by flags no longer points into the file.
        let mut flags = Topology {
            sip_domains: Some(vec!["contoso.com".into(), "*.x.com".into()]),
            ..Topology::default()
        };
        flags.origins.set(
            Field::SipDomains,
            None,
            Origin::Given("--sip-domain".into()),
        );
        let e = t.overlay(flags).expectations().unwrap_err().to_string();
        assert!(e.starts_with("--sip-domain: '*.x.com'"), "{e}");
    }

    #[test]
    fn slips_are_noted_not_refused() {
        let text = "access_edge = 'sip.contoso.com.'\nwebconf_edge = 'SIP.contoso.com'\nsip_domains = ['contoso.com', 'sip.tailspintoys.com']\n";
        let t = Topology::from_toml(text, "edge.toml").unwrap();
        let exp = t.expectations().unwrap();
        assert_eq!(exp.access_edge.as_deref(), Some("sip.contoso.com"));
        assert_eq!(
            exp.plan.names(),
            ["sip.contoso.com", "sip.sip.tailspintoys.com"],
            "the Web Conferencing name merged into the subject's SAN"
        );
        let notes: Vec<String> = t.notes().iter().map(|n| n.to_string()).collect();
        assert_eq!(notes.len(), 3, "{notes:#?}");
        assert_eq!(
            notes[0],
            "'sip.contoso.com.' (edge.toml:1) ends with the root's dot; certificates carry names without it, so it is used as sip.contoso.com"
        );
        assert_eq!(
            notes[1],
            "the SIP domain sip.tailspintoys.com (edge.toml:3) gives the SAN sip.sip.tailspintoys.com: if the SIP domain is tailspintoys.com, give that (picert adds the sip. prefix itself)"
        );
        assert!(notes[2]
            .contains("Web Conferencing Edge name is the Access Edge name (sip.contoso.com)"));
        assert!(t.notes()[1].is_warning() && !t.notes()[0].is_warning());
        // Two dots, or a dot alone, are still refused by the name rules.
        for bad in ["sip.contoso.com..", "."] {
            let t = Topology {
                access_edge: Some(bad.into()),
                ..Topology::default()
            };
            assert!(t.expectations().is_err(), "{bad}");
        }
        // `sip.com` as a SIP domain is a domain, not a SIP name.
        let t = Topology {
            sip_domains: Some(vec!["sip.com".into()]),
            ..Topology::default()
        };
        assert!(t.notes().is_empty());
    }

    #[test]
    fn windows_and_product_are_checked_together() {
        let t =
            Topology::from_toml("windows = '2016'\nproduct = 'lync2013'\n", "edge.toml").unwrap();
        assert_eq!(
            t.expectations().unwrap_err().to_string(),
            "Lync Server 2013 does not run on Windows Server 2016: Microsoft lists Windows Server 2008 R2, Windows Server 2012 and Windows Server 2012 R2"
        );
        let t =
            Topology::from_toml("windows = '2022'\nproduct = 'sfb2019'\n", "edge.toml").unwrap();
        let exp = t.expectations().unwrap();
        assert!(matches!(t.notes()[..], [Note::PlatformCaveat { .. }]));
        assert_eq!(exp.platform.windows, Some(WindowsServer::W2022));
        let e = Topology::from_toml("windows = '2003'\n", "edge.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown Windows Server version '2003'"), "{e}");
        let e = Topology::from_toml("product = 'ocs'\n", "edge.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown product 'ocs'"), "{e}");
    }

    #[test]
    fn topology_files_as_windows_saves_them() {
        let dir = std::env::temp_dir().join(format!("picert-topology-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "access_edge = \"sip.contoso.com\"\r\nsip_domains = [\"contoso.com\"]\r\nfriendly_name = \"Périphérie\"\r\n";
        let mut le = vec![0xff, 0xfe];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(text.as_bytes());
        for (name, bytes) in [("le.toml", le.clone()), ("bom.toml", bom)] {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            let t = Topology::load(&path).unwrap();
            assert_eq!(t.friendly_name.as_deref(), Some("Périphérie"), "{name}");
        }
        let path = dir.join("nobom.toml");
        std::fs::write(&path, &le[2..]).unwrap();
        let e = Topology::load(&path).unwrap_err().to_string();
        assert!(e.contains("UTF-16 text without a byte-order mark"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/topology")
            .join(name)
    }

    #[test]
    fn an_xml_topology_gives_its_edge_pool() {
        for file in [
            "multi.tbxml",
            "multi-published.xml",
            "multi-utf16le.tbxml",
            "multi-published-utf16le.xml",
        ] {
            let path = fixture(file);
            let e = Topology::load(&path).unwrap_err();
            assert!(
                matches!(&e, Error::Pool(crate::deployment::PoolError::Choose { pools, .. }) if pools.len() == 2),
                "{file}: {e}"
            );
            let t = Topology::load_pool(&path, Some("EDGEPOOL-DUB.contoso.com")).unwrap();
            assert_eq!(
                t.access_edge.as_deref(),
                Some("sip-eu.contoso.com"),
                "{file}"
            );
            assert_eq!(t.webconf_edge.as_deref(), Some("webconf-eu.contoso.com"));
            assert_eq!(t.av_edge.as_deref(), Some("av-eu.contoso.com"));
            assert_eq!(
                t.sip_domains.as_deref().unwrap(),
                ["contoso.com", "fabrikam.com"]
            );
            assert_eq!(
                t.edge_servers.as_deref().unwrap(),
                ["edge-dub1.contoso.com"]
            );
            assert_eq!(t.product, Some(Product::Sfb2019));
            let exp = t.expectations().unwrap();
            assert_eq!(
                exp.plan.names(),
                [
                    "sip-eu.contoso.com",
                    "webconf-eu.contoso.com",
                    "sip.contoso.com",
                    "sip.fabrikam.com"
                ]
            );
            let notes: Vec<String> = t.notes().iter().map(|n| n.to_string()).collect();
            if file.contains("utf16le") {
                assert_eq!(notes.len(), 1, "{notes:?}");
                assert!(notes[0].ends_with("the file is UTF-16LE text with a byte-order mark (as Windows PowerShell 5.1's > and Out-File write it); it was read as that text"), "{notes:?}");
            } else {
                assert!(notes.is_empty(), "{notes:?}");
            }
        }
    }

    #[test]
    fn a_bad_name_in_the_xml_points_at_its_line() {
        let text = std::fs::read_to_string(fixture("multi-published.xml"))
            .unwrap()
            .replace(
                "ConfiguredFqdn=\"webconf-eu.contoso.com\"",
                "ConfiguredFqdn=\"*.contoso.com\"",
            );
        let line = text
            .lines()
            .position(|l| l.contains("*.contoso.com"))
            .unwrap()
            + 1;
        let d = Deployment::parse(&text, crate::text::TextEncoding::Utf8, "t.xml").unwrap();
        let t = Topology::from_deployment(&d, Some("edgepool-dub.contoso.com"), "t.xml").unwrap();
        let e = t.expectations().unwrap_err().to_string();
        assert!(
            e.starts_with(&format!(
                "t.xml:{line}: webconf_edge: '*.contoso.com' is a wildcard"
            )),
            "{e}"
        );
    }

    #[test]
    fn a_toml_file_names_the_xml_and_keeps_its_own_settings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(fixture("multi.tbxml"), dir.path().join("multi.tbxml")).unwrap();
        let toml = dir.path().join("edge.toml");
        std::fs::write(
            &toml,
            "topology_xml = \"multi.tbxml\"\nedge_pool = \"edgepool-red.contoso.com\"\naol = true\nwindows = \"2022\"\ntemplate = \"EdgeTemplate\"\nwebconf_edge = \"meetings.contoso.com\"\n\n[subject]\norganization = \"Contoso\"\ncountry = \"US\"\n",
        )
        .unwrap();
        let t = Topology::load(&toml).unwrap();
        assert_eq!(t.access_edge.as_deref(), Some("sip.contoso.com"));
        assert_eq!(
            t.webconf_edge.as_deref(),
            Some("meetings.contoso.com"),
            "the TOML's own value goes over the XML's"
        );
        assert_eq!(
            t.edge_servers.as_deref().unwrap(),
            ["edge-red1.contoso.com", "edge-red2.contoso.com"]
        );
        assert_eq!(t.aol, Some(true));
        assert_eq!(t.windows, Some(WindowsServer::W2022));
        assert_eq!(t.product, Some(Product::Sfb2019));
        assert_eq!(t.template.as_deref(), Some("EdgeTemplate"));
        assert_eq!(
            t.subject.as_ref().unwrap().organization.as_deref(),
            Some("Contoso")
        );
        // The pool given by the caller goes over the file's.
        let t = Topology::load_pool(&toml, Some("edgepool-dub.contoso.com")).unwrap();
        assert_eq!(t.access_edge.as_deref(), Some("sip-eu.contoso.com"));
        // A pool without an XML to take it from.
        std::fs::write(&toml, "edge_pool = \"edgepool-red.contoso.com\"\n").unwrap();
        let e = Topology::load(&toml).unwrap_err().to_string();
        assert!(e.ends_with("edge.toml: the Edge pool edgepool-red.contoso.com is chosen, but this TOML topology names no XML topology (topology_xml) to take it from"), "{e}");
        let e = Topology::load_pool(&fixture("../contoso.toml"), Some("x.contoso.com"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("names no XML topology"), "{e}");
        // A missing XML file is named.
        std::fs::write(&toml, "topology_xml = \"gone.tbxml\"\n").unwrap();
        let e = Topology::load(&toml).unwrap_err().to_string();
        assert!(e.ends_with("gone.tbxml: no such file or directory"), "{e}");
        // A TOML that names an XML with several pools and no choice.
        std::fs::write(&toml, "topology_xml = \"multi.tbxml\"\n").unwrap();
        assert!(matches!(
            Topology::load(&toml),
            Err(Error::Pool(crate::deployment::PoolError::Choose { .. }))
        ));
    }

    #[test]
    fn bad_xml_topologies_are_one_line_errors() {
        for (file, says) in [
            ("bad/not-topology.xml", "not a topology"),
            ("bad/truncated.tbxml", "the file is truncated"),
            ("bad/dtd.xml", "declares a DTD"),
            ("bad/noedge.xml", "defines no Edge pool"),
        ] {
            let e = Topology::load(&fixture(file)).unwrap_err().to_string();
            assert!(
                e.contains(file) && e.contains(says) && !e.contains('\n'),
                "{file}: {e}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.tbxml");
        std::fs::File::create(&path)
            .unwrap()
            .set_len(crate::deployment::MAX_XML_BYTES + 1)
            .unwrap();
        let e = Topology::load(&path).unwrap_err().to_string();
        assert!(e.contains("larger than 16 MiB"), "{e}");
        // A TOML file over 1 MiB is still refused as TOML.
        let path = dir.path().join("big.toml");
        std::fs::write(&path, format!("# {}\n", "x".repeat(1024 * 1024))).unwrap();
        let e = Topology::load(&path).unwrap_err().to_string();
        assert!(e.contains("larger than 1 MiB"), "{e}");
    }
}
