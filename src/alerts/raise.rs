//! Deciding what to tell, and when: a high-risk incident not told before is queued as an alert
//! at once; after an alert, the same person's further incidents under the same rule within
//! `suppress_hours` are held, and sent together as one digest when that window ends. What was
//! told is remembered in `DATA/state/<school>-alerts.json` (so `watch` and `nightly` tell each
//! incident once between them); incidents that ended over a day ago are old news, left to the
//! nightly summary and the weekly report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::log::{append, LogEntry};
use super::message::{self, Draft};
use super::outbox::Outbox;
use crate::config::Profile;
use crate::detect::high_risk::HighRisk;
use crate::private_fs::write_atomically;
use crate::store::Dataset;

/// Incidents that ended longer ago than this are not alerted.
pub const MAX_AGE_HOURS: i64 = 24;
/// How long told incident ids are remembered.
const REMEMBER_DAYS: i64 = 60;

/// What has been told, per school.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AlertState {
    /// Incident ids already alerted or held, with when.
    pub told: BTreeMap<String, DateTime<Utc>>,
    /// Open suppression windows, by rule and person.
    pub windows: BTreeMap<String, Window>,
    /// When the logs went silent in school hours, once the technician was told.
    pub silent_since: Option<DateTime<Utc>>,
}

/// After an alert: until `ends`, the same person's incidents under the same rule are held.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Window {
    /// When the alert that opened it was queued.
    pub started: DateTime<Utc>,
    /// When the window closes and the digest (if anything was held) goes.
    pub ends: DateTime<Utc>,
    /// Incidents held for the digest (their evidence lists left out: `evidence` has them).
    pub held: Vec<HighRisk>,
}

/// What one call to [`raise`] did.
#[derive(Debug, Clone, Default)]
pub struct Raised {
    /// Incidents alerted now.
    pub alerted: Vec<String>,
    /// Incidents held for a digest.
    pub held: Vec<String>,
    /// Digests queued.
    pub digests: usize,
}

impl AlertState {
    fn path(data: &Path, school: &str) -> PathBuf {
        data.join("state").join(format!("{school}-alerts.json"))
    }

    /// The school's alert state (empty when nothing was told yet).
    pub fn load(data: &Path, school: &str) -> Result<AlertState> {
        let path = AlertState::path(data, school);
        match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).with_context(|| format!("damaged state file {}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AlertState::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    fn save(&self, data: &Path, school: &str) -> Result<()> {
        let path = AlertState::path(data, school);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        write_atomically(&path, &serde_json::to_vec_pretty(self)?)
    }
}

/// Queues a draft on every channel the profile sets and logs it.
pub fn queue(data: &Path, profile: &Profile, draft: &Draft, now: DateTime<Utc>) -> Result<()> {
    let outbox = Outbox::new(data, &profile.id);
    for outgoing in draft.outgoing(profile, now) {
        if outbox.put(&outgoing)? {
            let channel = Some(outgoing.channel.as_str());
            let entry = LogEntry {
                at: now,
                event: "queued",
                id: &outgoing.id,
                channel,
                findings: &draft.findings,
                detail: None,
            };
            append(data, &profile.id, &entry)?;
        }
    }
    Ok(())
}

/// Tells of new high-risk incidents (alert or hold) and sends the digests that are due. Runs
/// under the dataset's lock, so `watch` and `nightly` never decide at once.
pub fn raise(dataset: &Dataset, profile: &Profile, incidents: &[HighRisk], now: DateTime<Utc>) -> Result<Raised> {
    let data = dataset.root();
    let hint = data.display().to_string();
    let mut state = AlertState::load(data, &profile.id)?;
    let mut raised = Raised::default();
    let mut changed = false;
    let suppress = Duration::milliseconds((profile.alerts.suppress_hours * 3_600_000.0) as i64);
    for incident in incidents {
        if state.told.contains_key(&incident.id) || now - incident.end > Duration::hours(MAX_AGE_HOURS) {
            continue;
        }
        let key = format!("{}|{}", incident.rule.as_str(), incident.person());
        match state.windows.get_mut(&key) {
            Some(window) if now < window.ends => {
                window.held.push(HighRisk { evidence: Vec::new(), ..incident.clone() });
                let entry = LogEntry {
                    at: now,
                    event: "held",
                    id: &incident.id,
                    channel: None,
                    findings: std::slice::from_ref(&incident.id),
                    detail: Some("same person and rule within suppress_hours: in the digest"),
                };
                append(data, &profile.id, &entry)?;
                raised.held.push(incident.id.clone());
            }
            _ => {
                queue(data, profile, &message::alert(profile, &hint, incident), now)?;
                if !suppress.is_zero() {
                    state.windows.insert(key, Window { started: now, ends: now + suppress, held: Vec::new() });
                }
                raised.alerted.push(incident.id.clone());
            }
        }
        state.told.insert(incident.id.clone(), now);
        changed = true;
    }
    let closed: Vec<String> = state.windows.iter().filter(|(_, w)| now >= w.ends).map(|(k, _)| k.clone()).collect();
    for key in closed {
        let window = state.windows.remove(&key).expect("listed above");
        changed = true;
        if !window.held.is_empty() {
            let held: Vec<&HighRisk> = window.held.iter().collect();
            queue(data, profile, &message::digest(profile, &hint, &held, window.started), now)?;
            raised.digests += 1;
        }
    }
    let remembered = state.told.len();
    state.told.retain(|_, at| now - *at < Duration::days(REMEMBER_DAYS));
    if changed || state.told.len() != remembered {
        state.save(data, &profile.id)?;
    }
    Ok(raised)
}

/// Queues the weekly report's mail to the DSL list: the PDF and incident log attached, what
/// needs action in a few lines. Only the school's own report: nothing for the LA goes by mail.
pub fn queue_weekly(
    data: &Path,
    profile: &Profile,
    week: &str,
    files: &crate::report::weekly::WeeklyFiles,
) -> Result<()> {
    let attachments = vec![files.pdf.clone(), files.incident_log_csv.clone()];
    queue(data, profile, &message::weekly(profile, week, &files.action_lines, attachments), Utc::now())
}

/// Tells the technician when the logs go silent in school hours, and when they come back.
/// `last_line` is when the last new line arrived; `in_school_hours` whether now is in them.
pub fn check_silence(
    dataset: &Dataset,
    profile: &Profile,
    last_line: DateTime<Utc>,
    in_school_hours: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let data = dataset.root();
    let mut state = AlertState::load(data, &profile.id)?;
    let silent_for = now - last_line;
    let limit = Duration::minutes(i64::from(profile.alerts.silent_minutes));
    match state.silent_since {
        None if in_school_hours && silent_for >= limit => {
            queue(data, profile, &message::silence(profile, last_line, false), now)?;
            state.silent_since = Some(last_line);
        }
        Some(since) if last_line > since => {
            queue(data, profile, &message::silence(profile, since, true), now)?;
            state.silent_since = None;
        }
        _ => return Ok(()),
    }
    state.save(data, &profile.id)
}
