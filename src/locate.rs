//! Finding an ingested content on disk again, for `evidence`. A finding's rows name their
//! content by its manifest id, not by a path: after a rotation the path holds other lines (maybe
//! another pupil's). The content is looked for where it was last read, under every earlier name,
//! and among their rotated siblings (`access.log.1`, `access.log.2.gz`, `access.log-20261021`),
//! and a candidate's lines are given out only when its first `size` bytes have the manifest's
//! SHA-256, and only lines inside those bytes.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::ingest::paths::rotation_base;
use crate::ingest::source::{hex, open_content, sha256_hex, HEAD_BYTES};
use crate::store::ManifestEntry;
use crate::stored_path;

/// Most rotated siblings looked at in one folder.
const MAX_SIBLINGS: usize = 1000;

/// A content's wanted lines, read from a file whose bytes were verified.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedLines {
    /// The file they were read from now.
    pub path: PathBuf,
    /// `(line number, text)` for each wanted line the content has, control bytes escaped.
    pub lines: Vec<(u64, String)>,
}

/// Reads the wanted lines (1-based, sorted) of a manifest content from the first file that
/// holds that very content; `None` when no file does any more.
pub fn read_verified(entry: &ManifestEntry, wanted: &[u64]) -> Option<VerifiedLines> {
    candidates(entry)
        .into_iter()
        .find_map(|path| read_if_same(&path, entry, wanted).map(|lines| VerifiedLines { path, lines }))
}

/// Where the content may be now: its last path, its earlier paths, then their rotated siblings.
fn candidates(entry: &ManifestEntry) -> Vec<PathBuf> {
    let named: Vec<PathBuf> =
        std::iter::once(&entry.path).chain(&entry.seen).filter_map(|p| stored_path::decode(p)).collect();
    let mut all = named.clone();
    for path in &named {
        all.extend(rotated_siblings(path));
    }
    let mut seen = std::collections::HashSet::new();
    all.retain(|p| seen.insert(p.clone()));
    all
}

/// Regular files beside `path` whose names start with its live name, sorted.
fn rotated_siblings(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return Vec::new() };
    let name = name.to_string_lossy();
    let base = rotation_base(&name);
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(base))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .take(MAX_SIBLINGS)
        .collect();
    found.sort();
    found
}

/// The wanted lines when the file's (decompressed) content starts with exactly the entry's
/// bytes; `None` otherwise. Only the entry's bytes are read.
fn read_if_same(path: &Path, entry: &ManifestEntry, wanted: &[u64]) -> Option<Vec<(u64, String)>> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    if entry.head_len > HEAD_BYTES as u64 || entry.head_len > entry.size {
        return None;
    }
    let mut stream = open_content(path).ok()?.take(entry.size);
    let mut head = vec![0; entry.head_len as usize];
    stream.read_exact(&mut head).ok()?;
    if sha256_hex(&head) != entry.head_sha256 {
        return None;
    }
    let mut hasher = Sha256::new();
    let mut picker = LinePicker::new(wanted);
    let mut total = head.len() as u64;
    hasher.update(&head);
    picker.feed(&head);
    let mut buffer = vec![0; 1 << 16];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buffer[..n]);
                picker.feed(&buffer[..n]);
                total += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    (total == entry.size && hex(&hasher.finalize()) == entry.sha256).then(|| picker.finish())
}

/// Collects the wanted lines from a stream of bytes fed in pieces.
struct LinePicker<'a> {
    wanted: std::iter::Peekable<std::slice::Iter<'a, u64>>,
    line: u64,
    current: Option<Vec<u8>>,
    found: Vec<(u64, String)>,
}

impl<'a> LinePicker<'a> {
    fn new(wanted: &'a [u64]) -> LinePicker<'a> {
        let mut picker = LinePicker { wanted: wanted.iter().peekable(), line: 1, current: None, found: Vec::new() };
        picker.start_line();
        picker
    }

    fn start_line(&mut self) {
        while self.wanted.peek().is_some_and(|&&w| w < self.line) {
            self.wanted.next();
        }
        self.current = self.wanted.peek().is_some_and(|&&w| w == self.line).then(Vec::new);
    }

    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let end = memchr::memchr(b'\n', bytes);
            let piece = &bytes[..end.unwrap_or(bytes.len())];
            if let Some(current) = &mut self.current {
                current.extend_from_slice(piece);
            }
            let Some(end) = end else { return };
            self.end_line();
            bytes = &bytes[end + 1..];
        }
    }

    fn end_line(&mut self) {
        if let Some(current) = self.current.take() {
            let text = current.strip_suffix(b"\r").unwrap_or(&current);
            self.found.push((self.line, crate::escape::bytes(text)));
        }
        self.line += 1;
        self.start_line();
    }

    fn finish(mut self) -> Vec<(u64, String)> {
        if self.current.as_ref().is_some_and(|c| !c.is_empty()) {
            self.end_line();
        }
        self.found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_picked_across_pieces() {
        let wanted = [2, 4, 9];
        let mut picker = LinePicker::new(&wanted);
        for piece in [&b"one\ntw"[..], b"o\r\nthree\nfo", b"ur"] {
            picker.feed(piece);
        }
        assert_eq!(picker.finish(), vec![(2, "two".to_string()), (4, "four".to_string())]);
    }
}
