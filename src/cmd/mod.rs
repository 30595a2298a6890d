//! One module per subcommand, plus what they share: exit codes and one-line error messages.

pub mod aggregate;
pub mod check;
pub mod completions;
pub mod demo;
pub mod evidence;
pub mod export;
pub mod findings;
pub mod formats;
pub mod generate;
pub mod incident;
pub mod ingest;
pub mod nightly;
pub mod prune;
pub mod query;
pub mod report;
pub mod review;
pub mod watch;

/// Exit code: the job failed (a file could not be read, a write failed).
pub const EXIT_FAILED: u8 = 1;
/// Exit code: bad usage or a bad profile (clap also uses 2 for usage errors).
pub const EXIT_BAD_CONFIG: u8 = 2;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub use crate::config::ConfigError;
use crate::config::Profile;

/// `--data DIR`, declared once for every subcommand that works on a dataset.
#[derive(Debug, Clone, clap::Args)]
pub struct DataDir {
    /// The dataset folder.
    #[arg(long = "data", value_name = "DIR")]
    pub path: std::path::PathBuf,
}

/// The error and its causes on one line, for cron mail and terminals alike (control bytes from
/// a path or log text escaped, so none can forge a line).
pub fn one_line(error: &anyhow::Error) -> String {
    error.chain().map(|e| crate::escape::text(&e.to_string()).into_owned()).collect::<Vec<_>>().join(": ")
}

/// The exit code an error deserves.
pub fn exit_code_for(error: &anyhow::Error) -> u8 {
    if error.chain().any(|e| e.is::<ConfigError>()) {
        EXIT_BAD_CONFIG
    } else {
        EXIT_FAILED
    }
}

/// The profile itself, or every `*.toml` in a folder, sorted (`--config FILE|DIR`).
pub fn profile_files(config: &Path) -> Result<Vec<PathBuf>> {
    if !config.is_dir() {
        return Ok(vec![config.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(config)
        .with_context(|| format!("cannot list {}", config.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(ConfigError(format!("no *.toml school profiles in {}", config.display())).into());
    }
    Ok(files)
}

/// A school profile and the ingest options it implies; a bad profile is a [`ConfigError`].
pub fn load_school(path: &Path) -> Result<(Profile, crate::ingest::IngestOptions)> {
    use crate::formats::{detect::FormatHints, FormatChoice, FormatName};
    let profile = Profile::load(path).map_err(|e| ConfigError(one_line(&e)))?;
    let format = match profile.format.as_deref() {
        Some(name) => FormatName::parse(name)
            .ok_or_else(|| ConfigError(format!("{}: key `format`: unknown format {name:?}", path.display())))?,
        None => FormatChoice::Auto,
    };
    let hints = FormatHints { squid_logformat: profile.squid_logformat.clone(), csv: profile.csv.clone() };
    Ok((profile, crate::ingest::IngestOptions { format, hints, follow: None }))
}
