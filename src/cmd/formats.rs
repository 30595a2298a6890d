//! `filterwatch formats`: the log formats filterwatch reads.

use std::process::ExitCode;

use crate::formats::FormatName;

/// Prints each format's `--format` name and what it is.
pub fn run() -> anyhow::Result<ExitCode> {
    for format in FormatName::ALL {
        println!("{:<16} {}", format.as_str(), format.description());
    }
    println!("{:<16} detect which e2guardian format (1 to 6) a file is in", "e2guardian");
    println!("{:<16} detect per file from its first lines (the default)", "auto");
    Ok(ExitCode::SUCCESS)
}
