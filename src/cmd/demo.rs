//! `filterwatch demo`: generates a realistic school week, ingests it, runs the detections, writes
//! the weekly report, and says what it made and found.

use std::path::PathBuf;
use std::process::ExitCode;

use std::io::Write;

use anyhow::Result;

use crate::detect::{Findings, Kind, Scope};
use crate::report::findings::{write, OutputFormat};
use crate::report::weekly::write_weekly;
use crate::week::Week;

/// Arguments of `filterwatch demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to put the generated school (logs, profile, roster, lists) and its dataset.
    #[arg(long, default_value = "filterwatch-demo", value_name = "DIR")]
    pub out: PathBuf,
    /// The size and seed of the week.
    #[command(flatten)]
    pub week: super::generate::WeekArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let school_dir = args.out.join("school");
    let (spec, week) = args.week.generate(&school_dir)?;
    println!(
        "Generated {} ({} pupils, {} staff): {} log lines in {} files under {}",
        spec.school_name,
        spec.pupils,
        spec.staff,
        week.lines,
        week.logs.len(),
        school_dir.join("logs").display()
    );
    let data = args.out.join("data");
    let code = super::ingest::run(super::ingest::Args {
        config: week.profile.clone(),
        data: super::DataDir { path: data.clone() },
        paths: week.logs.clone(),
        format: None,
        logformat: None,
        quiet: false,
    })?;
    println!("Dataset: {}", data.join("events").display());
    let scope = Scope::new(&data, None, None, None, None)?;
    let mut out = std::io::stdout().lock();
    let findings = Findings::detect_all(&scope)?;
    let heading =
        |title: &str, kind: Kind| format!("\n{title} (filterwatch {} --data {}):", kind.command(), data.display());
    writeln!(out, "{}", heading("Spikes", Kind::Spike))?;
    write(&findings.spikes, OutputFormat::Table, &mut out)?;
    writeln!(out, "{}", heading("Staff out of hours", Kind::OutOfHours))?;
    write(&findings.out_of_hours, OutputFormat::Table, &mut out)?;
    writeln!(out, "{}", heading("Repeated pupil attempts", Kind::Repeat))?;
    write(&findings.repeats, OutputFormat::Table, &mut out)?;
    drop(out);
    let profile = crate::config::Profile::load(&week.profile)?;
    let reports = args.out.join("reports");
    let files = write_weekly(&data, &profile, Week::of(spec.monday), &reports)?;
    println!("\nWeekly report for the DSL: {}", files.pdf.display());
    println!(
        "  charts (PNG and SVG) in {}, findings.csv and incident-log.csv beside it",
        reports.join("charts").display()
    );
    println!();
    println!("Planted for the detections to find:");
    for planted in &week.planted {
        println!("  - [{}] {}", planted.kind, planted.description);
    }
    println!(
        "Profile: {}  (try: filterwatch ingest --config {} --data {})",
        week.profile.display(),
        week.profile.display(),
        data.display()
    );
    Ok(code)
}
