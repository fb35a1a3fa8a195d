//! Pebble and pebble-challtestsrv on loopback for `scripts/examples.sh`, as the ACME tests start
//! them. Prints one line, `DIRECTORY SERVER-CA HOOK ISSUER-ROOT` (the directory URL, the CA of
//! Pebble's own TLS certificate, a dns-01 hook that publishes into pebble-challtestsrv, and the
//! root Pebble issues under), then serves until its standard input closes.
//!
//!     cargo run -p picert-tests --example pebble

use std::io::Read;

use picert_tests::servers::Pebble;

fn main() {
    let pebble = Pebble::start(&[]);
    println!(
        "{} {} {} {}",
        pebble.directory,
        pebble.tls_ca.display(),
        pebble.hook(false, false).display(),
        pebble.root().display()
    );
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(pebble);
}
