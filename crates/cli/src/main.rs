//! The `picert` command: arguments, rendering and exit codes over picert-core and picert-verify.
//! Each command parses its arguments, calls one library workflow, renders the typed result and
//! picks the exit status; the workflows, the parsing of certificates and the policy live in the
//! libraries.

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

// The audit allocates many small strings per certificate on every core; mimalloc's per-thread
// heaps make that measurably cheaper than the system allocator (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod commands;
mod hints;
mod output;
mod render;
mod secrets;

use args::ColorChoice;

/// Request and audit the external certificate of a Lync Server 2013 / Skype for Business Edge Server.
#[derive(Parser, Debug)]
#[command(name = "picert", version, about, long_about = None)]
struct Cli {
    /// On success, print only the data asked for: no commentary, and for audit nothing at all
    /// unless a finding reaches --fail-on
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build a CSR and key (or a certreq INF): the Edge external one as the PIC table wants it, or
    /// any certificate of the topology's plan (--certificate)
    #[command(
        after_help = "Examples:\n  picert request --topology fixtures/contoso.toml --out-dir out/\n  picert request --topology topology.tbxml --certificate front-end --pool fepool.contoso.com --out-dir out/\n  picert request --from-cert edge.pem --topology edge.toml --out-dir renew/\n\nThe request and key file names go to standard output (or JSON with --format json); the description of the request to standard error.\n\nExit status: 0 the request and key are written; 2 nothing is written (a refused topology, a file that exists, a bad argument)."
    )]
    Request(Box<commands::request::RequestArgs>),
    /// Check certificates or requests against the PIC certificate table and the rules around it
    #[command(
        after_help = "Examples:\n  picert audit edge.pem --topology fixtures/contoso.toml\n  picert audit certs/ --format json --fail-on warning\n  picert audit --connect sip.contoso.com --topology edge.toml\n\nExit status: 0 no finding at --fail-on or above; 1 such a finding; 2 an unreadable input, a bad argument or a rule failure."
    )]
    Audit(Box<commands::audit::AuditArgs>),
    /// Put the issued certificate, its chain and its key in a PKCS#12 (.pfx) file for Windows
    #[command(
        after_help = "Examples:\n  picert bundle --cert issued.p7b --key sip.contoso.com.key --topology fixtures/contoso.toml -o edge.pfx\n  picert bundle --cert issued.pem --key edge.key --legacy --password-file pfx.txt -o edge-2016.pfx\n\nThe password comes from --password-file, PICERT_PFX_PASSWORD, or a prompt (twice, not echoed).\n\nExit status: 0 written, its audit clean; 1 the audit finds an error (nothing written, or written with --force); 2 nothing written (an unreadable file, a key that does not match, a file that exists, a bad argument)."
    )]
    Bundle(Box<commands::bundle::BundleArgs>),
    /// Days left per certificate, soonest first (for a cron job)
    #[command(
        after_help = "Examples:\n  picert expiry /etc/picert/certs\n  picert expiry edge.pem --fail-within 30 --format json\n  picert expiry --connect sip.contoso.com --fail-within 30\n  picert expiry --topology topology.tbxml --fail-within 30\n  picert expiry --topology topology.tbxml --certificate edge-internal --pool edgepool.contoso.com\n\nWith --topology, every certificate of the plan is read where it is served (docs/expiry.md): the Access and Web Conferencing Edge external FQDNs and the federation port, every Edge, Front End and Director server at its SIP port, the external web services at the reverse proxy; the A/V Edge (TURN) is not a TLS endpoint and is left out.\n\nExit status: 0 every certificate has at least --fail-within days left (default 0: none has expired); 1 one has fewer, or has expired; 2 an input is unreadable or a target unreachable, or a bad argument."
    )]
    Expiry(Box<commands::expiry::ExpiryArgs>),
    /// Check each SIP domain as federated partners see it: DNS, every Edge of the pool, mutual TLS
    #[command(
        after_help = "Examples:\n  picert federation --topology edge.toml\n  picert federation contoso.com fabrikam.com --access-edge sip.contoso.com\n  picert federation --topology edge.toml --client-cert edge.pem --client-key edge.key\n  picert federation --topology edge.toml --dns-server 127.0.0.1:5353 --timeout 5 --format json\n\nExit status: 0 no finding at --fail-on or above; 1 such a finding; 2 a domain or endpoint could not be checked, or a bad argument."
    )]
    Federation(Box<commands::federation::FederationArgs>),
    /// Issue or renew the Edge certificate over ACME (dns-01), audit it, write the files for Windows
    #[command(
        after_help = "Examples:\n  picert acme --topology edge.toml --directory https://acme.example/directory --dns-hook ./dns-hook.sh --account-key acme-account.key --agree-tos --out-dir issued\n  picert acme --from-cert issued/sip.contoso.com.pem --topology edge.toml --directory letsencrypt --dns-hook ./dns-hook.sh --account-key acme-account.key --out-dir issued --if-due --force --pfx issued/edge.pfx\n\nExit status: 0 issued and clean (or not due with --if-due); 1 issued with a finding at --fail-on, or a --deploy-hook that failed (the new set stays); 2 nothing issued, or interrupted (SIGINT, SIGTERM: the error says which set is in place).\n\nEach new set is written whole as a generation in ACCESS-EDGE.picert beside the chain, switched to by one rename, then placed at the paths given; every run first completes a set a kill or power loss split, and says so.\n\npicert acme status --out-dir DIR lists the generations kept, the one in place, and what a run would repair, writing nothing (picert acme status --help).\n\n--dry-run places a real order (at letsencrypt-staging when --directory is letsencrypt), completes the challenges and audits the certificate, but writes no file of the set and repairs nothing; it says what it would have placed. Its exit status is a run's.\n\nFrom cron or a timer: picert acme --quiet ... --if-due --force prints nothing when nothing is due, and one line (picert: error: ...) on standard error when the run fails.\n\n--at is the time --if-due judges by; the issued certificate is audited as it arrives.\n\nWith --pfx, the Next: lines on standard error give the PowerShell that imports the PKCS#12 file and assigns the certificate on every Edge server of the pool (A/V authentication staged with -Roll -EffectiveDate, 8 hours ahead at least); picert bundle --deploy-script writes the same steps as a script (picert help bundle)."
    )]
    Acme(Box<commands::acme::AcmeArgs>),
    /// List every certificate a topology XML needs: subject, SANs, CA, assignment, limits
    #[command(
        after_help = "Examples:\n  picert plan topology.tbxml\n  picert plan topology.xml --format json\n\nExit status: 0 the plan is printed; 2 when the file cannot be read as a topology, or holds a name no certificate can carry."
    )]
    Plan(commands::plan::PlanArgs),
    /// Show what picert reads from Topology Builder's or Get-CsTopology -AsXml's topology XML
    #[command(
        after_help = "Examples:\n  picert topology topology.tbxml\n  picert topology topology.xml --format json\n  picert topology topology.tbxml --format toml --edge-pool edgepool.contoso.com > edge.toml\n\nExit status: 0; 2 when the file cannot be read as a topology, or the Edge pool is not in it."
    )]
    Topology(commands::topology::TopologyCmdArgs),
    /// Print a shell completion script
    #[command(after_help = "Example:\n  picert completions bash > /etc/bash_completion.d/picert")]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff), or write them all to a folder
    #[command(
        after_help = "Examples:\n  picert man > /usr/local/share/man/man1/picert.1\n  picert man audit > /usr/local/share/man/man1/picert-audit.1\n  picert man --out-dir /usr/local/share/man/man1"
    )]
    Man(commands::man::ManArgs),
    /// List the audit rules, or explain one
    #[command(
        after_help = "Examples:\n  picert rules\n  picert rules --source microsoft\n  picert rules explain pic.san.order\n\nExit status: 0; 2 an unknown rule or source."
    )]
    Rules(commands::rules::RulesArgs),
}

