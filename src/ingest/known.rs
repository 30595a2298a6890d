//! Which manifest entries a file's content may continue, found without hashing every entry's
//! head for every file (which made a night of thousands of small cloud exports quadratic).
//!
//! An entry is keyed by its school, head length and head hash. A file can only continue an
//! entry whose head is a prefix of its own head, and an entry's head is either the first 4 KiB
//! or the whole of a smaller content. So for a file's head we hash only the prefixes some entry
//! could have: the whole head, and each whole-line prefix whose length some entry has (a small
//! log that grew since). One incremental hash pass covers them all. Entries last read from the
//! same path are always candidates, whatever their length (a small file cut mid-line).

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::source::{hex, sha256_hex};
use crate::store::{DiskStamp, Manifest, ManifestEntry};

/// Manifest entries indexed by school, head length and head hash, by path, by the stamp of the
/// file each was last read from in full, and their ids.
#[derive(Debug, Default)]
pub struct KnownContents {
    by_head: HashMap<(String, u64, String), Vec<usize>>,
    head_lengths: HashSet<u64>,
    by_path: HashMap<(String, String), Vec<usize>>,
    by_disk: HashMap<(String, DiskStamp), usize>,
    ids: HashSet<(String, String)>,
}

impl KnownContents {
    /// The index of every entry in the manifest.
    pub fn new(manifest: &Manifest) -> KnownContents {
        let mut known = KnownContents::default();
        for (i, entry) in manifest.files.iter().enumerate() {
            known.add(i, entry);
        }
        known
    }

    /// Indexes entry `i` (new, or changed by a run that read more of it).
    pub fn add(&mut self, i: usize, entry: &ManifestEntry) {
        let head_key = (entry.school.clone(), entry.head_len, entry.head_sha256.clone());
        push_unique(self.by_head.entry(head_key).or_default(), i);
        self.head_lengths.insert(entry.head_len);
        push_unique(self.by_path.entry((entry.school.clone(), entry.path.clone())).or_default(), i);
        if let Some(disk) = entry.disk {
            // An earlier stamp of the entry stays: a file that still has it still holds the content.
            self.by_disk.insert((entry.school.clone(), disk), i);
        }
        self.ids.insert((entry.school.clone(), entry.id.clone()));
    }

    /// The entry of `school` whose whole content a file with this stamp and first bytes `head`
    /// holds: read before, to its end, and unchanged since. The head is checked too, so a new
    /// file that a reused inode, the same length and a fixed modification time (an archive
    /// unpacked with its stored times) make look the same is read.
    pub fn read_in_full(&self, manifest: &Manifest, school: &str, disk: DiskStamp, head: &[u8]) -> Option<usize> {
        self.by_disk.get(&(school.to_string(), disk)).copied().filter(|&i| head_matches(&manifest.files[i], head))
    }

    /// A content id for a new content of `school` with this head hash, unique in the manifest.
    pub fn new_content_id(&self, school: &str, head_sha256: &str) -> String {
        Manifest::new_content_id(head_sha256, |id| self.ids.contains(&(school.to_string(), id.to_string())))
    }

    /// Entries of `school` whose head is a prefix of `head` (the file's first bytes, stored
    /// path `path`), biggest content first: the ones this content may continue.
    pub fn candidates(&self, manifest: &Manifest, school: &str, path: &str, head: &[u8]) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        let mut hasher = Sha256::new();
        let mut hashed = 0;
        let line_ends = memchr::memchr_iter(b'\n', head).map(|i| i + 1);
        for len in line_ends.chain(std::iter::once(head.len())) {
            if len <= hashed || !self.head_lengths.contains(&(len as u64)) {
                continue;
            }
            hasher.update(&head[hashed..len]);
            hashed = len;
            let key = (school.to_string(), len as u64, hex(&hasher.clone().finalize()));
            found.extend(self.by_head.get(&key).into_iter().flatten());
        }
        let same_path = self.by_path.get(&(school.to_string(), path.to_string())).into_iter().flatten();
        found.extend(same_path.filter(|&&i| head_matches(&manifest.files[i], head)));
        found.sort_unstable();
        found.dedup();
        found.sort_by_key(|&i| std::cmp::Reverse(manifest.files[i].size));
        found
    }
}

/// Whether the entry's head is a prefix of `head`.
fn head_matches(entry: &ManifestEntry, head: &[u8]) -> bool {
    let len = entry.head_len as usize;
    len <= head.len() && sha256_hex(&head[..len]) == entry.head_sha256
}

fn push_unique(list: &mut Vec<usize>, i: usize) {
    if !list.contains(&i) {
        list.push(i);
    }
}
