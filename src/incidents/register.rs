//! The incident register: `DATA/incidents/<school>.csv`, one row per event in an incident's
//! life, only ever appended. The first row of an id is the finding entering it as `new` (with
//! who, when, what); each `incident update` adds a row with the new status, what was done, the
//! outcome, who recorded it and when. Nothing is rewritten, so the file is its own history, and
//! any spreadsheet or CSV tool reads it (cells are neutralised like every CSV we write).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Status;
use crate::detect::summary::Summary;
use crate::safe_csv::{restore, SafeCsv};

/// The register's columns, in order.
pub const COLUMNS: [&str; 15] = [
    "recorded_at",
    "id",
    "kind",
    "status",
    "recorded_by",
    "action",
    "outcome",
    "start_utc",
    "user",
    "role",
    "year_group",
    "category",
    "domains",
    "what",
    "suppression",
];

/// One row of the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When the row was written (UTC).
    pub recorded_at: DateTime<Utc>,
    /// The finding id.
    pub id: String,
    /// The finding's kind (CSV name).
    pub kind: String,
    /// The status from this row on.
    pub status: Status,
    /// Who recorded it (`filterwatch` for a finding entering the register).
    pub recorded_by: String,
    /// What was done.
    pub action: String,
    /// What came of it.
    pub outcome: String,
    /// When the finding started (UTC).
    pub start_utc: Option<DateTime<Utc>>,
    /// Who it is about.
    pub user: String,
    /// Their role.
    pub role: String,
    /// Their year group.
    pub year_group: String,
    /// The category.
    pub category: String,
    /// The domains, most first, joined with `; `.
    pub domains: String,
    /// What happened.
    pub what: String,
    /// A suppression added with this row (`domain:example.com until 2027-01-31`).
    pub suppression: String,
}

impl Entry {
    fn cells(&self) -> Vec<String> {
        vec![
            self.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            self.id.clone(),
            self.kind.clone(),
            self.status.as_str().to_string(),
            self.recorded_by.clone(),
            self.action.clone(),
            self.outcome.clone(),
            self.start_utc.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default(),
            self.user.clone(),
            self.role.clone(),
            self.year_group.clone(),
            self.category.clone(),
            self.domains.clone(),
            self.what.clone(),
            self.suppression.clone(),
        ]
    }

    fn parse(record: &csv::StringRecord) -> Result<Entry> {
        let cell = |i: usize| restore(record.get(i).unwrap_or("")).to_string();
        let time = |text: String| -> Result<Option<DateTime<Utc>>> {
            if text.is_empty() {
                return Ok(None);
            }
            Ok(Some(DateTime::parse_from_rfc3339(&text).with_context(|| format!("bad time {text:?}"))?.to_utc()))
        };
        Ok(Entry {
            recorded_at: time(cell(0))?.context("no recorded_at")?,
            id: cell(1),
            kind: cell(2),
            status: Status::parse(&cell(3)).with_context(|| format!("bad status {:?}", cell(3)))?,
            recorded_by: cell(4),
            action: cell(5),
            outcome: cell(6),
            start_utc: time(cell(7))?,
            user: cell(8),
            role: cell(9),
            year_group: cell(10),
            category: cell(11),
            domains: cell(12),
            what: cell(13),
            suppression: cell(14),
        })
    }

    /// The row with which a finding enters the register.
    pub fn new_finding(summary: &Summary, now: DateTime<Utc>) -> Entry {
        Entry {
            recorded_at: now,
            id: summary.id.clone(),
            kind: summary.kind.csv_name().to_string(),
            status: Status::New,
            recorded_by: "filterwatch".into(),
            action: String::new(),
            outcome: String::new(),
            start_utc: Some(summary.start),
            user: summary.user.clone().unwrap_or_default(),
            role: summary.role.clone().unwrap_or_default(),
            year_group: summary.year_group.map(|y| y.to_string()).unwrap_or_default(),
            category: summary.category.clone(),
            domains: summary.domains.join("; "),
            what: summary.what.clone(),
            suppression: String::new(),
        }
    }
}

/// One incident: its first row and every row since, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Every row of this id, oldest first (the first is the finding entering the register).
    pub history: Vec<Entry>,
}

impl Incident {
    /// The row that brought it in.
    pub fn first(&self) -> &Entry {
        &self.history[0]
    }

    /// The latest row: the current status.
    pub fn latest(&self) -> &Entry {
        self.history.last().expect("an incident has a first row")
    }

    /// The latest action and the latest outcome recorded, and who made the latest change (each empty
    /// when none yet): a step that only changes the status keeps what earlier steps recorded.
    pub fn recorded(&self) -> (&str, &str, &str) {
        let latest = |field: fn(&Entry) -> &str| {
            self.history.iter().rev().map(field).find(|value| !value.is_empty()).unwrap_or("")
        };
        let by = self.history.iter().rev().find(|e| e.recorded_by != "filterwatch");
        (latest(|e| e.action.as_str()), latest(|e| e.outcome.as_str()), by.map_or("", |e| e.recorded_by.as_str()))
    }

