//! `picert expiry`: days left per certificate, soonest first, from files, folders, live
//! Edges and every server a topology serves its certificates on, for a cron job.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use picert_core::plan::{load_served, CertificateKind};
use picert_core::Timestamp;
use picert_probe::expiry::{check_expiry, ExpiryTarget};
use picert_probe::federation::DnsServer;
use picert_verify::expiry::ExpiryReport;
use picert_verify::Batch;

use crate::args::{ConnectArgs, OutputFormat, PfxPasswordArgs};
use crate::output::{json_line, write_stdout, Style};
use crate::{hints, CliError, Global};

#[derive(Args, Debug)]
pub struct ExpiryArgs {
    /// Certificates or bundles (PEM, DER, PKCS#7, PKCS#12); a directory reads every certificate
    /// file in it
    #[arg(value_name = "FILE|DIR", required_unless_present_any = ["connect", "topology"])]
    pub inputs: Vec<PathBuf>,
    /// Also what a live Edge serves: HOST or HOST:PORT (default port 5061); repeatable
    #[arg(long, value_name = "HOST[:PORT]")]
    pub connect: Vec<String>,
    /// The name to send as SNI to every --connect target [default: the target's host]
    #[arg(long, value_name = "NAME", requires = "connect")]
    pub server_name: Option<String>,
    /// Also every server the topology serves its certificates on: an XML topology (.tbxml or
    /// Get-CsTopology -AsXml's), or a TOML one with topology_xml (see docs/expiry.md)
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,
    /// Only this certificate of the topology, as picert plan lists it: edge-external,
    /// edge-internal, front-end, reverse-proxy or director [default: every one]
    #[arg(long = "certificate", value_name = "KIND", requires = "topology", value_parser = crate::args::parse_kind)]
    pub certificate: Option<CertificateKind>,
    /// Only the certificates of this pool, by its FQDN (the reverse proxy's: its pool or its
    /// site's name)
    #[arg(long, value_name = "FQDN", requires = "topology")]
    pub pool: Option<String>,
    /// Only the Edge certificates of this Edge pool (the others stay), by its FQDN
    #[arg(long, value_name = "FQDN", requires = "topology")]
    pub edge_pool: Option<String>,
    /// Resolve the live targets' names with this DNS server (IP:PORT) instead of the system's
    /// resolver
    #[arg(long, value_name = "IP:PORT")]
    pub dns_server: Option<SocketAddr>,
    #[command(flatten)]
    pub live: ConnectArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Exit 1 when a certificate has fewer days left than this; with 0, the default, when one
    /// has expired
    #[arg(long, value_name = "DAYS", default_value_t = 0)]
    pub fail_within: i64,
    /// Count from this time instead of now (RFC 3339 or a date)
    #[arg(long, value_name = "RFC3339", value_parser = crate::args::parse_time)]
    pub at: Option<Timestamp>,
    #[command(flatten)]
    pub pfx: PfxPasswordArgs,
}

