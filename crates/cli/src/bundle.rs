//! `picert bundle`: the issued certificate, its chain and its key as a PKCS#12 file that
//! `Import-PfxCertificate` and `Import-CsCertificate` accept.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use picert_core::pfx::{write_pfx, PfxContents, PfxEncryption};
use picert_core::store::{write_all, Output};
use picert_core::PrivateKey;
use picert_verify::input::read_contents_with_password;
use picert_verify::{Severity, Status};
use x509_parser::prelude::{FromDer, X509Certificate};
use zeroize::Zeroizing;

use crate::audit::{
    auditor_for, password_from, read_certificates, ExpectationArgs, PFX_PASSWORD_ENV,
};
use crate::request::PASSPHRASE_ENV;
use crate::{read_file, CliError};

#[derive(Args, Debug)]
pub struct BundleArgs {
    /// The issued certificate: PEM, DER or PKCS#7 (.p7b), with or without its chain
    #[arg(long, value_name = "FILE")]
    pub cert: PathBuf,
    /// The private key made with the request (PKCS#8, PKCS#1 or SEC1; encrypted PKCS#8 too)
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// More intermediate certificates (repeatable)
    #[arg(long = "chain", value_name = "FILE")]
    pub chains: Vec<PathBuf>,
    /// Also put the root in the file (Windows usually has it already)
    #[arg(long)]
    pub include_root: bool,
    /// 3DES and SHA-1 MAC, for Windows Server 2016 and older (default: AES-256 and SHA-256 MAC)
    #[arg(long)]
    pub legacy: bool,
    /// Friendly name in the Windows certificate store [default: the topology's, else the subject CN]
    #[arg(long, value_name = "NAME")]
    pub friendly_name: Option<String>,
    /// PFX password, first line of this file (also: PICERT_PFX_PASSWORD; else prompted twice)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Passphrase of an encrypted --key (also: PICERT_KEY_PASSPHRASE)
    #[arg(long, value_name = "FILE")]
    pub key_passphrase_file: Option<PathBuf>,
    /// Where the PKCS#12 file goes
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Overwrite --out, and write even when the audit finds errors (a key that does not match
    /// the certificate is refused all the same)
    #[arg(long)]
    pub force: bool,

    #[command(flatten)]
    pub expect: ExpectationArgs,
}

fn subject_of(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>, String, bool)> {
    let (_, c) = X509Certificate::from_der(der).ok()?;
    let cn = c
        .subject()
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .unwrap_or_default()
        .to_string();
    Some((
        c.subject().as_raw().to_vec(),
        c.issuer().as_raw().to_vec(),
        cn,
        c.is_ca(),
    ))
}

/// Orders the chain from the leaf up: each next certificate is the issuer of the previous
/// one. Certificates off that path are dropped; the root only stays when asked for.
pub fn order_chain(leaf: &[u8], others: &[Vec<u8>], include_root: bool) -> Vec<Vec<u8>> {
    let mut chain = vec![leaf.to_vec()];
    let mut current = leaf.to_vec();
    while chain.len() < 10 {
        let Some((subject, issuer, _, _)) = subject_of(&current) else {
            break;
        };
        if subject == issuer {
            break;
        }
        let Some(next) = others
            .iter()
            .find(|o| subject_of(o).is_some_and(|(s, _, _, _)| s == issuer))
        else {
            break;
        };
        if chain.contains(next) {
            break;
        }
        chain.push(next.clone());
        current = next.clone();
    }
    if !include_root && chain.len() > 1 {
        if let Some((s, i, _, _)) = chain.last().and_then(|c| subject_of(c)) {
            if s == i {
                chain.pop();
            }
        }
    }
    chain
}

fn pfx_password(args: &BundleArgs) -> Result<Zeroizing<String>, CliError> {
    if let Some(p) = password_from(args.password_file.as_ref(), PFX_PASSWORD_ENV)? {
        if p.is_empty() {
            return Err(CliError::usage(
                "the PFX password is empty: Windows asks for one on import",
            ));
        }
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "no PFX password: give --password-file or PICERT_PFX_PASSWORD (a password is never taken from the command line)",
        ));
    }
    let first = Zeroizing::new(
        rpassword::prompt_password("PFX password: ")
            .map_err(|e| CliError::Other(format!("cannot read the password: {e}")))?,
    );
    let second = Zeroizing::new(
        rpassword::prompt_password("PFX password again: ")
            .map_err(|e| CliError::Other(format!("cannot read the password: {e}")))?,
    );
    if first != second {
        return Err(CliError::usage("the two passwords differ"));
    }
    if first.is_empty() {
        return Err(CliError::usage("the PFX password is empty"));
    }
    Ok(first)
}

