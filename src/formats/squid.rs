//! Squid access logs, read through the `logformat` string that wrote them. The built-in formats
//! (`squid`, `common`, `combined`) are the logformat strings Squid itself defines, so native,
//! common, combined and custom logs all go through one matcher. e2guardian's format 3 imitates
//! Squid's native line and is read here too, with its own meaning of `TCP_DENIED/403`.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime};

use super::registry::{Build, Format};
use super::{
    dash_none, epoch_time, fail, parse_epoch, parse_num, Action, FormatName, LogTime, ParseError, Parser, Record,
};

/// Squid's built-in `squid` (native) logformat.
pub const NATIVE: &str = "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt";
/// The native layout with whole seconds, as some Squid-style writers give it.
const NATIVE_WHOLE_SECONDS: &str = "%ts %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt";
/// Squid's built-in `common` logformat.
pub const COMMON: &str = "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st %Ss:%Sh";
/// Squid's built-in `combined` logformat.
pub const COMBINED: &str =
    "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st \"%{Referer}>h\" \"%{User-Agent}>h\" %Ss:%Sh";

/// Squid's default `%tl`/`%tg` layout.
const DEFAULT_TIME_LAYOUT: &str = "%d/%b/%Y:%H:%M:%S %z";

/// The Squid %-codes filterwatch uses; every other code is matched and ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Code {
    EpochSeconds,
    EpochMillis,
    LocalTime(String),
    GmtTime(String),
    ResponseMillis,
    ClientIp,
    ClientName,
    User { ident: bool },
    SquidStatus,
    HttpStatus,
    Bytes,
    Method,
    Url,
    CategoryNote,
    SquidError,
    UserAgent,
    Ignored,
}

/// One piece of a compiled logformat: literal text, or a %-code and how wide it may be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Field { code: Code, padded: bool, inner_spaces: usize },
}

/// Squid's formats, most specific first: a configured logformat, then combined before common.
pub const FORMATS: [Format; 4] = [
    Format {
        name: FormatName::SquidLogformat,
        id: "squid-logformat",
        description: "Squid custom logformat (profile key squid_logformat or --logformat)",
        build: Build::Custom(|_, hints| {
            let format = hints.squid_logformat.as_deref().ok_or("no logformat string configured")?;
            Ok(Parser::Squid(SquidParser::from_logformat(format, FormatName::SquidLogformat)?))
        }),
    },
    Format {
        name: FormatName::SquidCombined,
        id: "squid-combined",
        description: "Squid combined format with Referer and User-Agent",
        build: Build::Custom(|_, _| Ok(Parser::Squid(SquidParser::builtin(FormatName::SquidCombined)))),
    },
    Format {
        name: FormatName::SquidCommon,
        id: "squid-common",
        description: "Squid Common Log Format (logformat common)",
        build: Build::Custom(|_, _| Ok(Parser::Squid(SquidParser::builtin(FormatName::SquidCommon)))),
    },
    Format {
        name: FormatName::Squid,
        id: "squid",
        description: "Squid native access.log (logformat squid, the default)",
        build: Build::Custom(|_, _| Ok(Parser::Squid(SquidParser::builtin(FormatName::Squid)))),
    },
];

/// A compiled logformat and the meaning its decision fields have.
#[derive(Debug, Clone)]
pub struct SquidParser {
    pieces: Vec<Piece>,
    /// Layouts tried when `pieces` does not read a line (the native format without milliseconds).
    alternatives: Vec<Vec<Piece>>,
    name: FormatName,
}

