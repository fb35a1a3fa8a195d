//! `picert topology`: what picert derives from Topology Builder's or `Get-CsTopology -AsXml`'s
//! XML, as text, JSON, or the equivalent picert TOML for one Edge pool.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use picert_core::deployment::{equivalent_toml, Deployment, ExternalName};
use picert_core::Topology;

use crate::output::{json_line, write_stdout};
use crate::{CliError, Global};

#[derive(Args, Debug)]
pub struct TopologyCmdArgs {
    /// The topology XML: Topology Builder's .tbxml ("Save a copy of topology") or the output of
    /// (Get-CsTopology -AsXml).ToString()
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format; toml writes the picert TOML topology for one Edge pool
    #[arg(long, value_enum, default_value_t = ShowFormat::Human)]
    pub format: ShowFormat,
    /// The Edge pool for --format toml, by its FQDN (case-insensitive); needed when the
    /// topology has several
    #[arg(long, value_name = "FQDN")]
    pub edge_pool: Option<String>,
}

/// How `picert topology` shows the topology.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Text for people
    Human,
    /// One JSON document
    Json,
    /// The picert TOML topology of one Edge pool
    Toml,
}

pub fn run(args: TopologyCmdArgs, _global: Global) -> Result<u8, CliError> {
    if args.edge_pool.is_some() && args.format != ShowFormat::Toml {
        return Err(CliError::usage(
            "--edge-pool chooses the pool for --format toml; the text and the JSON show every pool",
        ));
    }
    let shown = args.file.display().to_string();
    let deployment = Deployment::load(&args.file)?;
    let text = match args.format {
        ShowFormat::Human => human(&deployment, &shown),
        ShowFormat::Json => {
            #[derive(serde::Serialize)]
            struct Doc<'a> {
                version: u32,
                file: &'a str,
                product: Option<&'static str>,
                #[serde(flatten)]
                deployment: &'a Deployment,
            }
            json_line(
                &Doc {
                    version: 1,
                    file: &shown,
                    product: deployment.product().map(|p| p.as_str()),
                    deployment: &deployment,
                },
                true,
            )?
        }
        ShowFormat::Toml => {
            let topology =
                Topology::from_deployment(&deployment, args.edge_pool.as_deref(), &shown)?;
            let pool = deployment
                .edge_pool(args.edge_pool.as_deref(), &shown)
                .map_err(picert_core::Error::from)?;
            equivalent_toml(
                &topology,
                &format!(
                    "picert topology for the Edge pool {} (site {}) of {shown}",
                    pool.fqdn, pool.site
                ),
            )?
        }
    };
    write_stdout(text.as_bytes())?;
    Ok(0)
}

fn human(d: &Deployment, shown: &str) -> String {
    let mut out = format!("{shown}: {}", d.format);
    let versions: Vec<String> = d.service_versions.iter().map(|v| v.to_string()).collect();
    if !versions.is_empty() {
        out.push_str(&format!(", {}", versions.join(", ")));
    }
    out.push('\n');
    let mut line = |label: &str, value: String| out.push_str(&format!("  {label:<22} {value}\n"));
    line(
        "SIP domains",
        d.sip_domains
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if i == 0 {
                    format!("{s} (default)")
                } else {
                    s.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
    );
    line(
        "sites",
        d.sites
            .iter()
            .map(|s| format!("{} ({})", s.name, s.id))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let name = |n: &Option<ExternalName>| match n {
        Some(n) => format!("{} port {}", n.fqdn, n.port),
        None => "not set".into(),
    };
    if d.edge_pools.is_empty() {
        out.push_str("\nno Edge pool\n");
    }
    for p in &d.edge_pools {
        out.push_str(&format!("\nEdge pool {} (site {})\n", p.fqdn, p.site));
        let mut line =
            |label: &str, value: String| out.push_str(&format!("  {label:<22} {value}\n"));
        line("servers", p.machines.join(", "));
        line("Access Edge", name(&p.access_edge));
        line("Web Conferencing Edge", name(&p.webconf_edge));
        line("A/V Edge", name(&p.av_edge));
        line(
            "federation port",
            p.federation_port
                .map_or_else(|| "not set".into(), |p| p.to_string()),
        );
    }
    for p in &d.front_end_pools {
        let kind = if p.director {
            "Director pool"
        } else {
            "Front End pool"
        };
        out.push_str(&format!("\n{kind} {} (site {})\n", p.fqdn, p.site));
        let mut line =
            |label: &str, value: String| out.push_str(&format!("  {label:<22} {value}\n"));
        line("servers", p.machines.join(", "));
        line(
            "external web services",
            p.external_web.clone().unwrap_or_else(|| "not set".into()),
        );
        if let Some(internal) = &p.internal_web {
            line("internal web services", internal.clone());
        }
    }
    if !d.simple_urls.is_empty() {
        out.push_str("\nSimple URLs\n");
        for u in &d.simple_urls {
            out.push_str(&format!(
                "  {:<6} {:<14} {}\n",
                u.component, u.domain, u.url
            ));
        }
    }
    out
}
