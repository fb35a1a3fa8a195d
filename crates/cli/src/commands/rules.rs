//! `picert rules`: the rule registry, listed, filtered by source, or one rule explained.

use clap::{Args, Subcommand};
use picert_verify::rules::{AppliesTo, Needs};
use picert_verify::{Rule, Severity, Source, RULES};

use crate::args::OutputFormat;
use crate::output::{json_line, write_stdout};
use crate::{CliError, Global};

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
    /// Only the rules from this source: microsoft, cabf, chrome, rfc, operations
    #[arg(long, value_name = "SOURCE", global = true)]
    pub source: Option<Source>,
    /// Print one rule with its requirement, source and advice (the same as `rules explain ID`)
    #[arg(long, value_name = "ID")]
    pub explain: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human, global = true)]
    pub format: OutputFormat,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Print one rule with its requirement and source
    Explain {
        /// Rule ID, such as pic.san.order
        id: String,
    },
}

#[derive(serde::Serialize)]
struct RuleDoc {
    id: &'static str,
    severity: Severity,
    applies_to: &'static str,
    needs: &'static str,
    description: &'static str,
    citation: &'static str,
    source: Source,
    reference: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    advice: Option<&'static str>,
}

fn rule_doc(r: &Rule) -> RuleDoc {
    RuleDoc {
        id: r.id,
        severity: r.severity,
        applies_to: match r.applies_to {
            AppliesTo::Both => "certificates and requests",
            AppliesTo::Certificates => "certificates",
            AppliesTo::Requests => "requests",
            AppliesTo::SipDomains => "SIP domains (picert federation)",
        },
        needs: match r.needs {
            Needs::Nothing => "nothing",
            Needs::Topology => "a topology",
            Needs::Aol => "PIC with AOL declared",
            Needs::PublicCa => "a certificate from a public CA",
            Needs::Host => "a live connection (--connect)",
            Needs::ClientCertificate => {
                "a live connection with a client certificate (--client-cert)"
            }
            Needs::Federation => "a federation check (picert federation)",
        },
        description: r.description,
        citation: r.citation,
        source: r.source,
        reference: r.reference,
        advice: r.advice,
    }
}

pub fn run(mut args: RulesArgs, _global: Global) -> Result<u8, CliError> {
    if let Some(id) = args.explain.take() {
        if args.command.is_some() {
            return Err(CliError::usage(
                "rules --explain ID and rules explain ID say the same: give one",
            ));
        }
        args.command = Some(RulesCommand::Explain { id });
    }
    let docs: Vec<RuleDoc> = match &args.command {
        None => RULES
            .iter()
            .filter(|r| args.source.is_none_or(|s| r.source == s))
            .map(|r| rule_doc(r))
            .collect(),
        Some(RulesCommand::Explain { id }) => {
            let rule = picert_verify::rules::find(id).ok_or_else(|| {
                CliError::usage(format!("no rule '{id}'; 'picert rules' lists them"))
            })?;
            vec![rule_doc(rule)]
        }
    };
    let text = match (args.format, &args.command) {
        // One layout for every command: `version` first, then the data.
        (OutputFormat::Json, _) => {
            #[derive(serde::Serialize)]
            struct Doc<'a, T> {
                version: u32,
                rules: &'a T,
            }
            json_line(
                &Doc {
                    version: 1,
                    rules: &docs,
                },
                true,
            )?
        }
        (OutputFormat::Human, None) => docs
            .iter()
            .map(|d| format!("{:<38} {:<8} {:<10} {}\n", d.id, d.severity.as_str(), d.source.as_str(), d.description))
            .collect(),
        (OutputFormat::Human, Some(_)) => docs
            .iter()
            .map(|d| {
                let mut text = format!(
                    "{}\n  severity    {}\n  applies to  {}\n  needs       {}\n  checks      {}\n  requirement {}\n  source      {} ({})\n",
                    d.id, d.severity.as_str(), d.applies_to, d.needs, d.description, d.citation, d.reference, d.source.as_str()
                );
                if let Some(advice) = d.advice {
                    text.push_str(&format!("  advice      {advice}\n"));
                }
                text
            })
            .collect(),
    };
    write_stdout(text.as_bytes()).map(|()| 0)
}
