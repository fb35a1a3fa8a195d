//! `picert request`: arguments to a topology, picert-core's plan and writer, and the summary.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use picert_core::{
    HashAlg, KeySource, KeyType, Note, RequestFormat, RequestOutputs, RequestPlan, SubjectFields,
    Topology, WrittenRequest,
};

use picert_core::plan::CertificateKind;

use crate::args::{CertificateArgs, Chosen, PfxPasswordArgs, RenewalArgs, TopologyArgs};
use crate::output::{json_line, write_stdout, Commentary};
use crate::{CliError, Global};

#[derive(Args, Debug)]
pub struct RequestArgs {
    #[command(flatten)]
    pub topology: TopologyArgs,
    #[command(flatten)]
    pub certificate: CertificateArgs,

    /// Only the primary SIP domain gets a sip.DOMAIN SAN (Request-CsCertificate without -AllSipDomain)
    #[arg(long)]
    pub primary_sip_only: bool,
    /// Ask for the client EKU without declaring AOL
    #[arg(long, conflicts_with = "aol")]
    pub client_eku: bool,

    /// Subject country (two letters, C)
    #[arg(long, value_name = "C")]
    pub country: Option<String>,
    /// Subject state or province (ST)
    #[arg(long, value_name = "ST")]
    pub state: Option<String>,
    /// Subject locality (L)
    #[arg(long, value_name = "L")]
    pub locality: Option<String>,
    /// Subject organisation (O)
    #[arg(long, value_name = "O")]
    pub org: Option<String>,
    /// Subject organisational unit (OU)
    #[arg(long, value_name = "OU")]
    pub ou: Option<String>,
    /// Friendly name for the Windows certificate store (certreq INF)
    #[arg(long, value_name = "NAME")]
    pub friendly_name: Option<String>,

    /// Key to generate [default: rsa2048]
    #[arg(long, value_name = "TYPE")]
    pub key_type: Option<KeyType>,
    /// Signature hash [default: sha256]
    #[arg(long, value_name = "HASH")]
    pub hash: Option<HashAlg>,
    /// Certificate template for an enterprise CA, or 'none' [default: WebServer]
    #[arg(long, value_name = "NAME|none")]
    pub template: Option<String>,
    /// Also write the template as the V1 template extension (1.3.6.1.4.1.311.20.2)
    #[arg(long)]
    pub template_extension: bool,

    #[command(flatten)]
    pub renewal: RenewalArgs,
    #[command(flatten)]
    pub pfx: PfxPasswordArgs,

    /// Folder for the default output names (created when missing)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Where the CSR (or INF) goes; '-' for standard output [default: ACCESS-EDGE.csr or ACCESS-EDGE.inf]
    #[arg(long, value_name = "FILE|-")]
    pub csr: Option<PathBuf>,
    /// Where the private key goes [default: ACCESS-EDGE.key; none with --key]
    #[arg(long, value_name = "FILE")]
    pub key_out: Option<PathBuf>,
    /// Output: a PEM or DER CSR with its key, a certreq INF (the key is then made on Windows),
    /// or json: the PEM CSR and key, and a JSON summary on standard output
    #[arg(long, value_enum, default_value_t = Format::Pem)]
    pub format: Format,
    /// Overwrite existing output files; also go ahead with an ECC key for product = sfb2015,
    /// which does not support CNG certificates
    #[arg(long)]
    pub force: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Pem,
    Der,
    Inf,
    Json,
}

