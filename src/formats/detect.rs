//! Auto-detection: which format a file is in, judged from its first lines. Every candidate
//! parser reads the sample; the one that reads the most lines wins, and where several read them
//! all, the more specific format wins (combined before common, a configured logformat first).
//! Look-alikes are told apart by what only one of them writes: e2guardian's format 3 always logs
//! `DEFAULT_PARENT/` and a `-` MIME type; formats 5–8 share one tab layout, where 7 and 8 add two
//! fields and 6 and 8 leave the server field empty.

use super::csv_export::CsvMapping;
use super::e2guardian::E2guardianParser;
use super::squid::SquidParser;
use super::{registry, syslog, FormatChoice, FormatName, Parser};

/// How many lines auto-detection looks at.
pub const SAMPLE_LINES: usize = 50;

/// What detection may use besides the file: the profile's logformat string and CSV mapping.
#[derive(Debug, Clone, Default)]
pub struct FormatHints {
    /// A custom Squid `logformat` string.
    pub squid_logformat: Option<String>,
    /// The `[csv]` column mapping.
    pub csv: Option<CsvMapping>,
}

/// Picks a parser for a file from its first lines (already split, line endings removed). When
/// most lines carry a syslog header and the messages inside read better than the lines as they
/// are, the parser reads every line through [`syslog::unframe`].
pub fn choose(sample: &[&str], choice: FormatChoice, hints: &FormatHints) -> Result<Parser, String> {
    let lines: Vec<&str> = sample.iter().copied().filter(|l| !l.trim().is_empty()).take(SAMPLE_LINES).collect();
    let raw = best(&lines, choice, hints);
    let messages: Vec<&str> = lines.iter().filter_map(|l| syslog::unframe(l)).map(|f| f.message).collect();
    if !messages.is_empty() && messages.len() * 2 >= lines.len() {
        if let Ok((framed_score, framed)) = best(&messages, choice, hints) {
            let raw_score = raw.as_ref().map_or((0, 0), |(score, _)| *score);
            if framed_score > raw_score {
                return Ok(Parser::Syslog(Box::new(framed)));
            }
        }
    }
    raw.map(|(_, parser)| parser)
}

/// The parser that reads the most of `lines`, with its score (lines it knows, rows it reads).
fn best(lines: &[&str], choice: FormatChoice, hints: &FormatHints) -> Result<((usize, usize), Parser), String> {
    let candidates: Vec<FormatName> = match choice {
        FormatChoice::Exact(name) => vec![name],
        FormatChoice::AnyE2guardian => [1, 2, 3, 4, 5].map(FormatName::E2guardian).to_vec(),
        // e2guardian's format 3 looks like Squid's, and 6–8 read like 5: `refine` tells them apart.
        FormatChoice::Auto => {
            registry::all().map(|f| f.name).filter(|f| !matches!(f, FormatName::E2guardian(3 | 6 | 7 | 8))).collect()
        }
    };
    let mut best: Option<((usize, usize), Parser)> = None;
    let mut reasons = Vec::new();
    for name in candidates {
        let parser = match registry::of(name).parser(lines, hints) {
            Ok(p) => p,
            Err(why) => {
                reasons.push(format!("{}: {why}", name.as_str()));
                continue;
            }
        };
        // A line the parser knows is not a request (a firewall's logon event) still shows that
        // the file is in its format; rows read break ties.
        let data: Vec<&str> = lines.iter().copied().filter(|l| !parser.is_preamble(l)).collect();
        let results: Vec<_> = data.iter().map(|l| parser.parse(l)).collect();
        let rows = results.iter().filter(|r| r.is_ok()).count();
        let known = rows + results.iter().filter(|r| r.as_ref().is_err_and(|e| e.skip)).count();
        let score = (known, rows);
        if matches!(choice, FormatChoice::Exact(_)) || (known > 0 && best.as_ref().is_none_or(|(s, _)| score > *s)) {
            best = Some((score, parser));
        }
    }
    match best {
        Some((score, parser)) => Ok((score, refine(parser, lines))),
        None if lines.is_empty() => Err("the file has no lines to detect a format from".into()),
        None => Err(format!(
            "no known format reads its first lines (first line: {:?}){}",
            truncate(lines[0], 120),
            if reasons.is_empty() { String::new() } else { format!("; {}", reasons.join("; ")) }
        )),
    }
}

