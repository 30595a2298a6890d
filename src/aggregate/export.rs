//! `export`: a school's events as hive-partitioned Parquet for the local authority, with every
//! identifier replaced or removed. Users, client addresses and device names become keyed
//! pseudonyms; URLs (paths and queries can carry names and e-mail addresses), the filter's reason
//! text (it can quote them) and user agents (a fingerprint) are dropped; a search keeps only its
//! topic (`topic:selfharm`), never its words; only the base name of the source file is kept.
//! Hosts and domains of public sites stay, but the school's own machines and people's own pages
//! are replaced ([`super::site`]). Role, year group, category, action and times stay, so every
//! analysis of behaviour still works. Each school's settings (hours, holidays, thresholds,
//! severity lists; never the roster) go with its events as `profiles/<school>.toml`, so the local
//! authority judges every school by its own hours.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use arrow::array::{new_null_array, Array, ArrayRef, AsArray, StringArray};
use arrow::record_batch::{RecordBatch, RecordBatchReader};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;

use super::pseudonym::Pseudonymiser;
use super::site::published;
use crate::detect::severity::{search_topic, TOPIC_PREFIX};
use crate::event::{self, Privacy};
use crate::private_fs::write_atomically;
use crate::store::writer_properties;

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
    let mut internal_domains: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for source in event_files(&data.join("events"))? {
        let relative = source.strip_prefix(data).expect("inside the dataset").to_path_buf();
        let school = relative
            .components()
            .nth(1)
            .map(|c| c.as_os_str().to_string_lossy().trim_start_matches("school=").to_string());
        let Some(school) = school.filter(|s| schools.is_empty() || schools.contains(s)) else { continue };
        if !internal_domains.contains_key(&school) {
            let settings = crate::store::school_settings(data, &school)?;
            let path = out.join(crate::store::Dataset::profile_path(&school));
            std::fs::create_dir_all(path.parent().expect("profiles folder"))
                .with_context(|| format!("cannot create {}", path.display()))?;
            write_atomically(&path, settings.settings_toml()?.as_bytes())?;
            internal_domains.insert(school.clone(), settings.internal_domains);
        }
        let internal = &internal_domains[&school];
        let target = out.join(&relative);
        std::fs::create_dir_all(target.parent().expect("partition folder"))
            .with_context(|| format!("cannot create {}", target.display()))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(
            File::open(&source).with_context(|| format!("cannot open {}", source.display()))?,
        )?
        .build()?;
        // The file's own schema: files written by an earlier version lack later columns.
        let mut writer = ArrowWriter::try_new(Vec::new(), reader.schema(), Some(writer_properties()))?;
        for batch in reader {
            let batch = pseudonymise(&batch?, internal, pseudonymiser)?;
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

/// One batch with its identifiers replaced or dropped, column by column as the event schema
/// classes them ([`event::Privacy`]). A column the schema does not class is refused, never
/// copied through in clear.
fn pseudonymise(batch: &RecordBatch, internal: &[String], pseudonymiser: &mut Pseudonymiser) -> Result<RecordBatch> {
    let schema = batch.schema();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        let name = field.name().as_str();
        let privacy = event::privacy_of(name).with_context(|| {
            format!("column {name:?} has no privacy class in the event schema; refusing to export it")
        })?;
        let text = || column.as_string::<i32>();
        let replaced: ArrayRef = match privacy {
            Privacy::Keep => column.clone(),
            Privacy::Drop => new_null_array(column.data_type(), column.len()),
            Privacy::Pseudonymise(kind) => {
                Arc::new(text().iter().map(|v| v.map(|v| pseudonymiser.pseudonym(kind, v))).collect::<StringArray>())
            }
            Privacy::Site => Arc::new(
                text().iter().map(|v| v.map(|v| published(v, internal, pseudonymiser))).collect::<StringArray>(),
            ),
            Privacy::Topic => {
                let topic = |terms: &str| search_topic(terms).map(|t| format!("{TOPIC_PREFIX}{t}"));
                Arc::new(text().iter().map(|v| v.and_then(topic)).collect::<StringArray>())
            }
            Privacy::Basename => {
                let base =
                    |p: &str| Path::new(p).file_name().map_or(String::new(), |n| n.to_string_lossy().to_string());
                Arc::new(text().iter().map(|v| v.map(base)).collect::<StringArray>())
            }
        };
        columns.push(replaced);
    }
    Ok(RecordBatch::try_new(schema, columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::{DataType, Field, Schema};

    #[test]
    fn a_column_the_schema_does_not_class_is_refused() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("user", DataType::Utf8, true),
            Field::new("pupil_notes", DataType::Utf8, true),
        ]));
        let text = |v: &str| Arc::new(StringArray::from(vec![v])) as ArrayRef;
        let batch = RecordBatch::try_new(schema, vec![text("09jbloggs"), text("lives at …")]).unwrap();
        let mut pseudonymiser = Pseudonymiser::new(b"0123456789abcdef0123");
        let err = pseudonymise(&batch, &[], &mut pseudonymiser).unwrap_err();
        assert!(err.to_string().contains("pupil_notes"), "{err}");
    }
}
