//! picert-core: the external certificate of a Lync Server 2013 / Skype for Business Server Edge
//! Server, as the "Certificate summary - Public IM Connectivity" table describes it.
//!
//! - [`Topology`] reads the TOML topology file (or stands for the equivalent flags);
//!   [`EdgeProfile`] is its validated form and [`SanPlan`] the SAN list in the table's order.
//! - [`names`] holds the name rules (DNS syntax, IDN to A-labels, no wildcard, no IP address).
//! - [`PrivateKey`] generates, loads and writes keys; [`build_request`] builds the CSR;
//!   [`inf::render_inf`] writes the certreq INF for the same request.
//! - [`pfx::write_pfx`] writes the PKCS#12 file Windows imports.
//! - [`store::write_all`] writes a CSR and its key together, or neither.
//!
//! ```
//! use picert_core::{EdgeProfile, PrivateKey, Topology, build_request};
//! let topology = Topology::from_toml(r#"
//!     access_edge = "sip.contoso.com"
//!     webconf_edge = "webcon.contoso.com"
//!     sip_domains = ["contoso.com", "fabrikam.com"]
//!     aol = true
//!     key_type = "ecdsa-p256"
//! "#, "example.toml")?;
//! let profile = EdgeProfile::from_topology(topology)?;
//! let request = build_request(&profile, &PrivateKey::generate(profile.key_type)?)?;
//! assert!(request.client_eku);
//! # Ok::<(), picert_core::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod inf;
pub mod key;
pub mod names;
pub mod pfx;
pub mod profile;
pub mod request;
pub mod store;

pub use key::{KeyKind, PrivateKey};
pub use profile::{
    EdgeProfile, Expectations, HashAlg, KeyType, SanEntry, SanPlan, SanSource, SubjectFields,
    Topology,
};
pub use request::{build_request, EdgeRequest};

/// Everything that can stop picert-core. Each variant displays as one line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A name was refused by the name rules.
    #[error("{field}: {source}")]
    Name {
        /// Which setting held the name.
        field: String,
        /// Why it was refused.
        source: names::NameError,
    },
    /// A required setting is missing.
    #[error("missing {0}")]
    Missing(&'static str),
    /// A setting has a value picert refuses.
    #[error("{0}")]
    Invalid(String),
    /// The topology file could not be parsed.
    #[error("{path}: {message}")]
    Topology {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
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
    /// An output exists and `--force` was not given.
    #[error("{0}: already exists; picert never overwrites a file without --force")]
    Exists(String),
    /// A key could not be generated, read or used.
    #[error("{0}")]
    Key(String),
}

/// An I/O error as a short lower-case phrase without the "(os error N)" tail.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "is a directory".into(),
        AlreadyExists => "already exists".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s.to_lowercase(),
            }
        }
    }
}
