//! Lines that went through syslog on their way to the file: a central rsyslog or syslog-ng
//! server puts a header before each message. The header is peeled off and the message is read
//! in its own format; the sending host is kept as the device when the message names none. The
//! message's own time always wins: an RFC 3164 stamp has no year and is often the relay's.
//!
//! At most one header is peeled, in this order (docs/research/issue11-formats.md §3.4): an
//! RFC 6587 octet count, `<PRI>`, then an RFC 5424 header, an RFC 3339 stamp (rsyslog's file
//! format), or an RFC 3164 stamp with an optional host and `tag[pid]:`.

/// A message with the host its syslog header named (if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framed<'a> {
    /// The sending host, when the header had one.
    pub host: Option<&'a str>,
    /// The message after the header.
    pub message: &'a str,
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The message inside a syslog-framed line; `None` when the line has no syslog header at all.
pub fn unframe(line: &str) -> Option<Framed<'_>> {
    let mut rest = line;
    let mut framed = false;
    if let Some((count, after)) = rest.split_once(' ') {
        if !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()) && after.starts_with('<') {
            rest = after;
        }
    }
    if let Some(after) = strip_pri(rest) {
        rest = after;
        framed = true;
        if let Some(message) = rfc5424(rest) {
            return Some(message);
        }
    }
    if let Some(message) = rfc3339_stamp(rest).or_else(|| bsd_stamp(rest)) {
        return Some(message);
    }
    framed.then_some(Framed { host: None, message: rest })
}

/// `<PRI>` (1–3 digits, at most 191) removed.
fn strip_pri(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('<')?;
    let (digits, rest) = inner.split_once('>')?;
    let ok = (1..=3).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    (ok && digits.parse::<u16>().ok()? <= 191).then_some(rest)
}

/// `1 TIMESTAMP HOST APP PROCID MSGID SD [MSG]` after the PRI.
fn rfc5424(rest: &str) -> Option<Framed<'_>> {
    let rest = rest.strip_prefix("1 ")?;
    let mut fields = rest.splitn(6, ' ');
    let (stamp, host, _app, _procid, _msgid) =
        (fields.next()?, fields.next()?, fields.next()?, fields.next()?, fields.next()?);
    if stamp != "-" && !is_rfc3339(stamp) {
        return None;
    }
    let after = fields.next().unwrap_or("");
    let message = skip_structured_data(after)?;
    let message = message.strip_prefix('\u{feff}').unwrap_or(message);
    Some(Framed { host: (host != "-").then_some(host), message })
}

