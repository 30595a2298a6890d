//! Blocked-site spikes: hours in which one category (or, uncategorised, one domain) was blocked
//! far more often than in comparable hours — the same hour of the day on other days of the same
//! kind (school days with school days, weekends and holidays with each other) within the
//! baseline window before and after. Scored robustly: (count − median) / (1.4826 × MAD), with a
//! Poisson floor of √median so that quiet series do not turn every small count into a spike, and
//! a minimum count. A lunchtime peak that happens every day is its own baseline, so it is not a
//! spike. Ignored categories (adverts, trackers, updates) never drive one, nor do 407 login
//! challenges (they are not `blocked`).
//!
//! SQL does the counting (`blocked_hourly.sql`); Rust does the scoring, because a baseline must
//! count the hours with no blocked request as zero (rows SQL never produces), and median/MAD
//! windows are not portable across polars and Spark.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Result;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;

use super::severity::{severity_of, Severity};
use super::{evidence_of, finding_id, local_text, top, Evidence, Kind, Scope, Tally};
use crate::enrich::clock::date_from_days;
use crate::queries::{columns, Param, BLOCKED_HOURLY, OBSERVED_DAYS, SPIKE_ROWS};

/// Fewer comparable days than this and an hour cannot be judged.
const MIN_BASELINE_DAYS: usize = 3;
/// How many top domains a spike lists.
const TOP_DOMAINS: usize = 5;

/// A spike finding (DESIGN §5).
#[derive(Debug, Clone, Serialize)]
pub struct Spike {
    /// Stable id, for `evidence`.
    pub id: String,
    /// School id.
    pub school: String,
    /// The category that spiked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The domain that spiked, when it had no category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Start (UTC).
    pub start: DateTime<Utc>,
    /// End (UTC).
    pub end: DateTime<Utc>,
    /// Start in the school's local time, for people.
    pub local_start: String,
    /// Blocked requests in the spike.
    pub count: u64,
    /// What comparable hours usually see (sum of the hourly medians).
    pub baseline: f64,
    /// The highest hourly robust z-score.
    pub score: f64,
    /// Category severity tier.
    pub severity: Severity,
    /// Most blocked domains.
    pub top_domains: Vec<Tally>,
    /// Distinct users among the blocked requests.
    pub users: u64,
    /// The raw log lines behind it.
    pub evidence: Vec<Evidence>,
}

/// One subject's blocked counts by (local date as days, hour).
type Series = HashMap<(i32, i64), u64>;

/// An hour that scored as a spike.
struct HotHour {
    hour: i64,
    count: u64,
    median: f64,
    score: f64,
}

/// Finds the spikes in scope, highest score first.
pub fn detect(scope: &Scope) -> Result<Vec<Spike>> {
    let window = scope.schools.iter().map(|p| p.detect.spike_baseline_days).max().unwrap_or(28);
    let load_from = scope.from - Days::new(u64::from(window));
    let load_to = scope.to + Days::new(u64::from(window));
    let events = scope.events()?;
    let params = scope.params(load_from, load_to);
    let hourly = BLOCKED_HOURLY.run(events.clone(), &params)?;
    let observed = observed_days(&OBSERVED_DAYS.run(events.clone(), &params)?)?;

    let schools = columns::text(&hourly, "school")?;
    let subjects = columns::text(&hourly, "subject")?;
    let kinds = columns::text(&hourly, "subject_kind")?;
    let dates = columns::int_required(&hourly, "date")?;
    let hours = columns::int_required(&hourly, "hour")?;
    let counts = columns::int_required(&hourly, "blocked")?;
    let mut series: BTreeMap<(String, String, String), Series> = BTreeMap::new();
    for i in 0..hourly.height() {
        let key = (
            schools[i].clone().unwrap_or_default(),
            subjects[i].clone().unwrap_or_default(),
            kinds[i].clone().unwrap_or_default(),
        );
        series.entry(key).or_default().insert((dates[i] as i32, hours[i]), counts[i] as u64);
    }

    let mut spikes = Vec::new();
    for ((school, subject, kind), counts) in &series {
        let Some(profile) = scope.school(school) else { continue };
        let severity = severity_of(subject, &profile.severity);
        if severity == Severity::Ignored {
            continue;
        }
        let days = observed.get(school).cloned().unwrap_or_default();
        let mut hot: BTreeMap<i32, Vec<HotHour>> = BTreeMap::new();
        for (&(date, hour), &count) in counts {
            let day = date_from_days(date);
            if day < scope.from || day >= scope.to || count < u64::from(profile.detect.spike_min_count) {
                continue;
            }
            let school_day = profile.hours.is_school_day(day);
            let comparable: Vec<f64> = days
                .iter()
                .filter(|&&d| d != date && (d - date).unsigned_abs() <= profile.detect.spike_baseline_days)
                .filter(|&&d| profile.hours.is_school_day(date_from_days(d)) == school_day)
                .map(|&d| counts.get(&(d, hour)).copied().unwrap_or(0) as f64)
                .collect();
            if comparable.len() < MIN_BASELINE_DAYS {
                continue;
            }
            let (median, score) = robust_score(count as f64, &comparable);
            if score >= profile.detect.spike_min_score {
                hot.entry(date).or_default().push(HotHour { hour, count, median, score });
            }
        }
        for (date, hours) in hot {
            for run in consecutive(hours) {
                spikes.push(build(scope, profile, school, subject, kind, severity, date, &run)?);
            }
        }
    }
    spikes.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.start.cmp(&b.start)));
    Ok(spikes)
}

