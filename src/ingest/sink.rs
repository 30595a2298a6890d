//! Writing a run's output into staging: one zstd Parquet part file per school-local date
//! (dictionary-encoded strings, large row groups), and the rejects of each source file.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;

use super::parse::Reject;
use crate::enrich::clock::date_from_days;
use crate::event;
use crate::store::{writer_properties, Dataset, Staging};

/// Date partitions kept open at once; older ones are finished (a later row for them starts a
/// new part file), which bounds memory on logs that span years.
const MAX_OPEN_PARTITIONS: usize = 32;

/// Open Parquet writers, one per date partition of one school.
pub struct PartitionSink<'a> {
    staging: &'a Staging,
    school: String,
    open: HashMap<i32, (ArrowWriter<File>, u64)>,
    written: Vec<PathBuf>,
    uses: u64,
    parts: u64,
}

impl<'a> PartitionSink<'a> {
    /// A sink writing the school's partitions into `staging`.
    pub fn new(staging: &'a Staging, school: &str) -> PartitionSink<'a> {
        PartitionSink {
            staging,
            school: school.to_string(),
            open: HashMap::new(),
            written: Vec::new(),
            uses: 0,
            parts: 0,
        }
    }

    /// Appends rows to the date's part file.
    pub fn write(&mut self, date_days: i32, batch: &RecordBatch) -> Result<()> {
        self.uses += 1;
        if !self.open.contains_key(&date_days) {
            if self.open.len() >= MAX_OPEN_PARTITIONS {
                self.close_least_recent()?;
            }
            let writer = self.create(date_days)?;
            self.open.insert(date_days, (writer, self.uses));
        }
        let (writer, last_use) = self.open.get_mut(&date_days).expect("opened above");
        *last_use = self.uses;
        writer.write(batch).context("cannot write Parquet")
    }

    /// Finishes every part file; returns their dataset-relative paths.
    pub fn finish(mut self) -> Result<Vec<PathBuf>> {
        for (_, (writer, _)) in self.open.drain() {
            writer.close().context("cannot finish Parquet file")?;
        }
        Ok(self.written)
    }

    fn close_least_recent(&mut self) -> Result<()> {
        let oldest = self.open.iter().min_by_key(|(_, (_, used))| *used).map(|(d, _)| *d);
        if let Some((writer, _)) = oldest.and_then(|d| self.open.remove(&d)) {
            writer.close().context("cannot finish Parquet file")?;
        }
        Ok(())
    }

    fn create(&mut self, date_days: i32) -> Result<ArrowWriter<File>> {
        self.parts += 1;
        let relative = Path::new("events")
            .join(format!("school={}", self.school))
            .join(format!("date={}", date_from_days(date_days).format("%Y-%m-%d")))
            .join(format!("part-{}-{:04}.parquet", self.staging.run_id(), self.parts));
        let path = self.staging.path(&relative)?;
        let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        self.written.push(relative);
        ArrowWriter::try_new(file, event::schema(), Some(writer_properties())).context("cannot start Parquet file")
    }
}

/// The rejects of one source file: the published file's lines (if any) followed by this run's.
pub struct RejectsSink {
    writer: Option<BufWriter<File>>,
    staged_path: PathBuf,
    published_path: PathBuf,
    source: String,
    kept: u64,
    dropped: u64,
}

/// Most rejected lines one run keeps for one source file; the rest are counted (a file of junk
/// would otherwise make a rejects file many times its size).
pub const MAX_REJECTS_KEPT: u64 = 10_000;

impl RejectsSink {
    /// Prepares the staged rejects file for `source` (nothing is created until a reject comes).
    pub fn new(data: &Dataset, staging: &Staging, school: &str, source: &Path) -> Result<RejectsSink> {
        let relative = Dataset::rejects_path(school, source);
        Ok(RejectsSink {
            writer: None,
            staged_path: staging.path(&relative)?,
            published_path: data.root().join(&relative),
            source: crate::escape::text(&source.display().to_string()).into_owned(),
            kept: 0,
            dropped: 0,
        })
    }

    /// Appends rejected lines as `file<TAB>line<TAB>reason<TAB>text`.
    pub fn write(&mut self, rejects: &[Reject]) -> Result<()> {
        if rejects.is_empty() {
            return Ok(());
        }
        if self.writer.is_none() {
            if self.published_path.exists() {
                std::fs::copy(&self.published_path, &self.staged_path)
                    .with_context(|| format!("cannot copy {}", self.published_path.display()))?;
            }
            let file = File::options()
                .create(true)
                .append(true)
                .open(&self.staged_path)
                .with_context(|| format!("cannot create {}", self.staged_path.display()))?;
            self.writer = Some(BufWriter::new(file));
        }
        let writer = self.writer.as_mut().expect("opened above");
        let room = MAX_REJECTS_KEPT.saturating_sub(self.kept) as usize;
        for r in rejects.iter().take(room) {
            writeln!(writer, "{}\t{}\t{}\t{}", self.source, r.line, crate::escape::text(&r.reason), r.text)
                .with_context(|| format!("cannot write {}", self.staged_path.display()))?;
        }
        let written = rejects.len().min(room) as u64;
        self.kept += written;
        self.dropped += rejects.len() as u64 - written;
        Ok(())
    }

    /// Notes how many rejects were not kept, and flushes the staged file.
    pub fn finish(self) -> Result<()> {
        if let Some(mut writer) = self.writer {
            if self.dropped > 0 {
                writeln!(
                    writer,
                    "{}\t-\t{} more rejected lines not kept (at most {MAX_REJECTS_KEPT} a file per run)\t-",
                    self.source, self.dropped
                )
                .with_context(|| format!("cannot write {}", self.staged_path.display()))?;
            }
            writer.flush().with_context(|| format!("cannot write {}", self.staged_path.display()))?;
        }
        Ok(())
    }
}
