//! The technician's nightly job for one school: ingest whatever is new in the profile's `logs`
//! globs, run the detections for the days since the last successful run, write
//! `DATA/alerts/<date>.json`, the weekly report on Mondays, and apply retention. It remembers, in
//! `DATA/state/<school>.json`, the last day it covered and which findings it has already reported,
//! so a finding is mailed once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::alerts::deliver::{deliver_due, Delivery};
use crate::alerts::raise::{queue_weekly, raise, AlertState};
use crate::config::Profile;
use crate::detect::{Findings, NeedsAction, Scope};
use crate::enrich::SchoolContext;
use crate::incidents::evidence;
use crate::incidents::register::Register;
use crate::incidents::suppress;
use crate::ingest::{self, FileReport, IngestOptions};
use crate::private_fs::write_atomically;
use crate::report::weekly::{write_weekly, WeeklyFiles};
use crate::store::{Dataset, Pruned};
use crate::week::Week;

/// How far back the first run looks when nothing tells it otherwise.
const FIRST_RUN_DAYS: u64 = 7;
/// How long finding ids are remembered so they are reported once.
const REMEMBER_DAYS: i64 = 60;

/// What a nightly run remembers between runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct NightlyState {
    /// The last school-local date the detections covered in full.
    pub covered_until: Option<NaiveDate>,
    /// Findings already reported, with the date they were first seen.
    pub reported: Vec<(String, NaiveDate)>,
    /// A week (its Monday) whose report failed: tried again every night until it is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_retry: Option<NaiveDate>,
}

/// The findings of one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Alerts {
    /// School id.
    pub school: String,
    /// School-local dates covered, `to` exclusive.
    pub from: NaiveDate,
    /// End of the window (exclusive).
    pub to: NaiveDate,
    /// What the detections found in the window.
    #[serde(flatten)]
    pub findings: Findings,
}

/// What one nightly run did for one school.
pub struct NightlyOutcome {
    /// Per-file ingest results.
    pub files: Vec<FileReport>,
    /// Files the `logs` globs matched that were not read, with why.
    pub skipped: Vec<(PathBuf, String)>,
    /// Everything the detections found in the window.
    pub alerts: Alerts,
    /// Lines for people: new findings that need action (empty when there is nothing to act on).
    pub summary: Vec<String>,
    /// The weekly report, when one was due.
    pub weekly: Option<WeeklyFiles>,
    /// Why a weekly report that was due could not be written (it is tried again next night).
    pub weekly_error: Option<String>,
    /// What retention removed.
    pub pruned: Option<Pruned>,
    /// What was delivered from the outbox (alerts, the weekly mail).
    pub delivery: Delivery,
}

/// Runs the nightly job for one school. `today` is the school-local date of the run.
pub fn run_school(
    data: &Path,
    profile: Profile,
    options: &IngestOptions,
    today: NaiveDate,
    weekly: bool,
) -> Result<NightlyOutcome> {
    let dataset = Dataset::open(data)?;
    let selection = crate::ingest::paths::expand_globs(&profile)?;
    // A roster or category list that cannot be read is the profile's fault: exit 2.
    let school = Arc::new(
        SchoolContext::new(profile.clone()).map_err(|e| crate::config::ConfigError(crate::cmd::one_line(&e)))?,
    );
    let files = ingest::ingest(&dataset, school, &selection.files, options, &indicatif::ProgressBar::hidden())?;
    let now = chrono::Utc::now();
    let state_path = data.join("state").join(format!("{}.json", profile.id));
    let mut state = read_state(&state_path)?;

    let earliest_new = files
        .iter()
        .filter_map(|f| f.time_range)
        .map(|(first, _)| crate::detect::local_date(crate::detect::utc(first), profile.timezone))
        .min();
    let from =
        [state.covered_until, earliest_new].into_iter().flatten().min().unwrap_or(today - Days::new(FIRST_RUN_DAYS));
    let to = today + Days::new(1);
    let has_events = dataset.events_dir().join(format!("school={}", profile.id)).is_dir();
    let alerts = if has_events {
        let scope = Scope::one_school(data, &profile, from, to);
        let mut findings = Findings::detect_all(&scope)?;
        suppress::filter(data, &profile, &mut findings)?;
        Alerts { school: profile.id.clone(), from, to, findings }
    } else {
        Alerts { school: profile.id.clone(), from, to, ..Alerts::default() }
    };
    write_alerts(data, today, &alerts)?;
    // The high-risk incidents `watch` has not told yet (it may not be running) are alerted now;
    // the ones it told are not listed again.
    raise(&dataset, &profile, &alerts.findings.high_risk, now)?;
    let told = AlertState::load(data, &profile.id)?.told;
    let known: BTreeSet<String> = state.reported.iter().map(|(id, _)| id.clone()).collect();
    for h in &alerts.findings.high_risk {
        if told.get(&h.id).is_some_and(|at| *at < now) && !known.contains(&h.id) {
            state.reported.push((h.id.clone(), today));
        }
    }
    let summary = new_findings(&profile, &alerts, &mut state, today);
    // The rest does not need the lock: `watch` carries on meanwhile.
    drop(dataset);
    // Every finding enters the incident register, with its raw lines kept while the logs exist.
    let summaries = alerts.findings.summaries();
    Register::new(data, &profile.id).record_new(&summaries, now)?;
    evidence::keep(data, &profile.id, &summaries)?;

    // A failing report (one bad log field, a full disk) must not stop alerts, retention or the
    // state: it is reported, and the same week is tried again on the next run.
    let due = match state.weekly_retry {
        Some(monday) => Some(Week::of(monday)),
        None => ((weekly || today.weekday() == Weekday::Mon) && has_events).then(|| Week::of(today).previous()),
    };
    let (mut weekly_files, mut weekly_error) = (None, None);
    if let Some(week) = due {
        let out = data.join("reports").join(format!("{}-{}", profile.id, week.label()));
        match write_weekly(data, &profile, week, &out) {
            Ok(files) => {
                queue_weekly(data, &profile, &week.label(), &files)?;
                weekly_files = Some(files);
                state.weekly_retry = None;
            }
            Err(error) => {
                weekly_error = Some(format!("{error:#}"));
                state.weekly_retry = Some(week.monday);
            }
        }
    }
    let delivery = deliver_due(data, &profile, chrono::Utc::now())?;
    let closed_before = now - chrono::Duration::days(i64::from(profile.incident_retention_days));
    Register::new(data, &profile.id).expire(data, &profile.id, closed_before)?;
    let pruned = match profile.retention_days {
        Some(days) => Some(Dataset::open(data)?.prune(&profile.id, today - Days::new(u64::from(days)))?),
        None => None,
    };
    // Yesterday is complete; today may still grow, so the next run looks at it again.
    state.covered_until = Some(today);
    state.reported.retain(|(_, seen)| (today - *seen).num_days() <= REMEMBER_DAYS);
    write_atomically(&state_path, &serde_json::to_vec_pretty(&state)?)?;
    Ok(NightlyOutcome {
        files,
        skipped: selection.skipped,
        alerts,
        summary,
        weekly: weekly_files,
        weekly_error,
        pruned,
        delivery,
    })
}

