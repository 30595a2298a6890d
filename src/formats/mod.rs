//! One parser per log format, plus auto-detection. Parsers turn one line of text into a
//! [`Record`] that borrows from the line; they do no I/O and know nothing about schools.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, NaiveDateTime};

pub mod cloud;
pub mod csv_export;
pub mod detect;
pub mod e2guardian;
pub mod fortigate;
pub mod kv;
pub mod registry;
pub mod sophos;
pub mod squid;
pub mod squidguard;
pub mod syslog;
pub mod vendor_category;

/// When a request happened, as the log wrote it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LogTime {
    /// Microseconds since the Unix epoch (UTC).
    EpochMicros(i64),
    /// A wall-clock time with an explicit offset.
    Offset(DateTime<FixedOffset>),
    /// A wall-clock time in the school's zone, with no offset written.
    Local(NaiveDateTime),
}

/// What the filter did with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Let through (including origin errors such as 404).
    Allowed,
    /// Refused by the filter or proxy policy.
    Blocked,
    /// A proxy login challenge (Squid 407): not a block.
    AuthRequired,
    /// The proxy could not complete the request (5xx from the proxy, no status).
    Error,
}

impl Action {
    /// The action as stored in the `action` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allowed => "allowed",
            Action::Blocked => "blocked",
            Action::AuthRequired => "auth_required",
            Action::Error => "error",
        }
    }

    /// The action implied by an HTTP status alone, for logs that carry no decision field.
    pub fn from_status(status: u16) -> Action {
        match status {
            407 => Action::AuthRequired,
            0 | 500..=599 => Action::Error,
            _ => Action::Allowed,
        }
    }
}

/// One parsed log line. Text fields borrow from the line where they can.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    /// Request time.
    pub time: LogTime,
    /// Client address as logged.
    pub client_ip: Cow<'a, str>,
    /// Client host name or device id, when the log has one distinct from the address.
    pub device: Option<Cow<'a, str>>,
    /// Username as logged (not yet normalised); `None` for `-` or blank.
    pub user: Option<Cow<'a, str>>,
    /// HTTP method.
    pub method: Cow<'a, str>,
    /// The URL as logged (`host:port` for a Squid CONNECT).
    pub url: Cow<'a, str>,
    /// HTTP status (0 when the log has none).
    pub status: u16,
    /// The filter's decision.
    pub action: Action,
    /// The filter's own category for the request.
    pub category: Option<Cow<'a, str>>,
    /// The filter's reason text.
    pub reason: Option<Cow<'a, str>>,
    /// Filter group / policy name.
    pub filter_group: Option<Cow<'a, str>>,
    /// Bytes sent to the client.
    pub bytes: u64,
    /// Time taken, in milliseconds.
    pub duration_ms: Option<u32>,
    /// User-Agent header.
    pub user_agent: Option<Cow<'a, str>>,
    /// Search terms the filter itself extracted (e2guardian `params`).
    pub search_terms: Option<Cow<'a, str>>,
}

impl<'a> Record<'a> {
    /// A record with only the mandatory fields set; parsers fill in the rest.
    pub fn new(time: LogTime, client_ip: &'a str, method: &'a str, url: &'a str) -> Self {
        Record {
            time,
            client_ip: Cow::Borrowed(client_ip),
            device: None,
            user: None,
            method: Cow::Borrowed(method),
            url: Cow::Borrowed(url),
            status: 0,
            action: Action::Allowed,
            category: None,
            reason: None,
            filter_group: None,
            bytes: 0,
            duration_ms: None,
            user_agent: None,
            search_terms: None,
        }
    }
}

/// Why a line gave no row. A malformed line goes to the rejects file; a line that is well formed
/// but describes no request (a daemon's start-up message) is only counted as skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What was wrong, for the rejects file.
    pub message: String,
    /// True when the line is not a request at all rather than a damaged one.
    pub skip: bool,
}

impl ParseError {
    /// A malformed line, with the reason.
    pub fn new(message: impl Into<String>) -> ParseError {
        ParseError { message: message.into(), skip: false }
    }

