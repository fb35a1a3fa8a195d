//! Where output goes: standard output carries the data a command was asked for (a report, a
//! CSR, a summary a script reads), standard error the commentary for people, which `--quiet`
//! silences. Colour only on a terminal, never with NO_COLOR, never in JSON.

use std::io::{IsTerminal, Write};

use crate::args::ColorChoice;
use crate::CliError;

/// ANSI colours, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    on: bool,
}

impl Style {
    /// Colour for standard output under this choice.
    pub fn new(choice: ColorChoice) -> Style {
        Style::for_stream(choice, std::io::stdout().is_terminal())
    }

    /// Colour for standard error under this choice.
    pub fn stderr(choice: ColorChoice) -> Style {
        Style::for_stream(choice, std::io::stderr().is_terminal())
    }

    fn for_stream(choice: ColorChoice, terminal: bool) -> Style {
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal
            }
        };
        Style { on }
    }

    /// `text` in the SGR colour `code`.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Writes to standard output; a closed pipe (`picert audit ... | head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
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

/// Commentary on standard error, unless `--quiet`.
#[derive(Debug, Clone, Copy)]
pub struct Commentary {
    quiet: bool,
}

impl Commentary {
    /// Commentary that `quiet` silences.
    pub fn new(quiet: bool) -> Commentary {
        Commentary { quiet }
    }

    /// One line (or several) on standard error.
    pub fn say(&self, text: impl AsRef<str>) {
        if !self.quiet {
            let mut err = std::io::stderr().lock();
            let text = text.as_ref();
            let _ = err.write_all(text.as_bytes());
            if !text.ends_with('\n') {
                let _ = err.write_all(b"\n");
            }
        }
    }
}

/// A note from the libraries as this command line says it: `warning: `, `renewal: ` or
/// `note: ` and the note.
pub fn note_line(note: &picert_core::Note) -> String {
    if note.is_warning() {
        format!("warning: {note}")
    } else if note.is_renewal() {
        format!("renewal: {note}")
    } else {
        format!("note: {note}")
    }
}

/// A note about the PKCS#12 protection as this command line says it, with the flags that
/// change it.
pub fn pfx_note_line(note: &picert_core::Note) -> String {
    match note {
        picert_core::Note::PfxLegacyUnknownWindows
        | picert_core::Note::PfxLegacyForProduct { .. } => {
            format!("{}, or give --windows 2019 or --modern", note_line(note))
        }
        n => note_line(n),
    }
}

/// The shell the `Next:` advice runs `Set-CsCertificate` in: the product's, or the Skype for
/// Business one when the product is not known.
pub fn management_shell(product: Option<picert_core::Product>) -> &'static str {
    product.map_or(
        "Skype for Business Server Management Shell",
        picert_core::Product::management_shell,
    )
}

/// What a topology's values deserve a word about ([`picert_core::Topology::notes`]), one
/// `picert: warning:` or `picert: note:` line each, on standard error.
pub fn say_topology_notes(commentary: &Commentary, topology: &picert_core::Topology) {
    for note in topology.notes() {
        commentary.say(format!("picert: {}", note_line(&note)));
    }
}

/// Serialises a value as JSON, with a line end.
pub fn json_line<T: serde::Serialize>(value: &T, pretty: bool) -> Result<String, CliError> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(|e| CliError::Other(format!("cannot encode the JSON report: {e}")))?;
    Ok(text + "\n")
}

/// The document a `--format json` run prints when it fails before its report: a CI job always
/// has JSON to parse.
pub fn json_error(message: &str) -> String {
    // By hand: version first, as in every other document.
    format!(
        "{{\"version\":1,\"error\":{}}}\n",
        serde_json::Value::from(message)
    )
}

/// True when the command line asks for JSON output (`--format json` or `--format=json`), read
/// from the raw arguments so that it holds even when they do not parse.
pub fn json_requested(args: &[std::ffi::OsString]) -> bool {
    args.windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json")
        || args.iter().any(|a| a == "--format=json")
}

/// A line on standard error that says what a run waits for, shown only when the wait lasts more
/// than a second, standard error is a terminal and `--quiet` is not given; cleared when the
/// wait is over (dropped), so that it never mixes with the report.
pub struct Waiting {
    done: Option<std::sync::mpsc::Sender<()>>,
    shown: Option<std::thread::JoinHandle<bool>>,
}

impl Waiting {
    /// Starts the wait for `what` ("checking 3 SIP domains").
    pub fn start(quiet: bool, what: String) -> Waiting {
        if quiet || !std::io::stderr().is_terminal() {
            return Waiting {
                done: None,
                shown: None,
            };
        }
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let shown = std::thread::spawn(move || {
            if rx.recv_timeout(std::time::Duration::from_secs(1)).is_ok() {
                return false;
            }
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "picert: {what}...");
            let _ = err.flush();
            true
        });
        Waiting {
            done: Some(tx),
            shown: Some(shown),
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(());
        }
        if let Some(shown) = self.shown.take() {
            if shown.join().unwrap_or(false) {
                // Back to the start of the line, and the line cleared.
                let _ = write!(std::io::stderr(), "\r\x1b[K");
            }
        }
    }
}
