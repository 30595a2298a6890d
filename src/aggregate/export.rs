//! `export`: a school's events as hive-partitioned Parquet for the local authority, with every
//! identifier replaced or removed. Users, client addresses and device names become keyed
//! pseudonyms; URLs (paths and queries can carry names and e-mail addresses), the filter's reason
//! text (it can quote them) and user agents (a fingerprint) are dropped; a search keeps only its
//! topic (`topic:selfharm`), never its words; only the base name of the source file is kept. Role, year group, host, domain,
//! category, action and times stay, so every analysis of behaviour still works.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use arrow::array::{new_null_array, Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;

use super::pseudonym::Pseudonymiser;
use crate::detect::severity::{search_topic, TOPIC_PREFIX};
use crate::event;
use crate::ingest::sink::writer_properties;
use crate::private_fs::write_atomically;

/// Columns replaced by pseudonyms, with the kind letter of each.
const PSEUDONYMISED: [(&str, char); 3] = [("user", 'u'), ("client_ip", 'a'), ("device", 'd')];
/// Columns emptied: they can hold names, e-mail addresses or typed text, or tie a row to one
/// school's log file (`source_content`).
const DROPPED: [&str; 4] = ["url", "reason", "user_agent", "source_content"];

/// What an export wrote.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    /// Parquet files written.
    pub files: usize,
    /// Rows written.
    pub rows: usize,
}

/// Exports the events of `schools` (every school when empty) from `data` into `out`.
pub fn export(data: &Path, out: &Path, schools: &[String], pseudonymiser: &mut Pseudonymiser) -> Result<Exported> {
    let mut exported = Exported::default();
    for source in event_files(&data.join("events"))? {
        let relative = source.strip_prefix(data).expect("inside the dataset").to_path_buf();
        let school = relative
            .components()
            .nth(1)
            .map(|c| c.as_os_str().to_string_lossy().trim_start_matches("school=").to_string());
        if !schools.is_empty() && !school.is_some_and(|s| schools.contains(&s)) {
            continue;
        }
        let target = out.join(&relative);
        std::fs::create_dir_all(target.parent().expect("partition folder"))
            .with_context(|| format!("cannot create {}", target.display()))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(
            File::open(&source).with_context(|| format!("cannot open {}", source.display()))?,
        )?
        .build()?;
        let mut writer = ArrowWriter::try_new(Vec::new(), event::schema(), Some(writer_properties()))?;
        for batch in reader {
            let batch = pseudonymise(&batch?, pseudonymiser)?;
            exported.rows += batch.num_rows();
            writer.write(&batch)?;
        }
        write_atomically(&target, &writer.into_inner()?)?;
        exported.files += 1;
    }
    Ok(exported)
}

/// Every `*.parquet` below the events folder, sorted.
fn event_files(events: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![events.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// One batch with its identifiers replaced or dropped.
fn pseudonymise(batch: &RecordBatch, pseudonymiser: &mut Pseudonymiser) -> Result<RecordBatch> {
    let schema = batch.schema();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        let name = field.name().as_str();
        let replaced: ArrayRef = if let Some((_, kind)) = PSEUDONYMISED.iter().find(|(c, _)| *c == name) {
            let values = column.as_string::<i32>();
            Arc::new(values.iter().map(|v| v.map(|v| pseudonymiser.pseudonym(*kind, v))).collect::<StringArray>())
        } else if name == "search_terms" {
            let values = column.as_string::<i32>();
            let topic = |terms: &str| search_topic(terms).map(|t| format!("{TOPIC_PREFIX}{t}"));
            Arc::new(values.iter().map(|v| v.and_then(topic)).collect::<StringArray>())
        } else if DROPPED.contains(&name) {
            new_null_array(&DataType::Utf8, column.len())
        } else if name == "source_file" {
            let values = column.as_string::<i32>();
            let base = |p: &str| Path::new(p).file_name().map_or(String::new(), |n| n.to_string_lossy().to_string());
            Arc::new(values.iter().map(|v| v.map(base)).collect::<StringArray>())
        } else {
            column.clone()
        };
        columns.push(replaced);
    }
    Ok(RecordBatch::try_new(schema, columns)?)
}
