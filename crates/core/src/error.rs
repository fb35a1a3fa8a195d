//! picert-core's errors: typed, one line each, and never worded in terms of a command line (the
//! `picert` binary adds the flag that fixes each one).

use std::fmt;

use crate::algorithms::{HashAlg, KeyKind, KeyType};
use crate::names::NameError;
use crate::platform::{Product, WindowsServer};

/// Everything that can stop picert-core. Each variant displays as one line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A name was refused by the name rules.
    #[error("{}: {source}", match origin {
        Some(Origin::File { path, line }) => format!("{path}:{line}: {field}"),
        Some(Origin::Given(label)) => label.clone(),
        None => field.to_string(),
    })]
    Name {
        /// Which setting held the name.
        field: Field,
        /// Where the value came from, when known.
        origin: Option<Origin>,
        /// Why it was refused.
        source: NameError,
    },
    /// A required setting is missing.
    #[error("missing {0}")]
    Missing(Missing),
    /// A setting has a value picert refuses.
    #[error(transparent)]
    Setting(#[from] SettingError),
    /// The topology file could not be parsed.
    #[error("{path}: {message}")]
    Topology {
        /// The file.
        path: String,
        /// What is wrong, with its line when known.
        message: String,
    },
    /// No Edge pool, or not the one asked for, can be taken from an XML topology.
    #[error(transparent)]
    Pool(#[from] crate::deployment::PoolError),
    /// No certificate of the kind asked for, or not the one asked for, is in the plan.
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    /// A file could not be read.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A file could not be written.
    #[error("{path}: cannot write: {message}")]
    Write {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A folder for an output is a file, or cannot be created.
    #[error("{path}: {message}")]
    Folder {
        /// The folder.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An output exists and overwriting was not allowed.
    #[error("{0}: already exists; picert never overwrites a file unless told to")]
    Exists(String),
    /// A key could not be generated, read or used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The renewal cannot keep what the certificate in service has.
    #[error(transparent)]
    Renewal(#[from] RenewalError),
    /// A PKCS#12 file cannot be written as asked.
    #[error(transparent)]
    Pfx(#[from] PfxError),
    /// An encoder failed on data picert built itself (a bug, or a resource failure).
    #[error("cannot encode {what}: {detail}")]
    Encoding {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's message.
        detail: String,
    },
}

/// Where a topology value came from: a line of the topology file, or what the caller says (the
/// `picert` binary names the flag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line of a topology file.
    File {
        /// The file as given.
        path: String,
        /// The line, from 1.
        line: usize,
    },
    /// A label the caller gave the value (a flag, an API parameter).
    Given(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line } => write!(f, "{path}:{line}"),
            Origin::Given(label) => f.write_str(label),
        }
    }
}

/// A topology setting, by its name in the topology file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// `access_edge`
    AccessEdge,
    /// `webconf_edge`
    WebconfEdge,
    /// `av_edge`
    AvEdge,
    /// `sip_domains`
    SipDomains,
    /// `extra_sans`
    ExtraSans,
    /// `edge_servers`
    EdgeServers,
    /// `windows`
    Windows,
    /// `product`
    Product,
}

impl Field {
    /// The field's name in the topology file.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::AccessEdge => "access_edge",
            Field::WebconfEdge => "webconf_edge",
            Field::AvEdge => "av_edge",
            Field::SipDomains => "sip_domains",
            Field::ExtraSans => "extra_sans",
            Field::EdgeServers => "edge_servers",
            Field::Windows => "windows",
            Field::Product => "product",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A setting a request cannot do without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Missing {
    /// The Access Edge external FQDN (the subject name).
    AccessEdge,
    /// At least one SIP domain.
    SipDomain,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::AccessEdge => f.write_str("the Access Edge external FQDN (access_edge)"),
            Missing::SipDomain => f.write_str("at least one SIP domain (sip_domains)"),
        }
    }
}

