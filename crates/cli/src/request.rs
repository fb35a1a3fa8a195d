//! `picert request`: arguments to a profile, the profile to files, and the summary.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use picert_core::store::{write_all, Output};
use picert_core::{
    build_request, inf, EdgeProfile, HashAlg, KeyKind, KeyType, PrivateKey, SubjectFields, Topology,
};
use picert_core::{SanEntry, SanPlan, SanSource};
use zeroize::Zeroizing;

use crate::{read_file, write_stdout, CliError};

/// Environment variable holding the key passphrase.
pub const PASSPHRASE_ENV: &str = "PICERT_KEY_PASSPHRASE";

#[derive(Args, Debug)]
pub struct RequestArgs {
    #[command(flatten)]
    pub topology: TopologyArgs,

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
    #[arg(long, value_name = "TYPE", value_parser = parse_key_type)]
    pub key_type: Option<KeyType>,
    /// Signature hash [default: sha256]
    #[arg(long, value_name = "HASH", value_parser = parse_hash)]
    pub hash: Option<HashAlg>,
    /// Certificate template for an enterprise CA, or 'none' [default: WebServer]
    #[arg(long, value_name = "NAME|none")]
    pub template: Option<String>,
    /// Also write the template as the V1 template extension (1.3.6.1.4.1.311.20.2)
    #[arg(long)]
    pub template_extension: bool,

    /// Use this existing private key (PKCS#8, PKCS#1 or SEC1; PEM or DER) instead of generating one
    #[arg(long, value_name = "FILE", conflicts_with = "reuse_key")]
    pub key: Option<PathBuf>,
    /// Renewal: take the subject, the SANs in their order, the EKUs and the key size from the
    /// certificate in service; names the topology adds are appended, none is dropped
    #[arg(long, value_name = "FILE")]
    pub from_cert: Option<PathBuf>,
    /// With --from-cert: keep the key of the certificate in service (it must match it)
    #[arg(long, value_name = "KEYFILE", requires = "from_cert")]
    pub reuse_key: Option<PathBuf>,
    /// Passphrase for reading an encrypted --key and for encrypting the key written
    /// (also: PICERT_KEY_PASSPHRASE)
    #[arg(long, value_name = "FILE")]
    pub key_passphrase_file: Option<PathBuf>,

    /// Folder for the default output names
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Where the CSR (or INF) goes; '-' for standard output [default: ACCESS-EDGE.csr or ACCESS-EDGE.inf]
    #[arg(long, value_name = "FILE|-")]
    pub csr: Option<PathBuf>,
    /// Where the private key goes [default: ACCESS-EDGE.key; none with --key]
    #[arg(long, value_name = "FILE")]
    pub key_out: Option<PathBuf>,
    /// Output: a PEM or DER CSR with its key, or a certreq INF (the key is then made on Windows)
    #[arg(long, value_enum, default_value_t = Format::Pem)]
    pub format: Format,
    /// Overwrite existing output files
    #[arg(long)]
    pub force: bool,
}

/// The expectation flags shared by `request` and `audit`.
#[derive(Args, Debug, Default)]
pub struct TopologyArgs {
    /// Topology file (TOML; see docs/topology.md). Flags override its fields.
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,
    /// Access Edge external FQDN (the subject name)
    #[arg(long, value_name = "FQDN")]
    pub access_edge: Option<String>,
    /// Web Conferencing Edge external FQDN
    #[arg(long, value_name = "FQDN")]
    pub webconf: Option<String>,
    /// A/V Edge external FQDN (recorded; never a SAN)
    #[arg(long, value_name = "FQDN")]
    pub av: Option<String>,
    /// SIP domain, primary first (repeat for each)
    #[arg(long = "sip-domain", value_name = "DOMAIN")]
    pub sip_domains: Vec<String>,
    /// Extra SAN name after the SIP domains (repeat for each)
    #[arg(long = "extra-san", value_name = "FQDN")]
    pub extra_sans: Vec<String>,
    /// Public IM Connectivity with AOL is deployed: the client EKU is required
    #[arg(long, conflicts_with = "no_aol")]
    pub aol: bool,
    /// AOL is not deployed, whatever the topology file says
    #[arg(long)]
    pub no_aol: bool,
}

