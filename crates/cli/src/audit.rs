//! `picert audit` and `picert rules`: options to an [`Auditor`], reports to text or JSON.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use picert_verify::input::{read_contents, read_limited, MAX_INPUT_BYTES};
use picert_verify::report::{rfc3339, tally};
use picert_verify::rules::{AppliesTo, Needs};
use picert_verify::{Auditor, InputReport, Severity, Status, Summary, TrustStore, RULES};

use crate::request::TopologyArgs;
use crate::{read_file, CliError};

/// File endings a directory scan picks up.
const CERT_EXTENSIONS: &[&str] = &[
    "pem", "crt", "cer", "der", "p7b", "p7c", "csr", "req", "pfx", "p12",
];

/// Environment variable holding the PKCS#12 password.
pub const PFX_PASSWORD_ENV: &str = "PICERT_PFX_PASSWORD";

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Certificates, bundles, PKCS#7 files or requests; a directory audits every certificate
    /// file in it; '-' reads standard input
    #[arg(value_name = "FILE|DIR|-", required_unless_present = "connect")]
    pub inputs: Vec<PathBuf>,

    /// Audit what a live Edge presents: HOST or HOST:PORT (default port 5061)
    #[arg(long, value_name = "HOST[:PORT]")]
    pub connect: Option<String>,
    /// With --connect: the name sent as SNI and checked against the SANs [default: HOST]
    #[arg(long, value_name = "NAME", requires = "connect")]
    pub server_name: Option<String>,
    /// With --connect: seconds to wait for the connection and the handshake
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10,
        requires = "connect"
    )]
    pub timeout: u64,

    #[command(flatten)]
    pub expect: ExpectationArgs,

    /// Extra intermediate certificates offered to every file's chain (repeatable; not to a
    /// --connect target, whose audit is of what the server sends)
    #[arg(long = "chain", value_name = "FILE")]
    pub chains: Vec<PathBuf>,
    /// Password of PKCS#12 (.pfx) inputs, first line of this file (also: PICERT_PFX_PASSWORD)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Report format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Exit 1 when a finding reaches this severity
    #[arg(long, value_name = "SEVERITY", default_value = "error", value_parser = parse_severity)]
    pub fail_on: Severity,
    /// Colour in the human report
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Also list passing, not-applicable and not-yet-effective rules
    #[arg(long, short)]
    pub verbose: bool,
}

/// What an audit expects and trusts: shared by `audit` and `bundle`.
#[derive(Args, Debug)]
pub struct ExpectationArgs {
    #[command(flatten)]
    pub topology: TopologyArgs,
    /// Trusted roots (PEM or DER) replacing the built-in Mozilla roots, for tests or a lab CA
    #[arg(long, value_name = "FILE")]
    pub trust_store: Option<PathBuf>,
    /// Audit time, RFC 3339 (2026-06-01T00:00:00Z) or a date (2026-06-01) [default: now]
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub at: Option<i64>,
    /// Warn when fewer days than this are left before expiry
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub warn_days: u32,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

pub fn parse_time(s: &str) -> Result<i64, String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| {
            format!("'{s}' is not an RFC 3339 time (2026-06-01T00:00:00Z) or a date (2026-06-01)")
        })
}

/// Reads every certificate in a file, for --trust-store and --chain.
pub fn read_certificates(path: &Path) -> Result<Vec<Vec<u8>>, CliError> {
    let bytes = read_file(path)?;
    let contents = read_contents(&bytes).map_err(|e| CliError::input(path, e))?;
    if contents.certificates.is_empty() {
        return Err(CliError::input(path, "holds no certificate"));
    }
    Ok(contents.certificates)
}

/// The PKCS#12 password: the first line of --password-file, or the environment.
/// A password from the first line of a file, or else from an environment variable.
pub fn password_from(file: Option<&PathBuf>, env: &str) -> Result<Option<String>, CliError> {
    if let Some(path) = file {
        let bytes = read_file(path)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| CliError::input(path, "the password file is not UTF-8 text"))?;
        let line = text.lines().next().unwrap_or_default();
        return Ok(Some(line.to_string()));
    }
    Ok(std::env::var(env).ok())
}

