//! Usernames as people know them: lower-cased, with the Windows domain (`SCHOOL\jsmith`) and the
//! Kerberos/UPN realm (`jsmith@school.local`) removed, and `-` meaning nobody.

use std::borrow::Cow;

/// Normalises a logged username; `None` for `-`, blank or a realm with no name.
pub fn normalise_user(raw: &str) -> Option<String> {
    normalise_user_cow(raw).map(Cow::into_owned)
}

/// As [`normalise_user`], borrowing when the name is already in normal form (the usual case).
pub fn normalise_user_cow(raw: &str) -> Option<Cow<'_, str>> {
    let raw = raw.trim();
    let decoded: Cow<'_, str> = if raw.contains('%') { percent_decode(raw) } else { Cow::Borrowed(raw) };
    let name = match decoded.rfind('\\') {
        Some(at) => &decoded[at + 1..],
        None => &decoded[..],
    };
    let name = name.split('@').next().unwrap_or("").trim();
    if name.is_empty() || name == "-" {
        return None;
    }
    let needs_change = name.len() != decoded.len() || name.bytes().any(|b| b.is_ascii_uppercase()) || !name.is_ascii();
    if !needs_change {
        return Some(decoded);
    }
    Some(Cow::Owned(name.to_lowercase()))
}

/// Decodes `%5C`-style escapes (Squid escapes `\` and `@` in user names).
fn percent_decode(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_domain_realm_and_case() {
        assert_eq!(normalise_user("SCHOOL\\JSmith").as_deref(), Some("jsmith"));
        assert_eq!(normalise_user("jsmith@SCHOOL.LOCAL").as_deref(), Some("jsmith"));
        assert_eq!(normalise_user("SCHOOL%5cjsmith").as_deref(), Some("jsmith"));
        assert_eq!(normalise_user("19smithj").as_deref(), Some("19smithj"));
        assert_eq!(normalise_user("-"), None);
        assert_eq!(normalise_user(""), None);
        assert_eq!(normalise_user("@realm"), None);
        assert_eq!(normalise_user("%"), Some("%".to_string()));
    }
}