impl TopologyArgs {
    /// The topology file (if any) with these flags over it.
    pub fn resolve(&self) -> Result<Topology, CliError> {
        let base = match &self.topology {
            Some(path) => Topology::load(path)?,
            None => Topology::default(),
        };
        let flags = Topology {
            access_edge: self.access_edge.clone(),
            webconf_edge: self.webconf.clone(),
            av_edge: self.av.clone(),
            sip_domains: (!self.sip_domains.is_empty()).then(|| self.sip_domains.clone()),
            extra_sans: (!self.extra_sans.is_empty()).then(|| self.extra_sans.clone()),
            aol: if self.aol {
                Some(true)
            } else if self.no_aol {
                Some(false)
            } else {
                None
            },
            ..Topology::default()
        };
        Ok(base.overlay(flags))
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Pem,
    Der,
    Inf,
}

fn parse_key_type(s: &str) -> Result<KeyType, String> {
    s.parse()
}

fn parse_hash(s: &str) -> Result<HashAlg, String> {
    s.parse()
}

fn some_if(value: &Option<String>) -> Option<String> {
    value.clone()
}

fn profile_from(args: &RequestArgs) -> Result<Topology, CliError> {
    let base = args.topology.resolve()?;
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
        country: some_if(&args.country),
        state: some_if(&args.state),
        locality: some_if(&args.locality),
        organization: some_if(&args.org),
        organizational_unit: some_if(&args.ou),
    });
    Ok(base.overlay(Topology {
        primary_sip_only: args.primary_sip_only.then_some(true),
        client_eku: args.client_eku.then_some(true),
        subject,
        key_type: args.key_type,
        hash: args.hash,
        template: args.template.clone(),
        template_extension: args.template_extension.then_some(true),
        friendly_name: args.friendly_name.clone(),
        ..Topology::default()
    }))
}

/// Reads the passphrase from a file (first line) or the environment.
fn passphrase(args: &RequestArgs) -> Result<Option<Zeroizing<Vec<u8>>>, CliError> {
    if let Some(path) = &args.key_passphrase_file {
        let bytes = read_file(path)?;
        let line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return Err(CliError::input(path, "the passphrase file is empty"));
        }
        return Ok(Some(Zeroizing::new(line.to_vec())));
    }
    match std::env::var_os(PASSPHRASE_ENV) {
        Some(v) if !v.is_empty() => Ok(Some(Zeroizing::new(v.into_encoded_bytes()))),
        _ => Ok(None),
    }
}

/// What renewal takes from the certificate in service.
struct Current {
    /// Subject, EKU and key as topology fields (file and flags override them).
    topology: Topology,
    /// The CN, normalised.
    cn: Option<String>,
    /// The DNS SANs in their order, normalised.
    sans: Vec<String>,
    /// The certificate's public key (SubjectPublicKeyInfo DER).
    spki: Vec<u8>,
}

fn first_text<'a>(
    mut it: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'a>>,
) -> Option<String> {
    it.next().and_then(|a| a.as_str().ok()).map(str::to_string)
}

