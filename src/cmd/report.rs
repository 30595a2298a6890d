//! `filterwatch report`: the coordinator's weekly PDF for one school, with its charts (PNG and
//! SVG), findings.csv and incident-log.csv.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::{one_line, ConfigError, DataDir};
use crate::alerts::deliver::deliver_due;
use crate::alerts::raise::queue_weekly;
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
    /// Also e-mail it to the profile's `alerts.dsl` list (queued in DATA's outbox when the
    /// mail server cannot take it now; `watch` or the next `nightly` retries).
    #[arg(long)]
    pub send: bool,
}

/// Writes the report and prints where it is.
pub fn run(args: Args) -> Result<ExitCode> {
    let profile = Profile::load(&args.config).map_err(|e| ConfigError(one_line(&e)))?;
    let week = parse_week(&args.week).map_err(|e| ConfigError(one_line(&e)))?;
    let files = write_weekly(&args.data.path, &profile, week, &args.out)?;
    println!("{}", files.pdf.display());
    if args.send {
        if profile.alerts.smtp.is_none() || profile.alerts.dsl.is_empty() {
            return Err(ConfigError(format!(
                "{}: --send needs `alerts.smtp`, `alerts.from` and `alerts.dsl` in the profile",
                args.config.display()
            ))
            .into());
        }
        queue_weekly(&args.data.path, &profile, &week.label(), &files)?;
        let delivery = deliver_due(&args.data.path, &profile, chrono::Utc::now())?;
        for problem in &delivery.problems {
            eprintln!("filterwatch: {}", crate::escape::text(problem));
        }
        if delivery.waiting > 0 {
            eprintln!("filterwatch: the mail is queued in the outbox; `watch` or the next `nightly` retries it");
        }
    }
    Ok(ExitCode::SUCCESS)
}
