//! `filterwatch high-risk | spikes | out-of-hours | repeats`: one detection over the dataset, printed as a
//! table (on a terminal), CSV or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;

use super::{one_line, ConfigError, DataDir};
use crate::config::Profile;
use crate::detect::{high_risk, out_of_hours, repeats, spikes, Kind, Scope};
use crate::report::findings::{write, OutputFormat};

/// Arguments shared by the detection commands.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// Only this school (default: every school in the dataset).
    #[arg(long, value_name = "ID")]
    pub school: Option<String>,
    /// First school-local date, inclusive (default: the first in the dataset).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Last school-local date, exclusive (default: the day after the last in the dataset).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
    /// Output format (default: table on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// A school profile whose hours, thresholds and severities replace the copy in the dataset.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl Args {
    /// The detection scope these arguments describe.
    pub fn scope(&self) -> Result<Scope> {
        let config = match &self.config {
            Some(path) => Some(Profile::load(path).map_err(|e| ConfigError(one_line(&e)))?),
            None => None,
        };
        Scope::new(&self.data.path, self.school.as_deref(), self.from, self.to, config)
    }
}

/// Runs one detection and prints its findings on stdout.
pub fn run(kind: Kind, args: Args) -> Result<ExitCode> {
    let scope = args.scope()?;
    let format = args.format.unwrap_or_else(OutputFormat::for_stdout);
    let mut out = std::io::stdout().lock();
    match kind {
        Kind::HighRisk => write(&high_risk::detect(&scope)?, format, &mut out)?,
        Kind::Spike => write(&spikes::detect(&scope)?, format, &mut out)?,
        Kind::OutOfHours => write(&out_of_hours::detect(&scope)?, format, &mut out)?,
        Kind::Repeat => write(&repeats::detect(&scope)?, format, &mut out)?,
    }
    Ok(ExitCode::SUCCESS)
}
