//! Cross-school views for local-authority advisers: one row per school and ISO week (requests,
//! blocked rate, high-severity repeated attempts per 1,000 pupils, staff sessions out of hours,
//! spikes, top categories, coverage), the change on the week before, and the schools that stand
//! out from the rest that week (robust z-score). Every number is a count about a school: no
//! person-level value is in any output. One school-week is read at a time, so memory stays
//! bounded however many schools there are.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use chrono::{Days, NaiveDate};
use serde::Serialize;

use rayon::prelude::*;

use super::cache::Cache;
use super::disclosure::SmallNumbers;
use crate::detect::severity::{severity_of, Severity};
use crate::detect::spikes::robust_score;
use crate::detect::{Findings, Scope};
use crate::engine::{Engine, SchoolListing};
use crate::queries::{columns, Param, Params, BLOCKED_BY_DAY_CATEGORY, BY_ROLE, WEEK_TOTALS};
use crate::week::Week;

/// A robust z-score at or beyond this marks a school as standing out.
pub const STANDS_OUT_Z: f64 = 3.5;

/// One school in one week.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct SchoolWeek {
    /// School id.
    pub school: String,
    /// ISO week, `2026-W43`.
    pub week: String,
    /// Requests logged.
    pub requests: u64,
    /// Blocked requests.
    pub blocked: u64,
    /// Blocked share, percent.
    pub blocked_rate: f64,
    /// Pupils seen.
    pub pupils: u64,
    /// High-severity repeated-attempt findings.
    pub high_repeats: u64,
    /// … per 1,000 pupils seen.
    pub high_repeats_per_1000: f64,
    /// Staff sessions out of hours.
    pub out_of_hours_sessions: u64,
    /// Spikes.
    pub spikes: u64,
    /// Most blocked categories (not counting adverts, trackers, updates), `name (count)`.
    pub top_categories: String,
    /// Share of requests with no user, percent.
    pub no_user_rate: f64,
    /// School days in the week with no log lines at all.
    pub silent_school_days: u64,
    /// Change in blocked rate on the school's previous week (points), when it has one.
    pub blocked_rate_change: Option<f64>,
    /// Why the school stands out this week, empty when it does not.
    pub stands_out: String,
}

/// Every school-week of the dataset, with week-on-week change and outliers marked (never on a
/// count of people too small to publish), its queries run by `engine`. Schools are computed in
/// parallel; a school-week found unchanged in `cache` is not computed again.
pub fn school_weeks(
    data: &Path,
    engine: &Engine,
    small: SmallNumbers,
    cache: Option<&Cache>,
) -> Result<Vec<SchoolWeek>> {
    let catalogue = engine.catalogue(data)?;
    if catalogue.schools.is_empty() {
        anyhow::bail!("no events in {} (nothing ingested or exported yet?)", data.display());
    }
    let per_school: Vec<Vec<SchoolWeek>> = catalogue
        .schools
        .par_iter()
        .map(|(school, listing)| one_school(data, engine, school, listing, cache))
        .collect::<Result<_>>()?;
    let mut rows: Vec<SchoolWeek> = per_school.into_iter().flatten().collect();
    mark_outliers(&mut rows, small);
    Ok(rows)
}