/// The Squid format codes, longest first so that `>Hs` wins over `Hs`.
const KNOWN_CODES: &[&str] = &[
    "adapt::<last_h",
    "ssl::bump_mode",
    "ssl::>sni",
    "err_detail",
    "err_code",
    "note",
    "<lp",
    "<la",
    ">la",
    ">lp",
    "<Hs",
    ">Hs",
    ">rm",
    "<rm",
    ">ru",
    "<ru",
    ">rp",
    ">rv",
    "<rv",
    ">rd",
    "<st",
    ">st",
    "<sh",
    ">sh",
    "<bs",
    "<tt",
    "<pt",
    "<a",
    ">a",
    "<A",
    ">A",
    "<p",
    ">p",
    "<h",
    ">h",
    "ts",
    "tu",
    "tl",
    "tg",
    "tr",
    "dt",
    "tS",
    "Ss",
    "Sh",
    "Hs",
    "mt",
    "rm",
    "ru",
    "rp",
    "rv",
    "rd",
    "un",
    "ul",
    "ui",
    "ue",
    "us",
    "uj",
    "ub",
    "ut",
    "st",
    "sh",
    "ea",
    "et",
    "sn",
    "la",
    "lp",
    "rs",
    "<rs",
    ">rs",
];

impl SquidParser {
    /// Compiles a `logformat` string as written in squid.conf (without the `logformat NAME`
    /// prefix). Errors say what in the string could not be understood.
    pub fn from_logformat(format: &str, name: FormatName) -> Result<SquidParser, String> {
        let pieces = compile(format)?;
        if !pieces.iter().any(|p| matches!(p, Piece::Field { code: Code::Url, .. })) {
            return Err(format!("logformat {format:?} has no %ru (URL) code"));
        }
        Ok(SquidParser { pieces, alternatives: Vec::new(), name })
    }

    /// The parser for one of the built-in Squid formats (and e2guardian format 3).
    pub fn builtin(name: FormatName) -> SquidParser {
        let format = match name {
            FormatName::SquidCommon => COMMON,
            FormatName::SquidCombined => COMBINED,
            _ => NATIVE,
        };
        let mut parser = SquidParser::from_logformat(format, name).expect("built-in logformats compile");
        if format == NATIVE {
            // Squid-style logs from other writers (and hand-made test lines) give whole seconds.
            parser.alternatives.push(compile(NATIVE_WHOLE_SECONDS).expect("built-in logformats compile"));
        }
        parser
    }

    /// The format this parser was built for.
    pub fn name(&self) -> FormatName {
        self.name
    }

    /// Parses one line against the compiled logformat (then its alternatives, if it has any).
    pub fn parse<'a>(&self, line: &'a str) -> Result<Record<'a>, ParseError> {
        let first = self.parse_with(&self.pieces, line);
        if first.is_ok() {
            return first;
        }
        self.alternatives.iter().map(|pieces| self.parse_with(pieces, line)).find(Result::is_ok).unwrap_or(first)
    }

    fn parse_with<'a>(&self, pieces: &[Piece], line: &'a str) -> Result<Record<'a>, ParseError> {
        let mut fields = Fields::default();
        let mut pos = 0usize;
        for (index, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Literal(text) => {
                    let found = match text.as_bytes() {
                        // Most literals are one separator byte: compared as a byte, not a slice.
                        [byte] => line.as_bytes().get(pos) == Some(byte),
                        bytes => line.as_bytes()[pos..].starts_with(bytes),
                    };
                    if !found {
                        return fail(format!("expected {text:?} at column {}", pos + 1));
                    }
                    pos += text.len();
                }
                Piece::Field { code, padded, inner_spaces } => {
                    if *padded {
                        pos += line.as_bytes()[pos..].iter().take_while(|&&b| b == b' ').count();
                    }
                    let end = field_end(line, pos, *inner_spaces, pieces.get(index + 1), index + 2 == pieces.len())
                        .ok_or_else(|| ParseError::new(format!("line ends early, in field {}", index / 2 + 1)))?;
                    fields.set(code, &line[pos..end])?;
                    pos = end;
                }
            }
        }
        fields.into_record(self.name)
    }
}