fn read_current(path: &Path) -> Result<Current, CliError> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let bytes = read_file(path)?;
    let pfx_password = crate::audit::password_from(None, crate::audit::PFX_PASSWORD_ENV)?;
    let contents = picert_verify::input::read_contents_with_password(&bytes, pfx_password.as_deref())
        .map_err(|e| match e {
            picert_verify::input::InputError::Pkcs12PasswordNeeded => CliError::input(
                path,
                "a PKCS#12 (.pfx) file: set PICERT_PFX_PASSWORD to open it, or give the certificate as PEM, DER or .p7b",
            ),
            other => CliError::input(path, other),
        })?;
    if contents.certificates.is_empty() {
        return Err(CliError::input(
            path,
            "holds no certificate: --from-cert takes the certificate in service",
        ));
    }
    let leaf = &contents.certificates[picert_verify::chain::pick_leaf(&contents.certificates)];
    let facts =
        picert_verify::facts::certificate_facts(leaf).map_err(|e| CliError::input(path, e))?;
    let (_, cert) = X509Certificate::from_der(leaf)
        .map_err(|_| CliError::input(path, "not a valid X.509 certificate"))?;
    let subject = cert.subject();
    let name = |n: &str| {
        picert_core::names::normalize_fqdn(n).map_err(|e| {
            CliError::input(
                path,
                format!("the certificate in service carries a name picert will not request: {e}"),
            )
        })
    };
    let cn = match facts.common_names.as_slice() {
        [Some(cn)] => Some(name(cn)?),
        _ => None,
    };
    let sans = facts
        .dns_sans
        .iter()
        .map(|n| name(n))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sip_domains: Vec<String> = sans
        .iter()
        .filter_map(|n| n.strip_prefix("sip."))
        .map(str::to_string)
        .collect();
    if sip_domains.is_empty() {
        if let Some(parent) = cn
            .as_deref()
            .and_then(|c| c.split_once('.'))
            .map(|(_, p)| p.to_string())
        {
            sip_domains.push(parent);
        }
    }
    let key_type = match facts.key {
        picert_verify::facts::KeyFacts::Rsa { bits: 3072 } => Some(KeyType::Rsa3072),
        picert_verify::facts::KeyFacts::Rsa { bits: 4096 } => Some(KeyType::Rsa4096),
        picert_verify::facts::KeyFacts::Rsa { .. } => Some(KeyType::Rsa2048),
        picert_verify::facts::KeyFacts::Ec { ref curve } if curve == "P-256" => {
            Some(KeyType::EcdsaP256)
        }
        picert_verify::facts::KeyFacts::Ec { ref curve } if curve == "P-384" => {
            Some(KeyType::EcdsaP384)
        }
        _ => None,
    };
    let client = facts
        .eku
        .as_ref()
        .is_some_and(|e| e.iter().any(|o| o == "1.3.6.1.5.5.7.3.2"));
    Ok(Current {
        topology: Topology {
            access_edge: cn.clone().or_else(|| sans.first().cloned()),
            sip_domains: Some(sip_domains),
            client_eku: client.then_some(true),
            key_type,
            subject: Some(SubjectFields {
                country: first_text(subject.iter_country()),
                state: first_text(subject.iter_state_or_province()),
                locality: first_text(subject.iter_locality()),
                organization: first_text(subject.iter_organization()),
                organizational_unit: first_text(subject.iter_organizational_unit()),
            }),
            ..Topology::default()
        },
        cn,
        sans,
        spki: cert.tbs_certificate.subject_pki.raw.to_vec(),
    })
}

/// Renewal: the certificate's SANs in their order, then what the topology adds; prints what
/// differs from the topology when one was given.
fn renewal_plan(
    current: &Current,
    profile: &EdgeProfile,
    topology_given: bool,
    quiet: bool,
) -> SanPlan {
    // The subject of the new request (the topology's Access Edge FQDN when it changes) is
    // always SAN 1, as the table wants; then the certificate's names in their order.
    let subject = SanEntry {
        name: profile.access_edge.clone(),
        source: SanSource::Subject,
    };
    let cert_plan =
        SanPlan::from_entries(std::iter::once(subject).chain(current.sans.iter().map(|n| {
            SanEntry {
                name: n.clone(),
                source: SanSource::CurrentCertificate,
            }
        })));
    let wanted = profile.san_plan();
    let merged = SanPlan::merged(&cert_plan, &wanted);
    if !quiet
        && current.sans.first() != Some(&profile.access_edge)
        && current.sans.contains(&profile.access_edge)
    {
        eprintln!(
            "renewal: {} (the subject) moves to SAN 1, where the certificate table wants it; the other names keep their order",
            profile.access_edge
        );
    }
    if topology_given && !quiet {
        let mut err = std::io::stderr().lock();
        for e in wanted.entries() {
            if !current.sans.contains(&e.name) {
                let _ = writeln!(
                    err,
                    "renewal: {} ({}) is not in the certificate in service: added",
                    e.name, e.source
                );
            }
        }
        for n in &current.sans {
            if !wanted.names().contains(&n.as_str()) {
                let _ = writeln!(err, "renewal: {n} is in the certificate in service but not in the topology: kept (request from the topology alone to drop it)");
            }
        }
        if let Some(cn) = &current.cn {
            if cn != &profile.access_edge {
                let _ = writeln!(err, "renewal: the subject changes from {cn} to {} (the topology's Access Edge FQDN)", profile.access_edge);
            }
        }
    }
    merged
}