/// What follows RFC 5424 structured data (`-` or `[id k="v" …]…`), with its separator space(s).
fn skip_structured_data(text: &str) -> Option<&str> {
    if let Some(rest) = text.strip_prefix('-') {
        return Some(rest.trim_start_matches(' '));
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while bytes.get(i) == Some(&b'[') {
        let mut quoted = false;
        i += 1;
        loop {
            match *bytes.get(i)? {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                b']' if !quoted => break,
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
    (i > 0).then(|| text[i..].trim_start_matches(' '))
}

/// `2026-10-21T10:05:01.123456+01:00 HOST [tag:] message` (rsyslog's default file format).
fn rfc3339_stamp(rest: &str) -> Option<Framed<'_>> {
    let (stamp, after) = rest.split_once(' ')?;
    is_rfc3339(stamp).then(|| host_and_tag(after))
}

fn is_rfc3339(stamp: &str) -> bool {
    let b = stamp.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && (stamp.ends_with('Z') || matches!(b[b.len() - 6], b'+' | b'-'))
        && chrono::DateTime::parse_from_rfc3339(stamp).is_ok()
}

/// `Oct 21 10:05:01 [HOST] [tag[pid]:] message` (RFC 3164; a day below 10 is space-padded).
fn bsd_stamp(rest: &str) -> Option<Framed<'_>> {
    let month = rest.get(..3)?;
    let b = rest.as_bytes();
    let day_ok = b.get(3) == Some(&b' ')
        && matches!(b.get(4), Some(b' ' | b'0'..=b'3'))
        && b.get(5).is_some_and(u8::is_ascii_digit)
        && b.get(6) == Some(&b' ');
    let time = rest.get(7..15)?;
    let time_ok =
        time.as_bytes().iter().enumerate().all(|(i, c)| if i == 2 || i == 5 { *c == b':' } else { c.is_ascii_digit() });
    if !MONTHS.contains(&month) || !day_ok || !time_ok || b.get(15) != Some(&b' ') {
        return None;
    }
    Some(host_and_tag(&rest[16..]))
}

/// After a stamp: an optional host, then an optional `tag:`/`tag[pid]:`. A first word that is
/// not a host name (`date=…`, `device_name="SFW"`) is the message itself.
fn host_and_tag(text: &str) -> Framed<'_> {
    let (first, after_first) = text.split_once(' ').unwrap_or((text, ""));
    if is_tag(first) {
        return Framed { host: None, message: after_first };
    }
    if !crate::enrich::url::is_host_name(first) {
        return Framed { host: None, message: text };
    }
    let (second, after_second) = after_first.split_once(' ').unwrap_or((after_first, ""));
    let message = if is_tag(second) { after_second } else { after_first };
    Framed { host: Some(first), message }
}

/// `squid[812]:`, `(squid-1)[812]:`, `e2guardian:`: a program name (and pid) ending in `:`.
fn is_tag(word: &str) -> bool {
    let Some(name) = word.strip_suffix(':') else { return false };
    let name = match name.split_once('[') {
        Some((program, pid)) => match pid.strip_suffix(']') {
            Some(pid) if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) => program,
            _ => return false,
        },
        None => name,
    };
    !name.is_empty()
        && name.len() <= 48
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b'(' | b')'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUID: &str =
        "1792573201.504     12 10.1.2.3 TCP_DENIED/403 3500 GET http://x.example/ 09jbloggs HIER_NONE/- text/html";

    #[test]
    fn every_header_shape_gives_the_message_and_the_sender() {
        let cases = [
            format!("Oct 21 10:05:01 proxy1 squid[812]: {SQUID}"),
            format!("Oct  1 10:05:01 proxy1 (squid-1)[812]: {SQUID}"),
            format!("<166>Oct 21 10:05:01 proxy1 squid[812]: {SQUID}"),
            format!("2026-10-21T10:05:01.123456+01:00 proxy1 squid[812]: {SQUID}"),
            format!("<166>1 2026-10-21T10:05:01.123456+01:00 proxy1 squid 812 - - {SQUID}"),
            format!(
                "<166>1 2026-10-21T09:05:01Z proxy1 squid 812 ID47 [origin ip=\"10.0.0.1\" note=\"a ] b\"] {SQUID}"
            ),
            format!("1028 <166>1 2026-10-21T09:05:01Z proxy1 squid 812 - -  {SQUID}"),
        ];
        for line in &cases {
            assert_eq!(unframe(line), Some(Framed { host: Some("proxy1"), message: SQUID }), "{line}");
        }
    }

    #[test]
    fn header_less_senders_and_plain_lines() {
        let forti = "date=2026-10-19 time=10:05:01 devname=\"fw1\" type=\"utm\"";
        assert_eq!(unframe(&format!("<189>{forti}")), Some(Framed { host: None, message: forti }));
        assert_eq!(
            unframe(&format!("Dec 23 11:13:03 10.0.0.9 {forti}")),
            Some(Framed { host: Some("10.0.0.9"), message: forti })
        );
        assert_eq!(unframe(&format!("Dec 23 11:13:03 {forti}")), Some(Framed { host: None, message: forti }));
        assert_eq!(unframe("Jan 11 22:33:44 su: pam_unix"), Some(Framed { host: None, message: "pam_unix" }));
        assert_eq!(unframe(SQUID), None);
        assert_eq!(unframe("2025.03.17 08:52:15 21obrienk 127.0.0.23 http://x *DENIED*"), None);
        assert_eq!(unframe("<999>nope"), None);
    }
}
