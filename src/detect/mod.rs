//! The questions a coordinator and DSL ask of the logs, answered from the dataset: high-risk
//! incidents (told at once by `watch`), blocked-site spikes, out-of-hours staff use and repeated
//! pupil attempts. Each runs the portable SQL in `queries/` and does in Rust only what SQL cannot
//! say portably (noted in each module). Every finding carries the source file and line of its rows.

pub mod high_risk;
pub mod out_of_hours;
pub mod repeats;
pub mod severity;
pub mod spikes;
pub mod summary;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::{ConfigError, Profile};
use crate::engine::{Engine, EventSource};
use crate::queries::{columns, Param, Params};
use crate::store;

/// What the detections look at: which schools and which school-local dates.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The dataset folder.
    pub data: PathBuf,
    /// Schools with their settings (from the profile copy in the dataset, or `--config`).
    pub schools: Vec<Profile>,
    /// First school-local date (inclusive).
    pub from: NaiveDate,
    /// Last school-local date (exclusive).
    pub to: NaiveDate,
    /// Where the queries run.
    pub engine: Engine,
}

impl Scope {
    /// The scope for a dataset: the given school (or every school in it) and dates (default: all
    /// the dates it holds). `config` replaces the settings kept in the dataset.
    pub fn new(
        data: &Path,
        school: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        config: Option<Profile>,
    ) -> Result<Scope> {
        let all = store::schools(data)?;
        let ids: Vec<String> = match school.or(config.as_ref().map(|p| p.id.as_str())) {
            Some(id) if all.iter().any(|s| s == id) => vec![id.to_string()],
            Some(id) => {
                let known = all.join(", ");
                return Err(ConfigError(format!("no school {id:?} in {} (it has: {known})", data.display())).into());
            }
            None => all,
        };
        let mut schools = Vec::with_capacity(ids.len());
        for id in &ids {
            schools.push(match &config {
                Some(profile) if &profile.id == id => profile.clone(),
                _ => store::school_settings(data, id)?,
            });
        }
        let (first, last) = store::date_range(data, &ids)?.context("the dataset has no dates yet")?;
        let from = from.unwrap_or(first);
        let to = to.unwrap_or(last + chrono::Days::new(1));
        if to <= from {
            return Err(ConfigError(format!("--to {to} is not after --from {from}")).into());
        }
        Ok(Scope { data: data.to_path_buf(), schools, from, to, engine: Engine::Local })
    }

    /// One school's dates `from`..`to` (exclusive) in a local dataset.
    pub fn one_school(data: &Path, profile: &Profile, from: NaiveDate, to: NaiveDate) -> Scope {
        Scope { data: data.to_path_buf(), schools: vec![profile.clone()], from, to, engine: Engine::Local }
    }

    /// Parameters every query takes: the date range and school list.
    pub fn params(&self, from: NaiveDate, to: NaiveDate) -> Params {
        [
            ("from", Param::Date(from)),
            ("to", Param::Date(to)),
            ("schools", Param::TextList(self.schools.iter().map(|p| p.id.clone()).collect())),
        ]
        .into_iter()
        .collect()
    }

    /// The scope's events: only the school's own folder when the scope is one school.
    pub fn events(&self) -> Result<EventSource> {
        let ids: Vec<String> = self.schools.iter().map(|p| p.id.clone()).collect();
        self.engine.events(&self.data, &ids)
    }

    /// The settings of one school in scope.
    pub fn school(&self, id: &str) -> Option<&Profile> {
        self.schools.iter().find(|p| p.id == id)
    }
}

/// Runs a row-level detection a week at a time, so memory follows a week of one school's rows
/// rather than the whole dataset; weeks without events are passed over. Each window reaches a day beyond the week on both sides, so a
/// finding that crosses midnight is seen whole, and is kept only by the week it starts in.
pub fn week_by_week<T>(
    scope: &Scope,
    profile: &Profile,
    mut detect_window: impl FnMut(NaiveDate, NaiveDate) -> Result<Vec<T>>,
    start_of: impl Fn(&T) -> DateTime<Utc>,
) -> Result<Vec<T>> {
    let mut found = Vec::new();
    let dates = scope.engine.school_dates(&scope.data, &profile.id)?;
    let mut week_start = scope.from;
    while week_start < scope.to {
        let week_end = (week_start + chrono::Days::new(7)).min(scope.to);
        if dates.range(week_start..week_end).next().is_none() {
            // No events that week: nothing can start in it.
            week_start = week_end;
            continue;
        }
        let window = detect_window(week_start - chrono::Days::new(1), week_end + chrono::Days::new(1))?;
        found.extend(window.into_iter().filter(|f| {
            let day = local_date(start_of(f), profile.timezone);
            week_start <= day && day < week_end
        }));
        week_start = week_end;
    }
    Ok(found)
}

