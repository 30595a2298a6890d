//! What a long-running follower (`watch`) remembers between its ingest runs, so a batch costs
//! what it reads: for each plain file read to its end, where reading stopped and the hash state
//! there. Without it every run would hash a growing `access.log` from its first byte to prove
//! it is the content the manifest knows. A remembered position is used only for the same file
//! (device and inode), at least as long as it was, starting with the same bytes, whose manifest
//! entry still ends where reading stopped; anything else (rotation, copytruncate) is recognised
//! the usual way, by content.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::source::Sha256;

/// A file written to within this long may still be being written: a follower leaves its
/// unterminated last line for the next run (the writer may be half-way through it), and no
/// ingest trusts its stamp ([`crate::store::DiskStamp`]).
pub const SETTLE: Duration = Duration::from_secs(60);

/// Where reading stopped in each followed file.
#[derive(Default)]
pub struct FollowCache {
    files: HashMap<(u64, u64), Position>,
}

impl std::fmt::Debug for FollowCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FollowCache({} files)", self.files.len())
    }
}

/// One file's reading position.
#[derive(Clone)]
pub struct Position {
    /// Bytes read (and in the manifest).
    pub size: u64,
    /// The next line's number.
    pub next_line: u64,
    /// SHA-256 state after `size` bytes.
    pub hashed: Sha256,
    /// The manifest's SHA-256 of those bytes.
    pub sha256: String,
    /// The file's first bytes when it was read.
    pub head: Vec<u8>,
}

/// A file's identity on its file system, and its length.
pub fn identity(path: &Path) -> Option<((u64, u64), u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some(((meta.dev(), meta.ino()), meta.len()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Whether a file was written to within [`SETTLE`].
pub fn recently_written(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| SystemTime::now().duration_since(t).unwrap_or_default() < SETTLE)
}

impl FollowCache {
    /// The remembered position in the file at `path`, when it is still the same file, no
    /// shorter, and starts with `head`.
    pub fn position(&self, path: &Path, head: &[u8]) -> Option<Position> {
        let (id, len) = identity(path)?;
        let known = self.files.get(&id)?;
        (len >= known.size && head.starts_with(&known.head[..known.head.len().min(head.len())])).then(|| known.clone())
    }

    /// Remembers where reading `path` stopped.
    pub fn remember(&mut self, path: &Path, position: Position) {
        if let Some((id, _)) = identity(path) {
            self.files.insert(id, position);
        }
    }
}
