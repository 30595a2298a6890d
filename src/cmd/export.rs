//! `filterwatch export --data DATA --out DIR --pseudonymise --key-file KEY`: the events as
//! hive-partitioned Parquet for the local authority, with no identifier left in them.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::{one_line, ConfigError, DataDir};
use crate::aggregate::export::export;
use crate::aggregate::pseudonym::Pseudonymiser;
use crate::stored_path::is_within;

/// Arguments of `filterwatch export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// Where to write the export.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace identifiers by keyed pseudonyms (required: nothing else is ever exported).
    #[arg(long)]
    pub pseudonymise: bool,
    /// The local authority's key (at least 16 bytes), the same for every school.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Only this school (repeatable; default: every school in the dataset).
    #[arg(long, value_name = "ID")]
    pub school: Vec<String>,
}

/// Runs the export.
pub fn run(args: Args) -> Result<ExitCode> {
    let key_file =
        match (&args.key_file, args.pseudonymise) {
            (Some(key), true) => key,
            _ => return Err(ConfigError(
                "export writes only pseudonymised data: pass --pseudonymise --key-file KEY (the local authority's key)"
                    .into(),
            )
            .into()),
        };
    if is_within(&args.out, &args.data.path) || is_within(&args.data.path, &args.out) {
        return Err(ConfigError(format!(
            "--out {} and --data {} overlap: the export must go to a folder of its own",
            args.out.display(),
            args.data.path.display()
        ))
        .into());
    }
    let mut pseudonymiser = Pseudonymiser::from_key_file(key_file).map_err(|e| ConfigError(one_line(&e)))?;
    let done = export(&args.data.path, &args.out, &args.school, &mut pseudonymiser)?;
    eprintln!(
        "filterwatch export: {} files, {} rows, pseudonymised into {}",
        done.files,
        done.rows,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