/// Median and robust z-score of `value` against `baseline`.
pub fn robust_score(value: f64, baseline: &[f64]) -> (f64, f64) {
    let median = median(baseline);
    let deviations: Vec<f64> = baseline.iter().map(|v| (v - median).abs()).collect();
    let mad = median_of(deviations);
    let scale = (1.4826 * mad).max(median.max(1.0).sqrt());
    (median, (value - median) / scale)
}

fn median(values: &[f64]) -> f64 {
    median_of(values.to_vec())
}

fn median_of(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Splits hot hours (sorted) into runs of consecutive hours.
fn consecutive(mut hours: Vec<HotHour>) -> Vec<Vec<HotHour>> {
    hours.sort_by_key(|h| h.hour);
    let mut runs: Vec<Vec<HotHour>> = Vec::new();
    for hour in hours {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|h| h.hour + 1 == hour.hour) => run.push(hour),
            _ => runs.push(vec![hour]),
        }
    }
    runs
}

/// Dates each school logged anything, as days since 1970-01-01.
fn observed_days(df: &polars::prelude::DataFrame) -> Result<HashMap<String, BTreeSet<i32>>> {
    let schools = columns::text(df, "school")?;
    let dates = columns::int_required(df, "date")?;
    let mut observed: HashMap<String, BTreeSet<i32>> = HashMap::new();
    for (school, date) in schools.into_iter().zip(dates) {
        observed.entry(school.unwrap_or_default()).or_default().insert(date as i32);
    }
    Ok(observed)
}

/// The UTC instant a school-local hour starts (the first one, in October's repeated hour).
fn hour_start(profile: &crate::config::Profile, date: NaiveDate, hour: i64) -> DateTime<Utc> {
    let naive = date.and_hms_opt(0, 0, 0).expect("midnight") + chrono::Duration::hours(hour);
    crate::enrich::clock::local_to_utc(profile.timezone, naive)
}

#[allow(clippy::too_many_arguments)]
fn build(
    scope: &Scope,
    profile: &crate::config::Profile,
    school: &str,
    subject: &str,
    kind: &str,
    severity: Severity,
    date: i32,
    run: &[HotHour],
) -> Result<Spike> {
    let day = date_from_days(date);
    let (first, last) = (run[0].hour, run[run.len() - 1].hour);
    let mut params = scope.params(day, day + Days::new(1));
    params.insert("school", Param::Text(school.to_string()));
    params.insert("date", Param::Date(day));
    params.insert("hour_from", Param::Int(first));
    params.insert("hour_to", Param::Int(last + 1));
    params.insert("subject", Param::Text(subject.to_string()));
    let rows = SPIKE_ROWS.run(scope.events()?, &params)?;
    let domains = columns::text(&rows, "domain")?;
    let users: BTreeSet<String> = columns::text(&rows, "user")?.into_iter().flatten().collect();
    let mut evidence = evidence_of(&rows)?;
    evidence.sort();
    let start = hour_start(profile, day, first);
    let is_category = kind == "category";
    Ok(Spike {
        id: finding_id(Kind::Spike, school, day, &format!("{subject}|{}", start.timestamp())),
        school: school.to_string(),
        category: is_category.then(|| subject.to_string()),
        domain: (!is_category).then(|| subject.to_string()),
        start,
        end: hour_start(profile, day, last + 1),
        local_start: local_text(start, profile.timezone),
        count: run.iter().map(|h| h.count).sum(),
        baseline: run.iter().map(|h| h.median).sum(),
        score: (run.iter().map(|h| h.score).fold(f64::MIN, f64::max) * 10.0).round() / 10.0,
        severity,
        top_domains: top(domains.iter().flatten().map(String::as_str), TOP_DOMAINS),
        users: users.len() as u64,
        evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daily_peak_scores_low_and_a_burst_high() {
        let lunch = [42.0, 38.0, 45.0, 40.0];
        assert!(robust_score(44.0, &lunch).1 < 2.0);
        let quiet = [2.0, 0.0, 3.0, 1.0];
        assert!(robust_score(90.0, &quiet).1 > 20.0);
        // Never seen before: ten blocks against zeros is notable, three is not.
        assert!(robust_score(10.0, &[0.0; 4]).1 >= 4.0);
        assert!(robust_score(3.0, &[0.0; 4]).1 < 4.0);
    }
}