/// Tells look-alike formats apart by what only one of them writes.
fn refine(parser: Parser, lines: &[&str]) -> Parser {
    match parser.name() {
        FormatName::Squid if !lines.is_empty() && lines.iter().all(|l| looks_like_e2guardian3(l)) => {
            Parser::Squid(SquidParser::builtin(FormatName::E2guardian(3)))
        }
        FormatName::E2guardian(5..=8) => {
            let extended = lines.iter().all(|l| l.split('\t').count() >= 21);
            let blank_server = lines.iter().all(|l| l.split('\t').nth(1) == Some(""));
            let format = match (extended, blank_server) {
                (false, false) => 5,
                (false, true) => 6,
                (true, false) => 7,
                (true, true) => 8,
            };
            Parser::E2guardian(E2guardianParser::new(format).expect("formats 5 to 8 exist"))
        }
        _ => parser,
    }
}

/// e2guardian's Squid-like format always writes `DEFAULT_PARENT/<proxy>` and a `-` MIME type.
fn looks_like_e2guardian3(line: &str) -> bool {
    let fields: Vec<&str> = line.split_whitespace().collect();
    fields.len() == 10 && fields[8].starts_with("DEFAULT_PARENT/") && fields[9] == "-"
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(lines: &[&str]) -> FormatName {
        choose(lines, FormatChoice::Auto, &FormatHints::default()).unwrap().name()
    }

    #[test]
    fn tells_squid_formats_apart() {
        assert_eq!(
            detect(&["1742201532.140      1 127.0.0.23 TCP_DENIED/403 3423 GET http://krunker.io/ 21obrienk HIER_NONE/- text/html"]),
            FormatName::Squid
        );
        assert_eq!(
            detect(&[
                r#"127.0.0.23 - 21obrienk [17/Mar/2025:08:52:12 +0000] "GET http://krunker.io/ HTTP/1.1" 403 3423 TCP_DENIED:HIER_NONE"#
            ]),
            FormatName::SquidCommon
        );
        assert_eq!(
            detect(&[
                r#"127.0.0.23 - 21obrienk [17/Mar/2025:08:52:12 +0000] "GET http://krunker.io/ HTTP/1.1" 403 3423 "-" "Mozilla/5.0 (X)" TCP_DENIED:HIER_NONE"#
            ]),
            FormatName::SquidCombined
        );
        assert_eq!(
            detect(&["1742201532.449      0 127.0.0.23 TCP_DENIED/403 0 GET http://krunker.io 21obrienk DEFAULT_PARENT/127.0.0.1 -"]),
            FormatName::E2guardian(3)
        );
    }

    #[test]
    fn syslog_forwarded_files_are_read_in_the_format_inside() {
        let squid =
            "1792573201.504     12 10.1.2.3 TCP_DENIED/403 3500 GET http://x.example/ 09jbloggs HIER_NONE/- text/html";
        let e2g8 = "1792573201.504\t\t09jbloggs\t10.1.2.3\thttp://x.example/\tGET\t403\t0\ttext/html\t\t\t3\t\t500\t*DENIED* Banned site: x.example\t0\tGames\tPupils\t2\t\t8080:PH:ip:ipmap";
        let utm = r#"2026:10:19-10:05:01 utm1 httpproxy[6267]: id="0002" severity="info" sys="SecureWeb" sub="http" name="web request blocked" action="block" method="GET" srcip="10.20.1.5" dstip="1.2.3.4" user="22smithj" statuscode="403" size="2100" url="https://www.bet365.com/" ua="Mozilla/5.0" categoryname="Gambling" reason="category" profile="Pupils""#;
        for (line, format, device) in [
            (format!("Oct 21 10:05:01 proxy1 squid[812]: {squid}"), FormatName::Squid, Some("proxy1")),
            (format!("2026-10-21T10:05:01.123456+01:00 proxy1 squid[812]: {squid}"), FormatName::Squid, Some("proxy1")),
            (
                format!("<166>1 2026-10-21T09:05:01Z filter1 e2guardian 77 - - {e2g8}"),
                FormatName::E2guardian(8),
                Some("filter1"),
            ),
            (format!("<190>{utm}"), FormatName::SophosUtm, None),
        ] {
            let parser = choose(&[line.as_str(), line.as_str()], FormatChoice::Auto, &FormatHints::default()).unwrap();
            assert_eq!(parser.name(), format, "{line}");
            let record = parser.parse(&line).unwrap();
            assert_eq!(record.device.as_deref(), device, "{line}");
            assert_eq!(record.action, super::super::Action::Blocked, "{line}");
        }
        // A file whose lines have no header is read as it is.
        assert!(!matches!(choose(&[squid], FormatChoice::Auto, &FormatHints::default()).unwrap(), Parser::Syslog(_)));
    }

    #[test]
    fn unknown_text_is_an_error_quoting_the_line() {
        let err = choose(&["hello there"], FormatChoice::Auto, &FormatHints::default()).unwrap_err();
        assert!(err.contains("hello there"), "{err}");
    }
}
