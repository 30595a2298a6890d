//! Where the portable SQL runs: here, by polars over the dataset's folders, or on an Apache Spark
//! cluster ([`spark`]) that scans the events wherever Hadoop can read them. Either way the
//! queries are the same files in `queries/` and everything after them (the detections, the views,
//! small-number suppression, the reports) is the same Rust, so both give the same results.
//!
//! An engine answers two things: a query's rows ([`EventSource`]), and what the dataset holds as
//! folders ([`Catalogue`]: schools, their days and files, their settings copy).

pub mod spark;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::LazyFrame;

use crate::config::Profile;
use crate::store;

/// Which engine runs the queries.
#[derive(Debug, Clone, Default)]
pub enum Engine {
    /// polars, in this process, over a local dataset folder.
    #[default]
    Local,
    /// A running Spark job (its driver beside this process, its executors on the cluster).
    Spark(Arc<spark::Driver>),
}

/// The events a query runs over.
#[derive(Clone)]
pub enum EventSource {
    /// A polars scan of local files.
    Local(Box<LazyFrame>),
    /// The `events` view of a Spark job.
    Spark(Arc<spark::Driver>),
}

impl std::fmt::Debug for EventSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventSource::Local(_) => f.write_str("EventSource::Local"),
            EventSource::Spark(driver) => f.debug_tuple("EventSource::Spark").field(driver).finish(),
        }
    }
}

impl From<LazyFrame> for EventSource {
    fn from(frame: LazyFrame) -> EventSource {
        EventSource::Local(Box::new(frame))
    }
}

impl Engine {
    /// Its name, as `--engine` takes it.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Local => "local",
            Engine::Spark(_) => "spark",
        }
    }

    /// The events of the given schools (all schools unless exactly one is given).
    pub fn events(&self, data: &Path, schools: &[String]) -> Result<EventSource> {
        match self {
            Engine::Local => Ok(EventSource::Local(Box::new(store::scan_events_of(data, schools)?))),
            Engine::Spark(driver) => Ok(EventSource::Spark(driver.clone())),
        }
    }

    /// The school-local dates a school has events for.
    pub fn school_dates(&self, data: &Path, school: &str) -> Result<BTreeSet<NaiveDate>> {
        match self {
            Engine::Local => store::school_dates(data, school),
            Engine::Spark(driver) => {
                Ok(driver.catalogue().schools.get(school).map(|s| s.days.keys().copied().collect()).unwrap_or_default())
            }
        }
    }

    /// What the dataset holds, read once.
    pub fn catalogue(&self, data: &Path) -> Result<Catalogue> {
        match self {
            Engine::Local => Catalogue::read_local(data),
            Engine::Spark(driver) => Ok(driver.catalogue().clone()),
        }
    }
}

/// One file of a day's partition: what a cached result is keyed on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
pub struct FileStamp {
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time as the filesystem gives it (the unit differs between engines, and
    /// only equality matters).
    pub modified: i64,
}

/// One school in a dataset.
#[derive(Debug, Clone, Default)]
pub struct SchoolListing {
    /// Its `date=` partitions with their files.
    pub days: BTreeMap<NaiveDate, Vec<FileStamp>>,
    /// The settings kept with its events (`profiles/<school>.toml`), when there is a copy.
    pub settings_toml: Option<String>,
}

impl SchoolListing {
    /// The school's settings: its copy in dataset `data`, or the defaults when there is none.
    pub fn settings(&self, data: &Path, school: &str) -> Result<Profile> {
        let origin = data.join(store::Dataset::profile_path(school));
        store::settings_from(school, self.settings_toml.as_deref(), &origin.to_string_lossy())
    }
}

/// What a dataset holds, as folders.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// Each school (its `school=` folder), by id.
    pub schools: BTreeMap<String, SchoolListing>,
}

impl Catalogue {
    /// Reads a local dataset's folders.
    pub fn read_local(data: &Path) -> Result<Catalogue> {
        let mut schools = BTreeMap::new();
        for school in store::schools(data)? {
            let folder = data.join("events").join(format!("school={school}"));
            let mut days = BTreeMap::new();
            for day in store::school_dates(data, &school)? {
                let day_folder = folder.join(format!("date={day}"));
                let mut files = Vec::new();
                for entry in
                    std::fs::read_dir(&day_folder).with_context(|| format!("cannot list {}", day_folder.display()))?
                {
                    let entry = entry.with_context(|| format!("cannot list {}", day_folder.display()))?;
                    let meta = entry.metadata().with_context(|| format!("cannot read {}", entry.path().display()))?;
                    let modified = meta
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos() as i64);
                    files.push(FileStamp {
                        name: entry.file_name().to_string_lossy().into_owned(),
                        size: meta.len(),
                        modified,
                    });
                }
                files.sort();
                days.insert(day, files);
            }
            let settings_toml = store::settings_copy(data, &school)?;
            schools.insert(school, SchoolListing { days, settings_toml });
        }
        Ok(Catalogue { schools })
    }
}