/// Where the field starting at `pos` ends: at the next literal (the last occurrence when that
/// literal ends the line), after skipping the spaces the field itself contains.
fn field_end(line: &str, pos: usize, inner_spaces: usize, next: Option<&Piece>, next_is_last: bool) -> Option<usize> {
    let mut from = pos;
    for _ in 0..inner_spaces {
        from += memchr::memchr(b' ', &line.as_bytes()[from..])? + 1;
    }
    match next {
        None => Some(line.len()),
        Some(Piece::Literal(lit)) if next_is_last => line[from..].rfind(lit.as_str()).map(|i| from + i),
        Some(Piece::Literal(lit)) if lit.len() == 1 => {
            memchr::memchr(lit.as_bytes()[0], &line.as_bytes()[from..]).map(|i| from + i)
        }
        Some(Piece::Literal(lit)) => line[from..].find(lit.as_str()).map(|i| from + i),
        // Two codes with nothing between them cannot be split; compile() refuses that.
        Some(Piece::Field { .. }) => None,
    }
}

/// The values of one line, collected field by field.
#[derive(Default)]
struct Fields<'a> {
    epoch_seconds: Option<i64>,
    epoch_millis: Option<u16>,
    time: Option<LogTime>,
    duration_ms: Option<u32>,
    client_ip: Option<&'a str>,
    client_name: Option<&'a str>,
    user: Option<&'a str>,
    ident: Option<&'a str>,
    squid_status: Option<&'a str>,
    status: Option<u16>,
    bytes: u64,
    method: Option<&'a str>,
    url: Option<&'a str>,
    category: Option<&'a str>,
    error_code: Option<&'a str>,
    user_agent: Option<&'a str>,
}

impl<'a> Fields<'a> {
    fn set(&mut self, code: &Code, value: &'a str) -> Result<(), ParseError> {
        match code {
            // %tS and some builds write seconds with a fraction already.
            Code::EpochSeconds if value.bytes().any(|b| b == b'.') => self.time = Some(parse_epoch(value)?),
            Code::EpochSeconds => self.epoch_seconds = Some(parse_num(value, "Unix time")?),
            Code::EpochMillis => match parse_num(value, "milliseconds")? {
                millis @ 0..=999 => self.epoch_millis = Some(millis),
                _ => return fail(format!("bad milliseconds: {value:?}")),
            },
            Code::LocalTime(layout) => self.time = Some(parse_wall_time(value, layout, false)?),
            Code::GmtTime(layout) => self.time = Some(parse_wall_time(value, layout, true)?),
            Code::ResponseMillis => self.duration_ms = dash_none(value).and_then(|v| v.parse().ok()),
            Code::ClientIp => self.client_ip = Some(value),
            Code::ClientName => self.client_name = dash_none(value),
            Code::User { ident: false } => self.user = self.user.or(dash_none(value)),
            Code::User { ident: true } => self.ident = dash_none(value),
            Code::SquidStatus => self.squid_status = Some(value),
            Code::HttpStatus => self.status = Some(parse_num(value, "HTTP status")?),
            Code::Bytes => self.bytes = dash_none(value).map_or(Ok(0), |v| parse_num(v, "size"))?,
            Code::Method => self.method = Some(value),
            Code::Url => self.url = Some(value),
            Code::CategoryNote => self.category = dash_none(value),
            Code::SquidError => self.error_code = dash_none(value),
            Code::UserAgent => self.user_agent = dash_none(value),
            Code::Ignored => {}
        }
        Ok(())
    }

