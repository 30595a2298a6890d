//! `filterwatch ingest`: raw logs (files, folders, or the profile's `logs` globs) into the
//! dataset, with a one-line summary on stderr and a progress bar only on a terminal.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{one_line, ConfigError, DataDir};
use crate::config::Profile;
use crate::enrich::SchoolContext;
use crate::escape;
use crate::formats::detect::FormatHints;
use crate::formats::{FormatChoice, FormatName};
use crate::ingest::paths::{expand_globs, expand_paths};
use crate::ingest::{self, FileReport, IngestOptions, Outcome};
use crate::store::Dataset;

/// Arguments of `filterwatch ingest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The school profile (TOML).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// Log files or folders; default: the profile's `logs` globs.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Read every file in this format instead of detecting it (see `filterwatch formats`).
    #[arg(long, value_name = "NAME")]
    pub format: Option<String>,
    /// A Squid `logformat` string for custom Squid logs (overrides the profile's).
    #[arg(long, value_name = "STRING")]
    pub logformat: Option<String>,
    /// No summary line (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let profile = Profile::load(&args.config).map_err(|e| ConfigError(one_line(&e)))?;
    let format_name = args.format.as_deref().or(profile.format.as_deref());
    let format = match format_name {
        Some(name) => FormatName::parse(name)
            .ok_or_else(|| ConfigError(format!("unknown format {name:?} (`filterwatch formats` lists them)")))?,
        None => FormatChoice::Auto,
    };
    let hints = FormatHints {
        squid_logformat: args.logformat.clone().or_else(|| profile.squid_logformat.clone()),
        csv: profile.csv.clone(),
    };
    let selection = if args.paths.is_empty() { expand_globs(&profile)? } else { expand_paths(&args.paths)? };
    print_skipped(&selection.skipped);
    let paths = selection.files;
    let school = Arc::new(SchoolContext::new(profile).map_err(|e| ConfigError(one_line(&e)))?);
    let data = Dataset::open(&args.data.path)?;
    let progress = progress_bar(args.quiet);
    let started = Instant::now();
    let reports = ingest::ingest(&data, school, &paths, &IngestOptions { format, hints, follow: None }, &progress)?;
    progress.finish_and_clear();
    let failed = print_problems(&reports);
    if !args.quiet {
        eprintln!("{}", summary(&reports, started.elapsed().as_secs_f64()));
    }
    Ok(if failed { ExitCode::from(super::EXIT_FAILED) } else { ExitCode::SUCCESS })
}

/// Prints one line per file that was passed over.
pub fn print_skipped(skipped: &[(PathBuf, String)]) {
    for (path, why) in skipped {
        eprintln!("filterwatch: {}: skipped: {why}", escape::text(&path.display().to_string()));
    }
}

/// Prints one line per file that could not be read in full; true if there was any.
pub fn print_problems(reports: &[FileReport]) -> bool {
    let mut any = false;
    for r in reports {
        let problem = match (&r.outcome, &r.damage) {
            (Outcome::Failed(why), _) => why.clone(),
            (_, Some(damage)) => format!("{damage}; the {} lines before it were ingested", r.lines),
            _ => continue,
        };
        eprintln!("filterwatch: {}: {problem}", escape::text(&r.path.display().to_string()));
        any = true;
    }
    any
}

/// The run's one-line summary.
pub fn summary(reports: &[FileReport], seconds: f64) -> String {
    let sum = |f: fn(&FileReport) -> u64| reports.iter().map(f).sum::<u64>();
    let (lines, rows, rejects, skipped, bytes) =
        (sum(|r| r.lines), sum(|r| r.rows), sum(|r| r.rejects), sum(|r| r.skipped), sum(|r| r.bytes));
    let unchanged = reports.iter().filter(|r| r.outcome == Outcome::AlreadyIngested).count();
    let seconds = seconds.max(1e-6);
    format!(
        "filterwatch ingest: {} files ({unchanged} already ingested), {lines} lines, {rows} rows, {rejects} rejects, \
         {skipped} skipped, {seconds:.2} s, {:.0} lines/s, {:.1} MB/s",
        reports.len(),
        lines as f64 / seconds,
        bytes as f64 / seconds / 1e6,
    )
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    // Drawn only when stderr is a terminal: indicatif hides it otherwise.
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bytes} read ({bytes_per_sec})")
            .expect("valid progress template"),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