pub fn run(args: RequestArgs, quiet: bool) -> Result<(), CliError> {
    let mut topology = profile_from(&args)?;
    let topology_given = !topology.is_empty();
    let current = match &args.from_cert {
        Some(path) => Some(read_current(path)?),
        None => None,
    };
    if let Some(cur) = &current {
        let mut taken = cur.topology.clone();
        // AOL declared off (--no-aol, or aol = false in the topology) drops the client EKU of
        // the certificate in service, unless --client-eku (or client_eku = true) keeps it.
        if taken.client_eku == Some(true)
            && topology.aol == Some(false)
            && topology.client_eku != Some(true)
        {
            taken.client_eku = None;
            if !quiet {
                eprintln!("renewal: the certificate in service has the client EKU; AOL is off, so the new request asks for the server EKU only (--client-eku keeps it)");
            }
        }
        topology = taken.overlay(topology);
    }
    if args.format == Format::Inf
        && (args.key.is_some() || args.reuse_key.is_some() || args.key_out.is_some())
    {
        let given: Vec<&str> = [
            (args.key.is_some(), "--key"),
            (args.reuse_key.is_some(), "--reuse-key"),
            (args.key_out.is_some(), "--key-out"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, flag)| *flag)
        .collect();
        return Err(CliError::usage(format!(
            "--format inf makes no key here (certreq makes a new one on Windows): drop {}",
            given.join(" and ")
        )));
    }
    let pass = passphrase(&args)?;
    let pass_bytes = pass.as_ref().map(|p| p.as_slice());

    // An existing key decides the key type when none was asked for.
    let existing = match args.key.as_ref().or(args.reuse_key.as_ref()) {
        Some(path) => {
            let bytes = read_file(path)?;
            let key =
                PrivateKey::from_bytes(&bytes, pass_bytes).map_err(|e| CliError::input(path, e))?;
            if let (Some(cur), Some(_)) = (&current, &args.reuse_key) {
                if key.spki_der()? != cur.spki {
                    return Err(CliError::input(path, "this key does not match the certificate in service (--reuse-key keeps that certificate's key)"));
                }
            }
            match topology.key_type {
                Some(kt) if !key.matches(kt) => {
                    return Err(CliError::input(
                        path,
                        format!(
                            "the key is {}, but the key type asked for (--key-type or key_type in the topology) is {kt}",
                            key.kind()
                        ),
                    ))
                }
                Some(_) => {}
                None => topology.key_type = Some(key_type_of(key.kind())),
            }
            Some(key)
        }
        None => None,
    };
    let mut profile = EdgeProfile::from_topology(topology)?;
    if let Some(cur) = &current {
        profile.fixed_sans = Some(renewal_plan(cur, &profile, topology_given, quiet));
    }
    let stem = profile.access_edge.clone();

    ensure_dir(&args.out_dir)?;
    if args.format == Format::Inf {
        let text = inf::render_inf(&profile);
        let bytes = inf::inf_bytes(&text);
        let dest = output_path(&args.csr, &args.out_dir, &stem, "inf");
        match dest {
            None => write_stdout(&bytes)?,
            Some(path) => write_all(
                &[Output {
                    path: path.clone(),
                    contents: &bytes,
                    secret: false,
                }],
                args.force,
            )?,
        }
        let mut err = report_sink(quiet);
        let _ = print_profile(&mut err, &profile);
        let _ = writeln!(
            err,
            "  key          made by certreq on the Edge server ({}, exportable)",
            describe_key_type(profile.key_type)
        );
        if let Some(p) = output_path(&args.csr, &args.out_dir, &stem, "inf") {
            let _ = writeln!(err, "  wrote        {}", p.display());
            let _ = writeln!(
                err,
                "Next: on the Edge server, run certreq -new {} edge.csr, submit edge.csr to the CA, then run picert audit on the issued certificate.",
                p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            );
        }
        warnings(&mut err, &profile);
        return Ok(());
    }

    let generated = existing.is_none();
    let key = match existing {
        Some(k) => k,
        None => with_progress(
            &format!("generating an {} key", describe_key_type(profile.key_type)),
            !quiet
                && matches!(profile.key_type, KeyType::Rsa3072 | KeyType::Rsa4096)
                && std::io::stderr().is_terminal(),
            || PrivateKey::generate(profile.key_type),
        )?,
    };
    let request = build_request(&profile, &key)?;
    let csr_bytes = match args.format {
        Format::Der => request.csr_der.clone(),
        _ => request.csr_pem().into_bytes(),
    };
    let csr_dest = output_path(&args.csr, &args.out_dir, &stem, "csr");
    let key_dest = match (&args.key_out, generated) {
        (Some(p), _) => Some(p.clone()),
        (None, true) => Some(args.out_dir.join(format!("{stem}.key"))),
        (None, false) => None,
    };
    let key_pem = match &key_dest {
        Some(_) => Some(key.to_pem(pass_bytes)?),
        None => None,
    };
    let mut outputs = Vec::new();
    if let (Some(path), Some(pem)) = (&key_dest, &key_pem) {
        outputs.push(Output {
            path: path.clone(),
            contents: pem.as_bytes(),
            secret: true,
        });
    }
    if let Some(path) = &csr_dest {
        outputs.push(Output {
            path: path.clone(),
            contents: &csr_bytes,
            secret: false,
        });
    }
    write_all(&outputs, args.force)?;
    if csr_dest.is_none() {
        write_stdout(&csr_bytes)?;
    }

    let mut err = report_sink(quiet);
    let _ = print_profile(&mut err, &profile);
    let key_line = match (&key_dest, generated) {
        (Some(p), true) => format!(
            "new {}, written to {} (mode 0600{})",
            request.key_kind,
            p.display(),
            if pass.is_some() { ", encrypted" } else { "" }
        ),
        (Some(p), false) => format!(
            "{} from {}, written to {}",
            request.key_kind,
            show(&args.key.clone().or(args.reuse_key.clone())),
            p.display()
        ),
        (None, _) => format!(
            "{} from {}",
            request.key_kind,
            show(&args.key.clone().or(args.reuse_key.clone()))
        ),
    };
    let _ = writeln!(err, "  key          {key_line}");
    let _ = writeln!(
        err,
        "  signature    {}",
        signature_name(request.key_kind, profile.hash)
    );
    let _ = writeln!(err, "  public key   SHA-256 {}", request.spki_sha256);
    match &csr_dest {
        Some(p) => {
            let _ = writeln!(err, "  wrote        {}", p.display());
            let _ = writeln!(err, "Next: submit {} to a public CA, then check what it issues with: picert audit ISSUED.pem{}", p.display(), topology_hint(&args));
        }
        None => {
            let _ = writeln!(err, "Next: submit the request to a public CA, then check what it issues with: picert audit ISSUED.pem{}", topology_hint(&args));
        }
    }
    warnings(&mut err, &profile);
    Ok(())
}

