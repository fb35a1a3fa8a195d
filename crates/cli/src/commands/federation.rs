//! `picert federation`: every SIP domain as federated partners see it, through picert-verify's
//! federation workflow; the report grouped by domain, then by address.

use std::fmt::Write as _;
use std::net::SocketAddr;

use clap::Args;
use picert_core::Timestamp;
use picert_probe::federation::{federation, DnsServer, FederationOptions};
use picert_verify::federation::{DomainReport, FederationReport};
use picert_verify::{Severity, Status};

use crate::args::{ConnectArgs, ExpectationArgs, OutputFormat, PfxPasswordArgs};
use crate::output::{json_line, write_stdout, Commentary, Style};
use crate::render::{self, plural, Detail};
use crate::{CliError, Global};

#[derive(Args, Debug)]
pub struct FederationArgs {
    /// SIP domains to check [default: the topology's sip_domains]
    #[arg(value_name = "DOMAIN")]
    pub domains: Vec<String>,
    /// Ask this DNS server directly (IP:PORT) instead of the system's resolvers
    #[arg(long, value_name = "IP:PORT")]
    pub dns_server: Option<SocketAddr>,
    /// Accept loopback addresses for public names (a lab on this machine); otherwise they are a
    /// finding, as no partner can reach them
    #[arg(long)]
    pub allow_loopback: bool,
    /// How many SIP domains to check at once
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallel: u16,
    #[command(flatten)]
    pub live: ConnectArgs,
    #[command(flatten)]
    pub expect: ExpectationArgs,
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

pub fn run(args: FederationArgs, global: Global) -> Result<u8, CliError> {
    let options = args.expect.options(&[])?;
    let domains: Vec<String> = if args.domains.is_empty() {
        options.topology.sip_domains.clone().unwrap_or_default()
    } else {
        args.domains.clone()
    };
    if domains.is_empty() {
        return Err(CliError::usage(
            "no SIP domain to check: name them (picert federation contoso.com) or give a topology (--topology, --sip-domain)",
        ));
    }
    let auditor = options.auditor()?.allow_loopback(args.allow_loopback);
    if args.format != OutputFormat::Json {
        crate::output::say_topology_notes(&Commentary::new(global.quiet), &options.topology);
    }
    let probe = FederationOptions {
        dns: match args.dns_server {
            Some(addr) => DnsServer::At(addr),
            None => DnsServer::System,
        },
        timeout: args.live.timeout(),
        client: args.live.identity(&args.pfx)?,
        parallel_domains: usize::from(args.parallel),
    };
    let waiting = crate::output::Waiting::start(
        global.quiet,
        format!(
            "checking {} as partners do (each step ends within {} s)",
            crate::render::plural(domains.len(), "SIP domain"),
            probe.timeout.as_secs().max(1)
        ),
    );
    let report = federation(&auditor, &domains, &probe);
    drop(waiting);
    let report = report.map_err(|e| CliError::Other(e.to_string()))?;
    let text = match args.format {
        OutputFormat::Json => json_line(&report, false)?,
        OutputFormat::Human => human(&report, &args, global),
    };
    write_stdout(text.as_bytes())?;
    Ok(report
        .summary
        .verdict(report.worst(), args.fail_on)
        .exit_code())
}

fn human(report: &FederationReport, args: &FederationArgs, global: Global) -> String {
    let style = Style::new(global.color);
    let detail = if global.quiet {
        Detail::FindingsAt(args.fail_on)
    } else if args.verbose {
        Detail::Verbose
    } else {
        Detail::Normal
    };
    let mut out = String::new();
    for domain in &report.domains {
        if let Detail::FindingsAt(at) = detail {
            quiet_domain(&mut out, domain, &style, at);
        } else {
            domain_block(&mut out, domain, report.audit_time, &style, detail);
        }
    }
    if !global.quiet {
        let s = &report.summary;
        let endpoints: usize = report.domains.iter().map(|d| d.endpoints.len()).sum();
        let _ = writeln!(
            out,
            "{}, {}: {}, {}, {}{}",
            plural(report.domains.len(), "SIP domain"),
            plural(endpoints, "endpoint"),
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            plural(s.notices, "notice"),
            if s.unreadable > 0 {
                format!(", {} not checked", s.unreadable)
            } else {
                String::new()
            }
        );
    }
    out
}

fn domain_block(
    out: &mut String,
    domain: &DomainReport,
    report_time: Timestamp,
    style: &Style,
    detail: Detail,
) {
    let heading = match &domain.unicode {
        Some(u) => format!("{} ({u})", domain.domain),
        None => domain.domain.clone(),
    };
    let _ = writeln!(out, "{}", style.paint("1", &heading));
    if let Some(e) = &domain.error {
        let _ = writeln!(out, "  {} {e}\n", style.paint("1;31", "not checked:"));
        return;
    }
    for r in &domain.federation_srv {
        let _ = writeln!(
            out,
            "  federation _sipfederationtls._tcp.{} -> {}:{} (priority {}, weight {})",
            domain.domain, r.target, r.port, r.priority, r.weight
        );
    }
    for r in &domain.remote_access_srv {
        let _ = writeln!(
            out,
            "  remote     _sip._tls.{} -> {}:{}",
            domain.domain, r.target, r.port
        );
    }
    let results = domain.results.as_deref().unwrap_or_default();
    rule_lines(out, results, style, detail, "  ");
    for e in &domain.endpoints {
        let heading = format!("  {} ({})", style.paint("1", &e.label()), e.server_name);
        if let Some(err) = &e.error {
            let _ = writeln!(
                out,
                "{heading}: {} {err}",
                style.paint("1;31", "unreachable:")
            );
            continue;
        }
        if let Some(first) = &e.same_as {
            let _ = writeln!(
                out,
                "{heading}: the same certificate ({}) and findings as under {first}",
                e.thumbprint.as_deref().unwrap_or("?")
            );
            continue;
        }
        let results = e.results.as_deref().unwrap_or_default();
        if detail != Detail::Verbose {
            // One line per endpoint: the verdict, what Get-CsCertificate would show, and how long
            // it lasts; the findings under it; the rest behind -v.
            let days = match e.days_left(report_time) {
                Some(d) if d < 0 => {
                    format!("expired {} ago", plural(d.unsigned_abs() as usize, "day"))
                }
                Some(d) => format!("{} left", plural(d as usize, "day")),
                None => "no certificate".into(),
            };
            let _ = writeln!(
                out,
                "{heading}: {}, thumbprint {}, {days}",
                render::short_verdict(style, results),
                e.thumbprint.as_deref().unwrap_or("?")
            );
            rule_lines(out, results, style, detail, "    ");
            continue;
        }
        let _ = writeln!(out, "{heading}");
        let field = |out: &mut String, name: &str, value: &str| {
            let _ = writeln!(out, "    {name:<10} {value}");
        };
        if let Some(s) = &e.subject {
            field(out, "subject", s);
        }
        field(out, "SAN", &e.dns_names.join(", "));
        if let Some(t) = &e.thumbprint {
            field(out, "thumbprint", t);
        }
        if let Some(chain) = &e.chain {
            field(out, "chain", &chain.join(" -> "));
        }
        if let Some(tls) = &e.tls {
            field(out, "tls", &render::tls_line(tls));
        }
        rule_lines(out, results, style, detail, "    ");
        let mut verdict = String::new();
        render::verdict_line(&mut verdict, style, results);
        out.push_str("  ");
        out.push_str(&verdict);
    }
    out.push('\n');
}

fn rule_lines(
    out: &mut String,
    results: &[picert_verify::RuleResult],
    style: &Style,
    detail: Detail,
    indent: &str,
) {
    let mut findings: Vec<_> = results
        .iter()
        .filter(|r| r.status == Status::Finding)
        .collect();
    findings.sort_by_key(|r| std::cmp::Reverse(r.severity));
    for r in findings {
        let _ = write!(out, "{indent}");
        render::finding_line(out, style, r.severity, &r.rule, r.detail.as_deref());
        if detail == Detail::Verbose {
            render::advice_line(out, &r.rule, indent);
        }
    }
    if detail == Detail::Verbose {
        for r in results.iter().filter(|r| r.status != Status::Finding) {
            let label = match r.status {
                Status::Pass => style.paint("32", "pass   "),
                Status::Na => "n/a    ".to_string(),
                Status::Fatal => style.paint("1;35", "fatal  "),
                _ => "not yet".to_string(),
            };
            let _ = writeln!(
                out,
                "{indent}  {label} {}{}",
                r.rule,
                r.detail
                    .as_ref()
                    .map(|d| format!("  {d}"))
                    .unwrap_or_default()
            );
        }
    }
}

/// `--quiet`: only what fails the run, each under its domain or address.
fn quiet_domain(out: &mut String, domain: &DomainReport, style: &Style, at: Severity) {
    let failing = |results: Option<&Vec<picert_verify::RuleResult>>| {
        results
            .into_iter()
            .flatten()
            .filter(|r| r.status == Status::Finding && r.severity >= at)
            .cloned()
            .collect::<Vec<_>>()
    };
    if let Some(e) = &domain.error {
        let _ = writeln!(out, "{}: not checked: {e}", domain.domain);
    }
    let own = failing(domain.results.as_ref());
    if !own.is_empty() {
        let _ = writeln!(out, "{}", domain.domain);
        rule_lines(out, &own, style, Detail::Normal, "  ");
    }
    for e in &domain.endpoints {
        let label = format!("{} {}", domain.domain, e.label());
        if let Some(err) = &e.error {
            let _ = writeln!(out, "{label}: unreachable: {err}");
        }
        if e.same_as.is_some() {
            // Said under the domain it was first reported under.
            continue;
        }
        let bad = failing(e.results.as_ref());
        if !bad.is_empty() {
            let _ = writeln!(out, "{label}");
            rule_lines(out, &bad, style, Detail::Normal, "  ");
        }
    }
}