/// One school's weeks, oldest first, each with its change on the one before.
fn one_school(
    data: &Path,
    engine: &Engine,
    school: &str,
    listing: &SchoolListing,
    cache: Option<&Cache>,
) -> Result<Vec<SchoolWeek>> {
    let profile = listing.settings(data, school)?;
    // Only the weeks that hold events, not every week between the first and the last.
    let weeks: std::collections::BTreeSet<Week> = listing.days.keys().copied().map(Week::of).collect();
    let mut rows = Vec::new();
    let mut previous_rate = None;
    for week in weeks {
        let compute = || school_week(data, engine, &profile, listing, week);
        let mut row = match cache {
            Some(cache) => {
                let fingerprint = Cache::fingerprint(listing, &profile, week, engine)?;
                match cache.get(school, week, &fingerprint) {
                    Some(row) => row,
                    None => {
                        let row = compute()?;
                        // The cache saves time, never decides a result: a share that cannot be
                        // written to is still aggregated, with one warning.
                        if let Err(e) = cache.put(&row, week, &fingerprint) {
                            static WARNED: std::sync::Once = std::sync::Once::new();
                            WARNED.call_once(|| {
                                eprintln!(
                                    "filterwatch: warning: results are not cached: {}",
                                    crate::escape::text(&format!("{e:#}"))
                                )
                            });
                        }
                        row
                    }
                }
            }
            None => compute()?,
        };
        if row.requests > 0 {
            row.blocked_rate_change = previous_rate.map(|p: f64| round1(row.blocked_rate - p));
            previous_rate = Some(row.blocked_rate);
            rows.push(row);
        }
    }
    Ok(rows)
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn school_week(
    data: &Path,
    engine: &Engine,
    profile: &crate::config::Profile,
    listing: &SchoolListing,
    week: Week,
) -> Result<SchoolWeek> {
    let events = engine.events(data, std::slice::from_ref(&profile.id))?;
    let params: Params = [
        ("school", Param::Text(profile.id.clone())),
        ("from", Param::Date(week.monday)),
        ("to", Param::Date(week.end())),
    ]
    .into_iter()
    .collect();
    let totals = WEEK_TOTALS.run(events.clone(), &params)?;
    let get =
        |name: &str| -> Result<u64> { Ok(columns::int(&totals, name)?.first().copied().flatten().unwrap_or(0) as u64) };
    let (requests, blocked, without_user) = (get("requests")?, get("blocked")?, get("without_user")?);
    let roles = BY_ROLE.run(events.clone(), &params)?;
    let pupils: u64 = columns::text(&roles, "role")?
        .iter()
        .zip(columns::int(&roles, "users")?)
        .filter(|(role, _)| role.as_deref() == Some("pupil"))
        .map(|(_, n)| n.unwrap_or(0) as u64)
        .sum();
    let scope = Scope {
        data: data.to_path_buf(),
        schools: vec![profile.clone()],
        from: week.monday,
        to: week.end(),
        engine: engine.clone(),
    };
    let findings = Findings::detect_all(&scope)?;
    let high_repeats = findings.repeats.iter().filter(|r| r.severity == Severity::High).count() as u64;
    let out_of_hours_sessions = findings.out_of_hours.len() as u64;
    let spike_count = findings.spikes.len() as u64;
    let daily = BLOCKED_BY_DAY_CATEGORY.run(events, &params)?;
    let mut categories: BTreeMap<String, u64> = BTreeMap::new();
    let mut logged_days = std::collections::BTreeSet::new();
    for ((category, count), date) in columns::text(&daily, "category")?
        .into_iter()
        .zip(columns::int(&daily, "blocked")?)
        .zip(columns::int(&daily, "date")?)
    {
        let category = category.unwrap_or_default();
        logged_days.insert(date.unwrap_or(0));
        if severity_of(&category, &profile.severity) != Severity::Ignored {
            *categories.entry(category).or_default() += count.unwrap_or(0) as u64;
        }
    }
    let mut ranked: Vec<(String, u64)> = categories.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let silent_school_days = silent_days(profile, listing, week);
    let percent = |part: u64, whole: u64| if whole == 0 { 0.0 } else { round1(100.0 * part as f64 / whole as f64) };
    Ok(SchoolWeek {
        school: profile.id.clone(),
        week: week.label(),
        requests,
        blocked,
        blocked_rate: percent(blocked, requests),
        pupils,
        high_repeats,
        high_repeats_per_1000: if pupils == 0 { 0.0 } else { round1(1000.0 * high_repeats as f64 / pupils as f64) },
        out_of_hours_sessions,
        spikes: spike_count,
        top_categories: ranked.iter().take(3).map(|(c, n)| format!("{c} ({n})")).collect::<Vec<_>>().join("; "),
        no_user_rate: percent(without_user, requests),
        silent_school_days,
        blocked_rate_change: None,
        stands_out: String::new(),
    })
}

/// School days of the week (up to the last day the school logged) with no partition at all.
fn silent_days(profile: &crate::config::Profile, listing: &SchoolListing, week: Week) -> u64 {
    let Some(&last) = listing.days.keys().next_back() else { return 0 };
    let mut silent = 0;
    let mut day: NaiveDate = week.monday;
    while day < week.end() && day <= last {
        if profile.hours.is_school_day(day) && !listing.days.contains_key(&day) {
            silent += 1;
        }
        day = day + Days::new(1);
    }
    silent
}

/// Marks, within each week, schools whose blocked rate, high-severity repeats per 1,000 pupils or
/// out-of-hours sessions lie far from the other schools' (robust z-score ≥ [`STANDS_OUT_Z`]).
fn mark_outliers(rows: &mut [SchoolWeek], small: SmallNumbers) {
    let weeks: Vec<String> =
        rows.iter().map(|r| r.week.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    // (label, value, the count of people it is made of: none for a share of requests)
    type Measure = (&'static str, fn(&SchoolWeek) -> f64, fn(&SchoolWeek) -> Option<u64>);
    let measures: [Measure; 3] = [
        ("blocked rate", |r| r.blocked_rate, |_| None),
        ("high-severity repeats per 1,000 pupils", |r| r.high_repeats_per_1000, |r| Some(r.high_repeats)),
        ("staff sessions out of hours", |r| r.out_of_hours_sessions as f64, |r| Some(r.out_of_hours_sessions)),
    ];
    for week in weeks {
        let members: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].week == week).collect();
        if members.len() < 5 {
            continue;
        }
        for (label, value, people) in measures {
            let values: Vec<f64> = members.iter().map(|&i| value(&rows[i])).collect();
            for &i in &members {
                if people(&rows[i]).is_some_and(|n| small.hides(n)) {
                    continue;
                }
                let (median, z) = robust_score(value(&rows[i]), &values);
                if z >= STANDS_OUT_Z {
                    let note = format!("{label} {:.1} against a median of {median:.1} (z {z:.1})", value(&rows[i]));
                    let row = &mut rows[i];
                    row.stands_out =
                        if row.stands_out.is_empty() { note } else { format!("{}; {note}", row.stands_out) };
                }
            }
        }
    }
}
