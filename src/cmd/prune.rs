//! `filterwatch prune --data DATA --older-than 365d`: retention by hand (nightly applies the
//! profile's `retention_days` itself). Deletes whole date partitions, alerts and rejects past
//! retention and records what it removed in `DATA/prune.log`.

use std::process::ExitCode;

use anyhow::Result;
use chrono::Days;

use super::{ConfigError, DataDir};
use crate::config::MAX_DAYS;
use crate::store::{self, Dataset};

/// Arguments of `filterwatch prune`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// Keep this much: `365d`, `52w` or a number of days.
    #[arg(long, value_name = "AGE")]
    pub older_than: String,
    /// Only this school (default: every school).
    #[arg(long, value_name = "ID")]
    pub school: Option<String>,
}

/// Parses `365d`, `52w` or `365` into days.
pub fn parse_age(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.chars().last()? {
        'd' => text[..text.len() - 1].parse().ok(),
        'w' => text[..text.len() - 1].parse::<u64>().ok().and_then(|w| w.checked_mul(7)),
        _ => text.parse().ok(),
    }
}

/// Prunes and prints one line per school that lost anything.
pub fn run(args: Args) -> Result<ExitCode> {
    let days = parse_age(&args.older_than).filter(|&d| (1..=u64::from(MAX_DAYS)).contains(&d)).ok_or_else(|| {
        ConfigError(format!(
            "--older-than {:?} is not an age like 365d or 52w from 1 to {MAX_DAYS} days",
            args.older_than
        ))
    })?;
    let data = Dataset::open(&args.data.path)?;
    let all = store::schools(&args.data.path)?;
    let schools = match &args.school {
        Some(id) if all.contains(id) => vec![id.clone()],
        Some(id) => {
            return Err(ConfigError(format!(
                "--school {:?} is not a school in {} (it has: {})",
                id,
                args.data.path.display(),
                all.join(", ")
            ))
            .into())
        }
        None => all,
    };
    let before = chrono::Utc::now().date_naive() - Days::new(days);
    for school in schools {
        let pruned = data.prune(&school, before)?;
        if !(pruned.partitions.is_empty() && pruned.alerts.is_empty() && pruned.rejects.is_empty()) {
            println!(
                "{school}: removed {} day(s) of events, {} alert file(s), {} rejects file(s) from before {before}",
                pruned.partitions.len(),
                pruned.alerts.len(),
                pruned.rejects.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(parse_age("365d"), Some(365));
        assert_eq!(parse_age("52w"), Some(364));
        assert_eq!(parse_age("30"), Some(30));
        assert_eq!(parse_age("a year"), None);
    }
}