/// Where a finding's row came from: the raw log line a DSL can be shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct Evidence {
    /// The raw file's canonical path when it was ingested.
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// The id of the file's content in the manifest (none for rows ingested before ids existed).
    pub content: Option<String>,
}

/// A count of something (a domain, a category) within a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Tally {
    /// What was counted.
    pub name: String,
    /// How many requests.
    pub count: u64,
}

/// The most frequent values, most first (ties by name), at most `limit`.
pub fn top<'a>(values: impl IntoIterator<Item = &'a str>, limit: usize) -> Vec<Tally> {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let mut tallies: Vec<Tally> =
        counts.into_iter().map(|(name, count)| Tally { name: name.to_string(), count }).collect();
    tallies.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    tallies.truncate(limit);
    tallies
}

/// The kinds of finding, with every name each goes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Kind {
    /// A high-risk incident (an immediate rule).
    HighRisk,
    /// A blocked-site spike.
    Spike,
    /// A staff session out of hours.
    OutOfHours,
    /// Repeated blocked attempts by a pupil.
    Repeat,
}

impl Kind {
    /// Every kind, in the order reports list them.
    pub const ALL: [Kind; 4] = [Kind::HighRisk, Kind::Spike, Kind::OutOfHours, Kind::Repeat];

    /// The first part of a finding id (`risk-…`, `spike-…`, `ooh-…`, `repeat-…`).
    pub fn id_prefix(self) -> &'static str {
        match self {
            Kind::HighRisk => "risk",
            Kind::Spike => "spike",
            Kind::OutOfHours => "ooh",
            Kind::Repeat => "repeat",
        }
    }

    /// The subcommand that lists them.
    pub fn command(self) -> &'static str {
        match self {
            Kind::HighRisk => "high-risk",
            Kind::Spike => "spikes",
            Kind::OutOfHours => "out-of-hours",
            Kind::Repeat => "repeats",
        }
    }

    /// The name in CSV files (`findings.csv`, `incident-log.csv`).
    pub fn csv_name(self) -> &'static str {
        match self {
            Kind::HighRisk => "high-risk",
            Kind::Spike => "spike",
            Kind::OutOfHours => "out-of-hours",
            Kind::Repeat => "repeat",
        }
    }

    /// The kind an id prefix names.
    pub fn from_id_prefix(prefix: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id_prefix() == prefix)
    }
}

/// Everything the detections found in one scope.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Findings {
    /// High-risk incidents (the immediate rules).
    pub high_risk: Vec<high_risk::HighRisk>,
    /// Blocked-site spikes.
    pub spikes: Vec<spikes::Spike>,
    /// Staff sessions out of hours.
    pub out_of_hours: Vec<out_of_hours::OutOfHours>,
    /// Repeated pupil attempts.
    pub repeats: Vec<repeats::Repeat>,
}

impl Findings {
    /// Runs every detection over the scope.
    pub fn detect_all(scope: &Scope) -> Result<Findings> {
        Ok(Findings {
            high_risk: high_risk::detect(scope)?,
            spikes: spikes::detect(scope)?,
            out_of_hours: out_of_hours::detect(scope)?,
            repeats: repeats::detect(scope)?,
        })
    }

    /// How many of them need action ([`NeedsAction`]).
    pub fn needing_action(&self) -> usize {
        self.high_risk.len()
            + self.spikes.iter().filter(|f| f.needs_action()).count()
            + self.out_of_hours.iter().filter(|f| f.needs_action()).count()
            + self.repeats.iter().filter(|f| f.needs_action()).count()
    }
}

/// The one rule for what a DSL must act on, used by the nightly alerts and the weekly report's
/// first list alike: every high-risk incident, a high-severity repeat or spike, and every staff
/// session out of hours.
pub trait NeedsAction {
    /// Whether the finding needs action (the rest are worth a look).
    fn needs_action(&self) -> bool;
}

impl NeedsAction for high_risk::HighRisk {
    fn needs_action(&self) -> bool {
        true
    }
}

impl NeedsAction for spikes::Spike {
    fn needs_action(&self) -> bool {
        self.severity == severity::Severity::High
    }
}

impl NeedsAction for out_of_hours::OutOfHours {
    fn needs_action(&self) -> bool {
        true
    }
}

impl NeedsAction for repeats::Repeat {
    fn needs_action(&self) -> bool {
        self.severity == severity::Severity::High
    }
}

