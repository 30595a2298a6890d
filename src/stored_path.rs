//! File paths as the manifest stores them: canonical (absolute, links resolved) and lossless.
//! A path that is valid UTF-8 is stored as itself; any other (a Unix file name may be any bytes)
//! is stored as `hex:` and its bytes in hex, so it can be opened again exactly.

use std::path::{Path, PathBuf};

const HEX_PREFIX: &str = "hex:";

/// The absolute path with links resolved; for a path that does not exist (yet, or any more),
/// its nearest existing folder resolved and the rest appended.
pub fn canonical(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(resolved) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(resolved, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Whether `inner` is `outer` or inside it, once both are canonical.
pub fn is_within(inner: &Path, outer: &Path) -> bool {
    canonical(inner).starts_with(canonical(outer))
}

/// The stored text of a path.
pub fn encode(path: &Path) -> String {
    match path.to_str() {
        Some(text) if !text.starts_with(HEX_PREFIX) => text.to_string(),
        _ => format!("{HEX_PREFIX}{}", bytes_of(path).iter().map(|b| format!("{b:02x}")).collect::<String>()),
    }
}

/// The path a stored text names; `None` for a damaged `hex:` text.
pub fn decode(text: &str) -> Option<PathBuf> {
    let Some(hex) = text.strip_prefix(HEX_PREFIX) else { return Some(PathBuf::from(text)) };
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect();
    bytes.map(path_from_bytes)
}

#[cfg(unix)]
fn bytes_of(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn bytes_of(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_paths_are_kept_as_text_and_others_round_trip_as_hex() {
        assert_eq!(encode(Path::new("/var/log/squid/access.log")), "/var/log/squid/access.log");
        assert_eq!(decode("/var/log/squid/access.log"), Some(PathBuf::from("/var/log/squid/access.log")));
        let tricky = Path::new("hex:not-really");
        assert_eq!(decode(&encode(tricky)).as_deref(), Some(tricky));
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let latin1 = Path::new(std::ffi::OsStr::from_bytes(b"/logs/caf\xe9.log"));
            let stored = encode(latin1);
            assert!(stored.starts_with("hex:"), "{stored}");
            assert_eq!(decode(&stored).as_deref(), Some(latin1));
        }
        assert_eq!(decode("hex:zz"), None);
    }
}
