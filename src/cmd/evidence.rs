//! `filterwatch evidence --data DATA <id>`: the raw log lines behind one finding, so a DSL can
//! show exactly what was seen. The id names the detection, school and local date, so only that
//! day is detected again.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::{Days, NaiveDate};

use crate::detect::{out_of_hours, repeats, spikes, Evidence, Scope};

/// Arguments of `filterwatch evidence`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset folder.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// The finding's id, as `spikes`, `out-of-hours` or `repeats` print it.
    #[arg(value_name = "ID")]
    pub id: String,
}

/// Prints the finding's raw lines as `file:line: text`.
pub fn run(args: Args) -> Result<ExitCode> {
    let (kind, school, date) = parse_id(&args.id)?;
    let scope = Scope::new(&args.data, Some(school), Some(date), Some(date + Days::new(2)), None)?;
    let evidence: Option<Vec<Evidence>> = match kind {
        "spike" => spikes::detect(&scope)?.into_iter().find(|f| f.id == args.id).map(|f| f.evidence),
        "ooh" => out_of_hours::detect(&scope)?.into_iter().find(|f| f.id == args.id).map(|f| f.evidence),
        "repeat" => repeats::detect(&scope)?.into_iter().find(|f| f.id == args.id).map(|f| f.evidence),
        other => bail!("{:?} is not a finding id (unknown kind {other:?})", args.id),
    };
    let evidence = evidence.with_context(|| format!("no finding {} in {}", args.id, args.data.display()))?;
    let mut out = std::io::stdout().lock();
    let mut by_file: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for e in &evidence {
        by_file.entry(&e.file).or_default().push(e.line);
    }
    for (file, mut lines) in by_file {
        lines.sort_unstable();
        for (line, text) in read_lines(Path::new(file), &lines) {
            writeln!(out, "{file}:{line}: {text}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `kind-school-YYYYMMDD-hash` → (kind, school, date). School ids may contain `-`.
fn parse_id(id: &str) -> Result<(&str, &str, NaiveDate)> {
    let bad = || anyhow::anyhow!("{id:?} is not a finding id (expected kind-school-YYYYMMDD-hash)");
    let (kind, rest) = id.split_once('-').ok_or_else(bad)?;
    let (rest, _hash) = rest.rsplit_once('-').ok_or_else(bad)?;
    let (school, date) = rest.rsplit_once('-').ok_or_else(bad)?;
    let date = NaiveDate::parse_from_str(date, "%Y%m%d").map_err(|_| bad())?;
    Ok((kind, school, date))
}

/// The wanted lines (sorted) of a plain or gzip file; a line that cannot be read says why.
fn read_lines(path: &Path, wanted: &[u64]) -> Vec<(u64, String)> {
    let missing = |why: String| wanted.iter().map(|l| (*l, format!("({why})"))).collect();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return missing(format!("cannot open the file: {e}; it may have been rotated or removed")),
    };
    let mut reader = BufReader::new(file);
    let gzip = reader.fill_buf().map(|b| b.starts_with(&[0x1f, 0x8b])).unwrap_or(false);
    let lines: Box<dyn BufRead> =
        if gzip { Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(reader))) } else { Box::new(reader) };
    let mut found = Vec::with_capacity(wanted.len());
    let mut next = wanted.iter().peekable();
    for (index, line) in lines.split(b'\n').enumerate() {
        let number = index as u64 + 1;
        let Ok(bytes) = line else { break };
        while next.peek().is_some_and(|&&w| w == number) {
            found.push((number, String::from_utf8_lossy(bytes.strip_suffix(b"\r").unwrap_or(&bytes)).into_owned()));
            next.next();
        }
        if next.peek().is_none() {
            break;
        }
    }
    found.extend(next.map(|l| (*l, "(the file has fewer lines now)".to_string())));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_with_dashes_in_the_school() {
        let (kind, school, date) = parse_id("repeat-st-marys-ce-20261022-0a1b2c3d").unwrap();
        assert_eq!((kind, school, date), ("repeat", "st-marys-ce", NaiveDate::from_ymd_opt(2026, 10, 22).unwrap()));
        assert!(parse_id("nonsense").is_err());
    }
}
