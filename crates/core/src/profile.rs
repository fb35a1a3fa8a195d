//! The Edge profile: one description of the Edge Server's external names, like Topology
//! Builder's, from which both the request and the audit's expectations are derived.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::Deserialize;

use crate::names::normalize_fqdn;
use crate::Error;

/// The default certificate template for an enterprise CA, as `Request-CsCertificate` uses it
/// (seed 000: "the default template name used for Lync Server is WebServer").
pub const DEFAULT_TEMPLATE: &str = "WebServer";

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
            .map(fqdn("access_edge"))
            .transpose()?;
        let webconf_edge = self
            .webconf_edge
            .as_deref()
            .map(fqdn("webconf_edge"))
            .transpose()?;
        let sip_domains = normalize_list("sip_domains", self.sip_domains.as_deref())?;
        let extra_sans = normalize_list("extra_sans", self.extra_sans.as_deref())?;
        let plan = SanPlan::new(
            access_edge.as_deref(),
            webconf_edge.as_deref(),
            &sip_domains,
            self.primary_sip_only.unwrap_or(false),
            &extra_sans,
        );
        Ok(Expectations {
            access_edge,
            aol: self.aol.unwrap_or(false),
            plan,
        })
    }
}

fn fqdn(field: &'static str) -> impl Fn(&str) -> Result<String, Error> {
    move |name| {
        normalize_fqdn(name).map_err(|source| Error::Name {
            field: field.to_string(),
            source,
        })
    }
}

fn normalize_list(field: &'static str, list: Option<&[String]>) -> Result<Vec<String>, Error> {
    list.unwrap_or_default()
        .iter()
        .map(|n| fqdn(field)(n))
        .collect()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What an audit can check a certificate against, derived from a (possibly partial) topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// The expected subject CN, when known.
    pub access_edge: Option<String>,
    /// Whether PIC with AOL is on (the client EKU is then required).
    pub aol: bool,
    /// The expected SAN names in the table's order.
    pub plan: SanPlan,
}

/// The key to generate or expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(try_from = "String")]
pub enum KeyType {
    /// RSA, 2048-bit modulus (the default; what Lync Server requests).
    #[default]
    Rsa2048,
    /// RSA, 3072-bit modulus.
    Rsa3072,
    /// RSA, 4096-bit modulus.
    Rsa4096,
    /// ECDSA on P-256. Skype for Business Server 2015 does not support CNG (ECC) certificates.
    EcdsaP256,
    /// ECDSA on P-384. Same caveat as P-256.
    EcdsaP384,
}

impl KeyType {
    /// All key types, in the order `--help` lists them.
    pub const ALL: [KeyType; 5] = [
        KeyType::Rsa2048,
        KeyType::Rsa3072,
        KeyType::Rsa4096,
        KeyType::EcdsaP256,
        KeyType::EcdsaP384,
    ];

    /// The name used in flags and topology files.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Rsa3072 => "rsa3072",
            KeyType::Rsa4096 => "rsa4096",
            KeyType::EcdsaP256 => "ecdsa-p256",
            KeyType::EcdsaP384 => "ecdsa-p384",
        }
    }

    /// True for the RSA types.
    pub fn is_rsa(self) -> bool {
        matches!(self, KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096)
    }

    /// The hash an ECDSA key signs with (each curve has one); `None` for RSA.
    pub fn fixed_hash(self) -> Option<HashAlg> {
        match self {
            KeyType::EcdsaP256 => Some(HashAlg::Sha256),
            KeyType::EcdsaP384 => Some(HashAlg::Sha384),
            _ => None,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for KeyType {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<String> for HashAlg {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl FromStr for KeyType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        if lower == "rsa1024" {
            return Err("rsa1024 is refused: Microsoft recommends 2048 bits or more and public CAs issue no RSA key under 2048 bits (CA/B Forum BR 6.1.5)".into());
        }
        KeyType::ALL
            .into_iter()
            .find(|k| k.as_str() == lower)
            .ok_or_else(|| {
                format!("unknown key type '{s}' (expected rsa2048, rsa3072, rsa4096, ecdsa-p256 or ecdsa-p384)")
            })
    }
}

/// The hash of the request's signature. RSASSA-PSS is never used: Lync does not support it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(try_from = "String")]
pub enum HashAlg {
    /// SHA-256 (the default).
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// The name used in flags and topology files.
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sha384 => "sha384",
            HashAlg::Sha512 => "sha512",
        }
    }
}

