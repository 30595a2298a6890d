//! `filterwatch nightly`: the cron job. Quiet when all is well; a short plain summary on stdout
//! when a new finding needs action (cron mails it); problems on stderr; exit 1 only when the job
//! itself failed (a school's run errored, or a log file could not be read in full).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use super::{one_line, ConfigError, DataDir, EXIT_FAILED};
use crate::config::Profile;
use crate::escape;
use crate::formats::detect::FormatHints;
use crate::formats::{FormatChoice, FormatName};
use crate::ingest::IngestOptions;
use crate::nightly::run_school;

/// Arguments of `filterwatch nightly`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A school profile, or a folder: every `*.toml` in it is a school.
    #[arg(long, value_name = "FILE|DIR")]
    pub config: PathBuf,
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// Write the weekly report for last week even if today is not Monday.
    #[arg(long)]
    pub weekly: bool,
    /// Run as if it were this school-local date (for catching up or testing).
    #[arg(long, value_name = "YYYY-MM-DD", hide = true)]
    pub today: Option<NaiveDate>,
}

/// Runs every school's nightly job.
pub fn run(args: Args) -> Result<ExitCode> {
    let profiles = profile_files(&args.config)?;
    // The worst outcome of any school: a bad profile (2) over a failed run (1).
    let mut exit = 0u8;
    for path in profiles {
        match run_one(&path, &args) {
            Ok(ok) => exit = exit.max(if ok { 0 } else { EXIT_FAILED }),
            Err(error) => {
                eprintln!("filterwatch: nightly for {}: {}", path.display(), one_line(&error));
                exit = exit.max(super::exit_code_for(&error));
            }
        }
    }
    Ok(ExitCode::from(exit))
}

/// One school; `Ok(false)` when a file could not be read in full.
fn run_one(path: &Path, args: &Args) -> Result<bool> {
    let profile = Profile::load(path).map_err(|e| ConfigError(one_line(&e)))?;
    let format = match profile.format.as_deref() {
        Some(name) => FormatName::parse(name)
            .ok_or_else(|| ConfigError(format!("{}: key `format`: unknown format {name:?}", path.display())))?,
        None => FormatChoice::Auto,
    };
    let options = IngestOptions {
        format,
        hints: FormatHints { squid_logformat: profile.squid_logformat.clone(), csv: profile.csv.clone() },
    };
    let today = args.today.unwrap_or_else(|| chrono::Utc::now().with_timezone(&profile.timezone).date_naive());
    let name = profile.name.clone();
    let outcome = run_school(&args.data.path, profile, &options, today, args.weekly)?;
    super::ingest::print_skipped(&outcome.skipped);
    let mut complete = !super::ingest::print_problems(&outcome.files);
    let name = escape::text(&name);
    if !outcome.summary.is_empty() {
        println!("{name}: {} new finding(s) need action:", outcome.summary.len());
        for line in &outcome.summary {
            println!("  - {}", escape::text(line));
        }
        println!("  Details: filterwatch evidence --data {} ID", args.data.path.display());
    }
    if let Some(weekly) = &outcome.weekly {
        println!("{name}: weekly report {}", weekly.pdf.display());
    }
    if let Some(error) = &outcome.weekly_error {
        eprintln!("filterwatch: {name}: the weekly report failed ({}); the next run tries again", escape::text(error));
        complete = false;
    }
    Ok(complete)
}

/// The profile itself, or every `*.toml` in a folder, sorted.
fn profile_files(config: &Path) -> Result<Vec<PathBuf>> {
    if !config.is_dir() {
        return Ok(vec![config.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(config)
        .with_context(|| format!("cannot list {}", config.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ConfigError(format!("no *.toml school profiles in {}", config.display())).into());
    }
    Ok(files)
}
