//! CSV exports with a header line (Smoothwall, Netsweeper/LGfL SchoolProtect and other filters
//! that only offer an export), mapped onto the event schema by the profile's `[csv]` table.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime};

use serde::Deserialize;

use super::registry::{Build, Format};
use super::{dash_none, fail, parse_epoch, parse_num, Action, FormatName, LogTime, ParseError, Parser, Record};

/// A CSV export with a header, mapped by the profile's `[csv]` table.
pub const FORMAT: Format = Format {
    name: FormatName::Csv,
    id: "csv",
    description: "CSV export with a header, mapped by the profile's [csv] table",
    build: Build::Custom(|lines, hints| {
        let mapping = hints.csv.as_ref().ok_or("no [csv] mapping in the profile")?;
        let header = lines.first().ok_or("no header line")?;
        Ok(Parser::Csv(Box::new(CsvParser::from_header(header, mapping)?)))
    }),
};

/// How the columns of a CSV export map onto the event schema. Values are header names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvMapping {
    /// Field delimiter (default `,`).
    #[serde(default = "default_delimiter")]
    pub delimiter: char,
    /// Column with the request time.
    pub time: String,
    /// `epoch`, `epoch_ms`, `rfc3339`, or a chrono format such as `%d/%m/%Y %H:%M:%S` (local time
    /// unless it has `%z`).
    #[serde(default = "default_time_format")]
    pub time_format: String,
    /// Column with the client address.
    pub client_ip: Option<String>,
    /// Column with the device or host name.
    pub device: Option<String>,
    /// Column with the username.
    pub user: Option<String>,
    /// Column with the full URL (or the host, when the export has no URL).
    pub url: String,
    /// Column with the HTTP method.
    pub method: Option<String>,
    /// Column with the HTTP status.
    pub status: Option<String>,
    /// Column with the filter's decision.
    pub action: Option<String>,
    /// Values of the action column (case-insensitive) that mean the request was blocked.
    #[serde(default = "default_blocked_values")]
    pub blocked_values: Vec<String>,
    /// Column with the filter's category.
    pub category: Option<String>,
    /// Column with the filter's reason text.
    pub reason: Option<String>,
    /// Column with the filter group / policy name.
    pub filter_group: Option<String>,
    /// Column with bytes sent to the client.
    pub bytes: Option<String>,
    /// Column with the user agent.
    pub user_agent: Option<String>,
}

fn default_delimiter() -> char {
    ','
}

fn default_time_format() -> String {
    "%Y-%m-%d %H:%M:%S".to_string()
}

fn default_blocked_values() -> Vec<String> {
    ["blocked", "block", "denied", "deny", "filtered"].map(String::from).to_vec()
}

/// A CSV parser bound to one file's header.
#[derive(Debug, Clone)]
pub struct CsvParser {
    header: String,
    delimiter: u8,
    columns: Columns,
    time_format: String,
    blocked_values: Vec<String>,
}

/// Column positions of each mapped field.
#[derive(Debug, Clone, Default)]
struct Columns {
    time: usize,
    url: usize,
    client_ip: Option<usize>,
    device: Option<usize>,
    user: Option<usize>,
    method: Option<usize>,
    status: Option<usize>,
    action: Option<usize>,
    category: Option<usize>,
    reason: Option<usize>,
    filter_group: Option<usize>,
    bytes: Option<usize>,
    user_agent: Option<usize>,
}

impl CsvParser {
    /// Builds a parser from the file's header line; errors name the `[csv]` key whose column is
    /// missing from the header.
    pub fn from_header(header: &str, mapping: &CsvMapping) -> Result<CsvParser, String> {
        let delimiter = u8::try_from(mapping.delimiter)
            .map_err(|_| "key `csv.delimiter` must be a single ASCII character".to_string())?;
        let names = split(header, delimiter).map_err(|e| e.message)?;
        let find = |key: &str, column: &Option<String>| -> Result<Option<usize>, String> {
            match column {
                None => Ok(None),
                Some(wanted) => names
                    .iter()
                    .position(|n| n.trim().eq_ignore_ascii_case(wanted.trim()))
                    .map(Some)
                    .ok_or_else(|| format!("key `csv.{key}`: no column {wanted:?} in the header")),
            }
        };
        let required =
            |key: &str, column: &String| find(key, &Some(column.clone())).map(|c| c.expect("required column"));
        let columns = Columns {
            time: required("time", &mapping.time)?,
            url: required("url", &mapping.url)?,
            client_ip: find("client_ip", &mapping.client_ip)?,
            device: find("device", &mapping.device)?,
            user: find("user", &mapping.user)?,
            method: find("method", &mapping.method)?,
            status: find("status", &mapping.status)?,
            action: find("action", &mapping.action)?,
            category: find("category", &mapping.category)?,
            reason: find("reason", &mapping.reason)?,
            filter_group: find("filter_group", &mapping.filter_group)?,
            bytes: find("bytes", &mapping.bytes)?,
            user_agent: find("user_agent", &mapping.user_agent)?,
        };
        Ok(CsvParser {
            header: header.to_string(),
            delimiter,
            columns,
            time_format: mapping.time_format.clone(),
            blocked_values: mapping.blocked_values.iter().map(|v| v.to_ascii_lowercase()).collect(),
        })
    }

