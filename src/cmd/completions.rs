//! `filterwatch completions SHELL` and `filterwatch man --out DIR`: shell completions and a man
//! page per subcommand, generated from the same clap definitions that parse the arguments and
//! print `--help`, so the three can never disagree.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

/// Arguments of `filterwatch completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `filterwatch man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// The folder to write `filterwatch.1` and `filterwatch-<command>.1` into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Prints the completion script for a shell.
pub fn completions(args: CompletionArgs, mut command: clap::Command) -> Result<ExitCode> {
    let name = command.get_name().to_string();
    clap_complete::generate(args.shell, &mut command, name, &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// Writes the man pages and prints how many.
pub fn man(args: ManArgs, command: clap::Command) -> Result<ExitCode> {
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut written = 0;
    let mut pages = vec![(command.get_name().to_string(), command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("{}-{}", command.get_name(), sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, page) in pages {
        let mut roff = Vec::new();
        clap_mangen::Man::new(page).render(&mut roff)?;
        let path = args.out.join(format!("{name}.1"));
        crate::private_fs::write_atomically(&path, &roff)?;
        written += 1;
    }
    println!("{written} man pages in {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
