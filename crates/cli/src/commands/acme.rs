//! `picert acme`: the Edge certificate issued or renewed over ACME by picert-acme, with the
//! table's request, dns-01 through a hook, the audit of the result and the files the Edge
//! imports.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use picert_acme::{
    AcmeError, AcmeJob, AcmeOptions, CommandHook, DeployHook, Due, Eab, InPlace, PfxOutput,
    Progress,
};
use picert_core::{KeySource, Timestamp};
use picert_verify::options::read_certificates;
use picert_verify::Severity;

use crate::args::{ExpectationArgs, OutputFormat, PfxFormArgs, PfxPasswordArgs, RenewalArgs};
use crate::output::{json_line, pfx_note_line, write_stdout, Commentary, Style};
use crate::render::{self, Detail};
use crate::secrets::{self, PASSPHRASE_ENV, PFX_PASSWORD_ENV};
use crate::{hints, CliError, Global};

/// Environment variable holding the EAB key identifier.
const EAB_KID_ENV: &str = "PICERT_EAB_KID";
/// Environment variable holding the EAB HMAC key.
const EAB_HMAC_ENV: &str = "PICERT_EAB_HMAC_KEY";
/// Test hook (docs/acme.md, "How it is tested"): milliseconds to pause after each step of
/// putting a new set in place, so that a test can interrupt the run between two of them.
const PLACEMENT_DELAY_ENV: &str = "PICERT_TEST_PLACEMENT_DELAY_MS";

fn test_placement_pause() -> Duration {
    std::env::var(PLACEMENT_DELAY_ENV)
        .ok()
        .and_then(|ms| ms.trim().parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::ZERO)
}

/// A flag set by SIGINT and SIGTERM, replacing their default (to end the process at once):
/// the run stops where it is safe, withdrawing its records and never splitting a switch.
fn stop_flag() -> Result<Arc<AtomicBool>, CliError> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, flag.clone())
            .map_err(|e| CliError::Other(format!("cannot watch for interruptions: {e}")))?;
    }
    Ok(flag)
}

/// `picert acme status` is a subcommand rather than a flag: it takes none of the options an
/// issuance needs (the CA, the hook, the account key), so that they stay required for a run
/// and a flag cannot be mixed with what it would ignore.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AcmeArgs {
    #[command(subcommand)]
    pub command: Option<AcmeCommand>,
    /// The CA's ACME directory: a URL, or letsencrypt, letsencrypt-staging
    #[arg(long, value_name = "URL|NAME", required = true)]
    pub directory: Option<String>,
    /// Program that publishes the dns-01 records: run as PROGRAM add NAME VALUE before
    /// validation and PROGRAM remove NAME VALUE after (see picert help acme)
    #[arg(long, value_name = "PROGRAM", required = true)]
    pub dns_hook: Option<PathBuf>,
    /// The ACME account key (ECDSA P-256, PKCS#8 PEM); created with a new account when missing
    #[arg(long, value_name = "FILE", required = true)]
    pub account_key: Option<PathBuf>,
    /// Rehearse: a real order (at letsencrypt-staging when --directory is letsencrypt), the
    /// challenges, the certificate and its audit, but no file of the set written and nothing
    /// repaired; says what would have been placed
    #[arg(long)]
    pub dry_run: bool,
    /// Contact e-mail for the account (repeatable)
    #[arg(long, value_name = "ADDRESS")]
    pub email: Vec<String>,
    /// Agree to the CA's terms of service (needed to open an account)
    #[arg(long)]
    pub agree_tos: bool,
    /// External Account Binding key identifier (also: PICERT_EAB_KID)
    #[arg(long, value_name = "KID")]
    pub eab_kid: Option<String>,
    /// External Account Binding HMAC key, base64url, first line of this file (also:
    /// PICERT_EAB_HMAC_KEY)
    #[arg(long, value_name = "FILE")]
    pub eab_hmac_key_file: Option<PathBuf>,
    /// Also trust these roots (PEM) for the ACME server's own TLS: a lab CA, a test server
    #[arg(long, value_name = "FILE")]
    pub directory_ca: Option<PathBuf>,
    /// The ACME profile to ask for [default: classic at Let's Encrypt when offered, else the CA's]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Seconds to wait between publishing the records and asking the CA to validate them
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub propagation_wait: u64,
    /// Seconds each step may take (an HTTP exchange, a hook run); waits for validation and
    /// issuance take up to four times this
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,

    #[command(flatten)]
    pub renewal: RenewalArgs,
    /// With --from-cert: do nothing (exit 0) unless renewal is due: a third or less of the
    /// lifetime left, or the CA's renewal window (ARI) open
    #[arg(long, requires = "from_cert")]
    pub if_due: bool,

    /// Folder for ACCESS-EDGE.pem (the chain) and ACCESS-EDGE.key (created when missing)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Also write a PKCS#12 file for Windows (password: --password-file, PICERT_PFX_PASSWORD)
    #[arg(long, value_name = "FILE")]
    pub pfx: Option<PathBuf>,
    #[command(flatten)]
    pub form: PfxFormArgs,
    /// With --pfx: the friendly name in the Windows store [default: the topology's, else the CN]
    #[arg(long, value_name = "NAME", requires = "pfx")]
    pub friendly_name: Option<String>,
    #[command(flatten)]
    pub pfx_password: PfxPasswordArgs,
    /// Replace the output files if they exist (a daily renewal task needs it)
    #[arg(long)]
    pub force: bool,
    /// Program run once after a new set is in place, with its paths and thumbprint in the
    /// environment (PICERT_DEPLOY_*); its failure is a warning and exit status 1, the set stays
    #[arg(long, value_name = "PROGRAM")]
    pub deploy_hook: Option<PathBuf>,
    /// With --pfx: also write, with each new set, the PowerShell script that imports the PKCS#12
    /// file on every Edge server of the pool (edge_servers in the topology) and assigns it, as
    /// picert bundle --deploy-script writes it
    #[arg(long, value_name = "FILE", requires = "pfx")]
    pub deploy_script: Option<PathBuf>,

    #[command(flatten)]
    pub expect: ExpectationArgs,
    /// Report format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Exit 1 when a finding of the audit reaches this severity
    #[arg(long, value_name = "SEVERITY", default_value = "error", value_parser = crate::args::parse_severity)]
    pub fail_on: Severity,
}