    /// When someone first did something about it.
    pub fn first_action(&self) -> Option<DateTime<Utc>> {
        self.history.iter().find(|e| e.status != Status::New).map(|e| e.recorded_at)
    }
}

/// A school's register file.
pub struct Register {
    path: PathBuf,
}

impl Register {
    /// The school's register in a dataset folder.
    pub fn new(data: &Path, school: &str) -> Register {
        Register { path: data.join("incidents").join(format!("{school}.csv")) }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every row, oldest first; empty when there is no register yet. A damaged row is an error
    /// naming its line.
    pub fn entries(&self) -> Result<Vec<Entry>> {
        let file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", self.path.display())),
        };
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let mut entries = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let record = record.with_context(|| format!("{}: line {}", self.path.display(), n + 2))?;
            entries.push(Entry::parse(&record).with_context(|| format!("{}: line {}", self.path.display(), n + 2))?);
        }
        Ok(entries)
    }

    /// Every incident by id.
    pub fn incidents(&self) -> Result<BTreeMap<String, Incident>> {
        let mut by_id: BTreeMap<String, Incident> = BTreeMap::new();
        for entry in self.entries()? {
            match by_id.get_mut(&entry.id) {
                // A second `new` by filterwatch (two processes registering at once) adds nothing.
                Some(_) if entry.status == Status::New && entry.recorded_by == "filterwatch" => {}
                Some(incident) => incident.history.push(entry),
                None => {
                    by_id.insert(entry.id.clone(), Incident { history: vec![entry] });
                }
            }
        }
        Ok(by_id)
    }

    /// Holds the register against every other writer (`nightly`, `watch`, `incident update`) until
    /// dropped, so a read-then-append or the retention rewrite never loses another's row.
    fn lock(&self) -> Result<std::fs::File> {
        let mut name = self.path.as_os_str().to_os_string();
        name.push(".lock");
        let file = crate::private_fs::open_lock(Path::new(&name))?;
        file.lock().with_context(|| format!("cannot lock {}", Path::new(&name).display()))?;
        Ok(file)
    }

    /// Appends rows, with the header first when the file is new (one write); the caller holds
    /// [`Self::lock`].
    fn append_locked(&self, entries: &[Entry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut csv = SafeCsv::new(Vec::new());
        if !self.path.exists() {
            csv.write_record(COLUMNS)?;
        }
        for entry in entries {
            csv.write_record(entry.cells())?;
        }
        let bytes = csv.into_inner()?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .with_context(|| format!("cannot open {}", self.path.display()))?;
        file.write_all(&bytes).with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Enters the findings not yet in the register as `new`; returns how many were new.
    pub fn record_new(&self, summaries: &[Summary], now: DateTime<Utc>) -> Result<usize> {
        let _held = self.lock()?;
        let known = self.incidents()?;
        let fresh: Vec<Entry> =
            summaries.iter().filter(|s| !known.contains_key(&s.id)).map(|s| Entry::new_finding(s, now)).collect();
        self.append_locked(&fresh)?;
        Ok(fresh.len())
    }

    /// Retention: rewrites the register without the incidents closed (or found false positive)
    /// before `before`, and deletes their kept evidence; returns the ids removed.
    pub fn expire(&self, data: &Path, school: &str, before: DateTime<Utc>) -> Result<Vec<String>> {
        let _held = self.lock()?;
        let incidents = self.incidents()?;
        let expired: Vec<String> = incidents
            .values()
            .filter(|i| !i.latest().status.is_open() && i.latest().recorded_at < before)
            .map(|i| i.first().id.clone())
            .collect();
        if expired.is_empty() {
            return Ok(expired);
        }
        let kept: Vec<Entry> = self.entries()?.into_iter().filter(|e| !expired.contains(&e.id)).collect();
        let mut csv = SafeCsv::new(Vec::new());
        csv.write_record(COLUMNS)?;
        for entry in &kept {
            csv.write_record(entry.cells())?;
        }
        crate::private_fs::write_atomically(&self.path, &csv.into_inner()?)?;
        for id in &expired {
            let _ = std::fs::remove_file(super::evidence::path(data, school, id));
        }
        Ok(expired)
    }

    /// Records what was done about an incident.
    pub fn update(&self, id: &str, change: Change, now: DateTime<Utc>) -> Result<Entry> {
        let _held = self.lock()?;
        let incidents = self.incidents()?;
        let Some(incident) = incidents.get(id) else {
            bail!("no incident {id} in {}", self.path.display());
        };
        if change.by.trim().is_empty() {
            bail!("--by: who is recording this must be named");
        }
        let first = incident.first();
        let entry = Entry {
            recorded_at: now,
            status: change.status,
            recorded_by: change.by,
            action: change.action,
            outcome: change.outcome,
            suppression: change.suppression,
            ..first.clone()
        };
        self.append_locked(std::slice::from_ref(&entry))?;
        Ok(entry)
    }
}

/// One change to an incident, as `incident update` gives it.
#[derive(Debug, Clone)]
pub struct Change {
    /// The new status.
    pub status: Status,
    /// What was done.
    pub action: String,
    /// What came of it.
    pub outcome: String,
    /// Who records it.
    pub by: String,
    /// The suppression added with it, described.
    pub suppression: String,
}
