//! The normalised event (DESIGN §2), declared once: [`COLUMNS`] names every column of the event
//! files with its Arrow type, nullability and privacy class, and the schema, the column builders
//! and the export's treatment of each column all come from that one list (the `event_columns!`
//! invocation below). `school` and `date` are partition keys: they live in the folder names
//! (`school=…/date=…`), not in the files, as Spark requires. Two columns are added for portable
//! SQL (DESIGN §7): `local_time` (the school-local wall clock, no zone) and `weekday` (ISO, 1 =
//! Monday), computed once at ingest.

use std::sync::{Arc, OnceLock};

use arrow::array::{
    ArrayRef, Int8Builder, StringBuilder, TimestampMicrosecondBuilder, UInt16Builder, UInt32Builder, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;

use crate::column_builder::{expected_batch_size, remember_batch_size, BatchSize, ColumnBuilder, OptionalText};

/// What happens to a column in anything that leaves the school (`filterwatch export`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    /// Copied as it is: times, role, year group, category, action.
    Keep,
    /// A host or domain: public sites kept, the school's own machines and people's pages
    /// replaced (`aggregate::site`).
    Site,
    /// Replaced by a keyed pseudonym with this kind letter (`u-…`, `a-…`, `d-…`).
    Pseudonymise(char),
    /// Emptied: it can hold names, e-mail addresses or typed text, or tie a row to one file.
    Drop,
    /// Replaced by the search's topic (`topic:selfharm`), never its words.
    Topic,
    /// Cut to the file's base name.
    Basename,
}

/// One column of the event files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its name in the files and in SQL.
    pub name: &'static str,
    /// Whether it may be null.
    pub nullable: bool,
    /// What the export does with it.
    pub privacy: Privacy,
}

/// The privacy class of a column, `None` for a column the event schema does not declare.
pub fn privacy_of(name: &str) -> Option<Privacy> {
    COLUMNS.iter().find(|c| c.name == name).map(|c| c.privacy)
}

/// The Arrow schema of the event files (without the partition columns).
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA.get_or_init(|| Arc::new(Schema::new(fields()))).clone()
}

