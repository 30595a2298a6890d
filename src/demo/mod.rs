//! The built-in demo: a deterministic, realistic school week of proxy logs (used by tests,
//! benches and `filterwatch demo`).

pub mod generator;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;

use crate::config::Profile;
use crate::enrich::SchoolContext;
use crate::formats::detect::FormatHints;
use crate::formats::FormatChoice;
use crate::ingest::{ingest, FileReport, IngestOptions};
use crate::store::Dataset;
use generator::{generate, GeneratedWeek, WeekSpec};

/// A generated week, ingested: what tests and benches start from.
pub struct IngestedWeek {
    /// What the generator wrote (profile, logs, planted incidents).
    pub week: GeneratedWeek,
    /// The dataset folder (`<dir>/data`).
    pub data: PathBuf,
    /// The ingest results, one per log file.
    pub reports: Vec<FileReport>,
}

/// Generates `spec` into `<dir>/school` and ingests it into `<dir>/data`, quietly.
pub fn generate_and_ingest(spec: &WeekSpec, dir: &Path) -> Result<IngestedWeek> {
    let week = generate(spec, &dir.join("school"))?;
    let data = dir.join("data");
    let school = Arc::new(SchoolContext::new(Profile::load(&week.profile)?)?);
    let options = IngestOptions { format: FormatChoice::Auto, hints: FormatHints::default(), follow: None };
    let reports = ingest(&Dataset::open(&data)?, school, &week.logs, &options, &indicatif::ProgressBar::hidden())?;
    Ok(IngestedWeek { week, data, reports })
}
