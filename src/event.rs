//! The normalised event (DESIGN §2): its Arrow schema and a columnar builder for it. `school` and
//! `date` are partition keys: they live in the folder names (`school=…/date=…`), not in the files,
//! as Spark requires. Three columns are added for portable SQL (DESIGN §7): `local_time` (the
//! school-local wall clock, no zone), and `weekday` (ISO, 1 = Monday), computed once at ingest.

use std::sync::{Arc, OnceLock};

use arrow::array::{
    ArrayRef, Int8Builder, StringBuilder, TimestampMicrosecondBuilder, UInt16Builder, UInt32Builder, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;

/// The Arrow schema of the event files (without the partition columns).
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
            Arc::new(Schema::new(vec![
                Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
                Field::new("local_time", DataType::Timestamp(TimeUnit::Microsecond, None), false),
                Field::new("weekday", DataType::Int8, false),
                text("client_ip", false),
                text("device", true),
                text("user", true),
                text("role", false),
                Field::new("year_group", DataType::Int8, true),
                text("method", false),
                text("host", true),
                text("domain", true),
                text("url", true),
                text("search_terms", true),
                Field::new("status", DataType::UInt16, false),
                text("action", false),
                text("category", true),
                text("reason", true),
                text("filter_group", true),
                Field::new("bytes", DataType::UInt64, false),
                Field::new("duration_ms", DataType::UInt32, true),
                text("user_agent", true),
                text("source_format", false),
                text("source_file", false),
                text("source_content", true),
                Field::new("source_line", DataType::UInt64, false),
            ]))
        })
        .clone()
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
    pub year_group: Option<i8>,
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

/// Column builders for a batch of events from one source file.
pub struct EventColumns {
    ts: TimestampMicrosecondBuilder,
    local_time: TimestampMicrosecondBuilder,
    weekday: Int8Builder,
    client_ip: StringBuilder,
    device: StringBuilder,
    user: StringBuilder,
    role: StringBuilder,
    year_group: Int8Builder,
    method: StringBuilder,
    host: StringBuilder,
    domain: StringBuilder,
    url: StringBuilder,
    search_terms: StringBuilder,
    status: UInt16Builder,
    action: StringBuilder,
    category: StringBuilder,
    reason: StringBuilder,
    filter_group: StringBuilder,
    bytes: UInt64Builder,
    duration_ms: UInt32Builder,
    user_agent: StringBuilder,
    source_format: StringBuilder,
    source_file: StringBuilder,
    source_content: StringBuilder,
    source_line: UInt64Builder,
    source: EventSource,
}

impl EventColumns {
    /// Empty builders for events read from `source`.
    pub fn new(source: EventSource) -> EventColumns {
        EventColumns {
            ts: TimestampMicrosecondBuilder::new().with_timezone("UTC"),
            local_time: TimestampMicrosecondBuilder::new(),
            weekday: Int8Builder::new(),
            client_ip: StringBuilder::new(),
            device: StringBuilder::new(),
            user: StringBuilder::new(),
            role: StringBuilder::new(),
            year_group: Int8Builder::new(),
            method: StringBuilder::new(),
            host: StringBuilder::new(),
            domain: StringBuilder::new(),
            url: StringBuilder::new(),
            search_terms: StringBuilder::new(),
            status: UInt16Builder::new(),
            action: StringBuilder::new(),
            category: StringBuilder::new(),
            reason: StringBuilder::new(),
            filter_group: StringBuilder::new(),
            bytes: UInt64Builder::new(),
            duration_ms: UInt32Builder::new(),
            user_agent: StringBuilder::new(),
            source_format: StringBuilder::new(),
            source_file: StringBuilder::new(),
            source_content: StringBuilder::new(),
            source_line: UInt64Builder::new(),
            source,
        }
    }

    /// Appends one event.
    pub fn push(&mut self, row: &EventRow<'_>) {
        self.ts.append_value(row.ts);
        self.local_time.append_value(row.local_time);
        self.weekday.append_value(row.weekday);
        self.client_ip.append_value(row.client_ip);
        self.device.append_option(row.device);
        self.user.append_option(row.user);
        self.role.append_value(row.role);
        self.year_group.append_option(row.year_group);
        self.method.append_value(row.method);
        self.host.append_option(row.host);
        self.domain.append_option(row.domain);
        self.url.append_option(row.url);
        self.search_terms.append_option(row.search_terms);
        self.status.append_value(row.status);
        self.action.append_value(row.action);
        self.category.append_option(row.category);
        self.reason.append_option(row.reason);
        self.filter_group.append_option(row.filter_group);
        self.bytes.append_value(row.bytes);
        self.duration_ms.append_option(row.duration_ms);
        self.user_agent.append_option(row.user_agent);
        self.source_format.append_value(&*self.source.format);
        self.source_file.append_value(&*self.source.file);
        self.source_content.append_value(&*self.source.content);
        self.source_line.append_value(row.source_line);
    }

    /// Finishes the builders into a record batch with [`schema`].
    pub fn finish(mut self) -> RecordBatch {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.ts.finish()),
            Arc::new(self.local_time.finish()),
            Arc::new(self.weekday.finish()),
            Arc::new(self.client_ip.finish()),
            Arc::new(self.device.finish()),
            Arc::new(self.user.finish()),
            Arc::new(self.role.finish()),
            Arc::new(self.year_group.finish()),
            Arc::new(self.method.finish()),
            Arc::new(self.host.finish()),
            Arc::new(self.domain.finish()),
            Arc::new(self.url.finish()),
            Arc::new(self.search_terms.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.action.finish()),
            Arc::new(self.category.finish()),
            Arc::new(self.reason.finish()),
            Arc::new(self.filter_group.finish()),
            Arc::new(self.bytes.finish()),
            Arc::new(self.duration_ms.finish()),
            Arc::new(self.user_agent.finish()),
            Arc::new(self.source_format.finish()),
            Arc::new(self.source_file.finish()),
            Arc::new(self.source_content.finish()),
            Arc::new(self.source_line.finish()),
        ];
        RecordBatch::try_new(schema(), columns).expect("event columns match the schema")
    }
}
