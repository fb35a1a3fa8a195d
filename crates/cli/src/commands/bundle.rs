//! `picert bundle`: the issued certificate, its chain and its key as a PKCS#12 file that
//! `Import-PfxCertificate` and `Import-CsCertificate` accept, prepared and gated by
//! picert-verify, written by picert-core.

use std::path::PathBuf;

use clap::Args;
use picert_core::pfx::PfxEncryption;
use picert_core::store::{write_all, Output};
use picert_core::PrivateKey;
use picert_verify::bundle::{BundleError, BundleInput};
use picert_verify::input::{read_contents_with_password, InputError};
use picert_verify::options::read_certificates;

use crate::args::{ExpectationArgs, OutputFormat};
use crate::output::{json_line, write_stdout, Commentary, Style};
use crate::secrets::{self, PASSPHRASE_ENV};
use crate::{hints, read_file, render, CliError, Global};

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
    /// Where the PKCS#12 file goes (missing folders are created)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Overwrite --out, and write even when the audit finds errors (a key that does not match
    /// the certificate is refused all the same)
    #[arg(long)]
    pub force: bool,
    /// Summary format: text (the file, chain and thumbprint on standard output), or JSON
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    #[command(flatten)]
    pub expect: ExpectationArgs,
}

#[derive(Copy, Clone, Debug)]
enum Protection {
    Aes256Sha256,
    TripleDesSha1,
}

#[derive(serde::Serialize)]
struct Summary<'a> {
    version: u32,
    file: String,
    encryption: &'static str,
    friendly_name: &'a str,
    thumbprint: &'a str,
    chain: &'a [String],
    forced: bool,
    audit: &'a picert_verify::InputReport,
}

pub fn run(args: BundleArgs, global: Global) -> Result<u8, CliError> {
    // Refuse an existing output before any work or prompt; write_all checks again when writing.
    if !args.force && std::fs::symlink_metadata(&args.out).is_ok() {
        return Err(picert_core::Error::Exists(args.out.display().to_string()).into());
    }
    let commentary = Commentary::new(global.quiet);
    let cert_bytes = read_file(&args.cert)?;
    let contents = read_contents_with_password(&cert_bytes, None).map_err(|e| match e {
        InputError::Pkcs12PasswordNeeded => CliError::input(
            &args.cert,
            "a PKCS#12 (.pfx) file: --cert takes the certificate the CA issued (PEM, DER or .p7b), --key its key",
        ),
        other => CliError::input(&args.cert, other),
    })?;
    let mut extra = Vec::new();
    for path in &args.chains {
        extra.extend(read_certificates(path).map_err(|e| CliError::input(path, e))?);
    }
    let passphrase = secrets::read_non_empty(
        args.key_passphrase_file.as_deref(),
        PASSPHRASE_ENV,
        "key passphrase",
    )?;
    let key = PrivateKey::from_bytes(
        &read_file(&args.key)?,
        passphrase.as_ref().map(|p| p.as_bytes()),
    )
    .map_err(|e| CliError::input(&args.key, hints::core(&e)))?;

    // The audit gate, with the same expectations and trust as `picert audit`.
    let options = args.expect.options(&[])?;
    let auditor = options.auditor()?;
    let label = args.cert.display().to_string();
    let bundle = auditor
        .prepare_bundle(&BundleInput {
            certificates: &contents.certificates,
            extra: &extra,
            key: &key,
            include_root: args.include_root,
            label: &label,
        })
        .map_err(|e| match e {
            BundleError::KeyMismatch { .. } => CliError::input(&args.key, e),
            other => CliError::input(&args.cert, other),
        })?;
    let errors: Vec<String> = bundle
        .errors()
        .iter()
        .map(|r| format!("{}: {}", r.rule, r.detail.clone().unwrap_or_default()))
        .collect();
    if !errors.is_empty() && !args.force {
        return Err(CliError::Other(format!(
            "{}: the audit finds {} ({}); fix the certificate or use --force",
            args.cert.display(),
            render::plural(errors.len(), "error"),
            errors.join("; ")
        )));
    }
    if !errors.is_empty() {
        commentary.say(format!(
            "warning: the audit found {} ({}); written anyway because of --force",
            render::plural(errors.len(), "error"),
            errors.join("; ")
        ));
    }
    // Warnings and notices, as `audit` shows them.
    let style = Style::stderr(global.color);
    let mut lines = String::new();
    for r in bundle.report.findings() {
        if r.severity != picert_verify::Severity::Error {
            lines.push_str(&format!(
                "{}: {}  {}\n",
                style.paint(
                    if r.severity == picert_verify::Severity::Warning {
                        "33"
                    } else {
                        "36"
                    },
                    r.severity.as_str()
                ),
                r.rule,
                r.detail.as_deref().unwrap_or_default()
            ));
        }
    }
    if !lines.is_empty() {
        commentary.say(lines);
    }

    let topology_name = options.topology.friendly_name.clone();
    let friendly = bundle.friendly_name(args.friendly_name.as_deref().or(topology_name.as_deref()));
    let password = secrets::new_pfx_password(args.password_file.as_deref())?;
    let (encryption, protection) = if args.legacy {
        (PfxEncryption::Legacy, Protection::TripleDesSha1)
    } else {
        (PfxEncryption::Modern, Protection::Aes256Sha256)
    };
    let pfx = bundle.to_pfx(&key, &password, encryption, &friendly)?;
    write_all(
        &[Output {
            path: args.out.clone(),
            contents: &pfx,
            secret: true,
        }],
        args.force,
    )?;

    match args.format {
        OutputFormat::Json => {
            let summary = Summary {
                version: 1,
                file: args.out.display().to_string(),
                encryption: match protection {
                    Protection::Aes256Sha256 => "aes256-sha256",
                    Protection::TripleDesSha1 => "3des-sha1",
                },
                friendly_name: &friendly,
                thumbprint: &bundle.thumbprint,
                chain: &bundle.names,
                forced: !errors.is_empty(),
                audit: &bundle.report,
            };
            write_stdout(json_line(&summary, true)?.as_bytes())?;
        }
        OutputFormat::Human if !global.quiet => {
            write_stdout(
                format!(
                    "wrote {} ({}, friendly name \"{friendly}\")\n  chain       {}\n  thumbprint  {}\n",
                    args.out.display(),
                    match protection {
                        Protection::TripleDesSha1 =>
                            "3DES, SHA-1 MAC: for Windows Server 2016 and older",
                        Protection::Aes256Sha256 => "AES-256, SHA-256 MAC",
                    },
                    bundle.names.join(" -> "),
                    bundle.thumbprint
                )
                .as_bytes(),
            )?;
        }
        OutputFormat::Human => {}
    }
    commentary.say(format!(
        "Next: on every Edge server of the pool, Import-CsCertificate -Path {} -Password <password>, then Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal,AudioVideoAuthentication -Thumbprint {}",
        args.out.display(),
        bundle.thumbprint
    ));
    Ok(0)
}
