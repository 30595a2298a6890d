//! e2guardian access logs, `logfileformat` 1, 2, 4, 5 and 6 (format 3 is Squid-like and is read
//! by the Squid parser). The decision comes from the fixed markers e2guardian writes before the
//! language-file text (`*DENIED*`, `*TRUSTED*`, …) and from the message number, never from the
//! translated reason text, so any language file gives the same answer.

use std::borrow::Cow;

use chrono::NaiveDateTime;

use super::{dash_none, fail, is_http_method, parse_epoch, parse_num, Action, LogTime, ParseError, Record};

/// Message numbers of e2guardian's block pages (languages/*/messages): banned site, URL, regexp,
/// phrase, weighted phrase, search terms, extensions, MIME types, virus and so on.
const BLOCK_MESSAGES: &[u32] = &[
    100, 101, 102, 103, 104, 105, 106, 107, 300, 301, 400, 401, 402, 403, 450, 451, 452, 453, 454, 500, 501, 502, 503,
    504, 505, 506, 507, 508, 509, 510, 511, 580, 581, 582, 600, 700, 701, 750, 751, 800, 900, 1000, 1100, 1101, 1102,
];

/// A parser for one e2guardian log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct E2guardianParser {
    format: u8,
}

/// The fields every e2guardian format carries, whatever their order.
struct E2Fields<'a> {
    time: LogTime,
    user: &'a str,
    client_ip: &'a str,
    client_host: &'a str,
    url: &'a str,
    what: &'a str,
    method: &'a str,
    size: &'a str,
    category: &'a str,
    status: &'a str,
    group_name: &'a str,
    user_agent: &'a str,
    params: &'a str,
    message_no: Option<u32>,
    duration_ms: Option<u32>,
}

impl E2guardianParser {
    /// A parser for `logfileformat` 1, 2, 4, 5 or 6.
    pub fn new(format: u8) -> Option<E2guardianParser> {
        matches!(format, 1 | 2 | 4 | 5 | 6).then_some(E2guardianParser { format })
    }

    /// The `logfileformat` number.
    pub fn format(&self) -> u8 {
        self.format
    }

    /// Parses one line.
    pub fn parse<'a>(&self, line: &'a str) -> Result<Record<'a>, ParseError> {
        let fields = match self.format {
            1 => split_format1(line)?,
            2 => nineteen(&split_csv(line)?)?,
            4 => nineteen(&line.split('\t').collect::<Vec<_>>())?,
            _ => protex(line)?,
        };
        build(fields)
    }
}

/// Parses `YYYY.MM.DD HH:MM:SS`, e2guardian's local time.
fn local_time(text: &str) -> Result<LogTime, ParseError> {
    NaiveDateTime::parse_from_str(text, "%Y.%m.%d %H:%M:%S")
        .map(LogTime::Local)
        .map_err(|_| ParseError::new(format!("bad e2guardian time: {text:?}")))
}

/// Formats 2 and 4 (and format 1 once split): the 19 DansGuardian fields in their order.
fn nineteen<'a>(f: &[&'a str]) -> Result<E2Fields<'a>, ParseError> {
    if f.len() != 19 {
        return fail(format!("expected 19 fields, found {}", f.len()));
    }
    Ok(E2Fields {
        time: local_time(f[0])?,
        user: f[1],
        client_ip: f[2],
        url: f[3],
        what: f[4],
        method: f[5],
        size: f[6],
        category: f[8],
        status: f[10],
        client_host: f[12],
        group_name: f[13],
        user_agent: f[14],
        params: f[15],
        message_no: None,
        duration_ms: None,
    })
}

/// Formats 5 and 6 (Protex): 20 tab-separated fields, Unix time first.
fn protex(line: &str) -> Result<E2Fields<'_>, ParseError> {
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() != 20 {
        return fail(format!("expected 20 tab-separated fields, found {}", f.len()));
    }
    Ok(E2Fields {
        time: parse_epoch(f[0])?,
        user: f[2],
        client_ip: f[3],
        client_host: f[4],
        url: f[5],
        method: f[6],
        status: f[7],
        size: f[8],
        user_agent: f[10],
        duration_ms: dash_none(f[12]).and_then(|d| d.parse().ok()),
        message_no: Some(parse_num(f[14], "message number")?),
        what: f[15],
        category: f[17],
        group_name: f[18],
        params: "-",
    })
}

/// Format 2: every field double-quoted, comma separated, inner quotes not escaped.
fn split_csv(line: &str) -> Result<Vec<&str>, ParseError> {
    let inner = line
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .ok_or_else(|| ParseError::new("expected a line of double-quoted fields"))?;
    Ok(inner.split("\",\"").collect())
}