    /// A line that is not a request, to be counted as skipped.
    pub fn skip(message: &str) -> ParseError {
        ParseError { message: message.to_string(), skip: true }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Shorthand for a parse failure with a message.
pub fn fail<T>(message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError::new(message))
}

/// `-` and empty fields mean "no value" in every format here.
pub fn dash_none(field: &str) -> Option<&str> {
    match field {
        "" | "-" => None,
        other => Some(other),
    }
}

/// Parses an unsigned decimal field, naming it in the error.
pub fn parse_num<T: std::str::FromStr>(field: &str, name: &str) -> Result<T, ParseError> {
    // Most fields are bare digits: only a field that does not parse as it is is trimmed.
    field.parse().or_else(|_| field.trim().parse()).map_err(|_| ParseError::new(format!("bad {name}: {field:?}")))
}

/// Parses `seconds.millis` Unix time (Squid, e2guardian) into microseconds.
pub fn parse_epoch(field: &str) -> Result<LogTime, ParseError> {
    let (secs, frac) = field.split_once('.').unwrap_or((field, ""));
    let secs: i64 = parse_num(secs, "Unix time")?;
    let mut micros: i64 = 0;
    let mut scale = 100_000;
    for b in frac.bytes().take(6) {
        if !b.is_ascii_digit() {
            return fail(format!("bad Unix time: {field:?}"));
        }
        micros += i64::from(b - b'0') * scale;
        scale /= 10;
    }
    epoch_time(secs, micros).ok_or_else(|| ParseError::new(format!("Unix time out of range: {field:?}")))
}

/// Whole seconds since the Unix epoch plus microseconds as a log time; `None` for seconds outside
/// 1970 to 2999 (a corrupted or mistyped field).
pub fn epoch_time(secs: i64, micros: i64) -> Option<LogTime> {
    (0..=32_503_680_000).contains(&secs).then(|| LogTime::EpochMicros(secs * 1_000_000 + micros))
}

/// The standard HTTP methods plus WebDAV's, used to anchor formats that cannot be split.
pub fn is_http_method(token: &str) -> bool {
    matches!(
        token,
        "GET"
            | "POST"
            | "HEAD"
            | "PUT"
            | "DELETE"
            | "CONNECT"
            | "OPTIONS"
            | "TRACE"
            | "PATCH"
            | "PROPFIND"
            | "PROPPATCH"
            | "MKCOL"
            | "COPY"
            | "MOVE"
            | "LOCK"
            | "UNLOCK"
            | "REPORT"
    )
}

/// Every format filterwatch reads, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatName {
    /// Squid's native `squid` logformat.
    Squid,
    /// Squid's built-in Common Log Format (`common`).
    SquidCommon,
    /// Squid's built-in `combined` format.
    SquidCombined,
    /// Squid with a custom `logformat` string from the profile or `--logformat`.
    SquidLogformat,
    /// e2guardian `logfileformat` 1 to 8.
    E2guardian(u8),
    /// squidGuard's redirect log.
    Squidguard,
    /// FortiGate web filter and application control (key=value).
    Fortigate,
    /// Sophos UTM web proxy (`httpproxy`).
    SophosUtm,
    /// Sophos XG / SFOS v17–18 content filtering.
    SophosXg,
    /// Cisco Umbrella proxy log CSV.
    UmbrellaProxy,
    /// Cisco Umbrella DNS log CSV.
    UmbrellaDns,
    /// Zscaler NSS web log (JSON lines).
    Zscaler,
    /// Palo Alto PAN-OS THREAT/url log.
    Panos,
    /// A CSV export mapped by the profile's `[csv]` table.
    Csv,
}