    /// True for the header line itself (exports repeat it when files are concatenated).
    pub fn is_header(&self, line: &str) -> bool {
        line == self.header
    }

    /// Parses one data line.
    pub fn parse<'a>(&self, line: &'a str) -> Result<Record<'a>, ParseError> {
        let fields = split(line, self.delimiter)?;
        let c = &self.columns;
        let get = |i: usize| fields.get(i).map(String::as_str);
        let opt = |col: Option<usize>| col.and_then(get).and_then(dash_none).map(str::to_string);
        let time_text = get(c.time).ok_or_else(|| ParseError::new("missing time column"))?;
        let time = parse_time(time_text.trim(), &self.time_format)?;
        let url = opt(Some(c.url)).ok_or_else(|| ParseError::new("missing URL"))?;
        let status: u16 = match opt(c.status) {
            Some(s) => parse_num(&s, "status")?,
            None => 0,
        };
        let decision = opt(c.action).map(|a| a.trim().to_ascii_lowercase());
        let action = match decision {
            Some(a) if self.blocked_values.contains(&a) => Action::Blocked,
            _ if status == 0 => Action::Allowed,
            _ => Action::from_status(status),
        };
        let method = opt(c.method).unwrap_or_else(|| "GET".to_string());
        let mut record = Record::new(time, "", "", "");
        record.client_ip = Cow::Owned(opt(c.client_ip).unwrap_or_default());
        record.method = Cow::Owned(method.to_ascii_uppercase());
        record.url = Cow::Owned(url);
        record.device = opt(c.device).map(Cow::Owned);
        record.user = opt(c.user).map(Cow::Owned);
        record.status = status;
        record.action = action;
        record.category = opt(c.category).map(Cow::Owned);
        record.reason = opt(c.reason).map(Cow::Owned);
        record.filter_group = opt(c.filter_group).map(Cow::Owned);
        record.bytes = match opt(c.bytes) {
            Some(b) => parse_num(&b, "bytes")?,
            None => 0,
        };
        record.user_agent = opt(c.user_agent).map(Cow::Owned);
        Ok(record)
    }
}

/// Splits one CSV line, honouring quotes.
pub(super) fn split(line: &str, delimiter: u8) -> Result<Vec<String>, ParseError> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).flexible(true).from_reader(line.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => Ok(record.iter().map(str::to_string).collect()),
        Ok(false) => fail("empty line"),
        Err(e) => fail(format!("bad CSV: {e}")),
    }
}

/// Reads the time column with the profile's `csv.time_format`.
fn parse_time(text: &str, format: &str) -> Result<LogTime, ParseError> {
    let bad = || ParseError::new(format!("bad time {text:?} for csv.time_format {format:?}"));
    match format {
        "epoch" => parse_epoch(text),
        "epoch_ms" => {
            let ms: i64 = parse_num(text, "epoch milliseconds")?;
            Ok(LogTime::EpochMicros(ms * 1000))
        }
        "rfc3339" => DateTime::parse_from_rfc3339(text).map(LogTime::Offset).map_err(|_| bad()),
        layout if layout.contains("%z") || layout.contains("%:z") => {
            DateTime::parse_from_str(text, layout).map(LogTime::Offset).map_err(|_| bad())
        }
        layout => NaiveDateTime::parse_from_str(text, layout).map(LogTime::Local).map_err(|_| bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping() -> CsvMapping {
        toml::from_str(
            r#"
            time = "Date/Time"
            time_format = "%d/%m/%Y %H:%M:%S"
            user = "Username"
            client_ip = "Source IP"
            url = "URL"
            action = "Action"
            category = "Category"
            "#,
        )
        .unwrap()
    }

    #[test]
    fn maps_columns_by_header_name() {
        let header = "Date/Time,Username,Source IP,URL,Category,Action";
        let p = CsvParser::from_header(header, &mapping()).unwrap();
        assert!(p.is_header(header));
        let r = p
            .parse(r#"19/10/2026 10:05:01,"SCHOOL\22smithj",10.20.1.5,https://poki.com/en/g,"Games, Online",Blocked"#)
            .unwrap();
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.user.as_deref(), Some("SCHOOL\\22smithj"));
        assert_eq!(r.category.as_deref(), Some("Games, Online"));
        assert_eq!(
            r.time,
            LogTime::Local(NaiveDateTime::parse_from_str("2026-10-19 10:05:01", "%Y-%m-%d %H:%M:%S").unwrap())
        );
    }

    #[test]
    fn missing_column_names_the_key() {
        let err = CsvParser::from_header("When,Who,Where", &mapping()).unwrap_err();
        assert!(err.contains("csv.time"), "{err}");
    }
}