/// A setting with a value picert refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingError {
    /// The Access Edge FQDN is too long to be a subject CN.
    #[error("access_edge '{name}' is {len} characters; a subject CN holds at most 64, so it cannot be the subject name")]
    CommonNameTooLong {
        /// The name.
        name: String,
        /// Its length.
        len: usize,
    },
    /// An ECDSA key signs with one hash only.
    #[error("{key} signs with {fixed}; {asked} cannot be used with it")]
    HashNotForKey {
        /// The key type.
        key: KeyType,
        /// The hash it signs with.
        fixed: HashAlg,
        /// The hash asked for.
        asked: HashAlg,
    },
    /// An empty template name.
    #[error("the template name is empty (use 'none' to omit the template)")]
    TemplateEmpty,
    /// A template name a BMPString cannot carry.
    #[error("the template name {0:?} has characters a BMPString cannot carry")]
    TemplateNotBmp(String),
    /// The V1 template extension was asked for without a template.
    #[error("the V1 template extension needs a template name, but the template is 'none'")]
    TemplateExtensionWithoutTemplate,
    /// A country that is not two letters.
    #[error("country '{0}' must be a two-letter ISO 3166 code such as US or FR")]
    Country(String),
    /// A subject field over its X.520 upper bound.
    #[error("the {label} '{value}' is longer than the {max} characters X.520 allows")]
    TooLong {
        /// The field.
        label: &'static str,
        /// Its value.
        value: String,
        /// The bound.
        max: usize,
    },
    /// A subject field with a control character.
    #[error("the {label} {value:?} contains a control character")]
    ControlCharacter {
        /// The field.
        label: &'static str,
        /// Its value.
        value: String,
    },
    /// A given key is not of the key type asked for.
    #[error("the key is {key}, but the key type asked for is {asked}")]
    KeyTypeMismatch {
        /// The key given.
        key: KeyKind,
        /// The type asked for.
        asked: KeyType,
    },
    /// A key that cannot sign with the hash asked for.
    #[error("a {kind} key cannot sign with {hash}")]
    KeyCannotSign {
        /// The key.
        kind: KeyKind,
        /// The hash.
        hash: HashAlg,
    },
    /// A certreq INF was asked for with a key: certreq makes the key on Windows.
    #[error("a certreq INF makes no key here (certreq makes a new one on Windows), so no key can be given or written")]
    InfMakesItsOwnKey,
    /// A key would be generated but not written anywhere.
    #[error("a generated key must be written to a file")]
    GeneratedKeyNeedsAFile,
    /// A value a certificate cannot carry in that place.
    #[error("{0}")]
    Unencodable(String),
    /// The product does not run on the Windows Server release given.
    #[error("{product} does not run on {windows}: Microsoft lists {}", list(product.supported_windows()))]
    Platform {
        /// The product.
        product: Product,
        /// The Windows Server release.
        windows: WindowsServer,
    },
    /// An ECC key (a CNG key on Windows) for Skype for Business Server 2015.
    #[error("{key} is an ECC key, which Windows keeps as a CNG key, and Skype for Business Server 2015 does not support CNG certificates: use an RSA key")]
    CngKeyForSfb2015 {
        /// The key type.
        key: KeyType,
    },
}

fn list(windows: &[WindowsServer]) -> String {
    let names: Vec<String> = windows.iter().map(|w| w.to_string()).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => "none".into(),
    }
}

/// Why a key could not be generated, read or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key is encrypted and no passphrase was given.
    #[error("the key is encrypted and no passphrase was given")]
    PassphraseNeeded,
    /// The passphrase does not decrypt the key.
    #[error("cannot decrypt the key: wrong passphrase or unsupported encryption")]
    WrongPassphrase,
    /// The passphrase for encrypting a key is empty.
    #[error("the key passphrase is empty")]
    EmptyPassphrase,
    /// Not a private key in a format picert reads.
    #[error("{0}")]
    Format(String),
    /// An RSA key under 2048 bits.
    #[error("the RSA key has {0} bits: refused, Microsoft recommends 2048 or more and public CAs issue no RSA key under 2048 bits (CA/B Forum BR 6.1.5)")]
    SmallRsa(usize),
    /// An algorithm or curve picert does not use.
    #[error("{0}")]
    Unsupported(String),
    /// The cryptographic library refused the key or failed.
    #[error("{0}")]
    Crypto(String),
}

/// Why a renewal cannot go as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenewalError {
    /// The key to reuse is not the certificate's.
    #[error("this key does not match the certificate in service")]
    KeyDoesNotMatch,
    /// The certificate in service carries a name that the name rules refuse.
    #[error("the certificate in service carries a name picert will not request: {0}")]
    NameRefused(NameError),
}

/// Why a PKCS#12 file cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PfxError {
    /// No certificate to put in it.
    #[error("a PKCS#12 file needs the certificate")]
    NoCertificate,
    /// An empty password (Windows asks for one on import).
    #[error("the PKCS#12 password is empty")]
    EmptyPassword,
}

/// An I/O error as a short lower-case phrase without the "(os error N)" tail.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "is a directory".into(),
        AlreadyExists => "already exists".into(),
        NotADirectory => "a part of the path is not a folder".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s.to_lowercase(),
            }
        }
    }
}

pub(crate) fn encoding(what: &'static str) -> impl Fn(String) -> Error {
    move |detail| Error::Encoding { what, detail }
}
