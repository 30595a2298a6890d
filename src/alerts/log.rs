//! `DATA/alerts/<school>.log`: what happened to every alert, one JSON object per line, only ever
//! appended (queued, held for a digest, sent, a failed attempt), so a DSL or an inspector can see
//! when the school was told of each incident.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One line of the alerts log.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry<'a> {
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// What happened: `queued`, `held`, `sent`, `retry`.
    pub event: &'a str,
    /// The message id (or, for `held`, the finding id).
    pub id: &'a str,
    /// The channel, for deliveries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<&'a str>,
    /// Finding ids concerned.
    pub findings: &'a [String],
    /// A failure's reason, or other detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'a str>,
}

/// The path of a school's alerts log.
pub fn path(data: &Path, school: &str) -> PathBuf {
    data.join("alerts").join(format!("{school}.log"))
}

/// Appends one entry (one `write` of one line, so concurrent writers never interleave).
pub fn append(data: &Path, school: &str, entry: &LogEntry<'_>) -> Result<()> {
    let path = path(data, school);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut line = serde_json::to_vec(entry)?;
    line.push(b'\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.write_all(&line).with_context(|| format!("cannot write {}", path.display()))
}
