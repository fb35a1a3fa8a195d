//! What a live Edge presents on its TLS port: a handshake that records the chain, with SNI, a
//! deadline, optionally a client certificate, and no trust decision of its own (picert-verify
//! makes that decision afterwards, on the [`Presented`] facts).
//!
//! Besides the handshake proper (rustls, TLS 1.2 and 1.3), each TLS version is offered alone on
//! a connection of its own, so that the report lists every version the server accepts; TLS 1.0
//! and 1.1, which rustls does not speak, are written and read with tls-parser, which is also
//! how the certificate of a server that speaks nothing newer is read.

mod handshake;
mod identity;
mod legacy;

use std::net::SocketAddr;
use std::time::Duration;

pub use handshake::fetch_chain;
pub use identity::{ClientIdentity, IdentityError};
#[doc(hidden)]
pub use legacy::fuzz_first_flight;
use picert_verify::facts::tls::{ClientCertificate, LiveError, Presented, Target, TlsFacts};

/// How to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// The name sent as SNI and checked against the certificate; the host by default.
    pub server_name: Option<String>,
    /// The most each connection may take: the TCP connection, the handshake, and the wait for
    /// a refusal of our client certificate.
    pub timeout: Duration,
    /// Connect to this address instead of resolving the host (one member of a pool).
    pub address: Option<SocketAddr>,
    /// Present this certificate when the server asks for one.
    pub client: Option<ClientIdentity>,
    /// Also ask which TLS versions the server offers (1.0, 1.1 and 1.2 on connections of their
    /// own, at the same time as the handshake), and read the certificate of a server that
    /// speaks only 1.0 or 1.1.
    pub probe_versions: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            server_name: None,
            timeout: Duration::from_secs(10),
            address: None,
            client: None,
            probe_versions: true,
        }
    }
}
