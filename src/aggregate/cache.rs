//! Per school-week results of `aggregate`, kept between runs: a school-week is computed again
//! only when something it was computed from changed — the event files of its days and of the
//! spike baseline before them (names, sizes, modification times), the school's settings,
//! filterwatch's version, or the engine that computed it. A term of 300 schools then costs only
//! its new week on the next run.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use super::views::SchoolWeek;
use crate::config::Profile;
use crate::engine::{Engine, SchoolListing};
use crate::private_fs::write_atomically;
use crate::week::Week;

/// The cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    fingerprint: String,
    row: SchoolWeek,
}

impl Cache {
    /// A cache kept in `dir` (created when first written).
    pub fn new(dir: &Path) -> Cache {
        Cache { dir: dir.to_path_buf() }
    }

    fn path(&self, school: &str, week: Week) -> PathBuf {
        self.dir.join(school).join(format!("{}.json", week.label()))
    }

    /// What a school-week's result depends on, as one digest: the files of its days and of the
    /// spike baseline before them, the school's settings, the version and the engine.
    pub fn fingerprint(listing: &SchoolListing, profile: &Profile, week: Week, engine: &Engine) -> Result<String> {
        let mut hash = Sha256::new();
        hash.update(env!("CARGO_PKG_VERSION"));
        hash.update(engine.name());
        hash.update(profile.settings_toml()?);
        let first = week.monday - chrono::Days::new(u64::from(profile.detect.spike_baseline_days) + 1);
        for (day, files) in listing.days.range(first..week.end()) {
            hash.update(format!("{day}:{files:?}\n"));
        }
        Ok(format!("{:x}", hash.finalize()))
    }

    /// The kept result, when it was computed from exactly this.
    pub fn get(&self, school: &str, week: Week, fingerprint: &str) -> Option<SchoolWeek> {
        let bytes = std::fs::read(self.path(school, week)).ok()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        (entry.fingerprint == fingerprint).then_some(entry.row)
    }

    /// Keeps a result.
    pub fn put(&self, row: &SchoolWeek, week: Week, fingerprint: &str) -> Result<()> {
        let path = self.path(&row.school, week);
        std::fs::create_dir_all(path.parent().expect("school folder"))
            .with_context(|| format!("cannot create {}", path.display()))?;
        let entry = Entry { fingerprint: fingerprint.to_string(), row: row.clone() };
        write_atomically(&path, &serde_json::to_vec(&entry)?)
    }
}