/// Format 1: 19 fields joined by single spaces, where the time, *what*, category, group name,
/// user agent and params may contain spaces themselves. The line is split on the fields whose
/// shape is fixed: the method followed by two integers (size, weight), and the filter-group
/// number followed by a three-digit status, then the client host.
fn split_format1(line: &str) -> Result<E2Fields<'_>, ParseError> {
    let spans = token_spans(line);
    let n = spans.len();
    if n < 20 {
        return fail(format!("expected at least 20 space-separated tokens, found {n}"));
    }
    let tok = |i: usize| &line[spans[i].0..spans[i].1];
    let join = |from: usize, to: usize| &line[spans[from].0..spans[to].1];
    let is_int = |s: &str| {
        let digits = s.strip_prefix('-').unwrap_or(s);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    let method_at = (6..n - 12)
        .find(|&i| is_http_method(tok(i)) && is_int(tok(i + 1)) && is_int(tok(i + 2)))
        .ok_or_else(|| ParseError::new("no method followed by size and weight"))?;
    let group_at = (method_at + 4..n - 8)
        .find(|&j| is_int(tok(j)) && tok(j + 1).len() == 3 && is_int(tok(j + 1)) && !tok(j + 1).starts_with('-'))
        .ok_or_else(|| ParseError::new("no filter group followed by a status"))?;
    // From the end: postdata, logid_2, logid_1, then params (`-` or `N=terms;`).
    let params_end = n - 4;
    let params_start = if tok(params_end) == "-" {
        params_end
    } else {
        (group_at + 5..=params_end)
            .rev()
            .find(|&k| {
                let t = tok(k);
                t.split_once('=').is_some_and(|(idx, _)| !idx.is_empty() && idx.bytes().all(|b| b.is_ascii_digit()))
            })
            .ok_or_else(|| ParseError::new("unreadable params field"))?
    };
    // Between the client host and params: the group name, then the user agent, which is `-` or
    // starts with a product token such as `Mozilla/5.0`.
    let group_name_at = group_at + 4;
    let agent_at = (group_name_at + 1..params_start)
        .find(|&m| tok(m).contains('/') || (tok(m) == "-" && m + 1 == params_start))
        .unwrap_or(group_name_at + 1);
    if agent_at >= params_start {
        return fail("no user-agent field");
    }
    Ok(E2Fields {
        time: local_time(join(0, 1))?,
        user: tok(2),
        client_ip: tok(3),
        url: tok(4),
        what: join(5, method_at - 1),
        method: tok(method_at),
        size: tok(method_at + 1),
        category: join(method_at + 3, group_at - 1),
        status: tok(group_at + 1),
        client_host: tok(group_at + 3),
        group_name: join(group_name_at, agent_at - 1),
        user_agent: join(agent_at, params_start - 1),
        params: join(params_start, params_end),
        message_no: None,
        duration_ms: None,
    })
}

/// Byte ranges of the single-space-separated tokens of a line.
fn token_spans(line: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::with_capacity(40);
    let mut start = 0;
    for at in memchr::memchr_iter(b' ', line.as_bytes()) {
        spans.push((start, at));
        start = at + 1;
    }
    spans.push((start, line.len()));
    spans
}

/// The decision a line records: a 407 is a login challenge (e2guardian logs it as `*TRUSTED*`),
/// `*DENIED*` and `*INFECTED*` are blocks, and a 403 with a block-page message number is a block
/// whatever the text says.
fn decision(what: &str, status: u16, message_no: Option<u32>) -> Action {
    if status == 407 {
        return Action::AuthRequired;
    }
    if what.starts_with("*DENIED") || what.starts_with("*INFECTED*") {
        return Action::Blocked;
    }
    let exception = what.starts_with("*TRUSTED*") || what.starts_with("*EXCEPTION*");
    if !exception && status == 403 && message_no.is_some_and(|m| BLOCK_MESSAGES.contains(&m)) {
        return Action::Blocked;
    }
    Action::from_status(status)
}

/// Strips e2guardian's `*MARKER*` prefix from the *what* text, leaving the reason.
fn reason_text(what: &str) -> Option<&str> {
    let text = match what.strip_prefix('*').and_then(|w| w.split_once("* ")) {
        Some((_, rest)) => rest,
        None if what.starts_with('*') && what.ends_with('*') => "",
        None => what,
    };
    dash_none(text.trim())
}

/// `0=water cycle diagram;` → `water cycle diagram`.
fn params_terms(params: &str) -> Option<&str> {
    let first = dash_none(params)?.split(';').next()?;
    let terms = first.split_once('=').map_or(first, |(_, t)| t).trim();
    dash_none(terms)
}