    fn into_record(self, name: FormatName) -> Result<Record<'a>, ParseError> {
        let time = match (self.time, self.epoch_seconds) {
            (Some(time), _) => time,
            (None, Some(secs)) => epoch_time(secs, i64::from(self.epoch_millis.unwrap_or(0)) * 1000)
                .ok_or_else(|| ParseError::new(format!("Unix time out of range: \"{secs}\"")))?,
            (None, None) => return fail("no time field"),
        };
        let url = self.url.filter(|u| !u.is_empty() && *u != "-").ok_or_else(|| ParseError::new("no URL"))?;
        let method = self
            .method
            .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-'));
        let method = method.ok_or_else(|| ParseError::new(format!("bad method: {:?}", self.method.unwrap_or(""))))?;
        let client_ip = self.client_ip.ok_or_else(|| ParseError::new("no client address"))?;
        let status = self.status.unwrap_or(0);
        let squid_status = self.squid_status.unwrap_or("");
        let action = squid_action(name, squid_status, status, self.bytes);
        let mut record = Record::new(time, client_ip, method, url);
        record.device = self.client_name.filter(|n| *n != client_ip).map(Cow::Borrowed);
        record.user = self.user.or(self.ident).map(Cow::Borrowed);
        record.status = status;
        record.action = action;
        record.category = self.category.map(Cow::Borrowed);
        record.reason = self.error_code.filter(|_| action != Action::Allowed).map(Cow::Borrowed);
        record.bytes = self.bytes;
        record.duration_ms = self.duration_ms;
        record.user_agent = self.user_agent.map(Cow::Borrowed);
        Ok(record)
    }
}

/// The decision a Squid result code means. `TCP_DENIED/407` is a login challenge, any other
/// `*DENIED*` (403, a deny_info redirect, `TCP_DENIED_REPLY`) is a block. e2guardian's format 3
/// writes `TCP_DENIED/403` for origin 403s too; its own block pages have size 0.
fn squid_action(name: FormatName, squid_status: &str, status: u16, bytes: u64) -> Action {
    let denied = memchr::memmem::find(squid_status.as_bytes(), b"DENIED").is_some();
    match (denied, status) {
        (_, 407) => Action::AuthRequired,
        (true, 403) if name == FormatName::E2guardian(3) && bytes > 0 => Action::Allowed,
        (true, _) => Action::Blocked,
        (false, _) if squid_status.starts_with("NONE") && status == 0 => Action::Error,
        (false, _) => Action::from_status(status),
    }
}

/// Parses a `%tl`/`%tg` value with its strftime layout. Without `%z`, `%tl` is school-local
/// wall-clock time and `%tg` is UTC.
fn parse_wall_time(value: &str, layout: &str, gmt: bool) -> Result<LogTime, ParseError> {
    let bad = || ParseError::new(format!("bad time {value:?} for layout {layout:?}"));
    if layout.contains("%z") {
        return DateTime::parse_from_str(value, layout).map(LogTime::Offset).map_err(|_| bad());
    }
    let naive = NaiveDateTime::parse_from_str(value, layout).map_err(|_| bad())?;
    Ok(if gmt { LogTime::EpochMicros(naive.and_utc().timestamp_micros()) } else { LogTime::Local(naive) })
}

/// Compiles a logformat string into literal and field pieces.
fn compile(format: &str) -> Result<Vec<Piece>, String> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut literal = String::new();
    let mut rest = format;
    while let Some(at) = rest.find('%') {
        literal.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('%') {
            literal.push('%');
            rest = after;
            continue;
        }
        // Modifiers: quoting ("[#'), alignment (-), width and precision.
        let modifiers_end =
            rest.find(|c: char| !matches!(c, '"' | '[' | '#' | '\'' | '-' | '0'..='9' | '.')).unwrap_or(rest.len());
        // A width (`%6tr`) pads with spaces that must be skipped before the value.
        let padded = rest[..modifiers_end].bytes().any(|b| b.is_ascii_digit());
        rest = &rest[modifiers_end..];
        let mut argument = None;
        if let Some(after) = rest.strip_prefix('{') {
            let close = after.find('}').ok_or_else(|| format!("unclosed {{ in logformat {format:?}"))?;
            argument = Some(after[..close].to_string());
            rest = &after[close + 1..];
        }
        let code_name = KNOWN_CODES
            .iter()
            .find(|c| rest.starts_with(**c))
            .copied()
            .or_else(|| {
                let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
                (end > 0).then(|| &rest[..end])
            })
            .ok_or_else(|| format!("a % with no code in logformat {format:?}"))?;
        rest = &rest[code_name.len()..];
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
        } else if matches!(pieces.last(), Some(Piece::Field { .. })) {
            return Err(format!("logformat {format:?}: %{code_name} follows another code with no separator"));
        }
        let code = classify(code_name, argument.as_deref());
        let inner_spaces = match &code {
            Code::LocalTime(layout) | Code::GmtTime(layout) => layout.matches(' ').count(),
            _ => 0,
        };
        pieces.push(Piece::Field { code, padded, inner_spaces });
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

