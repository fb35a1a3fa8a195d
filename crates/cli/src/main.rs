//! The `picert` command: arguments, rendering and exit codes over picert-core and picert-verify.

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

// The audit allocates many small strings per certificate on every core; mimalloc's per-thread
// heaps make that measurably cheaper than the system allocator (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod audit;
mod bundle;
mod expiry;
mod request;

/// Request and audit the external certificate of a Lync Server 2013 / Skype for Business Edge Server.
#[derive(Parser, Debug)]
#[command(name = "picert", version, about, long_about = None)]
struct Cli {
    /// Print only errors (no summary or next steps on stderr)
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the Edge external CSR and key (or a certreq INF) as the PIC certificate table wants them
    #[command(
        after_help = "Example:\n  picert request --topology fixtures/contoso.toml --out-dir out/"
    )]
    Request(Box<request::RequestArgs>),
    /// Check certificates or requests against the PIC certificate table and the rules around it
    #[command(
        after_help = "Examples:\n  picert audit edge.pem --topology fixtures/contoso.toml\n  picert audit certs/ --format json --fail-on warning\n  picert audit --connect sip.contoso.com --topology edge.toml\n\nExit status: 0 no finding at --fail-on or above; 1 such a finding; 2 an unreadable input, a bad argument or a rule failure."
    )]
    Audit(Box<audit::AuditArgs>),
    /// Put the issued certificate, its chain and its key in a PKCS#12 (.pfx) file for Windows
    #[command(
        after_help = "Examples:\n  picert bundle --cert issued.p7b --key sip.contoso.com.key --topology fixtures/contoso.toml -o edge.pfx\n  picert bundle --cert issued.pem --key edge.key --legacy --password-file pfx.txt -o edge-2016.pfx\n\nThe password comes from --password-file, PICERT_PFX_PASSWORD, or a prompt (twice, not echoed)."
    )]
    Bundle(Box<bundle::BundleArgs>),
    /// Days left per certificate, soonest first (for a cron job)
    #[command(
        after_help = "Examples:\n  picert expiry /etc/picert/certs\n  picert expiry edge.pem --fail-within 30 --format json\n\nExit status: 0; 1 with --fail-within when a certificate has fewer days left; 2 when an input is unreadable."
    )]
    Expiry(expiry::ExpiryArgs),
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
    Man(ManArgs),
    /// List the audit rules, or explain one
    #[command(after_help = "Examples:\n  picert rules\n  picert rules explain pic.san.order")]
    Rules(audit::RulesArgs),
}

#[derive(clap::Args, Debug)]
struct ManArgs {
    /// The subcommand whose page to print (picert-COMMAND(1)) [default: picert(1)]
    #[arg(value_name = "COMMAND", conflicts_with = "out_dir")]
    command: Option<String>,
    /// Write picert.1 and every picert-COMMAND.1 page to this folder instead
    #[arg(long, value_name = "DIR")]
    out_dir: Option<std::path::PathBuf>,
}

/// The manual pages: picert(1), and picert-COMMAND(1) for each subcommand it refers to.
fn man(args: ManArgs) -> Result<ExitCode, CliError> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = &args.out_dir {
        if !dir.is_dir() {
            return Err(CliError::input(dir, "no such folder"));
        }
        clap_mangen::generate_to(cmd.clone(), dir)
            .map_err(|e| CliError::input(dir, picert_core::io_message(&e)))?;
        fn pages(cmd: &clap::Command, prefix: &str, names: &mut Vec<String>) {
            names.push(format!("{prefix}.1"));
            for sub in cmd.get_subcommands() {
                pages(sub, &format!("{prefix}-{}", sub.get_name()), names);
            }
        }
        let mut names = Vec::new();
        pages(&cmd, "picert", &mut names);
        eprintln!(
            "wrote {} pages to {}: {}",
            names.len(),
            dir.display(),
            names.join(", ")
        );
        return Ok(ExitCode::SUCCESS);
    }
    let page = match &args.command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let known: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
                return Err(CliError::usage(format!(
                    "no manual page for '{name}': the commands are {}",
                    known.join(", ")
                )));
            }
        },
    };
    let mut text = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut text)
        .map_err(|e| CliError::Other(format!("cannot render the manual page: {e}")))?;
    write_stdout(&text).map(|()| ExitCode::SUCCESS)
}

/// A failure that ends the command with exit status 2.
#[derive(Debug)]
pub enum CliError {
    /// Wrong or conflicting arguments.
    Usage(String),
    /// A file could not be used; the message names it.
    Input { path: String, message: String },
    /// Refused by picert-core (its messages already name their subject).
    Core(picert_core::Error),
    /// Anything else, already worded.
    Other(String),
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
        CliError::Core(e)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Other(m) => f.write_str(m),
            CliError::Input { path, message } => write!(f, "{path}: {message}"),
            CliError::Core(e) => write!(f, "{e}"),
        }
    }
}

/// Reads a whole file; the error names it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    match picert_verify::input::read_path_limited(path, picert_verify::input::MAX_INPUT_BYTES) {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(too_big)) => Err(CliError::input(path, too_big)),
        Err(e) => Err(CliError::input(path, picert_core::io_message(&e))),
    }
}

/// Writes to standard output; a closed pipe (`picert audit ... | head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Other(format!(
            "standard output: {}",
            picert_core::io_message(&e)
        ))),
    }
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
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Request(args) => request::run(*args, cli.quiet).map(|()| ExitCode::SUCCESS),
        Command::Audit(args) => audit::run(*args).map(ExitCode::from),
        Command::Rules(args) => audit::rules(args).map(|()| ExitCode::SUCCESS),
        Command::Bundle(args) => bundle::run(*args, cli.quiet).map(|()| ExitCode::SUCCESS),
        Command::Expiry(args) => expiry::run(args).map(ExitCode::from),
        Command::Completions { shell } => {
            let mut text = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "picert", &mut text);
            write_stdout(&text).map(|()| ExitCode::SUCCESS)
        }
        Command::Man(args) => man(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("picert: error: {e}");
            ExitCode::from(2)
        }
    }
}