pub fn run(args: ExpiryArgs, global: Global) -> Result<u8, CliError> {
    let at = args.at.unwrap_or_else(Timestamp::now);
    let password = args.pfx.read()?;
    let (given, client) = args.live.targets(&args.connect, &args.pfx)?;
    let mut targets: Vec<ExpiryTarget> = match &args.topology {
        Some(path) => {
            check_choice(&args)?;
            load_served(
                path,
                args.certificate,
                args.pool.as_deref(),
                args.edge_pool.as_deref(),
            )?
            .iter()
            .map(ExpiryTarget::served)
            .collect()
        }
        None => Vec::new(),
    };
    let client = match client {
        None if !targets.is_empty() => args.live.identity(&args.pfx)?,
        c => c,
    };
    targets.extend(
        given
            .into_iter()
            .map(|t| ExpiryTarget::given(t, args.server_name.clone())),
    );
    let batch = Batch::expand(&args.inputs);
    let mut report = check_expiry(
        &batch,
        &targets,
        // Only the certificate matters here: no probes of the other TLS versions.
        &picert_probe::ConnectOptions {
            probe_versions: false,
            ..args.live.options(None, client)
        },
        &match args.dns_server {
            Some(addr) => DnsServer::At(addr),
            None => DnsServer::System,
        },
        at,
        password.as_deref(),
    );
    for u in &mut report.unreadable {
        u.error = hints::failure(&u.error);
    }
    let verdict = report.verdict(Some(args.fail_within));
    let sets = acme_sets(&report, at);
    let text = match args.format {
        OutputFormat::Json => json_line(
            &JsonExpiry {
                report: &report,
                acme_sets: &sets,
            },
            true,
        )?,
        OutputFormat::Human => {
            let mut text = human(&report, &args, global);
            for set in sets.iter().filter(|s| !global.quiet || !s.whole) {
                text.push_str(&format!("{}: {}\n", set.path, set.note));
            }
            text
        }
    };
    write_stdout(text.as_bytes())?;
    Ok(verdict.exit_code())
}

/// Refuses a pool and an Edge pool that contradict each other or the kind asked for.
fn check_choice(args: &ExpiryArgs) -> Result<(), CliError> {
    let same = |a: &str, b: &str| {
        a.trim()
            .trim_end_matches('.')
            .eq_ignore_ascii_case(b.trim().trim_end_matches('.'))
    };
    if let (Some(p), Some(e)) = (&args.pool, &args.edge_pool) {
        if !same(p, e) {
            return Err(CliError::usage(format!(
                "--pool {p} and --edge-pool {e} name different pools: give one"
            )));
        }
    }
    if let (Some(kind), Some(_)) = (args.certificate, &args.edge_pool) {
        if !matches!(
            kind,
            CertificateKind::EdgeExternal | CertificateKind::EdgeInternal
        ) {
            return Err(CliError::usage(format!(
                "--edge-pool chooses an Edge pool; the {kind} certificate's pool is chosen with --pool"
            )));
        }
    }
    Ok(())
}

/// The report, and a note for each file that is the chain of a set picert acme placed.
#[derive(serde::Serialize)]
struct JsonExpiry<'a> {
    #[serde(flatten)]
    report: &'a ExpiryReport,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    acme_sets: &'a [AcmeSet],
}

/// A file read that is the chain of a set picert acme placed (a store folder beside it names
/// it): whether the set in place is whole, read without repairing anything.
#[derive(serde::Serialize)]
struct AcmeSet {
    path: String,
    store: Option<String>,
    generation: Option<u32>,
    whole: bool,
    note: String,
}

fn acme_sets(report: &ExpiryReport, at: Timestamp) -> Vec<AcmeSet> {
    let mut paths: Vec<&str> = report
        .certificates
        .iter()
        .map(|e| e.path.as_str())
        .filter(|p| std::path::Path::new(p).is_file())
        .collect();
    paths.sort_unstable();
    paths.dedup();
    paths
        .into_iter()
        .filter_map(|path| {
            let set = match picert_acme::status_of_chain(std::path::Path::new(path), at) {
                Ok(None) => return None,
                Ok(Some(store)) => set_note(path, &store),
                Err(e) => AcmeSet {
                    path: path.to_string(),
                    store: None,
                    generation: None,
                    whole: false,
                    note: format!(
                        "the chain of a picert acme set, whose store cannot be read: {e}"
                    ),
                },
            };
            Some(set)
        })
        .collect()
}

