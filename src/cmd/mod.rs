//! One module per subcommand, plus what they share: exit codes and one-line error messages.

pub mod aggregate;
pub mod demo;
pub mod evidence;
pub mod export;
pub mod findings;
pub mod formats;
pub mod generate;
pub mod ingest;
pub mod nightly;
pub mod prune;
pub mod query;
pub mod report;

/// Exit code: the job failed (a file could not be read, a write failed).
pub const EXIT_FAILED: u8 = 1;
/// Exit code: bad usage or a bad profile (clap also uses 2 for usage errors).
pub const EXIT_BAD_CONFIG: u8 = 2;

pub use crate::config::ConfigError;

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