impl fmt::Display for HashAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HashAlg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "sha256" => Ok(HashAlg::Sha256),
            "sha384" => Ok(HashAlg::Sha384),
            "sha512" => Ok(HashAlg::Sha512),
            "sha1" | "md5" => Err(format!("{s} is refused: public CAs no longer sign with it and the CA/B Forum sunset SHA-1 on 2026-09-15")),
            _ => Err(format!("unknown hash '{s}' (expected sha256, sha384 or sha512)")),
        }
    }
}

/// Where a SAN entry in the plan comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SanSource {
    /// The subject name, replicated in the SAN.
    Subject,
    /// The Web Conferencing Edge external FQDN.
    WebConferencing,
    /// `sip.<domain>` for this SIP domain.
    SipDomain(String),
    /// An extra name the administrator added.
    Extra,
    /// Carried over from the certificate being renewed.
    CurrentCertificate,
}

impl fmt::Display for SanSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SanSource::Subject => f.write_str("subject name"),
            SanSource::WebConferencing => f.write_str("Web Conferencing Edge"),
            SanSource::SipDomain(d) => write!(f, "SIP domain {d}"),
            SanSource::Extra => f.write_str("extra name"),
            SanSource::CurrentCertificate => f.write_str("from the certificate in service"),
        }
    }
}

/// One SAN entry and why it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanEntry {
    /// The DNS name, normalised.
    pub name: String,
    /// Why it is in the plan (the first reason, when several produce the same name).
    pub source: SanSource,
}

/// The SAN list in the PIC table's order: the subject name, the Web Conferencing Edge FQDN,
/// `sip.<domain>` for each SIP domain, then the extra names. A name that appears twice keeps
/// its first position.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SanPlan {
    entries: Vec<SanEntry>,
}

impl SanPlan {
    /// Builds the plan from normalised names. With `primary_sip_only`, only the first SIP
    /// domain gets its `sip.` name.
    ///
    /// ```
    /// use picert_core::SanPlan;
    /// let domains = ["contoso.com".to_string(), "fabrikam.com".to_string()];
    /// let plan = SanPlan::new(Some("sip.contoso.com"), Some("webcon.contoso.com"), &domains, false, &[]);
    /// assert_eq!(plan.names(), ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"]);
    /// ```
    pub fn new(
        subject: Option<&str>,
        webconf: Option<&str>,
        sip_domains: &[String],
        primary_sip_only: bool,
        extras: &[String],
    ) -> SanPlan {
        let mut plan = SanPlan::default();
        if let Some(s) = subject {
            plan.push(s.to_string(), SanSource::Subject);
        }
        if let Some(w) = webconf {
            plan.push(w.to_string(), SanSource::WebConferencing);
        }
        let count = if primary_sip_only {
            1
        } else {
            sip_domains.len()
        };
        for domain in sip_domains.iter().take(count) {
            plan.push(
                format!("sip.{domain}"),
                SanSource::SipDomain(domain.clone()),
            );
        }
        for extra in extras {
            plan.push(extra.clone(), SanSource::Extra);
        }
        plan
    }

    /// A plan that keeps `first` in its order, then adds the names of `then` it lacks: renewal
    /// keeps every name of the certificate in service and adds what the topology wants.
    pub fn merged(first: &SanPlan, then: &SanPlan) -> SanPlan {
        let mut plan = first.clone();
        for e in then.entries() {
            plan.push(e.name.clone(), e.source.clone());
        }
        plan
    }

    /// A plan from names already normalised, each with its reason.
    pub fn from_entries(entries: impl IntoIterator<Item = SanEntry>) -> SanPlan {
        let mut plan = SanPlan::default();
        for e in entries {
            plan.push(e.name, e.source);
        }
        plan
    }

    fn push(&mut self, name: String, source: SanSource) {
        if !self.entries.iter().any(|e| e.name == name) {
            self.entries.push(SanEntry { name, source });
        }
    }

    /// The entries in order.
    pub fn entries(&self) -> &[SanEntry] {
        &self.entries
    }

    /// The names in order.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }

    /// True when the plan has no names (nothing is known).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

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
}