/// Where the summary goes: standard error, or nowhere with --quiet.
fn report_sink(quiet: bool) -> Box<dyn Write> {
    if quiet {
        Box::new(std::io::sink())
    } else {
        Box::new(std::io::stderr())
    }
}

/// Runs `work` while a spinner turns on the terminal (RSA-3072/4096 generation takes seconds).
fn with_progress<T>(label: &str, show: bool, work: impl FnOnce() -> T) -> T {
    if !show {
        return work();
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    let label = label.to_string();
    let spinner = std::thread::spawn(move || {
        let frames = ['|', '/', '-', '\\'];
        let mut i = 0;
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            eprint!("\r{label} {}", frames[i % frames.len()]);
            i += 1;
            std::thread::sleep(std::time::Duration::from_millis(120));
        }
        eprint!("\r\x1b[K");
    });
    let out = work();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = spinner.join();
    out
}

fn show(p: &Option<PathBuf>) -> String {
    p.as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// Creates the output folder (and its parents) when it does not exist yet.
fn ensure_dir(dir: &Path) -> Result<(), CliError> {
    if dir.is_dir() {
        return Ok(());
    }
    if dir.exists() {
        return Err(CliError::input(dir, "--out-dir is not a folder"));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::input(
            dir,
            format!("cannot create the folder: {}", picert_core::io_message(&e)),
        )
    })
}

/// The expectations to repeat for `picert audit`: the topology file, or the same flags.
fn topology_hint(args: &RequestArgs) -> String {
    let t = &args.topology;
    let mut hint = match &t.topology {
        Some(file) => format!(" --topology {}", file.display()),
        None => String::new(),
    };
    for (flag, value) in [("--access-edge", &t.access_edge), ("--webconf", &t.webconf)] {
        if let Some(v) = value {
            hint.push_str(&format!(" {flag} {v}"));
        }
    }
    for d in &t.sip_domains {
        hint.push_str(&format!(" --sip-domain {d}"));
    }
    for e in &t.extra_sans {
        hint.push_str(&format!(" --extra-san {e}"));
    }
    if t.aol {
        hint.push_str(" --aol");
    }
    if t.no_aol {
        hint.push_str(" --no-aol");
    }
    hint
}