/// Declares the columns: for each, its builder, Arrow type, nullability, privacy class, and how
/// one event is appended to it.
macro_rules! event_columns {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident: $builder:ty, $arrow:expr, nullable: $nullable:literal, $privacy:expr,
        push: |$b:ident, $row:ident, $source:ident| $push:expr;
    )+) => {
        /// Every column of the event files, in file order.
        pub const COLUMNS: &[Column] =
            &[$(Column { name: stringify!($name), nullable: $nullable, privacy: $privacy }),+];

        fn fields() -> Vec<Field> {
            vec![$(Field::new(stringify!($name), $arrow, $nullable)),+]
        }

        /// Column builders for a batch of events from one source file.
        pub struct EventColumns {
            $($(#[doc = $doc])+ $name: $builder,)+
            source: EventSource,
            rows: usize,
        }

        impl EventColumns {
            /// Empty builders for events read from `source`, with room for as many rows and
            /// as much text as this thread's last batches held.
            pub fn new(source: EventSource) -> EventColumns {
                let size = expected_batch_size();
                let mut value_bytes = size.value_bytes.iter().copied().chain(std::iter::repeat(0));
                EventColumns {
                    $($name: <$builder as ColumnBuilder>::sized(size.rows, value_bytes.next().unwrap_or(0), $arrow),)+
                    source,
                    rows: 0,
                }
            }

            /// Appends one event.
            pub fn push(&mut self, row: &EventRow<'_>) {
                let source = &self.source;
                $({
                    let ($b, $row, $source) = (&mut self.$name, row, source);
                    $push;
                })+
                self.rows += 1;
            }

            /// Finishes the builders into a record batch with [`schema`].
            pub fn finish(mut self) -> RecordBatch {
                remember_batch_size(&BatchSize {
                    rows: self.rows,
                    value_bytes: vec![$(ColumnBuilder::value_bytes(&self.$name)),+],
                });
                let columns: Vec<ArrayRef> = vec![$(Arc::new(ColumnBuilder::finish(&mut self.$name))),+];
                RecordBatch::try_new(schema(), columns).expect("event columns match the schema")
            }
        }
    };
}

fn utc_micros() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

event_columns! {
    /// UTC instant, µs.
    ts: TimestampMicrosecondBuilder, utc_micros(),
        nullable: false, Privacy::Keep, push: |b, row, _s| b.append_value(row.ts);
    /// School-local wall clock, µs since local 1970-01-01, no zone.
    local_time: TimestampMicrosecondBuilder,
        DataType::Timestamp(TimeUnit::Microsecond, None), nullable: false, Privacy::Keep,
        push: |b, row, _s| b.append_value(row.local_time);
    /// ISO weekday in the school's zone.
    weekday: Int8Builder, DataType::Int8, nullable: false, Privacy::Keep,
        push: |b, row, _s| b.append_value(row.weekday);
    /// Client address.
    client_ip: StringBuilder, DataType::Utf8, nullable: false, Privacy::Pseudonymise('a'),
        push: |b, row, _s| b.append_value(row.client_ip);
    /// Client host name or device id.
    device: OptionalText, DataType::Utf8, nullable: true, Privacy::Pseudonymise('d'),
        push: |b, row, _s| b.append_option(row.device);
    /// Normalised username.
    user: OptionalText, DataType::Utf8, nullable: true, Privacy::Pseudonymise('u'),
        push: |b, row, _s| b.append_option(row.user);
    /// `staff`, `pupil`, `guest`, `service` or `unknown`.
    role: StringBuilder, DataType::Utf8, nullable: false, Privacy::Keep,
        push: |b, row, _s| b.append_value(row.role);
    /// Year group for pupils.
    year_group: Int8Builder, DataType::Int8, nullable: true, Privacy::Keep,
        push: |b, row, _s| b.append_option(row.year_group);
    /// HTTP method.
    method: StringBuilder, DataType::Utf8, nullable: false, Privacy::Keep,
        push: |b, row, _s| b.append_value(row.method);
    /// Lower-cased host; null when the request had none.
    host: OptionalText, DataType::Utf8, nullable: true, Privacy::Site,
        push: |b, row, _s| b.append_option(row.host);
    /// Registrable domain; null with the host.
    domain: OptionalText, DataType::Utf8, nullable: true, Privacy::Site,
        push: |b, row, _s| b.append_option(row.domain);
    /// Full URL when known.
    url: OptionalText, DataType::Utf8, nullable: true, Privacy::Drop,
        push: |b, row, _s| b.append_option(row.url);
    /// Decoded search terms.
    search_terms: OptionalText, DataType::Utf8, nullable: true, Privacy::Topic,
        push: |b, row, _s| b.append_option(row.search_terms);
    /// HTTP status.
    status: UInt16Builder, DataType::UInt16, nullable: false, Privacy::Keep,
        push: |b, row, _s| b.append_value(row.status);
    /// `allowed`, `blocked`, `auth_required` or `error`.
    action: StringBuilder, DataType::Utf8, nullable: false, Privacy::Keep,
        push: |b, row, _s| b.append_value(row.action);
    /// Category.
    category: OptionalText, DataType::Utf8, nullable: true, Privacy::Keep,
        push: |b, row, _s| b.append_option(row.category);
    /// The filter's reason text (it can quote names).
    reason: OptionalText, DataType::Utf8, nullable: true, Privacy::Drop,
        push: |b, row, _s| b.append_option(row.reason);
    /// Filter group or policy.
    filter_group: OptionalText, DataType::Utf8, nullable: true, Privacy::Keep,
        push: |b, row, _s| b.append_option(row.filter_group);
    /// Bytes to the client.
    bytes: UInt64Builder, DataType::UInt64, nullable: false, Privacy::Keep,
        push: |b, row, _s| b.append_value(row.bytes);
    /// Duration in ms.
    duration_ms: UInt32Builder, DataType::UInt32, nullable: true, Privacy::Keep,
        push: |b, row, _s| b.append_option(row.duration_ms);
    /// User-Agent (a fingerprint).
    user_agent: OptionalText, DataType::Utf8, nullable: true, Privacy::Drop,
        push: |b, row, _s| b.append_option(row.user_agent);
    /// The format the file was read as.
    source_format: StringBuilder, DataType::Utf8, nullable: false, Privacy::Keep,
        push: |b, _row, source| b.append_value(&*source.format);
    /// The file's canonical path when it was read.
    source_file: StringBuilder, DataType::Utf8, nullable: false, Privacy::Basename,
        push: |b, _row, source| b.append_value(&*source.file);
    /// The manifest id of the file's content; null in files written before ids existed.
    source_content: StringBuilder, DataType::Utf8, nullable: true, Privacy::Drop,
        push: |b, _row, source| b.append_value(&*source.content);
    /// 1-based line number in the source file.
    source_line: UInt64Builder, DataType::UInt64, nullable: false, Privacy::Keep,
        push: |b, row, _s| b.append_value(row.source_line);
}

/// One event's values, borrowed from the parsed line and the enricher's caches.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow<'a> {
    /// UTC instant, µs.
    pub ts: i64,
    /// School-local wall clock, µs since local 1970-01-01.
    pub local_time: i64,
    /// ISO weekday in the school's zone.
    pub weekday: i8,
    /// Client address.
    pub client_ip: &'a str,
    /// Client host name / device id.
    pub device: Option<&'a str>,
    /// Normalised username.
    pub user: Option<&'a str>,
    /// `staff`, `pupil`, `guest`, `service` or `unknown`.
    pub role: &'static str,
    /// Year group for pupils.
    pub year_group: Option<crate::config::YearGroup>,
    /// HTTP method.
    pub method: &'a str,
    /// Lower-cased host; none when the request had none (a port scan, a broken client).
    pub host: Option<&'a str>,
    /// Registrable domain; none with the host.
    pub domain: Option<&'a str>,
    /// Full URL when known.
    pub url: Option<&'a str>,
    /// Decoded search terms.
    pub search_terms: Option<&'a str>,
    /// HTTP status.
    pub status: u16,
    /// `allowed`, `blocked`, `auth_required` or `error`.
    pub action: &'static str,
    /// Category.
    pub category: Option<&'a str>,
    /// Filter's reason text.
    pub reason: Option<&'a str>,
    /// Filter group / policy.
    pub filter_group: Option<&'a str>,
    /// Bytes to the client.
    pub bytes: u64,
    /// Duration in ms.
    pub duration_ms: Option<u32>,
    /// User-Agent.
    pub user_agent: Option<&'a str>,
    /// 1-based line number in the source file.
    pub source_line: u64,
}