/// The request-only flags over the topology (or a planned certificate's settings).
fn with_request_flags(base: Topology, args: &RequestArgs) -> Topology {
    let subject = [
        &args.country,
        &args.state,
        &args.locality,
        &args.org,
        &args.ou,
    ]
    .iter()
    .any(|v| v.is_some())
    .then(|| SubjectFields {
        country: args.country.clone(),
        state: args.state.clone(),
        locality: args.locality.clone(),
        organization: args.org.clone(),
        organizational_unit: args.ou.clone(),
    });
    base.overlay(Topology {
        primary_sip_only: args.primary_sip_only.then_some(true),
        client_eku: args.client_eku.then_some(true),
        subject,
        key_type: args.key_type,
        hash: args.hash,
        template: args.template.clone(),
        template_extension: args.template_extension.then_some(true),
        friendly_name: args.friendly_name.clone(),
        ..Topology::default()
    })
}

pub fn run(args: RequestArgs, global: Global) -> Result<u8, CliError> {
    // With JSON, standard error carries errors only: the description's notes are in the
    // document's `notes`.
    let commentary = Commentary::new(global.quiet || args.format == Format::Json);
    let chosen = args.certificate.choose(&args.topology)?;
    if let Chosen::Planned(planned) = &chosen {
        let kind = planned.plan.kind;
        let edge_only: Vec<&str> = [
            (args.primary_sip_only, "--primary-sip-only"),
            (args.client_eku, "--client-eku"),
            (args.renewal.from_cert.is_some(), "--from-cert"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, flag)| *flag)
        .collect();
        if !edge_only.is_empty() {
            return Err(CliError::usage(format!(
                "{} {} for the Edge external certificate only, not the {kind} certificate",
                edge_only.join(" and "),
                if edge_only.len() == 1 { "is" } else { "are" }
            )));
        }
    }
    let (topology, planned) = match chosen {
        Chosen::Edge(t) => (with_request_flags(t.resolve()?, &args), None),
        Chosen::Planned(p) => {
            let p = *p;
            (with_request_flags(p.settings, &args), Some(p.plan))
        }
    };
    let pfx_password = args.pfx.read()?;
    let current = args
        .renewal
        .in_service(pfx_password.as_deref())?
        .map(|(_, current)| current);
    let format = match args.format {
        Format::Pem | Format::Json => RequestFormat::Pem,
        Format::Der => RequestFormat::Der,
        Format::Inf => RequestFormat::Inf,
    };
    if format == RequestFormat::Inf {
        let given: Vec<&str> = [
            (args.renewal.key.is_some(), "--key"),
            (args.renewal.reuse_key.is_some(), "--reuse-key"),
            (args.key_out.is_some(), "--key-out"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, flag)| *flag)
        .collect();
        if !given.is_empty() {
            return Err(CliError::usage(format!(
                "--format inf makes no key here (certreq makes a new one on Windows): drop {}",
                given.join(" and ")
            )));
        }
    }
    let (passphrase, existing) = args.renewal.key()?;
    let pass_bytes = passphrase.as_ref().map(|p| p.as_bytes());
    let plan = match &planned {
        Some(certificate) => {
            args.renewal
                .plan_certificate(certificate, topology, existing.as_ref(), args.force)?
        }
        None => args
            .renewal
            .plan(topology, current.as_ref(), existing.as_ref(), args.force)?,
    };

    let stem = plan.file_stem().to_string();
    let request_path = match &args.csr {
        Some(p) if p.as_os_str() == "-" => None,
        Some(p) => Some(p.clone()),
        None => Some(args.out_dir.join(format!("{stem}.{}", format.extension()))),
    };
    let generating = existing.is_none();
    let key_path = match (&args.key_out, generating, format) {
        (_, _, RequestFormat::Inf) => None,
        (Some(p), _, _) => Some(p.clone()),
        (None, true, _) => Some(args.out_dir.join(format!("{stem}.key"))),
        (None, false, _) => None,
    };
    let outputs = RequestOutputs {
        format,
        request: request_path,
        key: key_path,
        passphrase: pass_bytes,
        overwrite: args.force,
    };
    let source = match existing {
        Some(k) => KeySource::Existing(k),
        None => KeySource::Generate,
    };
    // A slow key says what is awaited, as every long wait does (on a terminal, after a second).
    let slow = generating
        && format != RequestFormat::Inf
        && matches!(plan.profile.key_type, KeyType::Rsa3072 | KeyType::Rsa4096);
    let waiting = slow.then(|| {
        crate::output::Waiting::start(
            global.quiet || args.format == Format::Json,
            format!("generating an {} key", plan.profile.key_type.describe()),
        )
    });
    let written = plan.write(source, &outputs);
    drop(waiting);
    let written = written?;

    // The data asked for on standard output; the description on standard error.
    if args.format == Format::Json {
        write_stdout(json_line(&summary_json(&plan, &written), true)?.as_bytes())?;
    } else if written.request_path.is_none() {
        write_stdout(&written.bytes)?;
    } else if !global.quiet {
        let mut out = String::new();
        if let Some(p) = &written.request_path {
            out.push_str(&format!("wrote {}\n", p.display()));
        }
        if let Some(p) = &written.key_path {
            out.push_str(&format!("wrote {}\n", p.display()));
        }
        write_stdout(out.as_bytes())?;
    }
    commentary.say(describe(&plan, &written, &args));
    Ok(0)
}

