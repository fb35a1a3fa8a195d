//! Publishing the dns-01 challenges: a trait for whatever updates the zone, and the command a
//! user gives (`--dns-hook`), run as `CMD add NAME VALUE` and `CMD remove NAME VALUE`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whatever publishes and withdraws `_acme-challenge` TXT records.
pub trait ChallengeDns {
    /// Publishes `value` as a TXT record of `name` (`_acme-challenge.sip.contoso.com`, no
    /// root dot).
    fn add(&self, name: &str, value: &str) -> Result<(), HookError>;
    /// Withdraws it.
    fn remove(&self, name: &str, value: &str) -> Result<(), HookError>;
    /// Whether it can run at all, checked before an order is placed (a hook that cannot run
    /// would leave a pending order at the CA). Nothing to check by default.
    fn check(&self) -> Result<(), HookError> {
        Ok(())
    }
}

/// A hook that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the DNS hook {program} {} ({why}){}", if .name.is_empty() { "cannot be run".to_string() } else { format!("{action} {name} failed") }, if .stderr.is_empty() { String::new() } else { format!(": {}", .stderr) })]
pub struct HookError {
    /// The program.
    pub program: String,
    /// `add` or `remove`.
    pub action: &'static str,
    /// The record name.
    pub name: String,
    /// The exit status, or why it did not run.
    pub why: String,
    /// What it wrote on standard error (the first lines; bytes that are not UTF-8 replaced by
    /// U+FFFD).
    pub stderr: String,
}

/// A program run for each record: `PROGRAM add|remove NAME VALUE`, with the same in the
/// environment (`PICERT_ACME_ACTION`, `PICERT_ACME_NAME`, `PICERT_ACME_VALUE`, and
/// `PICERT_ACME_DOMAIN`, the name without `_acme-challenge.`). A non-zero exit status is a
/// failure; a run is stopped after the timeout.
#[derive(Debug, Clone)]
pub struct CommandHook {
    /// The program (a path, or a name on PATH).
    pub program: PathBuf,
    /// The longest a run may take.
    pub timeout: Duration,
    /// Environment variables the program does not get (the caller's secrets: the hook needs
    /// none of them).
    pub withheld_env: Vec<String>,
}

impl CommandHook {
    fn run(&self, action: &'static str, name: &str, value: &str) -> Result<(), HookError> {
        let mut command = Command::new(&self.program);
        for var in &self.withheld_env {
            command.env_remove(var);
        }
        command
            .args([action, name, value])
            .env("PICERT_ACME_ACTION", action)
            .env("PICERT_ACME_NAME", name)
            .env("PICERT_ACME_VALUE", value)
            .env(
                "PICERT_ACME_DOMAIN",
                name.strip_prefix("_acme-challenge.").unwrap_or(name),
            );
        run_bounded(command, self.timeout).map_err(|(why, stderr)| HookError {
            program: self.program.display().to_string(),
            action,
            name: name.to_string(),
            why,
            stderr,
        })
    }
}

/// Runs `command` (standard input empty, standard output discarded), killed after `timeout`:
/// on failure, why (the exit status, or why it did not run) and the first five non-empty
/// lines of its standard error, joined by ` / `.
fn run_bounded(mut command: Command, timeout: Duration) -> Result<(), (String, String)> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| (picert_core::io_message(&e), String::new()))?;
    // Standard error is read on the side; a hook that leaves a child holding it open does
    // not hold picert (the text is waited for a moment, then given up).
    let mut stderr = child.stderr.take();
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Bytes, shown lossily: a hook's message in another encoding (a Windows code page,
        // Latin-1) is kept, its odd bytes replaced, rather than dropped whole.
        let mut bytes = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.take(64 * 1024).read_to_end(&mut bytes);
        }
        let _ = sent.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("stopped after {}s", timeout.as_secs().max(1)));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => break Err(picert_core::io_message(&e)),
        }
    };
    let text = received
        .recv_timeout(Duration::from_secs(1))
        .unwrap_or_default();
    let text: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(5)
        .collect();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err((
            match s.code() {
                Some(code) => format!("exit status {code}"),
                None => "killed by a signal".into(),
            },
            text.join(" / "),
        )),
        Err(why) => Err((why, text.join(" / "))),
    }
}

