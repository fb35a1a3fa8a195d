//! Secrets: one reader for every password and passphrase, so that they behave the same way in
//! every command. A secret is the first line of its file (without the line end), or else the
//! value of its environment variable, as UTF-8 text; it is never taken from the command line.
//! An empty secret is refused wherever one is created (a key passphrase, a PFX password) and
//! accepted where one is only read (a PKCS#12 file made with an empty password opens with one).

use std::io::IsTerminal;
use std::path::Path;

use zeroize::Zeroizing;

use crate::{read_file, CliError};

/// Environment variable holding the PKCS#12 password.
pub const PFX_PASSWORD_ENV: &str = "PICERT_PFX_PASSWORD";
/// Environment variable holding the key passphrase.
pub const PASSPHRASE_ENV: &str = "PICERT_KEY_PASSPHRASE";

/// Where a secret came from, to name it in a message.
fn origin(file: Option<&Path>, env: &str) -> String {
    match file {
        Some(p) => p.display().to_string(),
        None => env.to_string(),
    }
}

/// The secret from `file`'s first line, or else from the variable `env`; `None` when neither
/// is given.
pub fn read(file: Option<&Path>, env: &str) -> Result<Option<Zeroizing<String>>, CliError> {
    if let Some(path) = file {
        let bytes = Zeroizing::new(read_file(path)?);
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| CliError::input(path, "the file is not UTF-8 text"))?;
        let line = text.lines().next().unwrap_or_default();
        return Ok(Some(Zeroizing::new(line.to_string())));
    }
    match std::env::var(env) {
        Ok(v) => Ok(Some(Zeroizing::new(v))),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(CliError::usage(format!("{env} is not UTF-8 text")))
        }
    }
}

/// A secret that is about to protect something: refused when empty.
pub fn read_non_empty(
    file: Option<&Path>,
    env: &str,
    what: &str,
) -> Result<Option<Zeroizing<String>>, CliError> {
    non_empty(read(file, env)?, file, env, what)
}

/// `secret` (read from `file` or `env`), refused when empty.
fn non_empty(
    secret: Option<Zeroizing<String>>,
    file: Option<&Path>,
    env: &str,
    what: &str,
) -> Result<Option<Zeroizing<String>>, CliError> {
    match secret {
        Some(s) if s.is_empty() => Err(CliError::usage(format!(
            "{}: the {what} is empty",
            origin(file, env)
        ))),
        other => Ok(other),
    }
}

/// The password for a new PKCS#12 file: from the file or the environment, else asked twice on
/// the terminal without echo. Never empty: Windows asks for one on import.
pub fn new_pfx_password(file: Option<&Path>) -> Result<Zeroizing<String>, CliError> {
    new_pfx_password_from(read(file, PFX_PASSWORD_ENV)?, file)
}

/// [`new_pfx_password`] from a password already read from `file` or the environment (a
/// command that also opens a PKCS#12 input reads the secret once: a pipe gives it only once).
pub fn new_pfx_password_from(
    given: Option<Zeroizing<String>>,
    file: Option<&Path>,
) -> Result<Zeroizing<String>, CliError> {
    if let Some(p) = non_empty(given, file, PFX_PASSWORD_ENV, "PFX password")? {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "no PFX password: give --password-file or PICERT_PFX_PASSWORD (a password is never taken from the command line)",
        ));
    }
    let prompt = |text: &str| {
        rpassword::prompt_password(text)
            .map(Zeroizing::new)
            .map_err(|e| CliError::Other(format!("cannot read the password: {e}")))
    };
    let first = prompt("PFX password: ")?;
    let second = prompt("PFX password again: ")?;
    if first != second {
        return Err(CliError::usage("the two passwords differ"));
    }
    if first.is_empty() {
        return Err(CliError::usage("the PFX password is empty"));
    }
    Ok(first)
}
