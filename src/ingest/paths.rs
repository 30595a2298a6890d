//! Which files a run reads: paths and folders from the command line, or the profile's `logs`
//! globs, in logrotate order (oldest rotation first).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::{ConfigError, Profile};

/// Files as given, folders expanded to the files directly inside them, in rotation order.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && !is_hidden(p))
                .collect();
            sort_rotation_order(&mut inside);
            files.extend(inside);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// The profile's `logs` globs, expanded, in rotation order.
pub fn expand_globs(profile: &Profile) -> Result<Vec<PathBuf>> {
    if profile.logs.is_empty() {
        return Err(ConfigError("no log files given and the profile has no `logs` globs".into()).into());
    }
    let mut files = Vec::new();
    for pattern in &profile.logs {
        let absolute = if Path::new(pattern).is_absolute() {
            pattern.clone()
        } else {
            profile.base_dir.join(pattern).display().to_string()
        };
        let matches =
            glob::glob(&absolute).map_err(|e| ConfigError(format!("key `logs`: bad glob {pattern:?}: {e}")))?;
        files.extend(matches.filter_map(Result::ok).filter(|p| p.is_file()));
    }
    sort_rotation_order(&mut files);
    files.dedup();
    Ok(files)
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

#[cfg(test)]
mod tests {
    use super::*;

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
