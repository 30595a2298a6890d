//! Repeated pupil attempts: a pupil's blocked requests in one category, at least
//! `repeat_min_attempts` (default 10) within a sliding `repeat_window_minutes` (default 15),
//! ranked by the category's severity, then by attempts. Overlapping windows merge into one
//! finding. Ignored categories (adverts, trackers, updates: an adware-infected Chromebook) never
//! count, and a few blocks spread over a day never fill a window. A blocked search counts as an
//! attempt in the category its terms are about (`free vpn` → proxy), and its terms are shown.
//!
//! SQL selects the pupils' blocked rows (`pupil_blocked.sql`); the sliding window is Rust,
//! because polars SQL has no `RANGE INTERVAL` window frames (DESIGN §7).

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::severity::{search_topic, severity_of, Severity};
use super::{bursts, finding_id, local_date, local_text, top, utc, week_by_week, Evidence, Kind, Scope, Tally};
use crate::config::{Profile, YearGroup};
use crate::queries::{columns, Param, PUPIL_BLOCKED};

/// How many domains a finding lists.
const TOP_DOMAINS: usize = 8;

/// A repeated-attempts finding (DESIGN §5).
#[derive(Debug, Clone, Serialize)]
pub struct Repeat {
    /// Stable id, for `evidence`.
    pub id: String,
    /// School id.
    pub school: String,
    /// The pupil.
    pub user: String,
    /// Their year group, when the roster gives it.
    pub year_group: Option<YearGroup>,
    /// The category they kept trying.
    pub category: String,
    /// The category's tier.
    pub severity: Severity,
    /// Blocked attempts in the burst.
    pub attempts: u64,
    /// First attempt (UTC).
    pub start: DateTime<Utc>,
    /// Last attempt (UTC).
    pub end: DateTime<Utc>,
    /// Start in the school's local time, for people.
    pub local_start: String,
    /// Domains tried, most first.
    pub domains: Vec<Tally>,
    /// Blocked search terms among the attempts, in order, without repeats.
    pub search_terms: Vec<String>,
    /// Client addresses and device names used.
    pub devices: Vec<String>,
    /// The raw log lines behind it.
    pub evidence: Vec<Evidence>,
}

/// One blocked pupil request.
struct Attempt {
    ts: i64,
    year_group: Option<YearGroup>,
    domain: String,
    search_terms: Option<String>,
    device: String,
    evidence: Evidence,
}

/// Finds repeated attempts in scope: high severity first, then most attempts.
pub fn detect(scope: &Scope) -> Result<Vec<Repeat>> {
    let mut found = Vec::new();
    for profile in &scope.schools {
        let window = |from, to| {
            let mut repeats = Vec::new();
            for ((user, category), attempts) in attempts_by_pupil_and_category(scope, profile, from, to)? {
                let severity = severity_of(&category, &profile.severity);
                if severity == Severity::Ignored {
                    continue;
                }
                let times: Vec<i64> = attempts.iter().map(|a| a.ts).collect();
                let window = i64::from(profile.detect.repeat_window_minutes) * 60_000_000;
                for run in bursts(&times, window, profile.detect.repeat_min_attempts as usize) {
                    repeats.push(build(profile, &user, &category, severity, &attempts[run]));
                }
            }
            Ok(repeats)
        };
        found.extend(week_by_week(scope, profile, window, |r| r.start)?);
    }
    found.sort_by(|a, b| a.severity.cmp(&b.severity).then(b.attempts.cmp(&a.attempts)).then(a.start.cmp(&b.start)));
    Ok(found)
}

/// Blocked requests grouped by (pupil, category), each group in time order.
fn attempts_by_pupil_and_category(
    scope: &Scope,
    profile: &Profile,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<(String, String), Vec<Attempt>>> {
    let mut params = scope.params(from, to);
    params.insert("school", Param::Text(profile.id.clone()));
    let df = PUPIL_BLOCKED.run(scope.events()?, &params)?;
    let users = columns::text(&df, "user")?;
    let years = columns::int(&df, "year_group")?;
    let ts = columns::int_required(&df, "ts")?;
    let categories = columns::text(&df, "category")?;
    let domains = columns::text(&df, "domain")?;
    let terms = columns::text(&df, "search_terms")?;
    let ips = columns::text(&df, "client_ip")?;
    let devices = columns::text(&df, "device")?;
    let evidence = super::evidence_of(&df)?;
    let mut groups: BTreeMap<(String, String), Vec<Attempt>> = BTreeMap::new();
    for i in 0..df.height() {
        let domain = domains[i].clone().unwrap_or_default();
        let category = terms[i]
            .as_deref()
            .and_then(search_topic)
            .map(str::to_string)
            .or_else(|| categories[i].clone())
            .unwrap_or_else(|| domain.clone());
        groups.entry((users[i].clone().unwrap_or_default(), category)).or_default().push(Attempt {
            ts: ts[i],
            year_group: years[i].and_then(|y| YearGroup::try_from(y).ok()),
            domain,
            search_terms: terms[i].clone(),
            device: devices[i].clone().or_else(|| ips[i].clone()).unwrap_or_default(),
            evidence: evidence[i].clone(),
        });
    }
    Ok(groups)
}

fn build(profile: &Profile, user: &str, category: &str, severity: Severity, burst: &[Attempt]) -> Repeat {
    let start = utc(burst[0].ts);
    let mut search_terms: Vec<String> = Vec::new();
    for terms in burst.iter().filter_map(|a| a.search_terms.clone()) {
        if !search_terms.contains(&terms) {
            search_terms.push(terms);
        }
    }
    let mut devices: Vec<String> = burst.iter().map(|a| a.device.clone()).collect();
    devices.sort();
    devices.dedup();
    Repeat {
        id: finding_id(
            Kind::Repeat,
            &profile.id,
            local_date(start, profile.timezone),
            &format!("{user}|{category}|{}", start.timestamp()),
        ),
        school: profile.id.clone(),
        user: user.to_string(),
        year_group: burst.iter().find_map(|a| a.year_group),
        category: category.to_string(),
        severity,
        attempts: burst.len() as u64,
        start,
        end: utc(burst[burst.len() - 1].ts),
        local_start: local_text(start, profile.timezone),
        domains: top(burst.iter().map(|a| a.domain.as_str()), TOP_DOMAINS),
        search_terms,
        devices,
        evidence: burst.iter().map(|a| a.evidence.clone()).collect(),
    }
}
