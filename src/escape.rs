//! Log text made safe to show: every control character (newline, carriage return, escape, NUL…)
//! and every bidirectional override is written as a visible escape (`\n`, `\r`, `\t`, `\xNN`,
//! `\u{202e}`), and bytes that are not UTF-8 as `\xNN`. A username or search with an encoded
//! newline or terminal escape then cannot forge a line in a terminal, a cron mail or a CSV row.

use std::borrow::Cow;

/// The text with its unsafe characters escaped; borrowed unchanged when it has none.
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(text, &mut out);
    Cow::Owned(out)
}

/// Raw bytes (a log line) as safe text: invalid UTF-8 as `\xNN`, the rest as [`text`].
pub fn bytes(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for chunk in raw.utf8_chunks() {
        push_escaped(chunk.valid(), &mut out);
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_overrides_and_bad_bytes_become_visible() {
        assert_eq!(text("09jbloggs\nfilterwatch: all clear"), "09jbloggs\\nfilterwatch: all clear");
        assert_eq!(text("a\x1b[2Jb\r\t"), "a\\x1b[2Jb\\r\\t");
        assert_eq!(text("abc\u{202e}gpj.exe"), "abc\\u{202e}gpj.exe");
        assert!(matches!(text("plain café"), Cow::Borrowed(_)));
        assert_eq!(bytes(b"a\tb\x00c\xff"), "a\\tb\\x00c\\xff");
    }
}