/// A failure that ends the command with exit status 2.
#[derive(Debug)]
pub enum CliError {
    /// Wrong or conflicting arguments.
    Usage(String),
    /// A file could not be used; the message names it.
    Input { path: String, message: String },
    /// Anything else, already worded.
    Other(String),
    /// The job was not done because what it would produce fails its audit (a finding, so exit
    /// status 1, as for `picert audit`); nothing was written.
    Findings(String),
}

impl CliError {
    pub fn usage(msg: impl Into<String>) -> CliError {
        CliError::Usage(msg.into())
    }

    pub fn input(path: &Path, msg: impl fmt::Display) -> CliError {
        CliError::Input {
            path: path.display().to_string(),
            message: msg.to_string(),
        }
    }
}

impl From<picert_core::Error> for CliError {
    fn from(e: picert_core::Error) -> Self {
        CliError::Other(hints::core(&e))
    }
}

impl From<picert_verify::SetupError> for CliError {
    fn from(e: picert_verify::SetupError) -> Self {
        match e {
            picert_verify::SetupError::Topology(e) => e.into(),
            other => CliError::Other(other.to_string()),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Other(m) | CliError::Findings(m) => f.write_str(m),
            CliError::Input { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

/// Reads a whole file (at most picert's input limit); the error names it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    use picert_verify::input::{read_limited, MAX_INPUT_BYTES};
    match std::fs::File::open(path).and_then(|file| read_limited(file, MAX_INPUT_BYTES)) {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(too_big)) => Err(CliError::input(path, too_big)),
        Err(e) => Err(CliError::input(path, picert_core::io_message(&e))),
    }
}

/// What every command gets besides its own arguments.
#[derive(Debug, Clone, Copy)]
pub struct Global {
    /// `--quiet`.
    pub quiet: bool,
    /// `--color`.
    pub color: ColorChoice,
}

fn main() -> ExitCode {
    // Rule panics are caught and reported as `fatal` results; any other panic is a bug, said in
    // one line without a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("picert: internal error{place}: {msg}");
    }));
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let json = output::json_requested(&argv);
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) if json && e.use_stderr() => {
            // clap's message up to its first blank line, as one line: "the following required
            // arguments were not provided: --cert <FILE>, --key <FILE>".
            let detail = e.to_string();
            let mut lines = detail.lines().take_while(|l| !l.trim().is_empty());
            let mut message = lines
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_string();
            let rest: Vec<&str> = lines.map(str::trim).collect();
            if !rest.is_empty() {
                message = format!("{} {}", message.trim_end(), rest.join(", "));
            }
            if message.is_empty() {
                message = e.kind().to_string();
            }
            let _ = output::write_stdout(output::json_error(&message).as_bytes());
            e.exit()
        }
        Err(e) if e.use_stderr() => {
            // The prefix of every other message: "picert: error: unexpected argument ...",
            // then clap's tip and usage.
            let text = e.to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            eprint!("picert: error: {text}");
            std::process::exit(e.exit_code());
        }
        Err(e) => e.exit(),
    };
    let global = Global {
        quiet: cli.quiet,
        color: cli.color,
    };
    let result = match cli.command {
        Command::Request(args) => commands::request::run(*args, global),
        Command::Audit(args) => commands::audit::run(*args, global),
        Command::Rules(args) => commands::rules::run(args, global),
        Command::Topology(args) => commands::topology::run(args, global),
        Command::Plan(args) => commands::plan::run(args, global),
        Command::Bundle(args) => commands::bundle::run(*args, global),
        Command::Expiry(args) => commands::expiry::run(*args, global),
        Command::Federation(args) => commands::federation::run(*args, global),
        Command::Acme(args) => commands::acme::run(*args, global),
        Command::Completions { shell } => {
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "picert", &mut text);
            output::write_stdout(&text).map(|()| 0)
        }
        Command::Man(args) => commands::man::run(args, Cli::command(), global),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if json {
                let _ = output::write_stdout(output::json_error(&e.to_string()).as_bytes());
            }
            eprintln!("picert: error: {e}");
            ExitCode::from(if matches!(e, CliError::Findings(_)) {
                1
            } else {
                2
            })
        }
    }
}
