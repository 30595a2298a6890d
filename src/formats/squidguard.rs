//! squidGuard's log (`squidGuard.log` and per-destination logs). squidGuard writes a line per
//! redirected request, `YYYY-MM-DD HH:MM:SS [pid] Request(source/target/rewrite) URL
//! client/fqdn ident method ACTION`, in local time; older builds leave out ACTION, and then every
//! logged request was a redirect (a block). Start-up and list-loading messages are not requests
//! and are skipped, not rejected.

use std::borrow::Cow;

use chrono::NaiveDateTime;

use super::registry::Format;
use super::{dash_none, fail, Action, FormatName, LogTime, ParseError, Record};

/// squidGuard redirect log (squidGuard.log).
pub const FORMAT: Format =
    Format::fixed(FormatName::Squidguard, "squidguard", "squidGuard redirect log (squidGuard.log)", parse);

/// Parses one squidGuard log line.
pub fn parse(line: &str) -> Result<Record<'_>, ParseError> {
    let (stamp, rest) = (line.get(..19), line.get(19..));
    let (Some(stamp), Some(rest)) = (stamp, rest) else {
        return fail("too short for a squidGuard line");
    };
    let time = NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S")
        .map_err(|_| ParseError::new(format!("bad squidGuard time: {stamp:?}")))?;
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(after) => after.split_once("] ").map(|(_, r)| r).unwrap_or(after),
        None => rest,
    };
    let Some(request) = rest.strip_prefix("Request(") else {
        return Err(ParseError::skip("squidGuard message, not a request"));
    };
    let (classes, rest) = request.split_once(") ").ok_or_else(|| ParseError::new("unclosed Request(…)"))?;
    let mut class = classes.splitn(3, '/');
    let source = class.next().unwrap_or("");
    let target = class.next().unwrap_or("");
    let fields: Vec<&str> = rest.split(' ').filter(|f| !f.is_empty()).collect();
    if !(4..=5).contains(&fields.len()) {
        return fail(format!("expected URL, client, ident, method [action]; found {} fields", fields.len()));
    }
    let (url, client, ident, method) = (fields[0], fields[1], fields[2], fields[3]);
    let action = match fields.get(4).copied() {
        Some("PASS") | Some("REWRITE") => Action::Allowed,
        Some("REDIRECT") | Some("DENY") | None => Action::Blocked,
        Some(other) => return fail(format!("unknown squidGuard action {other:?}")),
    };
    let (client_ip, fqdn) = client.split_once('/').unwrap_or((client, "-"));
    let mut record = Record::new(LogTime::Local(time), client_ip, method, url);
    record.device = dash_none(fqdn).map(Cow::Borrowed);
    record.user = dash_none(ident).map(Cow::Borrowed);
    record.action = action;
    record.category = dash_none(target).filter(|t| !matches!(*t, "none" | "unknown" | "in-addr")).map(Cow::Borrowed);
    record.filter_group = dash_none(source).map(Cow::Borrowed);
    record.reason = (action == Action::Blocked)
        .then(|| Cow::Owned(format!("squidGuard {}: {}", fields.get(4).unwrap_or(&"REDIRECT"), target)));
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_line() {
        let r = parse("2026-10-19 10:01:54 [2873] Request(pupils/adult/-) http://www.pornhub.com/ 10.20.1.5/- 22smithj GET REDIRECT").unwrap();
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.category.as_deref(), Some("adult"));
        assert_eq!(r.filter_group.as_deref(), Some("pupils"));
        assert_eq!(r.user.as_deref(), Some("22smithj"));
        assert_eq!(r.client_ip, "10.20.1.5");
        assert_eq!(
            r.time,
            LogTime::Local(NaiveDateTime::parse_from_str("2026-10-19 10:01:54", "%Y-%m-%d %H:%M:%S").unwrap())
        );
    }

    #[test]
    fn old_lines_without_action_are_blocks_and_messages_are_skipped() {
        let r = parse("2007-01-17 12:27:06 [12345] Request(default/porn/-) http://www.example.com/ 10.0.0.1/pc1.school.local - GET").unwrap();
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.device.as_deref(), Some("pc1.school.local"));
        let e = parse("2007-01-17 12:27:00 [12345] squidGuard 1.4 started (1168993620.123)").unwrap_err();
        assert!(e.skip);
        let e = parse("2007-01-17 12:27:06 [12345] Request(default/porn/-) http://x/").unwrap_err();
        assert!(!e.skip);
    }
}
