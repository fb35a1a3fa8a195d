//! One issuance as `picert acme` makes it: the PIC table's names from a topology, a dns-01
//! challenge published by a hook program, the chain audited on arrival, and the chain and new
//! key written as one generation beside each other.
//!
//!     cargo run -p picert-acme --example issue -- fixtures/contoso.toml DIRECTORY-URL \
//!         ACME-SERVER-CA.pem HOOK OUT-DIR [ISSUER-ROOT.pem]
//!
//! `scripts/examples.sh` runs it against Pebble on loopback (PIC with AOL is turned off: ACME
//! certificates carry the server EKU only).

use std::path::PathBuf;
use std::time::Duration;

use picert_acme::{recover, run, AcmeJob, AcmeOptions, CommandHook};
use picert_core::{plan_request, KeySource, Topology};
use picert_verify::AuditOptions;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [topology, directory, server_ca, hook, out_dir, rest @ ..] = args.as_slice() else {
        return Err("usage: issue TOPOLOGY DIRECTORY SERVER-CA HOOK OUT-DIR [ISSUER-ROOT]".into());
    };
    let mut topology = Topology::load(topology.as_ref())?;
    topology.aol = Some(false);
    let plan = plan_request(topology.clone(), None, None)?;
    let auditor = AuditOptions {
        topology,
        trust_store: rest.first().map(PathBuf::from),
        ..AuditOptions::default()
    }
    .auditor()?;
    let out_dir = PathBuf::from(out_dir);
    let options = AcmeOptions {
        directory_roots: CertificateDer::pem_file_iter(server_ca)?.collect::<Result<_, _>>()?,
        agree_tos: true,
        timeout: Duration::from_secs(20),
        ..AcmeOptions::new(directory, out_dir.join("account.key"))
    };
    let hook = CommandHook {
        program: hook.into(),
        timeout: Duration::from_secs(30),
        // The hook needs none of the caller's secrets.
        withheld_env: vec!["PICERT_PFX_PASSWORD".into(), "PICERT_KEY_PASSPHRASE".into()],
    };
    let mut progress = |p: picert_acme::Progress| eprintln!("{p:?}");
    // A set that a kill or a power loss split is completed first, from its last generation.
    recover(&out_dir, &mut progress)?;
    let job = AcmeJob {
        options,
        plan,
        key: KeySource::Generate,
        out_dir,
        key_passphrase: None,
        pfx: None,
        overwrite: false,
        placement_pause: Duration::ZERO,
        deploy_hook: None,
        deploy_script: None,
    };
    let outcome = run(job, &auditor, &hook, &mut progress)?;
    println!(
        "{} {} ({} findings)",
        outcome.certificate_path.display(),
        outcome.thumbprint,
        outcome.report.findings().len()
    );
    Ok(())
}