/// The request described for people, with its notes and the next step.
fn describe(plan: &RequestPlan, written: &WrittenRequest, args: &RequestArgs) -> String {
    let p = &plan.profile;
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    match &p.certificate {
        None => line("Edge external certificate request".into()),
        Some(c) => line(format!(
            "{} certificate request for {} (site {}; {} CA)",
            c.kind, c.pool, c.site, c.ca
        )),
    }
    line(format!("  subject      {}", p.subject_line()));
    for (i, e) in p.san_plan().entries().iter().enumerate() {
        let head = if i == 0 {
            "  SAN (order)"
        } else {
            "             "
        };
        line(format!("{head}  {}. {} ({})", i + 1, e.name, e.source));
    }
    if let Some(av) = &p.av_edge {
        line(format!("  A/V Edge     {av} (not a SAN: the A/V Edge service does not use the certificate's names)"));
    }
    let eku = match (p.client_eku, p.aol) {
        (true, true) => "serverAuth, clientAuth (PIC with AOL)",
        (true, false) => "serverAuth, clientAuth",
        _ => "serverAuth",
    };
    line(format!("  EKU          {eku}"));
    line(format!(
        "  key usage    {}",
        if p.key_type.is_rsa() {
            "digitalSignature, keyEncipherment (critical)"
        } else {
            "digitalSignature (critical)"
        }
    ));
    line(match &p.template {
        Some(t) if p.template_extension => {
            format!("  template     {t} (request attribute and V1 template extension)")
        }
        Some(t) => format!("  template     {t} (request attribute; public CAs ignore it)"),
        None => "  template     none".into(),
    });
    let key_from = || {
        args.renewal
            .key_file()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    };
    match (&written.request, &written.key_path) {
        (None, _) => line(format!(
            "  key          made by certreq on the Edge server ({}, exportable)",
            p.key_type.describe()
        )),
        (Some(r), Some(k)) if written.key_generated => line(format!(
            "  key          new {}, written to {} (mode 0600{})",
            r.key_kind,
            k.display(),
            if written.key_encrypted {
                ", encrypted"
            } else {
                ""
            }
        )),
        (Some(r), Some(k)) => line(format!(
            "  key          {} from {}, written to {}",
            r.key_kind,
            key_from(),
            k.display()
        )),
        (Some(r), None) => line(format!("  key          {} from {}", r.key_kind, key_from())),
    }
    if let Some(r) = &written.request {
        line(format!(
            "  signature    {}",
            match r.key_kind {
                picert_core::KeyKind::Rsa(_) =>
                    format!("{}WithRSAEncryption (PKCS#1 v1.5)", p.hash),
                _ => format!("ecdsa-with-{}", p.hash.as_str().to_uppercase()),
            }
        ));
        line(format!("  public key   SHA-256 {}", r.spki_sha256));
    }
    let hint = format!(
        "{}{}",
        args.topology.as_flags(),
        args.certificate
            .as_flags(p.certificate.as_ref().map(|c| c.pool.as_str()))
    );
    let ca = match &p.certificate {
        Some(c) if c.ca == picert_core::plan::CaKind::Enterprise => "the enterprise CA",
        _ => "a public CA",
    };
    match (&written.request, &written.request_path) {
        (None, Some(path)) => {
            line(format!("  wrote        {}", path.display()));
            let server = match p.kind() {
                CertificateKind::EdgeExternal | CertificateKind::EdgeInternal => "the Edge server",
                CertificateKind::ReverseProxy => "the reverse proxy",
                _ => "a server of the pool",
            };
            line(format!(
                "Next: on {server}, run certreq -new {} edge.csr, submit edge.csr to the CA, then run picert audit on the issued certificate.",
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            ));
        }
        (None, None) => {}
        (Some(_), Some(path)) => {
            line(format!("  wrote        {}", path.display()));
            line(format!("Next: submit {} to {ca}, then check what it issues with: picert audit ISSUED.pem{hint}", path.display()));
        }
        (Some(_), None) => line(format!("Next: submit the request to {ca}, then check what it issues with: picert audit ISSUED.pem{hint}")),
    }
    for note in &plan.notes {
        line(note_line(note));
    }
    out.trim_end().to_string()
}

