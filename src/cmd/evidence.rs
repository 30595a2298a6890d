//! `filterwatch evidence --data DATA <id>`: the raw log lines behind one finding, so a DSL can
//! show exactly what was seen. The id names the detection, school and local date, so only that
//! day is detected again. Each row names its content by manifest id; the lines are read from
//! whichever file holds that content now, verified by size and SHA-256 ([`crate::locate`]), and
//! when no file does, stderr says so and the exit code is 1: never another file's lines.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::Days;

use super::{ConfigError, DataDir};
use crate::detect::{high_risk, out_of_hours, parse_finding_id, repeats, spikes, Evidence, Kind, Scope};
use crate::escape;
use crate::locate::read_verified;
use crate::store::{read_manifest, Manifest, ManifestEntry};
use crate::stored_path;

/// Arguments of `filterwatch evidence`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// The finding's id, as `high-risk`, `spikes`, `out-of-hours` or `repeats` print it.
    #[arg(value_name = "ID")]
    pub id: String,
}

/// Prints the finding's raw lines as `file:line: text`; exit 1 when some are gone.
pub fn run(args: Args) -> Result<ExitCode> {
    let (kind, school, date) = parse_finding_id(&args.id)?;
    let scope = Scope::new(&args.data.path, Some(school), Some(date), Some(date + Days::new(2)), None)?;
    let kind = Kind::from_id_prefix(kind)
        .ok_or_else(|| ConfigError(format!("{:?} is not a finding id (unknown kind {kind:?})", args.id)))?;
    let evidence: Option<Vec<Evidence>> = match kind {
        Kind::HighRisk => high_risk::detect(&scope)?.into_iter().find(|f| f.id == args.id).map(|f| f.evidence),
        Kind::Spike => spikes::detect(&scope)?.into_iter().find(|f| f.id == args.id).map(|f| f.evidence),
        Kind::OutOfHours => out_of_hours::detect(&scope)?.into_iter().find(|f| f.id == args.id).map(|f| f.evidence),
        Kind::Repeat => repeats::detect(&scope)?.into_iter().find(|f| f.id == args.id).map(|f| f.evidence),
    };
    let evidence = evidence.with_context(|| format!("no finding {} in {}", args.id, args.data.path.display()))?;
    let manifest = read_manifest(&args.data.path)?;
    let mut by_content: BTreeMap<(Option<&str>, &str), Vec<u64>> = BTreeMap::new();
    for e in &evidence {
        by_content.entry((e.content.as_deref(), e.file.as_str())).or_default().push(e.line);
    }
    let mut out = std::io::stdout().lock();
    let mut missing = 0;
    for ((content, file), mut lines) in by_content {
        lines.sort_unstable();
        lines.dedup();
        let entry = match content {
            Some(id) => manifest.content(school, id).ok_or(format!("content {id} is not in the manifest")),
            None => entry_by_path(&manifest, school, file),
        };
        let found =
            entry.and_then(|entry| read_verified(entry, &lines).ok_or_else(|| gone(entry)).map(|found| (entry, found)));
        match found {
            Ok((entry, found)) => {
                let path = escape::text(&found.path.display().to_string()).into_owned();
                for (line, text) in &found.lines {
                    writeln!(out, "{path}:{line}: {text}")?;
                }
                let absent = lines.iter().filter(|l| !found.lines.iter().any(|(f, _)| f == *l)).count();
                if absent > 0 {
                    missing += absent;
                    eprintln!(
                        "filterwatch: {absent} of the lines are not in content {} ({} lines when ingested)",
                        entry.id, entry.lines
                    );
                }
            }
            Err(why) => {
                missing += lines.len();
                eprintln!(
                    "filterwatch: {} evidence lines of {} cannot be shown: {why}",
                    lines.len(),
                    escape::text(file)
                );
            }
        }
    }
    if missing > 0 {
        eprintln!("filterwatch: {missing} of {} evidence lines could not be shown", evidence.len());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Why a content's lines cannot be shown: no file holds it any more.
fn gone(entry: &ManifestEntry) -> String {
    let last = stored_path::decode(&entry.path).map_or(entry.path.clone(), |p| p.display().to_string());
    format!(
        "the content it was read from ({} bytes, sha256 {}) is no longer on disk at {}, its earlier names or \
         their rotations; restore that file to show them",
        entry.size,
        entry.sha256,
        escape::text(&last)
    )
}

/// The one content of a school last or earlier read from `file`, for rows ingested before
/// content ids; an error when there is none or more than one (a rotation made it ambiguous).
fn entry_by_path<'a>(manifest: &'a Manifest, school: &str, file: &str) -> Result<&'a ManifestEntry, String> {
    let stored = stored_path::encode(std::path::Path::new(file));
    let mut matches = manifest
        .files
        .iter()
        .filter(|e| e.school == school && (e.path == stored || e.seen.contains(&stored) || e.path == file));
    match (matches.next(), matches.next()) {
        (Some(entry), None) => Ok(entry),
        (None, _) => Err("its file is not in the manifest".to_string()),
        (Some(_), Some(_)) => Err("the rows were ingested before content ids and that path has held more than \
                                   one content since; ingest again with this version to show them"
            .to_string()),
    }
}