fn read_state(path: &Path) -> Result<NightlyState> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| format!("damaged state file {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(path.parent().expect("state folder"))
                .with_context(|| format!("cannot create {}", path.display()))?;
            Ok(NightlyState::default())
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// `DATA/alerts/<date>.json`: an array of per-school alerts; this school's entry is replaced.
fn write_alerts(data: &Path, today: NaiveDate, alerts: &Alerts) -> Result<PathBuf> {
    let dir = data.join("alerts");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{today}.json"));
    let mut all: Vec<serde_json::Value> = match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    all.retain(|entry| entry["school"] != alerts.school.as_str());
    all.push(serde_json::to_value(alerts)?);
    write_atomically(&path, &serde_json::to_vec_pretty(&all)?)?;
    Ok(path)
}

/// One plain line per finding that needs action and was not reported before: high-risk
/// incidents, high-severity repeats, staff out of hours, and high-severity spikes.
fn new_findings(profile: &Profile, alerts: &Alerts, state: &mut NightlyState, today: NaiveDate) -> Vec<String> {
    let known: BTreeSet<String> = state.reported.iter().map(|(id, _)| id.clone()).collect();
    let mut lines = Vec::new();
    let mut report = |id: &str, line: String| {
        if !known.contains(id) {
            lines.push(format!("{line} [{id}]"));
            state.reported.push((id.to_string(), today));
        }
    };
    let local = |t: chrono::DateTime<chrono::Utc>| crate::detect::local_text(t, profile.timezone);
    for h in &alerts.findings.high_risk {
        report(&h.id, format!("{}: high risk, {}: {}", local(h.start), h.who(), h.what()));
    }
    for r in alerts.findings.repeats.iter().filter(|r| r.needs_action()) {
        let year = r.year_group.map(|y| format!("Year {y} ")).unwrap_or_default();
        report(
            &r.id,
            format!(
                "{}: {year}pupil {} made {} blocked attempts at {} sites from {}",
                local(r.start),
                r.user,
                r.attempts,
                r.category,
                r.devices.join(", ")
            ),
        );
    }
    for s in alerts.findings.out_of_hours.iter().filter(|s| s.needs_action()) {
        report(
            &s.id,
            format!(
                "{}: staff {} used the internet out of hours ({}): {} requests, {} blocked",
                local(s.start),
                s.user,
                s.when,
                s.requests,
                s.blocked
            ),
        );
    }
    for s in alerts.findings.spikes.iter().filter(|s| s.needs_action()) {
        let subject = s.category.clone().or_else(|| s.domain.clone()).unwrap_or_default();
        report(
            &s.id,
            format!(
                "{}: spike of {} blocked {subject} requests (usually about {:.0}), {} people",
                local(s.start),
                s.count,
                s.baseline,
                s.users
            ),
        );
    }
    lines
}