fn output_path(given: &Option<PathBuf>, dir: &Path, stem: &str, ext: &str) -> Option<PathBuf> {
    match given {
        Some(p) if p.as_os_str() == "-" => None,
        Some(p) => Some(p.clone()),
        None => Some(dir.join(format!("{stem}.{ext}"))),
    }
}

fn key_type_of(kind: KeyKind) -> KeyType {
    match kind {
        KeyKind::EcdsaP256 => KeyType::EcdsaP256,
        KeyKind::EcdsaP384 => KeyType::EcdsaP384,
        KeyKind::Rsa(3072) => KeyType::Rsa3072,
        KeyKind::Rsa(4096) => KeyType::Rsa4096,
        KeyKind::Rsa(_) => KeyType::Rsa2048,
    }
}

fn describe_key_type(k: KeyType) -> &'static str {
    match k {
        KeyType::Rsa2048 => "RSA 2048 bits",
        KeyType::Rsa3072 => "RSA 3072 bits",
        KeyType::Rsa4096 => "RSA 4096 bits",
        KeyType::EcdsaP256 => "ECDSA P-256",
        KeyType::EcdsaP384 => "ECDSA P-384",
    }
}

fn signature_name(kind: KeyKind, hash: HashAlg) -> String {
    match kind {
        KeyKind::Rsa(_) => format!("{hash}WithRSAEncryption (PKCS#1 v1.5)"),
        _ => format!("ecdsa-with-{}", hash.as_str().to_uppercase()),
    }
}

fn print_profile(w: &mut dyn Write, p: &EdgeProfile) -> std::io::Result<()> {
    writeln!(w, "Edge external certificate request")?;
    writeln!(w, "  subject      {}", subject_line(p))?;
    for (i, e) in p.san_plan().entries().iter().enumerate() {
        let head = if i == 0 {
            "  SAN (order)"
        } else {
            "             "
        };
        writeln!(w, "{head}  {}. {} ({})", i + 1, e.name, e.source)?;
    }
    if let Some(av) = &p.av_edge {
        writeln!(w, "  A/V Edge     {av} (not a SAN: the A/V Edge service does not use the certificate's names)")?;
    }
    let eku = if p.client_eku {
        if p.aol {
            "serverAuth, clientAuth (PIC with AOL)"
        } else {
            "serverAuth, clientAuth"
        }
    } else {
        "serverAuth"
    };
    writeln!(w, "  EKU          {eku}")?;
    let ku = if p.key_type.is_rsa() {
        "digitalSignature, keyEncipherment (critical)"
    } else {
        "digitalSignature (critical)"
    };
    writeln!(w, "  key usage    {ku}")?;
    match &p.template {
        Some(t) if p.template_extension => writeln!(
            w,
            "  template     {t} (request attribute and V1 template extension)"
        )?,
        Some(t) => writeln!(
            w,
            "  template     {t} (request attribute; public CAs ignore it)"
        )?,
        None => writeln!(w, "  template     none")?,
    }
    Ok(())
}

fn subject_line(p: &EdgeProfile) -> String {
    let s = &p.subject;
    let mut parts = vec![format!("CN={}", p.access_edge)];
    for (k, v) in [
        ("OU", &s.organizational_unit),
        ("O", &s.organization),
        ("L", &s.locality),
        ("ST", &s.state),
        ("C", &s.country),
    ] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    parts.join(", ")
}

fn warnings(w: &mut dyn Write, p: &EdgeProfile) {
    if p.client_eku {
        let _ = writeln!(w, "warning: public CAs are dropping the client EKU: Sectigo stopped on 2026-05-15, Let's Encrypt on 2026-07-08, DigiCert adds it only on request until 2027-03-01,");
        let _ = writeln!(w, "warning: and Chrome's root policy forbids it in certificates issued from 2027-03-15. Microsoft's way for AOL PIC is an enterprise CA template that allows");
        let _ = writeln!(w, "warning: clientAuth (Request-CsCertificate -ClientEku $true -Template <name>); check with your CA before you submit.");
    }
    if !p.key_type.is_rsa() {
        let _ = writeln!(w, "warning: {} is an ECC (CNG) key: Skype for Business Server 2015 does not support CNG certificates; RSA is the safe choice for the Edge", p.key_type);
    }
}