/// Where a file's rows came from: the same on every row of the file.
#[derive(Debug, Clone)]
pub struct EventSource {
    /// `source_format`: the format the file was read as.
    pub format: Arc<str>,
    /// `source_file`: the file's canonical path, for people (lossy where not UTF-8).
    pub file: Arc<str>,
    /// `source_content`: the id of the file's content in the manifest, which finds the lines
    /// again after the file is renamed or compressed.
    pub content: Arc<str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_the_column_list_and_every_treatment_fits_its_type() {
        let schema = schema();
        assert_eq!(schema.fields().len(), COLUMNS.len());
        for (field, column) in schema.fields().iter().zip(COLUMNS) {
            assert_eq!((field.name().as_str(), field.is_nullable()), (column.name, column.nullable));
            match column.privacy {
                Privacy::Drop => assert!(column.nullable, "{}: a dropped column must be nullable", column.name),
                Privacy::Pseudonymise(_) | Privacy::Site | Privacy::Topic | Privacy::Basename => {
                    assert_eq!(field.data_type(), &DataType::Utf8, "{}", column.name)
                }
                Privacy::Keep => {}
            }
        }
        assert_eq!(privacy_of("user"), Some(Privacy::Pseudonymise('u')));
        assert_eq!(privacy_of("no_such_column"), None);
    }
}