impl FormatName {
    /// The name used by `--format` and stored in `source_format`.
    pub fn as_str(self) -> &'static str {
        registry::of(self).id
    }

    /// One line on what the format is, for `filterwatch formats`.
    pub fn description(self) -> &'static str {
        registry::of(self).description
    }

    /// Looks up a `--format` name; `e2guardian` alone means "detect which e2guardian format".
    pub fn parse(name: &str) -> Option<FormatChoice> {
        let name = name.trim().to_ascii_lowercase();
        if name == "e2guardian" {
            return Some(FormatChoice::AnyE2guardian);
        }
        if name == "auto" {
            return Some(FormatChoice::Auto);
        }
        registry::all()
            .find(|f| f.id == name || f.id.replace('-', "") == name.replace('-', ""))
            .map(|f| FormatChoice::Exact(f.name))
    }
}

/// What the user asked for with `--format` (or the profile's `format` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatChoice {
    /// Detect per file from its first lines.
    Auto,
    /// Detect among the e2guardian formats only.
    AnyE2guardian,
    /// Use this format.
    Exact(FormatName),
}

/// A function that reads one line of a fixed format.
pub type LineParser = for<'a> fn(&'a str) -> Result<Record<'a>, ParseError>;

/// A parser ready for one file: the format plus whatever it needs (a compiled logformat, a CSV
/// header mapping).
#[derive(Debug, Clone)]
pub enum Parser {
    /// Any Squid format, compiled from its logformat string.
    Squid(squid::SquidParser),
    /// e2guardian formats 1, 2 and 4 to 8 (format 3 is a Squid parser).
    E2guardian(e2guardian::E2guardianParser),
    /// A format whose every line is read the same way, whatever the file (squidGuard, the
    /// firewalls, the cloud filters).
    Fixed {
        /// The format.
        name: FormatName,
        /// Its line parser.
        parse: LineParser,
    },
    /// A mapped CSV export.
    Csv(Box<csv_export::CsvParser>),
    /// Any of the others, in a file where each line has a syslog header before it.
    Syslog(Box<Parser>),
}

impl Parser {
    /// Parses one line (without its line ending).
    pub fn parse<'a>(&self, line: &'a str) -> Result<Record<'a>, ParseError> {
        match self {
            Parser::Squid(p) => p.parse(line),
            Parser::E2guardian(p) => p.parse(line),
            Parser::Fixed { parse, .. } => parse(line),
            Parser::Csv(p) => p.parse(line),
            Parser::Syslog(inner) => match syslog::unframe(line) {
                Some(framed) => {
                    let mut record = inner.parse(framed.message)?;
                    if record.device.is_none() {
                        record.device = framed.host.map(Cow::Borrowed);
                    }
                    Ok(record)
                }
                None => inner.parse(line),
            },
        }
    }

    /// The format this parser reads.
    pub fn name(&self) -> FormatName {
        match self {
            Parser::Squid(p) => p.name(),
            Parser::E2guardian(p) => FormatName::E2guardian(p.format()),
            Parser::Fixed { name, .. } => *name,
            Parser::Csv(_) => FormatName::Csv,
            Parser::Syslog(inner) => inner.name(),
        }
    }

    /// True when the line is a header or comment that carries no request (CSV header, `#`).
    pub fn is_preamble(&self, line: &str) -> bool {
        match self {
            Parser::Csv(p) => p.is_header(line),
            Parser::Syslog(inner) => inner.is_preamble(syslog::unframe(line).map_or(line, |f| f.message)),
            _ => line.starts_with('#'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_keeps_milliseconds() {
        assert_eq!(parse_epoch("1742201532.140").unwrap(), LogTime::EpochMicros(1_742_201_532_140_000));
        assert_eq!(parse_epoch("1742201532").unwrap(), LogTime::EpochMicros(1_742_201_532_000_000));
        assert!(parse_epoch("17422x1532.140").is_err());
        assert!(parse_epoch("1742201532.1a0").is_err());
    }

    #[test]
    fn format_names_round_trip() {
        for f in registry::all() {
            assert_eq!(FormatName::parse(f.id), Some(FormatChoice::Exact(f.name)));
        }
        assert_eq!(FormatName::parse("e2guardian"), Some(FormatChoice::AnyE2guardian));
        assert_eq!(FormatName::parse("nonsense"), None);
    }
}