pub fn run(args: BundleArgs, quiet: bool) -> Result<(), CliError> {
    // Refuse an existing output before any work or prompt; write_all checks again when writing.
    if !args.force && std::fs::symlink_metadata(&args.out).is_ok() {
        return Err(picert_core::Error::Exists(args.out.display().to_string()).into());
    }
    // The certificate and everything offered with it.
    let cert_bytes = read_file(&args.cert)?;
    let contents = read_contents_with_password(&cert_bytes, None).map_err(|e| match e {
        picert_verify::input::InputError::Pkcs12PasswordNeeded => CliError::input(
            &args.cert,
            "a PKCS#12 (.pfx) file: --cert takes the certificate the CA issued (PEM, DER or .p7b), --key its key",
        ),
        other => CliError::input(&args.cert, other),
    })?;
    if contents.certificates.is_empty() {
        return Err(CliError::input(
            &args.cert,
            "holds no certificate (a request is not an issued certificate)",
        ));
    }
    let mut all = contents.certificates.clone();
    for path in &args.chains {
        all.extend(read_certificates(path)?);
    }
    let leaf_index = picert_verify::chain::pick_leaf(&contents.certificates);
    let leaf = contents.certificates[leaf_index].clone();

    // The key must be the certificate's, always.
    let key_bytes = read_file(&args.key)?;
    let passphrase =
        password_from(args.key_passphrase_file.as_ref(), PASSPHRASE_ENV)?.map(Zeroizing::new);
    let key = PrivateKey::from_bytes(&key_bytes, passphrase.as_ref().map(|p| p.as_bytes()))
        .map_err(|e| CliError::input(&args.key, e))?;
    let (_, parsed) = X509Certificate::from_der(&leaf)
        .map_err(|_| CliError::input(&args.cert, "not a valid X.509 certificate"))?;
    if parsed.tbs_certificate.subject_pki.raw != key.spki_der()?.as_slice() {
        return Err(CliError::input(
            &args.key,
            format!(
                "this key does not match the certificate ({}): use the key made with its request",
                parsed.subject()
            ),
        ));
    }

    let chain = order_chain(&leaf, &all, args.include_root);

    // The audit gate, with the same expectations and trust as `picert audit`.
    let auditor = auditor_for(&args.expect, &[])?;
    let report = auditor.audit_certificates(&args.cert.display().to_string(), &chain);
    let errors: Vec<String> = report
        .results
        .iter()
        .flatten()
        .filter(|r| r.status == Status::Finding && r.severity == Severity::Error)
        .map(|r| format!("{}: {}", r.rule, r.detail.clone().unwrap_or_default()))
        .collect();
    if !errors.is_empty() && !args.force {
        return Err(CliError::Other(format!(
            "{}: the audit finds {} error{} ({}); fix the certificate or use --force",
            args.cert.display(),
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            errors.join("; ")
        )));
    }

    let friendly = match &args.friendly_name {
        Some(n) => n.clone(),
        None => args
            .expect
            .topology
            .resolve()?
            .friendly_name
            .unwrap_or_else(|| {
                subject_of(&leaf)
                    .map(|s| s.2)
                    .unwrap_or_else(|| "Edge external".into())
            }),
    };
    let password = pfx_password(&args)?;
    let pfx = write_pfx(
        &PfxContents {
            key_pkcs8: key.pkcs8_der(),
            chain: &chain,
            friendly_name: &friendly,
        },
        &password,
        if args.legacy {
            PfxEncryption::Legacy
        } else {
            PfxEncryption::Modern
        },
    )?;
    write_all(
        &[Output {
            path: args.out.clone(),
            contents: &pfx,
            secret: true,
        }],
        args.force,
    )?;

    if !quiet {
        let names: Vec<String> = chain
            .iter()
            .filter_map(|c| subject_of(c).map(|s| s.2))
            .collect();
        if !errors.is_empty() {
            eprintln!(
                "warning: the audit found {} error{} ({}); written anyway because of --force",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                errors.join("; ")
            );
        }
        eprintln!(
            "wrote {} ({}, friendly name \"{friendly}\")",
            args.out.display(),
            if args.legacy {
                "3DES, SHA-1 MAC: for Windows Server 2016 and older"
            } else {
                "AES-256, SHA-256 MAC"
            }
        );
        eprintln!("  chain       {}", names.join(" -> "));
        let thumbprint: String = picert_core::pfx::thumbprint(&leaf)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        eprintln!("  thumbprint  {thumbprint}");
        eprintln!("Next: on every Edge server of the pool, Import-CsCertificate -Path {} -Password <password>, then Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication -Thumbprint {thumbprint}", args.out.display());
    }
    Ok(())
}
