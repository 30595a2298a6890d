//! Merging the small part files a follower leaves: `watch` ingests every few seconds, and each
//! batch adds a part file to today's partition. Once a partition holds [`MAX_SMALL_PARTS`] part
//! files under [`SMALL_PART_BYTES`], they are rewritten as one (same schema and Parquet
//! settings), published atomically like any ingest run: the merged file and the removal of the
//! small ones are one change, so a crash leaves either all the small files or the merged one.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;

use crate::event;
use crate::store::{writer_properties, Dataset};

/// Small part files a partition may hold before they are merged.
pub const MAX_SMALL_PARTS: usize = 32;
/// A part file smaller than this counts as small.
pub const SMALL_PART_BYTES: u64 = 32 << 20;

/// Merges the school's small part files of one date when there are enough of them; true when
/// it did. Files with another schema (written by an older version) are left as they are.
pub fn compact_partition(dataset: &Dataset, school: &str, date: NaiveDate) -> Result<bool> {
    let relative_dir =
        Path::new("events").join(format!("school={school}")).join(format!("date={}", date.format("%Y-%m-%d")));
    let dir = dataset.root().join(&relative_dir);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(false) };
    let mut small: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".parquet"))
        .filter(|e| e.metadata().is_ok_and(|m| m.is_file() && m.len() < SMALL_PART_BYTES))
        .map(|e| relative_dir.join(e.file_name()))
        .collect();
    if small.len() < MAX_SMALL_PARTS {
        return Ok(false);
    }
    small.sort();
    let schema = event::schema();
    let staging = dataset.stage()?;
    let merged = relative_dir.join(format!("part-{}-merged.parquet", staging.run_id()));
    let out = staging.path(&merged)?;
    let file = File::create(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(writer_properties()))?;
    let mut replaced = Vec::new();
    for relative in small {
        let path = dataset.root().join(&relative);
        let reader = ParquetRecordBatchReaderBuilder::try_new(
            File::open(&path).with_context(|| format!("cannot open {}", path.display()))?,
        )
        .with_context(|| format!("cannot read {}", path.display()))?;
        if reader.schema().fields() != schema.fields() {
            continue;
        }
        for batch in reader.build()? {
            writer.write(&batch.with_context(|| format!("cannot read {}", path.display()))?)?;
        }
        replaced.push(relative);
    }
    writer.close().context("cannot finish the merged Parquet file")?;
    if replaced.len() < 2 {
        staging.abandon()?;
        return Ok(false);
    }
    staging.replace(&replaced)?;
    staging.commit(&dataset.manifest()?, dataset.root())?;
    Ok(true)
}
