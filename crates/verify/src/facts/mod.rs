//! What the rules look at, read once from a certificate or request, as owned values: no parser
//! type leaves this module.
//!
//! Certificates are read with x509-parser. Requests are walked with the asn1-rs reader down to
//! their attributes (x509-parser keeps only the extension request and drops the Microsoft
//! attributes such as the certificate template), and each requested extension is then read by
//! x509-parser like a certificate's.
//!
//! What a live endpoint presented ([`tls`]) and what DNS answered for a SIP domain ([`dns`])
//! are facts too, gathered by picert-probe and judged here.

mod algorithms;
pub mod dns;
mod extensions;
mod request;
mod signature;
pub mod tls;

use picert_core::{SubjectFields, Timestamp};
use x509_parser::extensions::X509Extension;
use x509_parser::prelude::*;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo, X509Name};

use algorithms::signature_facts;
use extensions::apply_extension;

pub(crate) use algorithms::key_facts;
pub(crate) use extensions::any_string;
pub use request::csr_facts;
pub use signature::SignatureCheck;

/// A certificate or request that could not be parsed; the message says which and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub(crate) String);

/// What was read: a certificate or a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// An X.509 certificate.
    Certificate,
    /// A PKCS#10 certificate request.
    Csr,
    /// A CA certificate given on its own: no Edge rule applies; it is chain material for the
    /// other inputs of the run.
    #[serde(rename = "ca_certificate")]
    CaCertificate,
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
    /// The subject's fields besides the CN (the first of each).
    pub subject_fields: SubjectFields,
    /// The key.
    pub key: KeyFacts,
    /// The public key, DER SubjectPublicKeyInfo (to match a private key with it).
    pub spki_der: Vec<u8>,
    /// The signature algorithm.
    pub signature: SignatureFacts,
    /// Key usage: (digitalSignature, keyEncipherment, critical), `None` when absent.
    pub key_usage: Option<(bool, bool, bool)>,
    /// CRL distribution point URIs (certificates); `None` when the extension is absent.
    pub crl_uris: Option<Vec<String>>,
    /// notBefore (certificates).
    pub not_before: Option<Timestamp>,
    /// notAfter (certificates).
    pub not_after: Option<Timestamp>,
    /// Template references (request attribute, V1 and V2 extensions).
    pub templates: Vec<TemplateFacts>,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// Raw subject and issuer DER are equal.
    pub self_issued: bool,
    /// The request's self-signature check (requests only).
    pub csr_signature: Option<crate::facts::SignatureCheck>,
}

/// serverAuth.
pub const EKU_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
/// clientAuth.
pub const EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
pub(crate) const EKU_ANY: &str = "2.5.29.37.0";

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

/// Reads a certificate (DER).
pub fn certificate_facts(der: &[u8]) -> Result<Facts, ParseError> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|_| ParseError("not a valid X.509 certificate".into()))?;
    Ok(parsed_certificate_facts(&cert))
}

/// Reads a certificate x509-parser has already parsed.
pub(crate) fn parsed_certificate_facts(cert: &X509Certificate<'_>) -> Facts {
    let tbs = &cert.tbs_certificate;
    let mut facts = base_facts(
        InputKind::Certificate,
        &tbs.subject,
        &tbs.subject_pki,
        &cert.signature_algorithm,
        tbs.extensions(),
    );
    facts.issuer = Some(name_of(&tbs.issuer));
    facts.not_before = Some(Timestamp::from_unix(tbs.validity.not_before.timestamp()));
    facts.not_after = Some(Timestamp::from_unix(tbs.validity.not_after.timestamp()));
    facts.self_issued = tbs.subject.as_raw() == tbs.issuer.as_raw();
    facts
}

fn first_text<'a>(
    mut it: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'a>>,
) -> Option<String> {
    it.next().and_then(|a| a.as_str().ok()).map(str::to_string)
}

pub(crate) fn base_facts(
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
        subject_fields: SubjectFields {
            country: first_text(subject.iter_country()),
            state: first_text(subject.iter_state_or_province()),
            locality: first_text(subject.iter_locality()),
            organization: first_text(subject.iter_organization()),
            organizational_unit: first_text(subject.iter_organizational_unit()),
        },
        key: key_facts(spki),
        spki_der: spki.raw.to_vec(),
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
