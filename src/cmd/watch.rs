//! `filterwatch watch --config FILE|DIR --data DATA`: the follower for immediate alerts, run as
//! a service (see README for the systemd unit). Quiet but for one line per alert, held incident
//! and problem on stderr (the journal); exit 0 after SIGTERM or Ctrl-C, 2 for a bad profile.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

use super::DataDir;
use crate::watch::{run as follow, stop_on_signals, Watched};

/// Arguments of `filterwatch watch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A school profile, or a folder: every `*.toml` in it is a school.
    #[arg(long, value_name = "FILE|DIR")]
    pub config: PathBuf,
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// Seconds between looks at the logs.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0, value_parser = parse_poll)]
    pub poll: f64,
}

fn parse_poll(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.1..=3600.0).contains(&s) => Ok(s),
        _ => Err(format!("{text:?} is not a number of seconds from 0.1 to 3600")),
    }
}

fn say(line: &str) {
    eprintln!("filterwatch: {}", crate::escape::text(line));
}

/// Follows the schools' logs until stopped.
pub fn run(args: Args) -> Result<ExitCode> {
    let stop = stop_on_signals();
    let mut schools = Vec::new();
    for path in super::profile_files(&args.config)? {
        let (profile, options) = super::load_school(&path)?;
        schools.push(Watched::new(profile, options)?);
    }
    let names: Vec<&str> = schools.iter().map(|s| s.profile.id.as_str()).collect();
    say(&format!("watching {} for {}", names.join(", "), args.data.path.display()));
    follow(&args.data.path, schools, Duration::from_secs_f64(args.poll), stop, say)?;
    say("stopped");
    Ok(ExitCode::SUCCESS)
}
