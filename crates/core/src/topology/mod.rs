//! The topology: one description of the Edge Server's external names, like Topology Builder's,
//! read from a TOML file or stood for by flags, from which both the request and the audit's
//! expectations are derived.
//!
//! Its fields are listed once, below; [`schema`] derives from that list the struct, the names
//! for "did you mean", the overlay, and the tracing of values to their file lines.

#[macro_use]
mod schema;
mod expectations;
mod notes;
mod origins;
mod parse;
#[cfg(test)]
mod tests;

use crate::algorithms::{HashAlg, KeyType};
use crate::error::{Error, Field, Origin, SettingError};
use crate::names::normalize_fqdn;
use crate::platform::{support, Platform, Product, Support, WindowsServer};

pub(crate) use expectations::planned_sans;
pub use expectations::Expectations;
pub use origins::Origins;
use schema::Overlay;

settings! {
    /// A topology file or the flags that stand for it, before validation. Every field is
    /// optional so that flags can override a file field by field ([`Topology::overlay`]).
    pub struct Topology in FIELDS {
        /// Access Edge external FQDN (or the Edge pool's load-balancer FQDN): the subject name.
        pub access_edge: Option<String> => name(AccessEdge),
        /// Web Conferencing Edge external FQDN: the second SAN.
        pub webconf_edge: Option<String> => name(WebconfEdge),
        /// A/V Edge external FQDN: recorded, never put in the SAN (the A/V Edge service does not
        /// use the certificate's names).
        pub av_edge: Option<String> => name(AvEdge),
        /// SIP domains, primary first.
        pub sip_domains: Option<Vec<String>> => names(SipDomains),
        /// Additional SAN entries, after the SIP domains.
        pub extra_sans: Option<Vec<String>> => names(ExtraSans),
        /// `true`: only the primary SIP domain gets its `sip.` SAN (`Request-CsCertificate`
        /// without `-AllSipDomain`). Default `false`: every SIP domain does.
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
        /// The Edge's Windows Server release: decides the PKCS#12 protection and whether TLS
        /// 1.3 is expected.
        pub windows: Option<WindowsServer> => setting(Windows),
        /// The server product: decides whether an ECC (CNG) key can be used.
        pub product: Option<Product> => setting(Product),
        /// The Edge servers of the pool (the names they are reached by for administration), for
        /// the deployment script.
        pub edge_servers: Option<Vec<String>> => names(EdgeServers),
        /// The XML topology (Topology Builder's file or `Get-CsTopology -AsXml`'s) this file
        /// takes its Edge pool's names from, relative to this file; this file's own settings go
        /// over it.
        pub topology_xml: Option<String>,
        /// The Edge pool of `topology_xml` (its FQDN, case-insensitive); needed when it has
        /// several.
        pub edge_pool: Option<String>,
    }
}

settings! {
    /// The subject's fields besides the CN.
    pub struct SubjectFields in SUBJECT_FIELDS {
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
}

impl Topology {
    /// True when nothing at all is set: no expectation can be derived.
    pub fn is_empty(&self) -> bool {
        *self == Topology::default()
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
        normalize_fqdn(notes::dotted_name(name).unwrap_or(name)).map_err(|source| Error::Name {
            field,
            origin: self.origins.of(field, index).cloned(),
            source,
        })
    }
}
