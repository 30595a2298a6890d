//! `filterwatch nightly`: the cron job. Quiet when all is well; a short plain summary on stdout
//! when a new finding needs action (cron mails it); problems on stderr; exit 1 only when the job
//! itself failed (a school's run errored, or a log file could not be read in full).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;

use super::{one_line, DataDir, EXIT_FAILED};
use crate::escape;
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
    let profiles = super::profile_files(&args.config)?;
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
    let (profile, options) = super::load_school(path)?;
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
    for problem in &outcome.delivery.problems {
        eprintln!("filterwatch: {name}: {}", escape::text(problem));
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