fn build(f: E2Fields<'_>) -> Result<Record<'_>, ParseError> {
    let status: u16 = parse_num(f.status, "HTTP status")?;
    if !is_http_method(f.method) {
        return fail(format!("bad method: {:?}", f.method));
    }
    let url = dash_none(f.url).ok_or_else(|| ParseError::new("no URL"))?;
    let action = decision(f.what, status, f.message_no);
    let mut record = Record::new(f.time, f.client_ip, f.method, url);
    record.user = dash_none(f.user).map(Cow::Borrowed);
    record.device = dash_none(f.client_host).filter(|h| *h != f.client_ip).map(Cow::Borrowed);
    record.status = status;
    record.action = action;
    record.bytes = dash_none(f.size).map_or(Ok(0), |s| parse_num(s, "size"))?;
    record.category = dash_none(f.category).map(Cow::Borrowed);
    record.reason = reason_text(f.what).map(Cow::Borrowed);
    record.filter_group = dash_none(f.group_name).map(Cow::Borrowed);
    record.user_agent = dash_none(f.user_agent).map(Cow::Borrowed);
    record.search_terms = params_terms(f.params).map(Cow::Borrowed);
    record.duration_ms = f.duration_ms;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";

    fn parse(format: u8, line: &str) -> Record<'_> {
        E2guardianParser::new(format).unwrap().parse(line).unwrap()
    }

    #[test]
    fn format1_splits_fields_with_spaces() {
        let line = format!("2025.03.17 08:52:15 21obrienk 127.0.0.23 http://www.google.co.uk/search?q=online+casino+blackjack *DENIED-PARAMS* Weighted search term limit of 30 : 60 ( blackjack + casino ) GET 0 60 Gambling 1 403 - 127.0.0.23 Pupils {UA} 0=online casino blackjack; - - -");
        let r = parse(1, &line);
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.reason.as_deref(), Some("Weighted search term limit of 30 : 60 ( blackjack + casino )"));
        assert_eq!(r.category.as_deref(), Some("Gambling"));
        assert_eq!(r.filter_group.as_deref(), Some("Pupils"));
        assert_eq!(r.user_agent.as_deref(), Some(UA));
        assert_eq!(r.search_terms.as_deref(), Some("online casino blackjack"));
        assert_eq!(r.status, 403);
    }

    #[test]
    fn format1_category_with_spaces_and_trusted_407() {
        let line = format!("2025.03.17 08:52:01 19smithj 127.0.0.25 http://duckduckgo.com/?q=bypass+filter *DENIED* Message number absentbypass+filter GET 0 0 Banned Search Terms 1 403 - 127.0.0.25 Pupils {UA} - - - -");
        let r = parse(1, &line);
        assert_eq!(r.category.as_deref(), Some("Banned Search Terms"));
        assert_eq!(r.action, Action::Blocked);
        let line = format!("2025.03.17 08:52:00 - 127.0.0.10 http://www.google.com/generate_204 *TRUSTED* - GET 3118 0 - 1 407 - 127.0.0.10 Pupils {UA} - - - -");
        let r = parse(1, &line);
        assert_eq!(r.action, Action::AuthRequired);
        assert_eq!(r.user, None);
        assert_eq!(r.reason, None);
    }

    #[test]
    fn protex_uses_message_number_not_language_text() {
        // A block whose text came from another language file still counts as blocked.
        let line = format!("1742201532.231\tfilter01\t21obrienk\t127.0.0.23\t127.0.0.23\thttp://krunker.io\tGET\t403\t0\t-\t{UA}\t-\t0\t-\t500\tSite interdit : krunker.io\t0\tGames\tPupils\t1");
        let r = parse(5, &line);
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.time, LogTime::EpochMicros(1_742_201_532_231_000));
        assert_eq!(r.filter_group.as_deref(), Some("Pupils"));
        assert_eq!(r.category.as_deref(), Some("Games"));
    }

    #[test]
    fn csv_format_reads_quoted_fields() {
        let line = format!(
            r#""2025.03.17 08:52:12","21obrienk","127.0.0.23","http://krunker.io","*DENIED* Blocked site: krunker.io","GET","0","0","Games","1","403","-","127.0.0.23","Pupils","{UA}","-","-","-","-""#
        );
        let r = parse(2, &line);
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.reason.as_deref(), Some("Blocked site: krunker.io"));
        assert_eq!(r.url, "http://krunker.io");
    }

    #[test]
    fn short_lines_are_rejected() {
        for format in [1, 2, 4, 5, 6] {
            assert!(E2guardianParser::new(format).unwrap().parse("2025.03.17 08:52:12 x").is_err());
        }
    }
}