impl ChallengeDns for CommandHook {
    fn add(&self, name: &str, value: &str) -> Result<(), HookError> {
        self.run("add", name, value)
    }

    /// The program exists (as a path, or on PATH) and is a file picert may run.
    fn check(&self) -> Result<(), HookError> {
        check_runnable(&self.program).map_err(|why| HookError {
            program: self.program.display().to_string(),
            action: "check",
            name: String::new(),
            why: why.to_string(),
            stderr: String::new(),
        })
    }

    fn remove(&self, name: &str, value: &str) -> Result<(), HookError> {
        self.run("remove", name, value)
    }
}

/// Whether `program` (a path, or a name on PATH) is a file picert may run; why not.
fn check_runnable(program: &Path) -> Result<(), &'static str> {
    let candidates: Vec<PathBuf> = if program.components().count() > 1 {
        vec![program.to_path_buf()]
    } else {
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).map(|d| d.join(program)).collect())
            .unwrap_or_default()
    };
    let runnable = |p: &PathBuf| {
        let Ok(meta) = std::fs::metadata(p) else {
            return false;
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            meta.is_file() && meta.permissions().mode() & 0o111 != 0
        }
        #[cfg(not(unix))]
        {
            meta.is_file()
        }
    };
    if candidates.iter().any(runnable) {
        return Ok(());
    }
    let exists = candidates.iter().any(|p| p.exists());
    Err(if exists {
        "not a program picert may run (is it executable?)"
    } else if program.components().count() > 1 {
        "no such file"
    } else {
        "not found on PATH"
    })
}

/// A program run once after a new set is in place (`--deploy-hook`), without arguments, with
/// the set in its environment: `PICERT_DEPLOY_CERTIFICATE`, `PICERT_DEPLOY_KEY` (a new key),
/// `PICERT_DEPLOY_PFX` (a PKCS#12 file), `PICERT_DEPLOY_THUMBPRINT`, `PICERT_DEPLOY_NOT_AFTER`
/// and `PICERT_DEPLOY_GENERATION` (the generation's folder). A run is stopped after the timeout.
#[derive(Debug, Clone)]
pub struct DeployHook {
    /// The program (a path, or a name on PATH).
    pub program: PathBuf,
    /// The longest a run may take.
    pub timeout: Duration,
    /// Environment variables the program does not get (the caller's secrets).
    pub withheld_env: Vec<String>,
}

/// A deploy hook that failed (the new set stays in place).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the deploy hook {program} {} ({why}){}", if *.ran { "failed" } else { "cannot be run" }, if .stderr.is_empty() { String::new() } else { format!(": {}", .stderr) })]
pub struct DeployError {
    /// The program.
    pub program: String,
    /// Whether it ran (else it could not be started).
    pub ran: bool,
    /// The exit status, or why it did not run.
    pub why: String,
    /// What it wrote on standard error (the first lines).
    pub stderr: String,
}

impl DeployHook {
    /// Whether it can run at all (checked before the order is placed).
    pub fn check(&self) -> Result<(), DeployError> {
        check_runnable(&self.program).map_err(|why| DeployError {
            program: self.program.display().to_string(),
            ran: false,
            why: why.into(),
            stderr: String::new(),
        })
    }