/// An auditor for these expectations, trust store and time, with extra intermediates.
pub fn auditor_for(exp: &ExpectationArgs, chains: &[PathBuf]) -> Result<Auditor, CliError> {
    let topology = exp.topology.resolve()?;
    let expectations = if topology.is_empty() {
        None
    } else {
        Some(topology.expectations()?)
    };
    let mut auditor = Auditor::new()
        .expectations(expectations)
        .warn_days(exp.warn_days);
    if let Some(at) = exp.at {
        auditor = auditor.at(at);
    }
    if let Some(path) = &exp.trust_store {
        let certs = read_certificates(path)?;
        let store = TrustStore::from_certificates(&path.display().to_string(), &certs)
            .map_err(|e| CliError::input(path, e))?;
        auditor = auditor.trust(store);
    }
    let mut extra = Vec::new();
    for path in chains {
        extra.extend(read_certificates(path)?);
    }
    Ok(auditor.extra_chain(extra))
}

pub fn build_auditor(args: &AuditArgs) -> Result<Auditor, CliError> {
    Ok(
        auditor_for(&args.expect, &args.chains)?.pfx_password(password_from(
            args.password_file.as_ref(),
            PFX_PASSWORD_ENV,
        )?),
    )
}

/// Expands directories into their certificate files (sorted); keeps files and '-' as given.
pub fn expand_inputs(inputs: &[PathBuf]) -> Vec<Result<PathBuf, InputReport>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.as_os_str() != "-" && input.is_dir() {
            let shown = input.display().to_string();
            match std::fs::read_dir(input) {
                Err(e) => out.push(Err(InputReport::unreadable(
                    &shown,
                    picert_core::io_message(&e),
                ))),
                Ok(entries) => {
                    let mut files: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok())
                        // The entry's own type (no stat per file); links are followed.
                        .filter(|e| {
                            e.file_type().is_ok_and(|t| {
                                t.is_file() || (t.is_symlink() && e.path().is_file())
                            })
                        })
                        .map(|e| e.path())
                        .filter(|p| {
                            p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                                CERT_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str())
                            })
                        })
                        .collect();
                    files.sort();
                    if files.is_empty() {
                        out.push(Err(InputReport::unreadable(
                            &shown,
                            format!(
                                "the directory holds no certificate or request file ({})",
                                CERT_EXTENSIONS.join(", ")
                            ),
                        )));
                    }
                    out.extend(files.into_iter().map(Ok));
                }
            }
        } else {
            out.push(Ok(input.clone()));
        }
    }
    out
}

/// What one input produced, rendered in a worker: the text to print and what it adds to the
/// summary.
struct Rendered {
    text: String,
    summary: Summary,
    worst: Option<Severity>,
}

fn render_reports(
    reports: Vec<InputReport>,
    format: OutputFormat,
    style: &Style,
    verbose: bool,
) -> Result<Rendered, String> {
    let mut out = Rendered {
        text: String::new(),
        summary: Summary::default(),
        worst: None,
    };
    for input in reports {
        out.summary.inputs += 1;
        if input.error.is_some() {
            out.summary.unreadable += 1;
        }
        tally(&mut out.summary, &input);
        out.worst = out.worst.max(input.findings().first().map(|r| r.severity));
        match format {
            OutputFormat::Json => {
                out.text
                    .push_str(if out.summary.inputs > 1 { ",\n" } else { "" });
                out.text.push_str(
                    &serde_json::to_string(&input)
                        .map_err(|e| format!("cannot encode the JSON report: {e}"))?,
                );
            }
            OutputFormat::Human => {
                render_input(&mut out.text, &input, style, verbose);
                out.text.push('\n');
            }
        }
    }
    Ok(out)
}

fn add(total: &mut Summary, part: &Summary) {
    total.inputs += part.inputs;
    total.unreadable += part.unreadable;
    total.errors += part.errors;
    total.warnings += part.warnings;
    total.notices += part.notices;
    total.fatal += part.fatal;
}

