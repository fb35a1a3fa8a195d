//! `picert expiry`: days left per certificate, soonest first, for a cron job.

use std::path::PathBuf;

use clap::Args;
use picert_verify::input::read_contents_with_password;
use picert_verify::report::rfc3339;
use serde::Serialize;

use crate::audit::{expand_inputs, parse_time, password_from, OutputFormat, PFX_PASSWORD_ENV};
use crate::{read_file, CliError};

#[derive(Args, Debug)]
pub struct ExpiryArgs {
    /// Certificates or bundles (PEM, DER, PKCS#7, PKCS#12); a directory reads every certificate file in it
    #[arg(value_name = "FILE|DIR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Exit 1 when a certificate has fewer days left than this (expired ones included)
    #[arg(long, value_name = "DAYS")]
    pub fail_within: Option<i64>,
    /// Count from this time instead of now (RFC 3339 or a date)
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub at: Option<i64>,
    /// Password of PKCS#12 inputs, first line of this file (also: PICERT_PFX_PASSWORD)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// One certificate's expiry.
#[derive(Serialize, Debug)]
struct Entry {
    path: String,
    subject: String,
    not_after: String,
    days_left: i64,
    #[serde(skip)]
    not_after_unix: i64,
}

#[derive(Serialize, Debug)]
struct Unreadable {
    path: String,
    error: String,
}

#[derive(Serialize, Debug)]
struct ExpiryReport {
    version: u32,
    at: String,
    certificates: Vec<Entry>,
    /// Requests met in the inputs: they have no expiry and do not change the exit status.
    skipped: Vec<Unreadable>,
    unreadable: Vec<Unreadable>,
}

pub fn run(args: ExpiryArgs) -> Result<u8, CliError> {
    let now = args
        .at
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
    let password = password_from(args.password_file.as_ref(), PFX_PASSWORD_ENV)?;
    let mut report = ExpiryReport {
        version: 1,
        at: rfc3339(now),
        certificates: Vec::new(),
        skipped: Vec::new(),
        unreadable: Vec::new(),
    };
    for item in expand_inputs(&args.inputs) {
        let path = match item {
            Ok(p) => p,
            Err(r) => {
                report.unreadable.push(Unreadable {
                    path: r.path,
                    error: r.error.unwrap_or_default(),
                });
                continue;
            }
        };
        let shown = path.display().to_string();
        let bytes = match read_file(&path) {
            Ok(b) => b,
            Err(e) => {
                let error = e.to_string();
                let error = error
                    .strip_prefix(&format!("{shown}: "))
                    .unwrap_or(&error)
                    .to_string();
                report.unreadable.push(Unreadable { path: shown, error });
                continue;
            }
        };
        let certs = match read_contents_with_password(&bytes, password.as_deref()) {
            Ok(c) if !c.certificates.is_empty() => c.certificates,
            Ok(_) => {
                report.skipped.push(Unreadable {
                    path: shown,
                    error: "a certificate request has no expiry".into(),
                });
                continue;
            }
            Err(e) => {
                report.unreadable.push(Unreadable {
                    path: shown,
                    error: e.to_string(),
                });
                continue;
            }
        };
        let leaf = &certs[picert_verify::chain::pick_leaf(&certs)];
        match picert_verify::facts::certificate_facts(leaf) {
            Ok(f) => {
                let not_after = f.not_after.unwrap_or_default();
                report.certificates.push(Entry {
                    path: shown,
                    subject: f
                        .common_names
                        .iter()
                        .flatten()
                        .next()
                        .cloned()
                        .unwrap_or(f.subject),
                    not_after: rfc3339(not_after),
                    days_left: (not_after - now).div_euclid(86400),
                    not_after_unix: not_after,
                });
            }
            Err(e) => report.unreadable.push(Unreadable {
                path: shown,
                error: e,
            }),
        }
    }
    report
        .certificates
        .sort_by_key(|e| (e.not_after_unix, e.path.clone()));

    let text = match args.format {
        OutputFormat::Json => {
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Other(e.to_string()))?
                + "\n"
        }
        OutputFormat::Human => {
            let mut out = String::new();
            if !report.certificates.is_empty() {
                out.push_str(&format!(
                    "{:>6}  {:<20}  {:<30}  FILE\n",
                    "DAYS", "EXPIRES (UTC)", "SUBJECT"
                ));
            }
            for e in &report.certificates {
                let note = if e.days_left < 0 { "  (expired)" } else { "" };
                out.push_str(&format!(
                    "{:>6}  {:<20}  {:<30}  {}{note}\n",
                    e.days_left,
                    e.not_after.replace('T', " ").trim_end_matches('Z'),
                    e.subject,
                    e.path
                ));
            }
            for u in &report.skipped {
                out.push_str(&format!("{}: skipped: {}\n", u.path, u.error));
            }
            for u in &report.unreadable {
                out.push_str(&format!("{}: unreadable: {}\n", u.path, u.error));
            }
            out
        }
    };
    crate::write_stdout(text.as_bytes())?;
    Ok(if !report.unreadable.is_empty() {
        2
    } else if args
        .fail_within
        .is_some_and(|d| report.certificates.iter().any(|e| e.days_left < d))
    {
        1
    } else {
        0
    })
}