    /// Runs it with `env` added to picert's environment (its secrets withheld).
    pub(crate) fn run(&self, env: &[(&str, String)]) -> Result<(), DeployError> {
        let mut command = Command::new(&self.program);
        for var in &self.withheld_env {
            command.env_remove(var);
        }
        for (k, v) in env {
            command.env(k, v);
        }
        run_bounded(command, self.timeout).map_err(|(why, stderr)| DeployError {
            program: self.program.display().to_string(),
            ran: true,
            why,
            stderr,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_the_program_and_reports_its_failure() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let script = dir.path().join("hook.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"$1 $2 $3 $PICERT_ACME_DOMAIN\" >> {}\n[ \"$1\" = add ] || {{ echo 'zone update refused' >&2; exit 3; }}\n",
                log.display()
            ),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let hook = CommandHook {
            program: script.clone(),
            timeout: Duration::from_secs(5),
            withheld_env: vec![],
        };
        hook.check().unwrap();
        hook.add("_acme-challenge.sip.contoso.com", "abc").unwrap();
        let e = hook
            .remove("_acme-challenge.sip.contoso.com", "abc")
            .unwrap_err();
        assert_eq!(e.why, "exit status 3");
        assert!(e.to_string().ends_with("remove _acme-challenge.sip.contoso.com failed (exit status 3): zone update refused"), "{e}");
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "add _acme-challenge.sip.contoso.com abc sip.contoso.com\nremove _acme-challenge.sip.contoso.com abc sip.contoso.com\n"
        );
        let slow = dir.path().join("slow.sh");
        std::fs::write(&slow, "#!/bin/sh\nsleep 30\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let started = Instant::now();
        let e = CommandHook {
            program: slow,
            timeout: Duration::from_millis(300),
            withheld_env: vec![],
        }
        .add("x", "y")
        .unwrap_err();
        assert!(e.why.starts_with("stopped after"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let missing = CommandHook {
            program: dir.path().join("nope"),
            timeout: Duration::from_secs(1),
            withheld_env: vec![],
        };
        assert_eq!(
            missing.add("x", "y").unwrap_err().why,
            "no such file or directory"
        );
        let e = missing.check().unwrap_err();
        assert!(
            e.to_string().ends_with("nope cannot be run (no such file)"),
            "{e}"
        );
        // Not executable.
        let plain = dir.path().join("plain.sh");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        let e = CommandHook {
            program: plain,
            timeout: Duration::from_secs(1),
            withheld_env: vec![],
        }
        .check()
        .unwrap_err();
        assert!(e.why.contains("is it executable"), "{e}");
        // A name found on PATH.
        let sh = CommandHook {
            program: "sh".into(),
            timeout: Duration::from_secs(1),
            withheld_env: vec![],
        };
        sh.check().unwrap();
    }

    /// A message on standard error that is not UTF-8 (Latin-1 here) is shown, its odd bytes
    /// replaced.
    #[test]
    fn stderr_that_is_not_utf8_is_shown_lossily() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("hook.sh");
        // "zone mise à jour refusée" in Latin-1: 0xE0 and 0xE9 are not UTF-8.
        std::fs::write(
            &script,
            "#!/bin/sh
printf 'zone mise \\340 jour refus\\351e\\n' >&2
exit 4
",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let e = CommandHook {
            program: script,
            timeout: Duration::from_secs(5),
            withheld_env: vec![],
        }
        .add("_acme-challenge.sip.contoso.com", "abc")
        .unwrap_err();
        assert_eq!(e.why, "exit status 4");
        assert_eq!(e.stderr, "zone mise \u{FFFD} jour refus\u{FFFD}e");
        assert!(
            e.to_string().ends_with(
                "add _acme-challenge.sip.contoso.com failed (exit status 4): zone mise \u{FFFD} jour refus\u{FFFD}e"
            ),
            "{e}"
        );
    }

    /// The caller's secrets are not passed to the hook.
    #[test]
    fn withheld_variables_do_not_reach_the_hook() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("env");
        let script = dir.path().join("hook.sh");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"[$PICERT_TEST_SECRET][$PICERT_TEST_KEPT]\" > {}\n",
                out.display()
            ),
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        // Set for this process only, for the child to inherit (or not).
        std::env::set_var("PICERT_TEST_SECRET", "s3cret");
        std::env::set_var("PICERT_TEST_KEPT", "kept");
        CommandHook {
            program: script,
            timeout: Duration::from_secs(5),
            withheld_env: vec!["PICERT_TEST_SECRET".into()],
        }
        .add("x", "y")
        .unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "[][kept]\n");
    }
}
