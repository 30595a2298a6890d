//! The raw lines behind each incident, copied by `nightly` into
//! `DATA/incidents/<school>/evidence/<id>.txt` (`file:line: text`, as `evidence` prints them)
//! while the logs are still on disk, so an incident keeps its evidence after retention removes
//! its events and logrotate its files. Each content is read once for all the incidents that
//! need it, and only from a file whose bytes match the manifest ([`crate::locate`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::detect::summary::Summary;
use crate::locate::read_verified;
use crate::private_fs::write_atomically;
use crate::store::read_manifest;

/// Where an incident's kept lines are.
pub fn path(data: &Path, school: &str, id: &str) -> PathBuf {
    data.join("incidents").join(school).join("evidence").join(format!("{id}.txt"))
}

/// Copies the evidence of every finding that has none kept yet; returns how many were kept.
pub fn keep(data: &Path, school: &str, findings: &[Summary]) -> Result<usize> {
    let needed: Vec<&Summary> = findings.iter().filter(|f| !path(data, school, &f.id).exists()).collect();
    if needed.is_empty() {
        return Ok(0);
    }
    let manifest = read_manifest(data)?;
    let mut wanted: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for e in needed.iter().flat_map(|f| &f.evidence) {
        if let Some(content) = &e.content {
            wanted.entry(content).or_default().push(e.line);
        }
    }
    let mut lines: BTreeMap<(&str, u64), String> = BTreeMap::new();
    for (content, mut numbers) in wanted {
        numbers.sort_unstable();
        numbers.dedup();
        let Some(found) = manifest.content(school, content).and_then(|entry| read_verified(entry, &numbers)) else {
            continue;
        };
        let shown = crate::escape::text(&found.path.display().to_string()).into_owned();
        for (number, text) in found.lines {
            lines.insert((content, number), format!("{shown}:{number}: {text}"));
        }
    }
    for finding in &needed {
        let mut text = String::new();
        let mut missing = 0;
        for e in &finding.evidence {
            match e.content.as_deref().and_then(|c| lines.get(&(c, e.line))) {
                Some(line) => {
                    text.push_str(line);
                    text.push('\n');
                }
                None => missing += 1,
            }
        }
        if missing > 0 {
            text.push_str(&format!("# {missing} of {} lines were no longer on disk\n", finding.evidence.len()));
        }
        let file = path(data, school, &finding.id);
        std::fs::create_dir_all(file.parent().expect("evidence folder"))
            .with_context(|| format!("cannot create {}", file.display()))?;
        write_atomically(&file, text.as_bytes())?;
    }
    Ok(needed.len())
}