/// Runs `work` on every index on all cores and hands the results to `sink` in index order, as
/// soon as the ones before are done: the writer works while the workers do. Workers stay within
/// a window of the writer, so the results waiting to be written stay bounded.
fn for_each_ordered<T: Send>(
    count: usize,
    work: impl Fn(usize) -> T + Sync,
    mut sink: impl FnMut(T) -> Result<(), CliError>,
) -> Result<(), CliError> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    // Workers claim CHUNK inputs at a time and send each chunk's results at once: one channel
    // hand-off per chunk, not per input.
    const CHUNK: usize = 32;
    const WINDOW: usize = 1024;
    if count == 0 {
        return Ok(());
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(count.div_ceil(CHUNK));
    let next = AtomicUsize::new(0);
    let written = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<T>)>(WINDOW / CHUNK);
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, written, stop, work) = (&next, &written, &stop, &work);
            scope.spawn(move || loop {
                let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                if start >= count || stop.load(Ordering::Relaxed) {
                    break;
                }
                while start >= written.load(Ordering::Acquire) + WINDOW
                    && !stop.load(Ordering::Relaxed)
                {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                let results: Vec<T> = (start..(start + CHUNK).min(count)).map(work).collect();
                if tx.send((start, results)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending = std::collections::BTreeMap::new();
        let mut expected = 0;
        let mut result = Ok(());
        for (start, values) in rx {
            pending.insert(start, values);
            while let Some(values) = pending.remove(&expected) {
                expected += values.len();
                for value in values {
                    if result.is_ok() {
                        result = sink(value);
                        if result.is_err() {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
                written.store(expected, Ordering::Release);
            }
        }
        result
    })
}

/// Audits every input on all cores, writing each result as soon as the ones before it are
/// written: the report is streamed, never held whole.
pub fn run(args: AuditArgs) -> Result<u8, CliError> {
    let auditor = build_auditor(&args)?;
    let style = Style::new(args.color);
    let items = expand_inputs(&args.inputs);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut write = |text: &str| -> Result<(), CliError> {
        use std::io::Write;
        match out.write_all(text.as_bytes()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Other(format!(
                "standard output: {}",
                picert_core::io_message(&e)
            ))),
            _ => Ok(()),
        }
    };
    if args.format == OutputFormat::Json {
        // Written by hand so the keys keep the documented order (version first).
        let text = |v: &str| serde_json::Value::from(v).to_string();
        write(&format!(
            "{{\"version\":1,\"audit_time\":{},\"trust_store\":{},\"inputs\":[\n",
            text(&rfc3339(auditor.audit_time())),
            text(auditor.trust_name())
        ))?;
    }
    let mut summary = Summary::default();
    let mut worst: Option<Severity> = None;
    if let Some(target) = &args.connect {
        if !args.chains.is_empty() {
            eprintln!(
                "picert: note: --chain is not used for {target}: the live audit is of the chain the server sends{}",
                if args.inputs.is_empty() { "" } else { " (the files given still get it)" }
            );
        }
        let report = audit_live(&auditor, target, args.server_name.as_deref(), args.timeout);
        let rendered = render_reports(vec![report], args.format, &style, args.verbose)
            .map_err(CliError::Other)?;
        add(&mut summary, &rendered.summary);
        worst = worst.max(rendered.worst);
        write(&rendered.text)?;
    }
    for_each_ordered(
        items.len(),
        |i| {
            let reports = match &items[i] {
                Err(r) => vec![r.clone()],
                Ok(path) if path.as_os_str() == "-" => {
                    match read_limited(std::io::stdin().lock(), MAX_INPUT_BYTES) {
                        Ok(Ok(bytes)) => auditor.audit_bytes("<stdin>", &bytes),
                        Ok(Err(too_big)) => {
                            vec![InputReport::unreadable("<stdin>", too_big.to_string())]
                        }
                        Err(e) => vec![InputReport::unreadable(
                            "<stdin>",
                            picert_core::io_message(&e),
                        )],
                    }
                }
                Ok(path) => auditor.audit_file(path),
            };
            render_reports(reports, args.format, &style, args.verbose)
        },
        |rendered| {
            let rendered = rendered.map_err(CliError::Other)?;
            if args.format == OutputFormat::Json
                && summary.inputs > 0
                && rendered.summary.inputs > 0
            {
                write(",\n")?;
            }
            add(&mut summary, &rendered.summary);
            worst = worst.max(rendered.worst);
            write(&rendered.text)
        },
    )?;
    match args.format {
        OutputFormat::Json => {
            let tail =
                serde_json::to_string(&summary).map_err(|e| CliError::Other(e.to_string()))?;
            write(&format!("\n],\"summary\":{tail}}}\n"))?;
        }
        OutputFormat::Human if summary.inputs > 1 => write(&summary_line(&summary))?,
        OutputFormat::Human => {}
    }
    let _ = std::io::Write::flush(&mut out);
    Ok(exit_code(&summary, worst, args.fail_on))
}

/// Connects, records the chain and audits it with the host name; a failure to connect is an
/// unreadable input named after the target.
fn audit_live(
    auditor: &Auditor,
    target: &str,
    server_name: Option<&str>,
    timeout: u64,
) -> InputReport {
    let (host, port) = match picert_verify::live::split_host_port(target) {
        Ok(hp) => hp,
        Err(e) => return InputReport::unreadable(target, e),
    };
    let label = picert_verify::live::host_port_label(&host, port);
    let name = server_name.unwrap_or(&host);
    match picert_verify::live::fetch_chain(
        &host,
        port,
        name,
        std::time::Duration::from_secs(timeout.max(1)),
    ) {
        Ok(presented) => {
            let mut report = auditor.audit_presented(&label, &presented.chain, name);
            report.tls = Some(format!(
                "{}, {}, from {} ({} certificate{} sent)",
                presented.version,
                presented.cipher,
                presented.address,
                presented.chain.len(),
                if presented.chain.len() == 1 { "" } else { "s" }
            ));
            report
        }
        Err(e) => InputReport::unreadable(&label, e),
    }
}

/// 2 for an unreadable input or a fatal rule (an error beats a finding), 1 for a finding at or
/// above `fail_on`, else 0.
pub fn exit_code(summary: &Summary, worst: Option<Severity>, fail_on: Severity) -> u8 {
    if summary.unreadable > 0 || summary.fatal > 0 {
        2
    } else if worst.is_some_and(|w| w >= fail_on) {
        1
    } else {
        0
    }
}

fn summary_line(s: &Summary) -> String {
    format!(
        "{}: {}, {}, {}{}{}\n",
        plural(s.inputs, "input"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notices, "notice"),
        if s.unreadable > 0 {
            format!(", {} unreadable", s.unreadable)
        } else {
            String::new()
        },
        if s.fatal > 0 {
            format!(", {} rule failures", s.fatal)
        } else {
            String::new()
        },
    )
}

/// ANSI colours, or none.
pub struct Style {
    on: bool,
}

impl Style {
    pub fn new(choice: ColorChoice) -> Style {
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        };
        Style { on }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let label = format!("{:<7}", s.as_str());
        match s {
            Severity::Error => self.paint("1;31", &label),
            Severity::Warning => self.paint("33", &label),
            Severity::Notice => self.paint("36", &label),
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn render_input(out: &mut String, input: &InputReport, style: &Style, verbose: bool) {
    use std::fmt::Write as _;
    if let Some(err) = &input.error {
        let _ = writeln!(
            out,
            "{}: {} {err}",
            style.paint("1", &input.path),
            style.paint("1;31", "unreadable:")
        );
        return;
    }
    let kind = match input.kind {
        Some(picert_verify::InputKind::Csr) => "certificate request",
        _ => "certificate",
    };
    let _ = writeln!(out, "{} ({kind})", style.paint("1", &input.path));
    let field = |out: &mut String, name: &str, value: &str| {
        let _ = writeln!(out, "  {name:<10} {value}");
    };
    if let Some(s) = &input.subject {
        field(out, "subject", s);
    }
    if let Some(s) = &input.issuer {
        field(out, "issuer", s);
    }
    if let (Some(nb), Some(na)) = (&input.not_before, &input.not_after) {
        field(out, "validity", &format!("{nb} to {na}"));
    }
    let mut names = input.dns_names.clone();
    names.extend(input.other_names.iter().cloned());
    field(
        out,
        "SAN",
        &if names.is_empty() {
            "(none)".into()
        } else {
            names.join(", ")
        },
    );
    field(
        out,
        "EKU",
        &input
            .eku
            .as_ref()
            .map(|e| e.join(", "))
            .unwrap_or_else(|| "(no EKU extension)".into()),
    );
    field(
        out,
        "key",
        &format!(
            "{}; signed {}",
            input.key.as_deref().unwrap_or("?"),
            input.signature.as_deref().unwrap_or("?")
        ),
    );
    if !input.templates.is_empty() {
        field(out, "template", &input.templates.join(", "));
    }
    if let Some(chain) = &input.chain {
        field(out, "chain", &chain.join(" -> "));
    }
    if let Some(tls) = &input.tls {
        field(out, "tls", tls);
    }
    let results = input.results.as_deref().unwrap_or_default();
    if input.expectations.as_deref() == Some("inferred") {
        let na = results
            .iter()
            .filter(|r| {
                r.status == Status::Na
                    && picert_verify::rules::find(&r.rule)
                        .is_some_and(|x| x.needs == Needs::Topology)
            })
            .count();
        field(
            out,
            "expected",
            &format!(
                "inferred from the certificate itself (no topology given: {} not checked)",
                plural(na, "topology rule")
            ),
        );
    }
    for r in input.findings() {
        let _ = writeln!(
            out,
            "  {} {}  {}",
            style.severity(r.severity),
            r.rule,
            r.detail.as_deref().unwrap_or_default()
        );
    }
    for r in results.iter().filter(|r| r.status == Status::Fatal) {
        let _ = writeln!(
            out,
            "  {} {}  {}",
            style.paint("1;35", "fatal  "),
            r.rule,
            r.detail.as_deref().unwrap_or_default()
        );
    }
    if verbose {
        for r in results
            .iter()
            .filter(|r| !matches!(r.status, Status::Finding | Status::Fatal))
        {
            let label = match r.status {
                Status::Pass => style.paint("32", "pass   "),
                Status::Na => "n/a    ".to_string(),
                _ => "not yet".to_string(),
            };
            let _ = writeln!(
                out,
                "  {label} {}{}",
                r.rule,
                r.detail
                    .as_ref()
                    .map(|d| format!("  {d}"))
                    .unwrap_or_default()
            );
        }
    }
    let count = |st: Status| results.iter().filter(|r| r.status == st).count();
    let sev = |s: Severity| {
        results
            .iter()
            .filter(|r| r.status == Status::Finding && r.severity == s)
            .count()
    };
    let verdict = if sev(Severity::Error) > 0 {
        style.paint("1;31", "FAIL")
    } else if sev(Severity::Warning) + sev(Severity::Notice) > 0 {
        style.paint("33", "PASS with findings")
    } else {
        style.paint("1;32", "PASS")
    };
    let _ = writeln!(
        out,
        "  {verdict}: {}, {}, {} ({} passed, {} not applicable{})",
        plural(sev(Severity::Error), "error"),
        plural(sev(Severity::Warning), "warning"),
        plural(sev(Severity::Notice), "notice"),
        count(Status::Pass),
        count(Status::Na),
        if count(Status::Ne) > 0 {
            format!(", {} not yet effective", count(Status::Ne))
        } else {
            String::new()
        },
    );
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human, global = true)]
    pub format: OutputFormat,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Print one rule with its requirement and source
    Explain {
        /// Rule ID, such as pic.san.order
        id: String,
    },
}

#[derive(serde::Serialize)]
struct RuleDoc {
    id: &'static str,
    severity: Severity,
    applies_to: &'static str,
    needs: &'static str,
    description: &'static str,
    citation: &'static str,
    source: &'static str,
}

fn rule_doc(r: &picert_verify::Rule) -> RuleDoc {
    RuleDoc {
        id: r.id,
        severity: r.severity,
        applies_to: match r.applies_to {
            AppliesTo::Both => "certificates and requests",
            AppliesTo::Certificates => "certificates",
            AppliesTo::Requests => "requests",
        },
        needs: match r.needs {
            Needs::Nothing => "nothing",
            Needs::Topology => "a topology",
            Needs::Aol => "PIC with AOL declared",
            Needs::PublicCa => "a certificate from a public CA",
            Needs::Host => "a live connection (--connect)",
        },
        description: r.description,
        citation: r.citation,
        source: r.source,
    }
}

pub fn rules(args: RulesArgs) -> Result<(), CliError> {
    let docs: Vec<RuleDoc> = match &args.command {
        None => RULES.iter().map(|r| rule_doc(r)).collect(),
        Some(RulesCommand::Explain { id }) => {
            let rule = picert_verify::rules::find(id).ok_or_else(|| {
                CliError::usage(format!("no rule '{id}'; 'picert rules' lists them"))
            })?;
            vec![rule_doc(rule)]
        }
    };
    let text = match (args.format, &args.command) {
        (OutputFormat::Json, _) => {
            serde_json::to_string_pretty(&docs).map_err(|e| CliError::Other(e.to_string()))? + "\n"
        }
        (OutputFormat::Human, None) => docs
            .iter()
            .map(|d| format!("{:<34} {:<8} {}\n", d.id, d.severity.as_str(), d.description))
            .collect(),
        (OutputFormat::Human, Some(_)) => docs
            .iter()
            .map(|d| {
                format!(
                    "{}\n  severity    {}\n  applies to  {}\n  needs       {}\n  checks      {}\n  requirement {}\n  source      {}\n",
                    d.id, d.severity.as_str(), d.applies_to, d.needs, d.description, d.citation, d.source
                )
            })
            .collect(),
    };
    crate::write_stdout(text.as_bytes())
}
