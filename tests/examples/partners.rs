//! Loopback partners for `scripts/bench-network.sh` and `scripts/examples.sh`: an authoritative
//! DNS server with N SIP domains (`partner00.com` ...), each federation SRV record pointing at
//! one port: PORT when it is given (a TLS server of the caller's), otherwise one that accepts
//! connections and never answers. Prints the DNS server's address, then serves until its
//! standard input closes.
//!
//!     cargo run --release -p picert-tests --example partners -- 50 [PORT]

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use picert_tests::servers::{DnsServer, SilentServer};

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(50);
    let given: Option<u16> = std::env::args().nth(2).and_then(|p| p.parse().ok());
    let silent = given
        .is_none()
        .then(|| SilentServer::start(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0)));
    let port = given
        .or(silent.as_ref().map(|s| s.addr.port()))
        .unwrap_or_default();
    let zones: Vec<(String, String)> = (0..count)
        .map(|i| {
            let name = format!("partner{i:02}.com");
            let zone = format!(
                "_sipfederationtls._tcp IN SRV 0 0 {port} sip.{name}.\nsip IN A 127.0.0.1\n"
            );
            (name, zone)
        })
        .collect();
    let refs: Vec<(&str, &str)> = zones
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dns = DnsServer::start(&refs);
    println!("{}", dns.addr);
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(dns);
    drop(silent);
}
