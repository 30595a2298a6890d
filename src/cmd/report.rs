//! `filterwatch report`: the coordinator's weekly PDF for one school, with its charts (PNG and
//! SVG), findings.csv and incident-log.csv.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::{one_line, ConfigError, DataDir};
use crate::config::Profile;
use crate::report::weekly::{parse_week, write_weekly};

/// Arguments of `filterwatch report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// The school profile.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The ISO week, school time (e.g. 2026-W43).
    #[arg(long, value_name = "YYYY-Www")]
    pub week: String,
    /// Where to write the report.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Writes the report and prints where it is.
pub fn run(args: Args) -> Result<ExitCode> {
    let profile = Profile::load(&args.config).map_err(|e| ConfigError(one_line(&e)))?;
    let week = parse_week(&args.week).map_err(|e| ConfigError(one_line(&e)))?;
    let files = write_weekly(&args.data.path, &profile, week, &args.out)?;
    println!("{}", files.pdf.display());
    Ok(ExitCode::SUCCESS)
}
