//! `key=value` logs (FortiGate, Sophos UTM and XG): the pairs of a line, with double-quoted
//! values that may hold spaces, after whatever syslog prefix comes first.

use std::borrow::Cow;

/// The pairs of a line, in order. A value is `"quoted"` (with `\"` escapes) or runs to the next
/// space; text that is not `key=value` (a syslog prefix) is passed over.
pub fn pairs(line: &str) -> Vec<(&str, Cow<'_, str>)> {
    let bytes = line.as_bytes();
    let mut out = Vec::with_capacity(48);
    // A syslog priority (`<188>`) is glued to the first key.
    let mut i = match line.strip_prefix('<').and_then(|rest| rest.find('>')) {
        Some(close) if close <= 4 => close + 2,
        _ => 0,
    };
    while i < bytes.len() {
        // A key starts after a space (or the line start) and runs to '='.
        let key_start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-' | b'.')) {
            i += 1;
        }
        if i == key_start || i >= bytes.len() || bytes[i] != b'=' {
            // Not a pair: skip to the next space.
            while i < bytes.len() && bytes[i] != b' ' {
                i += 1;
            }
            i += 1;
            continue;
        }
        let key = &line[key_start..i];
        i += 1;
        let value = if bytes.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut end = start;
            let mut escaped = false;
            while end < bytes.len() && (bytes[end] != b'"' || escaped) {
                escaped = bytes[end] == b'\\' && !escaped;
                end += 1;
            }
            i = end + 1;
            let raw = &line[start..end.min(line.len())];
            if raw.contains("\\\"") {
                Cow::Owned(raw.replace("\\\"", "\""))
            } else {
                Cow::Borrowed(raw)
            }
        } else {
            let start = i;
            while i < bytes.len() && bytes[i] != b' ' {
                i += 1;
            }
            Cow::Borrowed(&line[start..i])
        };
        out.push((key, value));
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
    }
    out
}

/// Looks up keys in a line's pairs.
pub struct Pairs<'a>(pub Vec<(&'a str, Cow<'a, str>)>);

impl<'a> Pairs<'a> {
    /// Parses a line.
    pub fn of(line: &'a str) -> Pairs<'a> {
        Pairs(pairs(line))
    }

    /// The value of `key`, `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_ref()).filter(|v| !v.is_empty())
    }

    /// The value of `key`, owned for a record, `None` when absent, empty or `-`.
    pub fn take(&self, key: &str) -> Option<Cow<'a, str>> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).filter(|v| !v.is_empty() && v != "-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_keep_spaces_and_prefixes_are_skipped() {
        let p = Pairs::of(
            r#"<188>date=2020-04-23 time=12:17:48 devname="test switch" msg="say \"hi\"" cat=76 empty= last="x""#,
        );
        assert_eq!(p.get("date"), Some("2020-04-23"));
        assert_eq!(p.get("devname"), Some("test switch"));
        assert_eq!(p.get("msg"), Some("say \"hi\""));
        assert_eq!(p.get("cat"), Some("76"));
        assert_eq!(p.get("empty"), None);
        assert_eq!(p.get("last"), Some("x"));
        let p = Pairs::of("2023:03:08-15:00:00 vm1 httpproxy[6267]: id=\"0001\" action=\"pass\"");
        assert_eq!(p.get("id"), Some("0001"));
        assert_eq!(p.get("action"), Some("pass"));
    }
}