/// A stable id for a finding: kind, school, local start date and a hash of what makes it unique,
/// so that `evidence` can find it again by re-running one day's detection.
pub fn finding_id(kind: Kind, school: &str, local_date: NaiveDate, key: &str) -> String {
    // FNV-1a: stable across runs and platforms, unlike std's randomly seeded hasher.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{}-{school}-{}-{:08x}", kind.id_prefix(), local_date.format("%Y%m%d"), hash as u32)
}

/// `kind-school-YYYYMMDD-hash` → (kind, school, date). School ids may contain `-`.
pub fn parse_finding_id(id: &str) -> Result<(&str, &str, NaiveDate)> {
    let bad = || ConfigError(format!("{id:?} is not a finding id (expected kind-school-YYYYMMDD-hash)"));
    let (kind, rest) = id.split_once('-').ok_or_else(bad)?;
    let (rest, _hash) = rest.rsplit_once('-').ok_or_else(bad)?;
    let (school, date) = rest.rsplit_once('-').ok_or_else(bad)?;
    let date = NaiveDate::parse_from_str(date, "%Y%m%d").map_err(|_| bad())?;
    Ok((kind, school, date))
}

/// Reads the `source_file`, `source_line` and `source_content` columns into evidence references.
pub fn evidence_of(df: &polars::prelude::DataFrame) -> Result<Vec<Evidence>> {
    let files = columns::text(df, "source_file")?;
    let lines = columns::int(df, "source_line")?;
    let contents = columns::text(df, "source_content")?;
    Ok(files
        .into_iter()
        .zip(lines)
        .zip(contents)
        .map(|((f, l), content)| Evidence { file: f.unwrap_or_default(), line: l.unwrap_or(0) as u64, content })
        .collect())
}

/// Maximal runs of `times` (sorted) in which some window of `window` µs holds at least `needed`
/// of them; overlapping windows merge into one run, and so do touching ones when `needed` is more
/// than one. With `needed` 1 the runs are the episodes separated by gaps longer than `window`.
pub fn bursts(times: &[i64], window: i64, needed: usize) -> Vec<std::ops::Range<usize>> {
    let needed = needed.max(1);
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut left = 0;
    for right in 0..times.len() {
        while times[right] - times[left] > window {
            left += 1;
        }
        if right + 1 - left >= needed {
            match runs.last_mut() {
                Some(run) if left < run.end || (needed > 1 && left == run.end) => run.end = right + 1,
                _ => runs.push(left..right + 1),
            }
        }
    }
    runs
}

/// A UTC instant from microseconds.
pub fn utc(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// The school-local wall-clock text of an instant (`2026-10-21 10:05`), for people.
pub fn local_text(time: DateTime<Utc>, tz: Tz) -> String {
    tz.from_utc_datetime(&time.naive_utc()).format("%Y-%m-%d %H:%M").to_string()
}

/// The school-local date of an instant.
pub fn local_date(time: DateTime<Utc>, tz: Tz) -> NaiveDate {
    tz.from_utc_datetime(&time.naive_utc()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(list: &[i64]) -> Vec<i64> {
        list.iter().map(|m| m * 60_000_000).collect()
    }

    #[test]
    fn ten_in_fifteen_minutes_is_a_burst_and_spread_ones_are_not() {
        let window = 15 * 60_000_000;
        let quick = minutes(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 40, 41]);
        assert_eq!(bursts(&quick, window, 10), vec![0..11], "the two at minutes 40-41 are outside the burst");
        assert!(bursts(&minutes(&[0, 200, 400]), window, 10).is_empty());
        let steady = minutes(&(0..20).collect::<Vec<_>>());
        assert_eq!(bursts(&steady, window, 10), vec![0..20], "overlapping windows merge into one finding");
        let slow = minutes(&(0..20).map(|i| i * 2).collect::<Vec<_>>());
        assert!(bursts(&slow, window, 10).is_empty(), "one every two minutes never fills a window");
    }

    #[test]
    fn ids_parse_with_dashes_in_the_school() {
        let (kind, school, date) = parse_finding_id("repeat-st-marys-ce-20261022-0a1b2c3d").unwrap();
        assert_eq!((kind, school, date), ("repeat", "st-marys-ce", NaiveDate::from_ymd_opt(2026, 10, 22).unwrap()));
        assert!(parse_finding_id("nonsense").is_err());
    }

    #[test]
    fn with_one_needed_runs_are_episodes_split_by_long_gaps() {
        let gap = 30 * 60_000_000;
        assert_eq!(bursts(&minutes(&[0, 10, 35, 100, 129, 200]), gap, 1), vec![0..3, 3..5, 5..6]);
    }
}