/// A note as this command line says it.
fn note_line(note: &Note) -> String {
    match note {
        // Two lines here; the dates and the CAs' names are in the JSON's notes and in
        // docs/request.md.
        Note::ClientEku { aol } => format!(
            "picert: warning: public CAs are dropping the client EKU (clientAuth) this request asks for{}, and Chrome forbids it from 2027-03-15; Skype for Business Server 2015 and 2019 need only the server EKU.\n  An enterprise CA template that allows clientAuth still issues it (Request-CsCertificate -ClientEku $true -Template <name>); picert federation --client-cert shows whether a partner checks it.",
            if *aol { " because PIC with AOL is declared" } else { "" }
        ),
        Note::ClientEkuDropped => format!("picert: renewal: {note} (--client-eku keeps it)"),
        n => format!("picert: {}", crate::output::note_line(n)),
    }
}

#[derive(serde::Serialize)]
struct JsonSummary {
    version: u32,
    certificate: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pool: Option<String>,
    request: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_pem: Option<String>,
    key: Option<String>,
    key_generated: bool,
    key_encrypted: bool,
    subject: String,
    san: Vec<String>,
    eku: Vec<&'static str>,
    key_type: String,
    template: Option<String>,
    public_key_sha256: Option<String>,
    notes: Vec<String>,
}

fn summary_json(plan: &RequestPlan, written: &WrittenRequest) -> JsonSummary {
    let p = &plan.profile;
    JsonSummary {
        version: 1,
        certificate: p.kind().as_str(),
        pool: p.certificate.as_ref().map(|c| c.pool.clone()),
        request: written
            .request_path
            .as_ref()
            .map(|p| p.display().to_string()),
        request_pem: written
            .request_path
            .is_none()
            .then(|| String::from_utf8_lossy(&written.bytes).into_owned()),
        key: written.key_path.as_ref().map(|p| p.display().to_string()),
        key_generated: written.key_generated,
        key_encrypted: written.key_encrypted,
        subject: p.subject_line(),
        san: p.san_plan().names().iter().map(|s| s.to_string()).collect(),
        eku: if p.client_eku {
            vec!["serverAuth", "clientAuth"]
        } else {
            vec!["serverAuth"]
        },
        key_type: p.key_type.as_str().into(),
        template: p.template.clone(),
        public_key_sha256: written.request.as_ref().map(|r| r.spki_sha256.clone()),
        notes: plan.notes.iter().map(|n| n.to_string()).collect(),
    }
}
