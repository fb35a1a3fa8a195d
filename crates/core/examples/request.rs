//! The request `picert request` makes, with picert-core alone: a topology file in, the CSR and
//! its key out, in a temporary folder.
//!
//!     cargo run -p picert-core --example request -- fixtures/contoso.toml

use picert_core::{plan_request, KeySource, RequestFormat, RequestOutputs, Topology};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: request TOPOLOGY.toml")?;
    // The topology file, as Topology Builder knows the Edge; flags would be overlaid here.
    let topology = Topology::load(path.as_ref())?;
    // The profile to request, checked, with what deserves a word (the client EKU, ECC keys).
    let plan = plan_request(topology, None, None)?;
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    let dir = tempfile::tempdir()?;
    let stem = plan.file_stem().to_string();
    // A new key, the CSR signed with it, both written or neither.
    let written = plan.write(
        KeySource::Generate,
        &RequestOutputs {
            format: RequestFormat::Pem,
            request: Some(dir.path().join(format!("{stem}.csr"))),
            key: Some(dir.path().join(format!("{stem}.key"))),
            passphrase: None,
            overwrite: false,
        },
    )?;
    let request = written.request.ok_or("a PEM request was asked for")?;
    println!("subject  CN={}", plan.profile.access_edge);
    for (i, name) in request.san.names().iter().enumerate() {
        println!("SAN {}    {name}", i + 1);
    }
    println!(
        "key      {} (SHA-256 of the public key {})",
        request.key_kind, request.spki_sha256
    );
    for path in written.request_path.iter().chain(written.key_path.iter()) {
        println!(
            "wrote    {} ({} bytes)",
            path.display(),
            std::fs::metadata(path)?.len()
        );
    }
    Ok(())
}
