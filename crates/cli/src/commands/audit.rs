//! `picert audit`: files, folders and live Edges, audited by picert-verify's batch and live
//! workflows; the report streamed as text or JSON.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use picert_verify::{Audited, Batch, InputReport, Severity, Summary};

use crate::args::{CertificateArgs, ConnectArgs, ExpectationArgs, OutputFormat, PfxPasswordArgs};
use crate::output::{json_line, note_line, Commentary, Style};
use crate::render::{self, Detail};
use crate::{hints, CliError, Global};

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Certificates, bundles, PKCS#7 files or requests; a directory audits every certificate
    /// file in it; '-' reads standard input
    #[arg(value_name = "FILE|DIR|-", required_unless_present = "connect")]
    pub inputs: Vec<PathBuf>,

    /// Audit what a live Edge presents: HOST or HOST:PORT (default port 5061); repeatable
    #[arg(long, value_name = "HOST[:PORT]")]
    pub connect: Vec<String>,
    /// With --connect: the name sent as SNI and checked against the SANs [default: HOST];
    /// repeatable, to check several names (sip.DOMAIN for each SIP domain) on each target
    #[arg(long, value_name = "NAME", requires = "connect")]
    pub server_name: Vec<String>,
    #[command(flatten)]
    pub live: ConnectArgs,

    #[command(flatten)]
    pub expect: ExpectationArgs,
    #[command(flatten)]
    pub certificate: CertificateArgs,

    /// Extra intermediate certificates offered to every file's chain (repeatable; not to a
    /// --connect target, whose audit is of what the server sends)
    #[arg(long = "chain", value_name = "FILE")]
    pub chains: Vec<PathBuf>,
    #[command(flatten)]
    pub pfx: PfxPasswordArgs,
    /// Report format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Exit 1 when a finding reaches this severity
    #[arg(long, value_name = "SEVERITY", default_value = "error", value_parser = crate::args::parse_severity)]
    pub fail_on: Severity,
    /// Also list passing, not-applicable and not-yet-effective rules
    #[arg(long, short)]
    pub verbose: bool,
}

/// One input rendered in a worker: the text to print and what it adds to the run.
struct Rendered {
    text: String,
    summary: Summary,
    worst: Option<Severity>,
    note: Option<String>,
}

/// Streams to standard output; a closed pipe ends the writing, not the run's verdict.
struct Stream<'a> {
    out: std::io::BufWriter<std::io::StdoutLock<'a>>,
    closed: bool,
}

impl Stream<'_> {
    fn write(&mut self, text: &str) -> Result<(), CliError> {
        if self.closed || text.is_empty() {
            return Ok(());
        }
        match self.out.write_all(text.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(CliError::Other(format!(
                "standard output: {}",
                picert_core::io_message(&e)
            ))),
            Ok(()) => Ok(()),
        }
    }
}