#[derive(clap::Subcommand, Debug)]
pub enum AcmeCommand {
    /// The generations kept beside each set picert acme placed in --out-dir, which one is in
    /// place, each one's thumbprint, notAfter and days left, whether it is due, and whether the
    /// files in place are the committed generation's; reads only, asks no CA
    #[command(
        after_help = "Examples:\n  picert acme status --out-dir issued\n  picert acme status --out-dir issued --format json --at 2027-02-01\n\nExit status: 0 the set in place is whole and not due; 1 renewal is due (by the lifetime rule: a third or less left; the CA's renewal information is not asked), or a file a picert acme run would write again (missing, or an earlier generation's); 2 a store cannot be read, no set picert placed is in --out-dir, or a file in place no generation wrote (a run stops there).\n\nNothing is written, repaired or removed."
    )]
    Status(StatusArgs),
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// The folder given to picert acme as --out-dir: every ACCESS-EDGE.picert store in it
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Judge renewal at this time instead of now (RFC 3339 or a date)
    #[arg(long, value_name = "RFC3339", value_parser = crate::args::parse_time)]
    pub at: Option<Timestamp>,
    /// Report format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

#[derive(serde::Serialize)]
struct JsonOutcome<'a> {
    version: u32,
    issued: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    directory: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_after: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pfx: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbprint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audit: Option<&'a picert_verify::InputReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deploy_hook_error: Option<String>,
}

