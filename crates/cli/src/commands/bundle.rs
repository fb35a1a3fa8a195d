//! `picert bundle`: the issued certificate, its chain and its key as a PKCS#12 file that
//! `Import-PfxCertificate` and `Import-CsCertificate` accept, prepared and gated by
//! picert-verify, written by picert-core.

use std::path::PathBuf;

use clap::Args;
use picert_core::pfx::PfxEncryption;
use picert_core::store::{write_all, Output};
use picert_core::PrivateKey;
use picert_verify::bundle::{BundleError, BundleInput};
use picert_verify::deploy::DeployScript;
use picert_verify::input::{read_contents_with_password, InputError};
use picert_verify::options::read_certificates;

use crate::args::{ExpectationArgs, OutputFormat, PfxFormArgs};
use crate::output::{json_line, pfx_note_line, write_stdout, Commentary, Style};
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
    #[command(flatten)]
    pub form: PfxFormArgs,
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
    /// Also write a PowerShell script that imports the file on every Edge server of the pool
    /// (edge_servers in the topology) and assigns it with Set-CsCertificate; read it, then run
    /// it on Windows
    #[arg(long, value_name = "FILE")]
    pub deploy_script: Option<PathBuf>,
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

#[derive(serde::Serialize)]
struct Summary<'a> {
    version: u32,
    file: String,
    encryption: &'static str,
    friendly_name: &'a str,
    thumbprint: &'a str,
    chain: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    deploy_script: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
    forced: bool,
    audit: &'a picert_verify::InputReport,
}

pub fn run(args: BundleArgs, global: Global) -> Result<u8, CliError> {
    // Refuse an existing output before any work or prompt; write_all checks again when writing.
    if !args.force {
        for path in std::iter::once(&args.out).chain(args.deploy_script.iter()) {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(picert_core::Error::Exists(path.display().to_string()).into());
            }
        }
    }
    // With JSON, standard error carries errors only: the notes, the audit and the thumbprint are
    // in the document, and the next steps are the reader's own.
    let commentary = Commentary::new(global.quiet || args.format == OutputFormat::Json);
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
    // It only opens the key: an empty passphrase is taken, as the key may have one.
    let passphrase = secrets::read(args.key_passphrase_file.as_deref(), PASSPHRASE_ENV)?;
    let key = PrivateKey::from_bytes(
        &read_file(&args.key)?,
        passphrase.as_ref().map(|p| p.as_bytes()),
    )
    .map_err(|e| CliError::input(&args.key, hints::core(&e)))?;

    // The audit gate, with the same expectations and trust as `picert audit`.
    let options = args.expect.options(&[])?;
    let auditor = options.auditor()?;
    crate::output::say_topology_notes(&commentary, &options.topology);
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
        return Err(CliError::Findings(format!(
            "{}: the audit finds {} ({}); fix the certificate or use --force",
            args.cert.display(),
            render::plural(errors.len(), "error"),
            errors.join("; ")
        )));
    }
    if !errors.is_empty() {
        commentary.say(format!(
            "picert: warning: the audit found {} ({}); written anyway because of --force",
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
    let (encryption, form_note) = args.form.choose(&options.topology)?;
    let edge_servers = options.topology.edge_servers()?;
    let password = secrets::new_pfx_password(args.password_file.as_deref())?;
    let pfx = bundle.to_pfx(&key, &password, encryption, &friendly)?;
    let script = args.deploy_script.as_ref().map(|_| {
        DeployScript {
            bundle: &bundle,
            pfx_file_name: &args
                .out
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            edge_servers: &edge_servers,
            // Today, whatever --at audits the certificate at.
            made: picert_core::Timestamp::now(),
        }
        .render()
    });
    let mut outputs = vec![Output {
        path: args.out.clone(),
        contents: &pfx,
        secret: true,
    }];
    if let (Some(path), Some(text)) = (&args.deploy_script, &script) {
        outputs.push(Output {
            path: path.clone(),
            contents: text,
            secret: false,
        });
    }
    write_all(&outputs, args.force)?;
    let apart = args.deploy_script.as_ref().is_some_and(|s| {
        let parent = |p: &std::path::Path| p.parent().map(|d| d.to_path_buf()).unwrap_or_default();
        parent(s) != parent(&args.out)
    });

    match args.format {
        OutputFormat::Json => {
            let summary = Summary {
                version: 1,
                file: args.out.display().to_string(),
                encryption: match encryption {
                    PfxEncryption::Modern => "aes256-sha256",
                    PfxEncryption::Legacy => "3des-sha1",
                },
                friendly_name: &friendly,
                thumbprint: &bundle.thumbprint,
                chain: &bundle.names,
                deploy_script: args.deploy_script.as_ref().map(|p| p.display().to_string()),
                // What the topology deserves a word about, then the PKCS#12 form's note.
                notes: options
                    .topology
                    .notes()
                    .iter()
                    .map(|n| n.to_string())
                    .chain(form_note.iter().map(|n| n.to_string()))
                    .collect(),
                forced: !errors.is_empty(),
                audit: &bundle.report,
            };
            write_stdout(json_line(&summary, true)?.as_bytes())?;
        }
        OutputFormat::Human if !global.quiet => {
            // "for Windows Server 2016" only when the release imports what was written.
            let windows = match options.topology.windows {
                Some(w) if w.imports_aes_pfx() == (encryption == PfxEncryption::Modern) => {
                    format!(", for {w}")
                }
                _ => String::new(),
            };
            let mut text = format!(
                "wrote {} ({}{windows}, friendly name \"{friendly}\")\n",
                args.out.display(),
                encryption.describe(),
            );
            if let Some(path) = &args.deploy_script {
                text.push_str(&format!(
                    "wrote {} (PowerShell: import and assign on {})\n",
                    path.display(),
                    if edge_servers.is_empty() {
                        "the computer it runs on".to_string()
                    } else {
                        edge_servers.join(", ")
                    }
                ));
            }
            text.push_str(&format!(
                "  chain       {}\n  thumbprint  {}\n",
                bundle.names.join(" -> "),
                bundle.thumbprint
            ));
            write_stdout(text.as_bytes())?;
        }
        OutputFormat::Human => {}
    }
    if let Some(n) = &form_note {
        commentary.say(format!("picert: {}", pfx_note_line(n)));
    }
    match &args.deploy_script {
        Some(path) => {
            if apart {
                commentary.say(format!(
                    "picert: note: {} looks for {} in its own folder: copy both to the same folder on Windows, or run it with -PfxPath",
                    path.display(),
                    args.out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
                ));
            }
            commentary.say(format!(
                "Next: read {}, then run it on Windows as a local administrator, with {} beside it (it asks for the password)",
                path.display(),
                args.out.display()
            ));
        }
        None => commentary.say(format!(
            "Next: on every Edge server of the pool, in the {}:\n  Import-PfxCertificate -FilePath {} -CertStoreLocation Cert:\\LocalMachine\\My -Password (Read-Host -AsSecureString)\n  Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal -Thumbprint {t}\n  Set-CsCertificate -Type AudioVideoAuthentication -Thumbprint {t} -Roll -EffectiveDate <the old certificate's expiry minus 8 hours>\n(--deploy-script FILE writes these steps as a script for the whole pool)",
            crate::output::management_shell(options.topology.product),
            args.out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            t = bundle.thumbprint
        )),
    }
    // Written with --force, the certificate still fails its audit: a finding, as in `audit`.
    Ok(if errors.is_empty() { 0 } else { 1 })
}
