//! Which files a run reads: paths and folders from the command line, or the profile's `logs`
//! globs, in logrotate order (oldest rotation first). Only regular files are read: a FIFO,
//! device or socket is skipped with a message (it would hang or never end), and so is a link
//! that leads out of the folder being read unless the profile sets `follow_links` (a planted
//! link would otherwise copy another file into the rejects). Glob walks never follow linked
//! folders and stop with an error past [`MAX_WALK_ENTRIES`], so a link loop cannot hang a run.

use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::config::{ConfigError, Profile};
use crate::stored_path;

/// Most folder entries one glob may walk.
pub const MAX_WALK_ENTRIES: usize = 200_000;
/// Deepest a `**` glob descends below its literal start.
const MAX_WALK_DEPTH: usize = 16;

/// The files a run reads, and the ones it passed over with why.
#[derive(Debug, Default)]
pub struct Selection {
    /// Files to read, in rotation order.
    pub files: Vec<PathBuf>,
    /// Paths not read, each with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

impl Selection {
    fn admit(&mut self, path: PathBuf, folder: &Path, follow_links: bool) {
        match admissible(&path, folder, follow_links) {
            Ok(()) => self.files.push(path),
            Err(why) => self.skipped.push((path, why)),
        }
    }
}

/// Files as given, folders expanded to the files directly inside them, in rotation order. A
/// path given by name that is not a regular file or folder is an error.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Selection> {
    let mut selection = Selection::default();
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))?
                .filter_map(|e| e.ok())
                .filter(|e| !e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .filter(|p| !is_hidden(p))
                .collect();
            sort_rotation_order(&mut inside);
            for file in inside {
                selection.admit(file, path, false);
            }
        } else if meta.is_file() {
            selection.files.push(path.clone());
        } else {
            bail!("{} is not a regular file or a folder (a FIFO, device or socket is never read)", path.display());
        }
    }
    Ok(selection)
}

/// The profile's `logs` globs, expanded, in rotation order.
pub fn expand_globs(profile: &Profile) -> Result<Selection> {
    if profile.logs.is_empty() {
        return Err(ConfigError("no log files given and the profile has no `logs` globs".into()).into());
    }
    let mut selection = Selection::default();
    for pattern in &profile.logs {
        let absolute =
            if Path::new(pattern).is_absolute() { PathBuf::from(pattern) } else { profile.base_dir.join(pattern) };
        let glob_error = |why: String| ConfigError(format!("key `logs`: glob {pattern:?} {why}"));
        let matcher =
            glob::Pattern::new(&absolute.to_string_lossy()).map_err(|e| glob_error(format!("is bad: {e}")))?;
        let (start, depth) = literal_start(&absolute);
        let matched = walk(&start, depth, &matcher).map_err(glob_error)?;
        if matched.is_empty() {
            selection.skipped.push((absolute.clone(), "no file matches this `logs` glob".to_string()));
        }
        for file in matched {
            selection.admit(file, &start, profile.follow_links);
        }
    }
    sort_rotation_order(&mut selection.files);
    selection.files.dedup();
    Ok(selection)
}

/// The folder a glob starts in (its components before the first wildcard) and how deep below
/// it matches can be.
fn literal_start(pattern: &Path) -> (PathBuf, usize) {
    let components: Vec<Component> = pattern.components().collect();
    let wild = |c: &Component| c.as_os_str().to_string_lossy().contains(['*', '?', '[']);
    let first_wild = components.iter().position(wild).unwrap_or(components.len().saturating_sub(1));
    let start: PathBuf = components[..first_wild].iter().collect();
    let rest = &components[first_wild..];
    let depth = if rest.iter().any(|c| c.as_os_str() == "**") { MAX_WALK_DEPTH } else { rest.len() };
    (start, depth)
}

/// Non-folder entries up to `depth` levels below `start` that match, without following linked
/// folders; an error past [`MAX_WALK_ENTRIES`].
fn walk(start: &Path, depth: usize, matcher: &glob::Pattern) -> std::result::Result<Vec<PathBuf>, String> {
    let options =
        glob::MatchOptions { case_sensitive: true, require_literal_separator: true, require_literal_leading_dot: true };
    let mut found = Vec::new();
    let mut visited = 0usize;
    let mut pending = vec![(start.to_path_buf(), 0usize)];
    while let Some((dir, level)) = pending.pop() {
        // A relative glob with no folder part starts in the current folder; its matches stay
        // relative (`access.log`, not `./access.log`), as the pattern is.
        let listed = if dir.as_os_str().is_empty() { Path::new(".") } else { dir.as_path() };
        let Ok(entries) = std::fs::read_dir(listed) else { continue };
        for entry in entries.filter_map(|e| e.ok()) {
            visited += 1;
            if visited > MAX_WALK_ENTRIES {
                return Err(format!("walks more than {MAX_WALK_ENTRIES} entries under {}; narrow it", start.display()));
            }
            let path = dir.join(entry.file_name());
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                if level + 1 < depth {
                    pending.push((path, level + 1));
                }
            } else if matcher.matches_path_with(&path, options) {
                found.push(path);
            }
        }
    }
    Ok(found)
}

/// Why a file found in `folder` is not read, if it is not: not a regular file, or a link that
/// leads out of `folder` when links are not followed.
fn admissible(path: &Path, folder: &Path, follow_links: bool) -> std::result::Result<(), String> {
    let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
    let link = std::fs::symlink_metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if link.file_type().is_symlink() && !follow_links {
        let target = stored_path::canonical(path);
        if !target.starts_with(stored_path::canonical(folder)) {
            return Err(format!(
                "a link to {} outside {}; not followed (set `follow_links = true` in the profile to read it)",
                target.display(),
                folder.display()
            ));
        }
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file (a FIFO, device or socket is never read)".to_string());
    }
    Ok(())
}

fn is_hidden(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// Oldest first: logrotate's `access.log.3.gz` before `access.log.2.gz` before `access.log.1`
/// before `access.log`; otherwise by name.
fn sort_rotation_order(paths: &mut [PathBuf]) {
    let rotation = |p: &PathBuf| {
        let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let name = name.strip_suffix(".gz").unwrap_or(&name).to_string();
        let number = name.rsplit_once('.').and_then(|(_, n)| n.parse::<u32>().ok()).unwrap_or(0);
        (std::cmp::Reverse(number), p.clone())
    };
    paths.sort_by_key(rotation);
}

/// The live name a rotated log file came from: `access.log` for `access.log.1`,
/// `access.log.2.gz`, `access.log-20261021` and `access.log-20261021.gz`.
pub fn rotation_base(name: &str) -> &str {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    let numbered = |sep: char| {
        name.rsplit_once(sep)
            .filter(|(base, n)| !base.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    numbered('.').or_else(|| numbered('-')).map_or(name, |(base, _)| base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_names_lead_back_to_the_live_name() {
        for rotated in
            ["access.log", "access.log.1", "access.log.2.gz", "access.log-20261021", "access.log-20261021.gz"]
        {
            assert_eq!(rotation_base(rotated), "access.log", "{rotated}");
        }
        assert_eq!(rotation_base("2026-10-21.csv"), "2026-10-21.csv");
    }

    #[test]
    fn rotated_files_sort_oldest_first() {
        let mut paths: Vec<PathBuf> =
            ["access.log", "access.log.1", "access.log.10.gz", "access.log.2.gz"].map(PathBuf::from).to_vec();
        sort_rotation_order(&mut paths);
        assert_eq!(
            paths,
            ["access.log.10.gz", "access.log.2.gz", "access.log.1", "access.log"].map(PathBuf::from).to_vec()
        );
    }
}
