//! `filterwatch generate`: writes a synthetic school week (logs, profile, roster, category lists)
//! without ingesting it; for benchmarks and trying the other commands at scale.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::{one_line, ConfigError};
use crate::demo::generator::{generate, GeneratedWeek, WeekSpec};
use crate::report::weekly::parse_week;

/// The size of the generated school (shared with `filterwatch demo`).
#[derive(Debug, Clone, clap::Args)]
pub struct WeekArgs {
    /// School id (default `riverside`); the name becomes "<Id> School".
    #[arg(long, value_name = "ID")]
    pub school_id: Option<String>,
    /// Number of pupils (the demo school has 600).
    #[arg(long)]
    pub pupils: Option<u32>,
    /// Number of staff (60 by default).
    #[arg(long)]
    pub staff: Option<u32>,
    /// Requests per pupil per school day (120 by default).
    #[arg(long)]
    pub requests_per_pupil_day: Option<u32>,
    /// Random seed: the same seed gives the same files.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The ISO week to generate, e.g. 2026-W43 (the default): weeks of a term for benchmarks.
    #[arg(long, value_name = "WEEK")]
    pub week: Option<String>,
}

impl WeekArgs {
    /// The demo school's week with these sizes applied.
    pub fn spec(&self) -> Result<WeekSpec> {
        let mut spec = WeekSpec::demo();
        if let Some(week) = &self.week {
            spec.monday = parse_week(week).map_err(|e| ConfigError(one_line(&e)))?.monday;
        }
        spec.pupils = self.pupils.unwrap_or(spec.pupils);
        spec.staff = self.staff.unwrap_or(spec.staff);
        spec.requests_per_pupil_day = self.requests_per_pupil_day.unwrap_or(spec.requests_per_pupil_day);
        spec.seed = self.seed.unwrap_or(spec.seed);
        if let Some(id) = &self.school_id {
            spec.school_name = format!("{} School", crate::report::weekly::wording::capitalise(id));
            spec.school_id = id.clone();
        }
        Ok(spec)
    }

    /// Generates the week into `dir`.
    pub fn generate(&self, dir: &std::path::Path) -> Result<(WeekSpec, GeneratedWeek)> {
        let spec = self.spec()?;
        let week =
            generate(&spec, dir).with_context(|| format!("cannot write the school week to {}", dir.display()))?;
        Ok((spec, week))
    }
}

/// Arguments of `filterwatch generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write the school into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The size and seed of the week.
    #[command(flatten)]
    pub week: WeekArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let (spec, week) = args.week.generate(&args.out)?;
    println!(
        "{}: {} pupils, {} staff, {} log lines in {} files; profile {}",
        spec.school_name,
        spec.pupils,
        spec.staff,
        week.lines,
        week.logs.len(),
        week.profile.display()
    );
    Ok(ExitCode::SUCCESS)
}
