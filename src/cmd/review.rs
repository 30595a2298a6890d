//! `filterwatch review`: the annual filtering and monitoring review for one school, as a PDF
//! and a CSV per table; `--no-names` writes the governors' copy.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;

use super::{one_line, ConfigError, DataDir};
use crate::config::Profile;
use crate::report::review::{write_review, Audience, Period};

/// Arguments of `filterwatch review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// The school profile.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// First school-local date, inclusive (default: 1 September of the academic year).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Last school-local date, exclusive (default: tomorrow, so today is included).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
    /// Where to write the review.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The governors' copy: no user, device or address, and no note typed by staff.
    #[arg(long)]
    pub no_names: bool,
}

/// Writes the review and prints where the PDF is, and how many incidents are still open.
pub fn run(args: Args) -> Result<ExitCode> {
    let profile = Profile::load(&args.config).map_err(|e| ConfigError(one_line(&e)))?;
    let today = chrono::Utc::now().with_timezone(&profile.timezone).date_naive();
    let default = Period::academic_year_to_date(today);
    let period = Period { from: args.from.unwrap_or(default.from), to: args.to.unwrap_or(default.to) };
    if period.from >= period.to {
        return Err(ConfigError(format!("--from {} is not before --to {}", period.from, period.to)).into());
    }
    let audience = if args.no_names { Audience::Governors } else { Audience::School };
    let files = write_review(&args.data.path, &profile, period, audience, &args.out)?;
    println!("{}", files.pdf.display());
    if files.open_incidents > 0 {
        println!(
            "{} incident(s) of the period are still open: `filterwatch incident list --status new`",
            files.open_incidents
        );
    }
    Ok(ExitCode::SUCCESS)
}
