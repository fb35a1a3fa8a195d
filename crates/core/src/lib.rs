//! picert-core: the external certificate of a Lync Server 2013 / Skype for Business Server Edge
//! Server, as the "Certificate summary - Public IM Connectivity" table describes it.
//!
//! - [`Topology`] reads the TOML topology file (or stands for the equivalent flags), or takes an
//!   Edge pool of the XML topology Microsoft's tools write ([`deployment::Deployment`]);
//!   [`EdgeProfile`] is its validated form and [`SanPlan`] the SAN list in the table's order.
//! - [`plan_request`] reconciles a topology, a key and, for a renewal, the certificate in
//!   service ([`CurrentCertificate`]) into a [`RequestPlan`] with its [`Note`]s;
//!   [`RequestPlan::write`] builds the request and writes it with its key, or writes neither.
//! - [`names`] holds the name rules (DNS syntax, IDN to A-labels, no wildcard, no IP address).
//! - [`PrivateKey`] generates, loads and writes keys; [`build_request`] builds the CSR;
//!   [`inf::render_inf`] writes the certreq INF for the same request.
//! - [`pfx::write_pfx`] writes the PKCS#12 file Windows imports.
//! - [`text::decode`] reads text as Windows writes it (UTF-16 with a byte-order mark, UTF-8
//!   with one).
//! - [`store::write_all`] writes files together, or none of them, never replacing one unless
//!   told to.
//!
//! Nothing here prints: results and notes are values, errors are typed ([`Error`]).
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

mod algorithms;
pub mod deployment;
mod error;
pub mod inf;
pub mod key;
pub mod names;
mod notes;
pub mod pfx;
pub mod plan;
pub mod platform;
mod profile;
pub mod renewal;
pub mod request;
mod san;
pub mod store;
pub mod text;
mod timestamp;
mod topology;

pub use algorithms::{AlgorithmError, HashAlg, KeyType};
pub use error::{
    io_message, Error, Field, KeyError, Missing, Origin, PfxError, RenewalError, SettingError,
};
pub use key::{KeyKind, PrivateKey};
pub use notes::Note;
pub use platform::{Platform, Product, WindowsServer};
pub use profile::{EdgeProfile, DEFAULT_TEMPLATE};
pub use renewal::{
    plan_certificate_request, plan_request, plan_request_allowing, Allow, CurrentCertificate,
    GivenKey, RequestPlan,
};
pub use request::{
    build_request, EdgeRequest, KeySource, RequestFormat, RequestOutputs, WrittenRequest,
};
pub use san::{SanEntry, SanPlan, SanSource};
pub use timestamp::{TimeError, Timestamp};
pub use topology::{Expectations, SubjectFields, Topology};