fn set_note(path: &str, store: &picert_acme::StoreStatus) -> AcmeSet {
    use picert_acme::{InPlace, Role};
    let n = store.committed.unwrap_or(0);
    let shown = store.dir.display();
    let note = if store.whole() {
        let roles: Vec<&str> = store
            .files
            .iter()
            .map(|f| match f.role {
                Role::Chain => "certificate",
                Role::Key => "key",
                Role::Pfx => "PKCS#12 file",
                Role::Script => "deployment script",
            })
            .collect();
        format!(
            "the chain of generation {n} of {shown}: the set in place is whole ({}, of that generation)",
            roles.join(", ")
        )
    } else {
        let problems: Vec<String> = store
            .files
            .iter()
            .filter_map(|f| {
                let what = match f.state {
                    InPlace::AsWritten => return None,
                    InPlace::Missing => "is missing".to_string(),
                    InPlace::Earlier { generation } => format!("holds generation {generation}'s"),
                    InPlace::Replaced => "holds the file the generation replaced".to_string(),
                    InPlace::Foreign => "is a file no generation wrote".to_string(),
                    _ => "holds something else".to_string(),
                };
                Some(format!("{} {what}", f.path.display()))
            })
            .collect();
        let action = if store.foreign().next().is_some() {
            "a picert acme run stops rather than write over a file no generation wrote"
        } else {
            "a picert acme run writes those files again from it"
        };
        format!(
            "the chain of generation {n} of {shown}: the set in place is not whole: {}; {action}",
            problems.join("; ")
        )
    };
    AcmeSet {
        path: path.to_string(),
        store: Some(store.dir.display().to_string()),
        generation: store.committed,
        whole: store.whole(),
        note,
    }
}

fn human(report: &ExpiryReport, args: &ExpiryArgs, global: Global) -> String {
    let style = Style::new(global.color);
    // Quiet: only what makes the exit status non-zero.
    let shown: Vec<_> = report
        .certificates
        .iter()
        .filter(|e| !global.quiet || e.days_left < args.fail_within)
        .collect();
    let mut out = String::new();
    // The certificate and pool columns when a topology named some target.
    let served = report.certificates.iter().any(|e| e.certificate.is_some());
    let pool_width = shown
        .iter()
        .filter_map(|e| e.pool.as_ref().map(String::len))
        .max()
        .unwrap_or(0)
        .max(4);
    let served_cells = |kind: &str, pool: &str| {
        if served {
            format!("{kind:<13}  {pool:<pool_width$}  ")
        } else {
            String::new()
        }
    };
    if !shown.is_empty() {
        // What the last column names: files, live targets, or both.
        let live = !args.connect.is_empty() || args.topology.is_some();
        let column = match (args.inputs.is_empty(), live) {
            (true, true) => "TARGET",
            (false, true) => "FILE/TARGET",
            _ => "FILE",
        };
        out.push_str(&format!(
            "{:>6}  {:<20}  {:<30}  {:<40}  {}{column}\n",
            "DAYS",
            "EXPIRES (UTC)",
            "SUBJECT",
            "THUMBPRINT",
            served_cells("CERTIFICATE", "POOL")
        ));
    }
    for e in shown {
        let note = if e.days_left < 0 { "  (expired)" } else { "" };
        let days = format!("{:>6}", e.days_left);
        let days = if e.days_left < 0 {
            style.paint("1;31", &days)
        } else if e.days_left < args.fail_within {
            style.paint("33", &days)
        } else {
            days
        };
        out.push_str(&format!(
            "{days}  {:<20}  {:<30}  {:<40}  {}{}{note}\n",
            e.not_after
                .rfc3339()
                .replace('T', " ")
                .trim_end_matches('Z'),
            e.subject,
            e.thumbprint,
            served_cells(
                e.certificate.map_or("-", CertificateKind::as_str),
                e.pool.as_deref().unwrap_or("-")
            ),
            e.path
        ));
    }
    if !global.quiet {
        for u in &report.skipped {
            out.push_str(&format!("{}: skipped: {}\n", u.path, u.error));
        }
        for n in &report.notes {
            out.push_str(&format!("{n}\n"));
        }
    }
    for u in &report.unreadable {
        let of = match (u.certificate, &u.pool) {
            (Some(kind), Some(pool)) => format!(" ({kind}, {pool})"),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{}{of}: {} {}\n",
            u.path,
            style.paint("1;31", "unreadable:"),
            u.error
        ));
    }
    out
}