pub fn run(args: AuditArgs, global: Global) -> Result<u8, CliError> {
    let options = picert_verify::AuditOptions {
        pfx_password: args.pfx.read()?,
        ..args.expect.options_for(&args.chains, &args.certificate)?
    };
    let planned = options.certificate.clone();
    let auditor = options.auditor()?;
    let topology_notes = options.topology.notes();
    let (targets, client) = args.live.targets(&args.connect, &args.pfx)?;
    let commentary = Commentary::new(global.quiet);
    if !targets.is_empty() && !args.chains.is_empty() {
        commentary.say(format!(
            "picert: note: --chain is not used for {}: the live audit is of the chain the server sends{}",
            args.connect.join(", "),
            if args.inputs.is_empty() { "" } else { " (the files given still get it)" }
        ));
    }
    let json = args.format == OutputFormat::Json;
    if !json {
        if let Some(p) = &planned {
            commentary.say(format!(
                "picert: checked against the {} certificate of {} (site {}) in the plan of the topology",
                p.kind, p.pool, p.site
            ));
        }
        for note in &topology_notes {
            commentary.say(format!("picert: {}", note_line(note)));
        }
    }
    let style = Style::new(global.color);
    let detail = if global.quiet {
        Detail::FindingsAt(args.fail_on)
    } else if args.verbose {
        Detail::Verbose
    } else {
        Detail::Normal
    };
    let render = |audited: Audited| -> Result<Rendered, String> {
        let mut out = Rendered {
            text: String::new(),
            summary: Summary::default(),
            worst: None,
            note: None,
        };
        let reports = match audited {
            Audited::Reports(r) => r,
            Audited::Skipped { path, reason } => {
                out.summary.skipped += 1;
                let line = format!("{path}: skipped: {reason}");
                if !json && !global.quiet {
                    out.text = format!("{line}\n\n");
                }
                out.note = Some(line);
                return Ok(out);
            }
            Audited::Note(line) => {
                if !json && !global.quiet {
                    out.text = format!("{line}\n\n");
                }
                out.note = Some(line);
                return Ok(out);
            }
        };
        for report in reports.into_iter().map(hints::report) {
            add_report(&mut out, &report, json, &style, detail)?;
        }
        Ok(out)
    };

    let stdout = std::io::stdout();
    let mut stream = Stream {
        out: std::io::BufWriter::with_capacity(1 << 16, stdout.lock()),
        closed: false,
    };
    if json {
        // Written by hand so the keys keep the documented order (version first).
        let text = |v: &str| serde_json::Value::from(v).to_string();
        let pool = planned
            .as_ref()
            .map(|p| format!(",\"pool\":{}", text(&p.pool)))
            .unwrap_or_default();
        stream.write(&format!(
            "{{\"version\":1,\"audit_time\":{},\"trust_store\":{},\"certificate\":{}{pool},\"inputs\":[\n",
            text(&auditor.audit_time().rfc3339()),
            text(auditor.trust_name()),
            text(args.certificate.kind.as_str())
        ))?;
    }
    let mut summary = Summary::default();
    let mut worst: Option<Severity> = None;
    let mut notes: Vec<String> = topology_notes.iter().map(|n| n.to_string()).collect();
    let mut sink = |rendered: Result<Rendered, String>| -> Result<(), CliError> {
        let rendered = rendered.map_err(CliError::Other)?;
        if json && summary.inputs > 0 && rendered.summary.inputs > 0 {
            stream.write(",\n")?;
        }
        summary.add(&rendered.summary);
        worst = worst.max(rendered.worst);
        notes.extend(rendered.note);
        stream.write(&rendered.text)
    };
    let names: Vec<Option<String>> = if args.server_name.is_empty() {
        vec![None]
    } else {
        args.server_name.iter().cloned().map(Some).collect()
    };
    let live: Vec<_> = targets
        .iter()
        .flat_map(|target| {
            names.iter().map(|name| {
                (
                    target.clone(),
                    args.live.options(name.clone(), client.clone()),
                )
            })
        })
        .collect();
    let waiting = (!live.is_empty()).then(|| {
        crate::output::Waiting::start(
            global.quiet,
            format!(
                "connecting to {} (each ends within {} s)",
                crate::render::plural(live.len(), "target"),
                args.live.timeout().as_secs().max(1)
            ),
        )
    });
    let presented = picert_probe::audit_live_all(&auditor, &live);
    drop(waiting);
    for report in presented {
        sink(render(Audited::Reports(vec![report])))?;
    }
    let batch = Batch::expand(&args.inputs);
    auditor.audit_batch(&batch, render, &mut sink)?;
    if json {
        let tail = json_line(&summary, false)?;
        let notes = serde_json::to_string(&notes).map_err(|e| CliError::Other(e.to_string()))?;
        stream.write(&format!(
            "\n],{}\"summary\":{}}}\n",
            if notes == "[]" {
                String::new()
            } else {
                format!("\"notes\":{notes},")
            },
            tail.trim_end()
        ))?;
    } else if summary.inputs > 1 && !global.quiet {
        stream.write(&render::summary_line(&summary))?;
    }
    let _ = stream.out.flush();
    Ok(summary.verdict(worst, args.fail_on).exit_code())
}

fn add_report(
    out: &mut Rendered,
    report: &InputReport,
    json: bool,
    style: &Style,
    detail: Detail,
) -> Result<(), String> {
    out.summary.count(report);
    out.worst = out.worst.max(report.worst());
    if json {
        if out.summary.inputs > 1 {
            out.text.push_str(",\n");
        }
        report.write_json(&mut out.text);
    } else {
        let before = out.text.len();
        render::input(&mut out.text, report, style, detail);
        if out.text.len() > before {
            out.text.push('\n');
        }
    }
    Ok(())
}