/// What a %-code (and its `{argument}`) means to filterwatch.
fn classify(code: &str, argument: Option<&str>) -> Code {
    let layout = || argument.unwrap_or(DEFAULT_TIME_LAYOUT).to_string();
    match code {
        "ts" | "tS" => Code::EpochSeconds,
        "tu" => Code::EpochMillis,
        "tl" => Code::LocalTime(layout()),
        "tg" => Code::GmtTime(layout()),
        "tr" => Code::ResponseMillis,
        ">a" => Code::ClientIp,
        ">A" => Code::ClientName,
        "un" | "ul" | "ue" | "us" | "uj" | "ub" | "ut" => Code::User { ident: false },
        "ui" => Code::User { ident: true },
        "Ss" => Code::SquidStatus,
        ">Hs" | "Hs" => Code::HttpStatus,
        "<st" | "st" => Code::Bytes,
        "rm" | ">rm" => Code::Method,
        "ru" | ">ru" => Code::Url,
        "note" if argument.is_some_and(|a| a.eq_ignore_ascii_case("category")) => Code::CategoryNote,
        "err_code" => Code::SquidError,
        ">h" if argument.is_some_and(|a| a.eq_ignore_ascii_case("User-Agent")) => Code::UserAgent,
        _ => Code::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn native() -> SquidParser {
        SquidParser::builtin(FormatName::Squid)
    }

    #[test]
    fn native_block_is_blocked_and_407_is_auth() {
        let r = native()
            .parse("1742201532.140      1 127.0.0.23 TCP_DENIED/403 3423 GET http://krunker.io/ 21obrienk HIER_NONE/- text/html")
            .unwrap();
        assert_eq!(r.time, LogTime::EpochMicros(1_742_201_532_140_000));
        assert_eq!(r.duration_ms, Some(1));
        assert_eq!(r.client_ip, "127.0.0.23");
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.status, 403);
        assert_eq!(r.bytes, 3423);
        assert_eq!(r.url, "http://krunker.io/");
        assert_eq!(r.user.as_deref(), Some("21obrienk"));
        let r = native()
            .parse("1742201520.971      0 127.0.0.10 TCP_DENIED/407 3549 GET http://www.google.com/generate_204 - HIER_NONE/- text/html")
            .unwrap();
        assert_eq!(r.action, Action::AuthRequired);
        assert_eq!(r.user, None);
    }

    #[test]
    fn milliseconds_past_999_are_a_bad_line_not_a_wrong_time() {
        let parser = SquidParser::from_logformat("%ts.%03tu %>a %rm %ru", FormatName::SquidLogformat).unwrap();
        let ok = parser.parse("1742201532.140 10.0.0.1 GET http://x.com/").unwrap();
        assert_eq!(ok.time, LogTime::EpochMicros(1_742_201_532_140_000));
        for millis in ["1000", "65535", "99999999999999999999"] {
            let line = format!("1742201532.{millis} 10.0.0.1 GET http://x.com/");
            let error = parser.parse(&line).unwrap_err();
            assert!(error.message.contains("bad milliseconds"), "{line}: {}", error.message);
        }
    }

    #[test]
    fn denied_reply_and_redirects_are_blocks() {
        let r = native()
            .parse(
                "1742201532.140 5 10.0.0.1 TCP_DENIED_REPLY/403 100 GET http://x.com/ - HIER_DIRECT/1.2.3.4 text/html",
            )
            .unwrap();
        assert_eq!(r.action, Action::Blocked);
        let r =
            native().parse("1742201532.140 5 10.0.0.1 TCP_DENIED/302 0 GET http://x.com/ bob HIER_NONE/- -").unwrap();
        assert_eq!(r.action, Action::Blocked);
        let r = native()
            .parse("1742201532.140 5 10.0.0.1 TCP_MISS/503 0 GET http://x.com:8088/ bob HIER_DIRECT/1.2.3.4 -")
            .unwrap();
        assert_eq!(r.action, Action::Error);
    }

    #[test]
    fn combined_reads_quoted_user_agent_and_offset_time() {
        let p = SquidParser::builtin(FormatName::SquidCombined);
        let r = p.parse(r#"127.0.0.22 - 20patelr [17/Mar/2025:08:52:06 +0000] "GET http://en.wikipedia.org/wiki/Battle_of_Hastings HTTP/1.1" 200 481 "http://www.google.com/search?q=long+division+method" "Mozilla/5.0 (X11; CrOS x86_64 15633.69.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.212 Safari/537.36" TCP_MISS:HIER_DIRECT"#).unwrap();
        assert_eq!(r.user.as_deref(), Some("20patelr"));
        assert_eq!(r.url, "http://en.wikipedia.org/wiki/Battle_of_Hastings");
        assert!(r.user_agent.as_deref().unwrap().starts_with("Mozilla/5.0 (X11; CrOS"));
        assert_eq!(r.status, 200);
        match r.time {
            LogTime::Offset(t) => assert_eq!(t.timestamp(), 1_742_201_526),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn custom_logformat_with_local_time_and_notes() {
        let p = SquidParser::from_logformat(
            r#"%{%Y-%m-%d %H:%M:%S}tl %>a %un %Ss/%03>Hs %rm %ru %<st %mt %tr category=%{category}note err=%err_code "%{User-Agent}>h""#,
            FormatName::SquidLogformat,
        )
        .unwrap();
        let r = p.parse(r#"2025-03-17 08:52:12 127.0.0.23 21obrienk TCP_DENIED/403 GET http://krunker.io/ 3423 text/html 1 category=games err=ERR_BLOCKED_GAMES "Mozilla/5.0 (Windows NT 10.0; Win64; x64)""#).unwrap();
        assert_eq!(
            r.time,
            LogTime::Local(NaiveDateTime::parse_from_str("2025-03-17 08:52:12", "%Y-%m-%d %H:%M:%S").unwrap())
        );
        assert_eq!(r.category.as_deref(), Some("games"));
        assert_eq!(r.reason.as_deref(), Some("ERR_BLOCKED_GAMES"));
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.duration_ms, Some(1));
        assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"));
    }

    #[test]
    fn garbage_is_rejected_with_a_reason() {
        assert!(native().parse("hello world").is_err());
        assert!(native().parse("").is_err());
        assert!(native().parse("1742201532.140 1 127.0.0.23 TCP_DENIED/4x3 3423 GET http://k/ u H/- t").is_err());
    }

    #[test]
    fn logformat_without_url_is_refused() {
        assert!(SquidParser::from_logformat("%ts %>a", FormatName::SquidLogformat).is_err());
        assert!(SquidParser::from_logformat("%ts%ru", FormatName::SquidLogformat).is_err());
    }

    #[test]
    fn native_lines_with_whole_seconds_are_read() {
        let r = native()
            .parse("1792573303 5 10.0.0.1 TCP_MISS/200 500 GET http://d.example/ - HIER_DIRECT/1.2.3.4 text/html")
            .unwrap();
        assert_eq!((r.time, r.status), (LogTime::EpochMicros(1_792_573_303_000_000), 200));
        assert!(native().parse("1792573303 x").is_err());
    }
}
