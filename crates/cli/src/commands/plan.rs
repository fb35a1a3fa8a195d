//! `picert plan`: every certificate a topology XML needs, as a table a change board can read, or
//! JSON.

use std::path::PathBuf;

use clap::Args;
use picert_core::deployment::Deployment;
use picert_core::plan::{plan, CertificatePlan};

use crate::args::OutputFormat;
use crate::output::{json_line, write_stdout};
use crate::{CliError, Global};

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The topology XML: Topology Builder's .tbxml or (Get-CsTopology -AsXml).ToString()'s output
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub fn run(args: PlanArgs, _global: Global) -> Result<u8, CliError> {
    let shown = args.file.display().to_string();
    let deployment = Deployment::load(&args.file)?;
    let plans = plan(&deployment, &shown)?;
    let text = match args.format {
        OutputFormat::Json => {
            #[derive(serde::Serialize)]
            struct Doc<'a> {
                version: u32,
                file: &'a str,
                certificates: &'a [CertificatePlan],
            }
            json_line(
                &Doc {
                    version: 1,
                    file: &shown,
                    certificates: &plans,
                },
                true,
            )?
        }
        OutputFormat::Human => human(&plans, &shown),
    };
    write_stdout(text.as_bytes())?;
    Ok(0)
}

fn human(plans: &[CertificatePlan], shown: &str) -> String {
    let mut out = format!(
        "{shown}: {} certificate{}\n\n",
        plans.len(),
        if plans.len() == 1 { "" } else { "s" }
    );
    let widths = [
        plans
            .iter()
            .map(|p| p.kind.as_str().len())
            .max()
            .unwrap_or(0)
            .max(4),
        plans.iter().map(|p| p.site.len()).max().unwrap_or(0).max(4),
        plans.iter().map(|p| p.pool.len()).max().unwrap_or(0).max(4),
        10,
    ];
    let row = |cells: [&str; 5]| {
        format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}\n",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        )
    };
    out.push_str(&row(["KIND", "SITE", "POOL", "CA", "SUBJECT"]));
    for p in plans {
        out.push_str(&row([
            p.kind.as_str(),
            &p.site,
            &p.pool,
            &p.ca.to_string(),
            &p.subject,
        ]));
    }
    for p in plans {
        out.push_str(&format!(
            "\n{} {} (site {}): CN={}, {} CA\n",
            p.kind, p.pool, p.site, p.subject, p.ca
        ));
        for (i, n) in p.sans.iter().enumerate() {
            out.push_str(&format!("  SAN {}. {} ({})\n", i + 1, n.name, n.why));
        }
        out.push_str(&format!("  assigned  {}\n", p.assigned));
        if p.limits.is_empty() {
            out.push_str("  limits    none from the public-CA rules (the enterprise CA's template decides)\n");
        }
        for l in &p.limits {
            out.push_str(&format!("  limits    {l}\n"));
        }
        out.push_str(&format!(
            "  sources   {} (docs/requirements.md)\n",
            p.sources.join(", ")
        ));
    }
    out
}