fn eab(args: &AcmeArgs) -> Result<Option<Eab>, CliError> {
    let kid = args
        .eab_kid
        .clone()
        .or_else(|| std::env::var(EAB_KID_ENV).ok().filter(|k| !k.is_empty()));
    let hmac = secrets::read(args.eab_hmac_key_file.as_deref(), EAB_HMAC_ENV)?;
    match (kid, hmac) {
        (Some(kid), Some(hmac)) => Eab::from_base64(&kid, &hmac)
            .map(Some)
            .map_err(|e| CliError::usage(message(&e))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(CliError::usage(
            "--eab-kid needs its HMAC key: --eab-hmac-key-file or PICERT_EAB_HMAC_KEY",
        )),
        (None, Some(_)) => Err(CliError::usage(
            "the EAB HMAC key needs its key identifier: --eab-kid or PICERT_EAB_KID",
        )),
    }
}

/// An ACME error, with the flag that fixes it, on one line: a CA's detail or a hook's words
/// may hold line breaks, and a run from cron is read by its one line.
fn message(e: &AcmeError) -> String {
    let text = worded(e);
    if text.contains(['\n', '\r']) {
        text.split(['\n', '\r'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" / ")
    } else {
        text
    }
}

fn worded(e: &AcmeError) -> String {
    match e {
        AcmeError::EabRequired => format!("{e} (--eab-kid and --eab-hmac-key-file)"),
        AcmeError::TermsNotAgreed(_) => format!("{e}: read them, then give --agree-tos"),
        AcmeError::ClientEkuUnavailable => {
            format!("{e} (aol = false in the topology, or --no-aol)")
        }
        AcmeError::Core(core) => hints::core(core),
        AcmeError::UntrustedServer { .. } => {
            format!("{e} (--directory-ca FILE trusts the root of a lab CA or a test server)")
        }
        other => other.to_string(),
    }
}

pub fn run(args: AcmeArgs, global: Global) -> Result<u8, CliError> {
    if let Some(AcmeCommand::Status(status)) = &args.command {
        return run_status(status, global);
    }
    let required = |flag: &str| CliError::usage(format!("picert acme needs {flag}"));
    let directory = args
        .directory
        .clone()
        .ok_or_else(|| required("--directory"))?;
    let dns_hook = args
        .dns_hook
        .clone()
        .ok_or_else(|| required("--dns-hook"))?;
    let account_key = args
        .account_key
        .clone()
        .ok_or_else(|| required("--account-key"))?;
    let commentary = Commentary::new(global.quiet);
    let expect = args.expect.options(&[])?;
    let mut options = AcmeOptions::new(&directory, account_key.clone());
    options.contact = args.email.clone();
    options.agree_tos = args.agree_tos;
    options.eab = eab(&args)?;
    options.profile = args.profile.clone();
    options.propagation_wait = Duration::from_secs(args.propagation_wait);
    options.timeout = Duration::from_secs(args.timeout.max(1));
    if let Some(ca) = &args.directory_ca {
        options.directory_roots = read_certificates(ca).map_err(|e| CliError::input(ca, e))?;
    }
    // Read once: it opens a PKCS#12 --from-cert and protects the --pfx output.
    let pfx_password = secrets::read(args.pfx_password.password_file.as_deref(), PFX_PASSWORD_ENV)?;
    let now = expect.at.unwrap_or_else(Timestamp::now);
    // A dry run says whether it opened an account (and so wrote its key).
    let account_created = std::cell::Cell::new(false);
    let mut progress = |p: Progress| {
        if matches!(p, Progress::Account { created: true, .. }) {
            account_created.set(true);
        }
        commentary.say(progress_line(&p))
    };

    if args.dry_run {
        // Nothing repaired: what a run would repair is said, and a file no generation wrote
        // stops the rehearsal as it would stop the run.
        if args.out_dir.is_dir() {
            let stores = picert_acme::status(&args.out_dir, now)
                .map_err(|e| CliError::Other(message(&e)))?;
            for store in &stores {
                dry_run_store_line(store, &commentary)?;
            }
        }
    } else {
        // A set an interruption left split is put right before anything of it is read.
        picert_acme::recover(&args.out_dir, &mut progress)
            .map_err(|e| CliError::Other(message(&e)))?;
    }

    // The certificate in service, for a renewal.
    let current = args
        .renewal
        .in_service(pfx_password.as_ref().map(|p| p.as_str()))?;
    if args.if_due {
        if let Some((leaf, _)) = &current {
            let due = picert_acme::renewal_due(&options, leaf, now, &mut progress)
                .map_err(|e| CliError::Other(message(&e)))?;
            match due {
                Due::Now(why) => commentary.say(format!("renewal is due: {why}")),
                Due::Later { at, reason } => {
                    let line = format!(
                        "{}not due: renewal is due on {} ({reason})",
                        if args.dry_run { "dry run: " } else { "" },
                        at.date()
                    );
                    if args.format == OutputFormat::Json {
                        let mut doc = not_issued(&line);
                        doc.dry_run = args.dry_run;
                        write_stdout(json_line(&doc, true)?.as_bytes())?;
                    } else if !global.quiet {
                        write_stdout(format!("{line}\n").as_bytes())?;
                    }
                    return Ok(0);
                }
            }
        }
    }

    let (passphrase, key) = args.renewal.key()?;
    let plan = args.renewal.plan(
        expect.topology.clone(),
        current.as_ref().map(|(_, c)| c),
        key.as_ref(),
        args.force,
    )?;
    picert_acme::check_plan(&plan).map_err(|e| CliError::Other(message(&e)))?;
    for note in &plan.notes {
        match note {
            picert_core::Note::ClientEku { aol: false } => commentary.say(format!(
                "warning: the request asks for the client EKU; ACME CAs issue serverAuth only ({note})"
            )),
            n => commentary.say(crate::output::note_line(n)),
        }
    }
    let pfx = match &args.pfx {
        Some(path) => Some(PfxOutput {
            path: path.clone(),
            password: secrets::new_pfx_password_from(
                pfx_password.clone(),
                args.pfx_password.password_file.as_deref(),
            )?,
            encryption: {
                let (encryption, note) = args.form.choose(&expect.topology)?;
                if let Some(n) = note {
                    commentary.say(format!("picert: {}", pfx_note_line(&n)));
                }
                encryption
            },
            friendly_name: args
                .friendly_name
                .clone()
                .or_else(|| expect.topology.friendly_name.clone()),
        }),
        None => None,
    };
    let auditor = expect.auditor()?;
    // The hooks need none of picert's secrets.
    let secret_env: Vec<String> = [PFX_PASSWORD_ENV, PASSPHRASE_ENV, EAB_KID_ENV, EAB_HMAC_ENV]
        .map(String::from)
        .to_vec();
    let hook = CommandHook {
        program: dns_hook,
        timeout: options.timeout,
        withheld_env: secret_env.clone(),
    };
    let options_timeout = options.timeout;
    // Watched from here on, after any password prompt (which Ctrl-C still ends at once): the
    // issuance and the placement stop only where that is safe.
    options.interrupt = Some(stop_flag()?);
    let job = AcmeJob {
        options,
        plan,
        key: match key {
            Some(k) => KeySource::Existing(k),
            None => KeySource::Generate,
        },
        out_dir: args.out_dir.clone(),
        key_passphrase: passphrase.as_ref().map(|p| p.as_bytes()),
        pfx,
        overwrite: args.force,
        placement_pause: test_placement_pause(),
        deploy_hook: args.deploy_hook.as_ref().map(|program| DeployHook {
            program: program.clone(),
            // A deployment may copy to every Edge of the pool: ten steps' time.
            timeout: options_timeout * 10,
            withheld_env: secret_env.clone(),
        }),
        deploy_script: match &args.deploy_script {
            Some(path) => Some(picert_acme::DeployScriptOutput {
                path: path.clone(),
                edge_servers: expect.topology.edge_servers()?,
            }),
            None => None,
        },
    };
    if args.dry_run {
        let outcome = picert_acme::dry_run(job, &auditor, &hook, &mut progress)
            .map_err(|e| CliError::Other(message(&e)))?;
        let written = account_created.get().then_some(account_key.as_path());
        return render_dry_run(&outcome, written, &args, global);
    }
    let outcome = picert_acme::run(job, &auditor, &hook, &mut progress)
        .map_err(|e| CliError::Other(message(&e)))?;

    let report = hints::report(outcome.report.clone());
    match args.format {
        OutputFormat::Json => {
            let doc = JsonOutcome {
                version: 1,
                issued: true,
                dry_run: false,
                directory: None,
                generation: None,
                not_after: None,
                due: None,
                certificate: Some(outcome.certificate_path.display().to_string()),
                key: outcome.key_path.as_ref().map(|p| p.display().to_string()),
                pfx: outcome.pfx_path.as_ref().map(|p| p.display().to_string()),
                thumbprint: Some(&outcome.thumbprint),
                account: Some(&outcome.issued.account),
                order: Some(&outcome.issued.order),
                profile: outcome.issued.profile.as_deref(),
                audit: Some(&report),
                deploy_hook_error: outcome.deploy_failure.as_ref().map(|e| e.to_string()),
            };
            write_stdout(json_line(&doc, true)?.as_bytes())?;
        }
        OutputFormat::Human => {
            let style = Style::new(global.color);
            let mut text = String::new();
            let detail = if global.quiet {
                Detail::FindingsAt(args.fail_on)
            } else {
                Detail::Normal
            };
            if !global.quiet {
                text.push_str(&format!("wrote {}\n", outcome.certificate_path.display()));
                for path in outcome.key_path.iter().chain(outcome.pfx_path.iter()) {
                    text.push_str(&format!("wrote {}\n", path.display()));
                }
                text.push_str(&format!("thumbprint {}\n\n", outcome.thumbprint));
            }
            render::input(&mut text, &report, &style, detail);
            write_stdout(text.as_bytes())?;
            commentary.say(next_step(&outcome, expect.topology.product));
        }
    }
    if let Some(e) = &outcome.deploy_failure {
        // Said with --quiet too: it is why the status is 1, and what a mail from cron shows.
        Commentary::new(false).say(format!(
            "acme: warning: {e}; the new set is in place all the same: deploy it by hand, or run the hook again"
        ));
    }
    let code = audit_exit(&report, args.fail_on);
    // A failed deployment needs someone, as an audit finding does.
    Ok(if outcome.deploy_failure.is_some() {
        code.max(1)
    } else {
        code
    })
}

fn not_issued(line: &str) -> JsonOutcome<'static> {
    JsonOutcome {
        version: 1,
        issued: false,
        dry_run: false,
        directory: None,
        generation: None,
        not_after: None,
        due: Some(line.to_string()),
        certificate: None,
        key: None,
        pfx: None,
        thumbprint: None,
        account: None,
        order: None,
        profile: None,
        audit: None,
        deploy_hook_error: None,
    }
}

/// What a dry run says of a set in place: as a run's first line would, but repairing nothing.
fn dry_run_store_line(
    store: &picert_acme::StoreStatus,
    commentary: &Commentary,
) -> Result<(), CliError> {
    let Some(n) = store.committed else {
        return Ok(());
    };
    let shown = store.dir.display().to_string();
    if let Some(file) = store.foreign().next() {
        return Err(CliError::Other(message(&AcmeError::NotPlacedByPicert {
            file: file.path.display().to_string(),
            store: shown,
            generation: n,
        })));
    }
    let thumbprint = store
        .committed_generation()
        .and_then(|g| g.thumbprint.clone())
        .unwrap_or_default();
    let repairs: Vec<String> = store
        .to_repair()
        .map(|f| format!("{} {}", f.path.display(), held(f.state)))
        .collect();
    if repairs.is_empty() {
        commentary.say(format!(
            "acme: the set in place is generation {n} of {shown} (thumbprint {thumbprint}), each file as written"
        ));
    } else {
        commentary.say(format!(
            "acme: dry run: the set in place is split; a run would write again from generation {n} of {shown} (thumbprint {thumbprint}): {} (not done in a dry run)",
            repairs.join("; ")
        ));
    }
    Ok(())
}

/// What a file in place holds, as the repair line says it.
fn held(state: InPlace) -> String {
    match state {
        InPlace::AsWritten => "is as written".into(),
        InPlace::Missing => "is missing".into(),
        InPlace::Earlier { generation } => format!("holds generation {generation}'s"),
        InPlace::Replaced => "holds the file the generation replaced".into(),
        InPlace::Foreign => "holds a file no generation wrote".into(),
        _ => "holds something else".into(),
    }
}

/// The exit status an audit gives at `fail_on`.
fn audit_exit(report: &picert_verify::InputReport, fail_on: Severity) -> u8 {
    let mut summary = picert_verify::Summary::default();
    summary.count(report);
    summary.verdict(report.worst(), fail_on).exit_code()
}

fn render_dry_run(
    outcome: &picert_acme::DryRunOutcome,
    account_written: Option<&std::path::Path>,
    args: &AcmeArgs,
    global: Global,
) -> Result<u8, CliError> {
    let report = hints::report(outcome.report.clone());
    let written = match account_written {
        Some(key) => format!(
            "dry run: nothing of the set was written; the one file written is the new account's key {}",
            key.display()
        ),
        None => "dry run: nothing was written".to_string(),
    };
    match args.format {
        OutputFormat::Json => {
            let doc = JsonOutcome {
                version: 1,
                issued: true,
                dry_run: true,
                directory: Some(&outcome.directory),
                generation: Some(outcome.generation_dir.display().to_string()),
                not_after: Some(&outcome.not_after),
                due: None,
                certificate: Some(outcome.certificate_path.display().to_string()),
                key: outcome.key_path.as_ref().map(|p| p.display().to_string()),
                pfx: outcome.pfx_path.as_ref().map(|p| p.display().to_string()),
                thumbprint: Some(&outcome.thumbprint),
                account: Some(&outcome.issued.account),
                order: Some(&outcome.issued.order),
                profile: outcome.issued.profile.as_deref(),
                audit: Some(&report),
                deploy_hook_error: None,
            };
            write_stdout(json_line(&doc, true)?.as_bytes())?;
            Commentary::new(global.quiet).say(format!("acme: {written}"));
        }
        OutputFormat::Human => {
            let style = Style::new(global.color);
            let mut text = String::new();
            if !global.quiet {
                text.push_str(&format!("{written}\n"));
                text.push_str(&format!("dry run: issued by {}\n", outcome.directory));
                for path in std::iter::once(&outcome.certificate_path)
                    .chain(outcome.key_path.iter())
                    .chain(outcome.pfx_path.iter())
                {
                    text.push_str(&format!("would place {}\n", path.display()));
                }
                text.push_str(&format!(
                    "would write generation {}\n",
                    outcome.generation_dir.display()
                ));
                text.push_str(&format!(
                    "thumbprint {} (not after {})\n\n",
                    outcome.thumbprint, outcome.not_after
                ));
            }
            let detail = if global.quiet {
                Detail::FindingsAt(args.fail_on)
            } else {
                Detail::Normal
            };
            render::input(&mut text, &report, &style, detail);
            write_stdout(text.as_bytes())?;
        }
    }
    Ok(audit_exit(&report, args.fail_on))
}

#[derive(serde::Serialize)]
struct JsonStatus {
    version: u32,
    out_dir: String,
    stores: Vec<JsonStore>,
    exit_status: u8,
}

#[derive(serde::Serialize)]
struct JsonStore {
    store: String,
    committed: Option<u32>,
    whole: bool,
    verdict: String,
    renewal_information: &'static str,
    generations: Vec<JsonGeneration>,
    files: Vec<JsonFile>,
}

#[derive(serde::Serialize)]
struct JsonGeneration {
    generation: u32,
    committed: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    after_committed: bool,
    thumbprint: Option<String>,
    not_before: Option<Timestamp>,
    not_after: Option<Timestamp>,
    days_left: Option<i64>,
    due: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    renewal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

#[derive(serde::Serialize)]
struct JsonFile {
    role: picert_acme::Role,
    path: String,
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    generation: Option<u32>,
}

/// A store's exit status and the line that says why: 2 for what a run refuses or what cannot
/// be read, 1 for what a run would do (repair, renew), 0 for nothing to do.
fn store_verdict(store: &picert_acme::StoreStatus) -> (u8, String) {
    let Some(n) = store.committed else {
        return (
            1,
            "no generation is in use (none was ever switched to): a picert acme run issues a new set"
                .into(),
        );
    };
    if let Some(file) = store.foreign().next() {
        return (
            2,
            format!(
                "{} is a file no generation wrote: a picert acme run stops there rather than write over it",
                file.path.display()
            ),
        );
    }
    let committed = store.committed_generation();
    if let Some(problem) = committed.and_then(|g| g.problem.as_ref()) {
        return (2, format!("generation {n} cannot be read: {problem}"));
    }
    let repairs = store.to_repair().count();
    let due = committed.and_then(|g| g.due.as_ref());
    let renewal = match due {
        Some(Due::Now(why)) => format!("renewal is due: {why}"),
        Some(Due::Later { at, reason }) => {
            format!("not due: renewal is due on {} ({reason})", at.date())
        }
        None => String::new(),
    };
    if repairs > 0 {
        return (
            1,
            format!(
                "split: a picert acme run writes {repairs} file{} again from generation {n}; {renewal}",
                if repairs == 1 { "" } else { "s" }
            ),
        );
    }
    match due {
        Some(Due::Now(_)) => (1, format!("generation {n} in place, whole; {renewal}")),
        _ => (0, format!("generation {n} in place, whole; {renewal}")),
    }
}

fn state_name(state: InPlace) -> (&'static str, Option<u32>) {
    match state {
        InPlace::AsWritten => ("as_written", None),
        InPlace::Missing => ("missing", None),
        InPlace::Earlier { generation } => ("earlier", Some(generation)),
        InPlace::Replaced => ("replaced", None),
        InPlace::Foreign => ("foreign", None),
        _ => ("other", None),
    }
}

const ARI_NOT_ASKED: &str = "not asked";

fn run_status(args: &StatusArgs, global: Global) -> Result<u8, CliError> {
    let now = args.at.unwrap_or_else(Timestamp::now);
    let stores =
        picert_acme::status(&args.out_dir, now).map_err(|e| CliError::Other(message(&e)))?;
    if stores.is_empty() {
        return Err(CliError::Other(format!(
            "{}: no set placed by picert acme here (no ACCESS-EDGE.picert folder)",
            args.out_dir.display()
        )));
    }
    let verdicts: Vec<(u8, String)> = stores.iter().map(store_verdict).collect();
    let code = verdicts.iter().map(|(c, _)| *c).max().unwrap_or(0);
    let date = |t: &Option<Timestamp>| t.map(|t| t.rfc3339()).unwrap_or_else(|| "-".into());
    match args.format {
        OutputFormat::Json => {
            let doc = JsonStatus {
                version: 1,
                out_dir: args.out_dir.display().to_string(),
                exit_status: code,
                stores: stores
                    .iter()
                    .zip(&verdicts)
                    .map(|(s, (_, verdict))| JsonStore {
                        store: s.dir.display().to_string(),
                        committed: s.committed,
                        whole: s.whole(),
                        verdict: verdict.clone(),
                        renewal_information: ARI_NOT_ASKED,
                        generations: s
                            .generations
                            .iter()
                            .map(|g| JsonGeneration {
                                generation: g.generation,
                                committed: g.committed,
                                after_committed: g.after_committed,
                                thumbprint: g.thumbprint.clone(),
                                not_before: g.not_before,
                                not_after: g.not_after,
                                days_left: g.days_left,
                                due: g.due.as_ref().map(|d| matches!(d, Due::Now(_))),
                                due_on: match &g.due {
                                    Some(Due::Later { at, .. }) => Some(at.date()),
                                    _ => None,
                                },
                                renewal: g.due.as_ref().map(|d| match d {
                                    Due::Now(why) => why.clone(),
                                    Due::Later { reason, .. } => reason.clone(),
                                }),
                                problem: g.problem.clone(),
                            })
                            .collect(),
                        files: s
                            .files
                            .iter()
                            .map(|f| {
                                let (state, generation) = state_name(f.state);
                                JsonFile {
                                    role: f.role,
                                    path: f.path.display().to_string(),
                                    state,
                                    generation,
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            };
            write_stdout(json_line(&doc, true)?.as_bytes())?;
        }
        OutputFormat::Human => {
            if global.quiet && code == 0 {
                return Ok(0);
            }
            let mut text = String::new();
            for (s, (_, verdict)) in stores.iter().zip(&verdicts) {
                text.push_str(&format!("{}: {verdict}\n", s.dir.display()));
                text.push_str(&format!(
                    "  {:<10}  {:<40}  {:<20}  {:>5}  RENEWAL\n",
                    "GENERATION", "THUMBPRINT", "NOT AFTER (UTC)", "DAYS"
                ));
                for g in &s.generations {
                    let renewal = match (&g.due, &g.problem) {
                        (_, Some(problem)) => format!("unreadable: {problem}"),
                        (Some(Due::Now(_)), _) => "due".into(),
                        (Some(Due::Later { at, .. }), _) => format!("due on {}", at.date()),
                        (None, None) => "-".into(),
                    };
                    let tag = if g.committed {
                        " (in place)"
                    } else if g.after_committed {
                        " (never switched to)"
                    } else {
                        ""
                    };
                    text.push_str(&format!(
                        "  {:<10}  {:<40}  {:<20}  {:>5}  {renewal}{tag}\n",
                        format!("gen-{:04}", g.generation),
                        g.thumbprint.as_deref().unwrap_or("-"),
                        date(&g.not_after).replace('T', " ").trim_end_matches('Z'),
                        g.days_left.map_or("-".into(), |d| d.to_string()),
                    ));
                }
                for f in &s.files {
                    let what = match f.state {
                        InPlace::AsWritten => held(f.state),
                        InPlace::Foreign => {
                            "is written by none of the generations: picert acme does not write over it"
                                .to_string()
                        }
                        other => format!(
                            "{}: picert acme writes it again from generation {}",
                            held(other),
                            s.committed.unwrap_or(0)
                        ),
                    };
                    text.push_str(&format!("  {} {what}\n", f.path.display()));
                }
                text.push_str(
                    "  the CA's renewal information (ARI) was not asked: status contacts no CA\n",
                );
            }
            write_stdout(text.as_bytes())?;
        }
    }
    Ok(code)
}

fn progress_line(p: &Progress) -> String {
    match p {
        Progress::Account { url, created: true } => format!("acme: new account {url}"),
        Progress::Account {
            url,
            created: false,
        } => format!("acme: account {url}"),
        Progress::Order { names, profile } => format!(
            "acme: order for {}{}",
            names.join(", "),
            profile
                .as_ref()
                .map(|p| format!(" (profile {p})"))
                .unwrap_or_default()
        ),
        Progress::AlreadyValid { name } => {
            format!("acme: {name} is already validated for this account")
        }
        Progress::Published { record } => format!("acme: published {record}"),
        Progress::Waiting { seconds } => {
            format!("acme: waiting {seconds}s for the records to propagate")
        }
        Progress::Validated => "acme: every name validated".into(),
        Progress::NotWithdrawn { error } => format!("acme: warning: {error}"),
        Progress::Issued => "acme: issued".into(),
        Progress::SetInPlace {
            new,
            files,
            mismatch: None,
        } => format!(
            "acme: the {} set in place belongs together: {}",
            if *new { "new" } else { "current" },
            files.join(", ")
        ),
        Progress::SetInPlace {
            new,
            mismatch: Some(why),
            ..
        } => format!(
            "acme: warning: the {} set in place does not belong together: {why}",
            if *new { "new" } else { "current" }
        ),
        Progress::GenerationWritten { dir } => {
            format!("acme: the new set is written in {dir}, not yet in use")
        }
        Progress::Switched { store, generation } => {
            format!("acme: switched to generation {generation} of {store}")
        }
        Progress::Placed { file } => format!("acme: placed {file}"),
        Progress::GenerationInPlace {
            store,
            generation,
            thumbprint,
            files,
        } => format!(
            "acme: the set in place is generation {generation} of {store} (thumbprint {thumbprint}), each file as written: {}",
            files.join(", ")
        ),
        Progress::Repaired {
            store,
            generation,
            thumbprint,
            files,
        } => format!(
            "acme: repaired the set in place, split by an interruption, from generation {generation} of {store} (thumbprint {thumbprint}): {}",
            files.join("; ")
        ),
        Progress::Discarded { store, generation } => format!(
            "acme: removed generation {generation} of {store}, which came after the one in use (written by a run stopped before its switch, or left by a rollback)"
        ),
        Progress::Deployed { program } => {
            format!("acme: the deploy hook {program} ran for the new set")
        }
        Progress::RenewalInfoUnavailable { error } => format!(
            "acme: warning: the CA's renewal information could not be read ({error}); the certificate's lifetime decides"
        ),
        other => format!("acme: {other:?}"),
    }
}

/// What to do with what was written: import the PKCS#12 file on the pool, or make one.
fn next_step(outcome: &picert_acme::AcmeOutcome, product: Option<picert_core::Product>) -> String {
    match &outcome.pfx_path {
        Some(pfx) => import_steps(
            &pfx.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            &outcome.thumbprint,
            product,
        ),
        None => format!(
            "Next: make the PKCS#12 file for Windows and the script that deploys it on the pool: picert bundle --cert {} --key {} -o edge.pfx --deploy-script deploy.ps1 (or run picert acme with --pfx)",
            outcome.certificate_path.display(),
            outcome
                .key_path
                .as_ref()
                .map(|k| k.display().to_string())
                .unwrap_or_else(|| "KEY".into())
        ),
    }
}

/// The PowerShell that imports the PKCS#12 file and assigns the certificate on the pool, and
/// where to read more: `picert help acme` and its manual page, which an installed picert has
/// (the docs folder is in the sources only).
fn import_steps(pfx_name: &str, t: &str, product: Option<picert_core::Product>) -> String {
    format!(
        "Next: on every Edge server of the pool, in the {}:\n  Import-PfxCertificate -FilePath {pfx_name} -CertStoreLocation Cert:\\LocalMachine\\My -Password (Read-Host -AsSecureString)\n  Set-CsCertificate -Type AccessEdgeExternal,DataEdgeExternal -Thumbprint {t}\n  Set-CsCertificate -Type AudioVideoAuthentication -Thumbprint {t} -Roll -EffectiveDate <the old certificate's expiry minus 8 hours>\n(picert bundle --deploy-script writes these steps as a script for the pool; more in picert help acme, or man picert-acme)",
        crate::output::management_shell(product),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use picert_core::Product;

    #[test]
    fn an_error_is_one_line() {
        assert_eq!(
            message(&AcmeError::Ca("first\nsecond\r\n third\n".into())),
            AcmeError::Ca("first / second / third".into()).to_string()
        );
    }

    #[test]
    fn the_import_steps_point_at_what_an_installed_picert_has() {
        let text = import_steps(
            "edge.pfx",
            "A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E",
            Some(Product::Sfb2019),
        );
        assert!(text.starts_with(
            "Next: on every Edge server of the pool, in the Skype for Business Server Management Shell:\n  Import-PfxCertificate -FilePath edge.pfx -CertStoreLocation Cert:\\LocalMachine\\My"
        ), "{text}");
        assert!(text.contains("-Thumbprint A447605E47D4A9D6DD5AAB9D88CAF230BD45FA3E -Roll"));
        assert!(
            text.ends_with("; more in picert help acme, or man picert-acme)"),
            "{text}"
        );
        assert!(!text.contains("docs/"), "{text}");
        let lync = import_steps("edge.pfx", "AB", Some(Product::Lync2013));
        assert!(
            lync.contains("in the Lync Server Management Shell:"),
            "{lync}"
        );
    }
}
