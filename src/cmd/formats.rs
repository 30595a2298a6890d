//! `filterwatch formats`: the log formats filterwatch reads.

use std::process::ExitCode;

use crate::formats::registry;

/// Prints each format's `--format` name and what it is.
pub fn run() -> anyhow::Result<ExitCode> {
    for format in registry::all() {
        println!("{:<16} {}", format.id, format.description);
    }
    println!("{:<16} detect which e2guardian format (1 to 8) a file is in", "e2guardian");
    println!("{:<16} detect per file from its first lines (the default)", "auto");
    Ok(ExitCode::SUCCESS)
}
