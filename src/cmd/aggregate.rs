//! `filterwatch aggregate --data DIR --out DIR`: the local authority's view across schools, from a
//! pseudonymised export (or any dataset): per school and week, outliers, CSV, charts and a PDF.
//! The outputs hold per-school numbers only, so no key is needed to make them; `--key-file` is
//! accepted so scripts can pass the same flags as `export`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::DataDir;
use crate::aggregate::cache::Cache;
use crate::aggregate::disclosure::{SmallNumbers, DEFAULT_THRESHOLD};
use crate::aggregate::la_report::write_la_report;
use crate::aggregate::views::school_weeks;

/// Arguments of `filterwatch aggregate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// Where to write the adviser's report.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The local authority's key (not needed: the outputs name no one).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Counts of people from 1 to below this are published as `<N` (statistical disclosure
    /// control); 1 publishes every count.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_THRESHOLD,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub suppress_below: u64,
    /// How many of each school's latest weeks `trends.csv` holds.
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=520))]
    pub trend_weeks: u64,
}

/// Builds the views and writes the report; prints the PDF's path.
pub fn run(args: Args) -> Result<ExitCode> {
    let small = SmallNumbers { threshold: args.suppress_below };
    // Beside the share, not in the outputs: the cached rows hold the counts before small ones
    // are hidden.
    let cache = Cache::new(&args.data.path.join(".cache").join("aggregate"));
    let rows = school_weeks(&args.data.path, small, Some(&cache))?;
    let files = write_la_report(&rows, small, args.trend_weeks as usize, &args.out)?;
    println!("{}", files.pdf.display());
    Ok(ExitCode::SUCCESS)
}
