//! `picert man`: manual pages, one per command.

use clap::Args;

use crate::output::{write_stdout, Commentary};
use crate::{CliError, Global};

#[derive(Args, Debug)]
pub struct ManArgs {
    /// The subcommand whose page to print (picert-COMMAND(1)) [default: picert(1)]
    #[arg(value_name = "COMMAND", conflicts_with = "out_dir")]
    pub command: Option<String>,
    /// Write picert.1 and every picert-COMMAND.1 page to this folder instead (created when
    /// missing)
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<std::path::PathBuf>,
}

/// The manual pages: picert(1), and picert-COMMAND(1) for each subcommand it refers to.
pub fn run(args: ManArgs, cmd: clap::Command, global: Global) -> Result<u8, CliError> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = &args.out_dir {
        picert_core::store::ensure_folder(dir)?;
        clap_mangen::generate_to(cmd.clone(), dir)
            .map_err(|e| CliError::input(dir, picert_core::io_message(&e)))?;
        fn pages(cmd: &clap::Command, prefix: &str, names: &mut Vec<String>) {
            names.push(format!("{prefix}.1"));
            for sub in cmd.get_subcommands() {
                pages(sub, &format!("{prefix}-{}", sub.get_name()), names);
            }
        }
        let mut names = Vec::new();
        pages(&cmd, "picert", &mut names);
        Commentary::new(global.quiet).say(format!(
            "wrote {} pages to {}: {}",
            names.len(),
            dir.display(),
            names.join(", ")
        ));
        return Ok(0);
    }
    let page = match &args.command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let known: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
                return Err(CliError::usage(format!(
                    "no manual page for '{name}': the commands are {}",
                    known.join(", ")
                )));
            }
        },
    };
    let mut text = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut text)
        .map_err(|e| CliError::Other(format!("cannot render the manual page: {e}")))?;
    write_stdout(&text).map(|()| 0)
}
