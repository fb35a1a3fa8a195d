//! The PKCS#12 file `picert bundle` writes: the issued certificate, its chain and its key in,
//! the file Windows imports out (in a temporary folder), after the audit gate.
//!
//!     cargo run -p picert-verify --example bundle -- fixtures/pki/good.pem \
//!         fixtures/pki/keys/leaf.key fixtures/pki/public-root.pem 2026-06-01

use picert_core::pfx::PfxEncryption;
use picert_core::store::{write_all, Output};
use picert_core::{PrivateKey, Timestamp};
use picert_verify::bundle::BundleInput;
use picert_verify::options::read_certificates;
use picert_verify::AuditOptions;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(cert), Some(key)) = (args.first(), args.get(1)) else {
        return Err("usage: bundle CERTIFICATE KEY [ROOTS [DATE]]".into());
    };
    let certificates = read_certificates(cert.as_ref())?;
    let key = PrivateKey::from_bytes(&std::fs::read(key)?, None)?;
    let auditor = AuditOptions {
        trust_store: args.get(2).map(Into::into),
        at: args.get(3).map(|d| Timestamp::parse(d)).transpose()?,
        ..AuditOptions::default()
    }
    .auditor()?;
    // The key must be the certificate's; the chain is put in order; the audit runs.
    let bundle = auditor.prepare_bundle(&BundleInput {
        certificates: &certificates,
        extra: &[],
        key: &key,
        include_root: false,
        label: cert,
    })?;
    if let Some(error) = bundle.errors().first() {
        return Err(format!("the audit refuses it: {}", error.rule).into());
    }
    // AES-256 with a SHA-256 MAC: Windows Server 2019 and later (Legacy for older ones).
    let pfx = bundle.to_pfx(
        &key,
        "example password",
        PfxEncryption::Modern,
        &bundle.friendly_name(None),
    )?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("edge.pfx");
    write_all(
        &[Output {
            path: path.clone(),
            contents: &pfx,
            secret: true,
        }],
        false,
    )?;
    println!("wrote      {} ({} bytes)", path.display(), pfx.len());
    println!("chain      {}", bundle.names.join(" -> "));
    println!("thumbprint {}", bundle.thumbprint);
    Ok(())
}