impl EdgeProfile {
    /// Validates a topology into a profile: names normalised and checked, at least one SIP
    /// domain, subject fields within their X.520 limits, key and hash compatible.
    pub fn from_topology(t: Topology) -> Result<EdgeProfile, Error> {
        let access_edge = t.access_edge.as_deref().ok_or(Error::Missing(
            "the Access Edge external FQDN (access_edge in the topology, or --access-edge)",
        ))?;
        let access_edge = fqdn("access_edge")(access_edge)?;
        // ub-common-name is 64 (RFC 5280 appendix A): a longer FQDN cannot be the CN.
        if access_edge.len() > 64 {
            return Err(Error::Invalid(format!(
                "access_edge '{access_edge}' is {} characters; a subject CN holds at most 64, so it cannot be the subject name",
                access_edge.len()
            )));
        }
        let sip_domains = normalize_list("sip_domains", t.sip_domains.as_deref())?;
        if sip_domains.is_empty() {
            return Err(Error::Missing(
                "at least one SIP domain (sip_domains in the topology, or --sip-domain)",
            ));
        }
        let key_type = t.key_type.unwrap_or_default();
        let hash = match (key_type.fixed_hash(), t.hash) {
            (Some(fixed), Some(asked)) if fixed != asked => {
                return Err(Error::Invalid(format!(
                    "{key_type} signs with {fixed}; --hash {asked} cannot be used with it"
                )))
            }
            (Some(fixed), _) => fixed,
            (None, asked) => asked.unwrap_or_default(),
        };
        let template = match t.template.as_deref().map(str::trim) {
            None => Some(DEFAULT_TEMPLATE.to_string()),
            Some(n) if n.eq_ignore_ascii_case("none") => None,
            Some("") => {
                return Err(Error::Invalid(
                    "the template name is empty (use 'none' to omit the template)".into(),
                ))
            }
            Some(n) if n.chars().any(|c| c.is_control() || c as u32 > 0xFFFF) => {
                return Err(Error::Invalid(format!(
                    "the template name {n:?} has characters a BMPString cannot carry"
                )))
            }
            Some(n) => Some(n.to_string()),
        };
        let template_extension = t.template_extension.unwrap_or(false);
        if template_extension && template.is_none() {
            return Err(Error::Invalid(
                "--template-extension needs a template name, but the template is 'none'".into(),
            ));
        }
        let aol = t.aol.unwrap_or(false);
        Ok(EdgeProfile {
            webconf_edge: t
                .webconf_edge
                .as_deref()
                .map(fqdn("webconf_edge"))
                .transpose()?,
            av_edge: t.av_edge.as_deref().map(fqdn("av_edge")).transpose()?,
            extra_sans: normalize_list("extra_sans", t.extra_sans.as_deref())?,
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
            fixed_sans: None,
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
            return Err(Error::Invalid(format!(
                "country '{c}' must be a two-letter ISO 3166 code such as US or FR"
            )));
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
                return Err(Error::Invalid(format!(
                    "the {label} '{v}' is longer than the {max} characters X.520 allows"
                )));
            }
            if v.chars().any(char::is_control) {
                return Err(Error::Invalid(format!(
                    "the {label} {v:?} contains a control character"
                )));
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
    fn refusals() {
        let mut t = contoso();
        t.sip_domains = Some(vec![]);
        assert!(matches!(
            EdgeProfile::from_topology(t),
            Err(Error::Missing(_))
        ));
        let mut t = contoso();
        t.access_edge = None;
        assert!(matches!(
            EdgeProfile::from_topology(t),
            Err(Error::Missing(_))
        ));
        let mut t = contoso();
        t.key_type = Some(KeyType::EcdsaP256);
        t.hash = Some(HashAlg::Sha512);
        assert!(EdgeProfile::from_topology(t).is_err());
        let mut t = contoso();
        t.subject = Some(SubjectFields {
            country: Some("USA".into()),
            ..Default::default()
        });
        assert!(EdgeProfile::from_topology(t).is_err());
        let mut t = contoso();
        t.access_edge = Some(format!("{}.contoso.com", "a".repeat(60)));
        assert!(EdgeProfile::from_topology(t).is_err());
        assert!("rsa1024".parse::<KeyType>().unwrap_err().contains("2048"));
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
}
