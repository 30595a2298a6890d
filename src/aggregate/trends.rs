//! Trends for advisers: each school's measures over its last weeks as a long-form table (school,
//! week, measure, value) and as sparklines for the PDF, and the authority's own totals week by
//! week with the change on the week before and a row for the whole span. Counts of people go
//! through [`SmallNumbers`] like every LA output: a value not published is a gap in a line.

use std::collections::BTreeMap;

use serde::Serialize;

use super::disclosure::SmallNumbers;
use super::views::SchoolWeek;

/// One school, week and measure.
#[derive(Debug, Serialize, Default, PartialEq)]
pub struct TrendRow {
    /// School id.
    pub school: String,
    /// ISO week.
    pub week: String,
    /// The measure's name, as in `school-weeks.csv`.
    pub measure: &'static str,
    /// Its value as published.
    pub value: String,
}

/// The authority in one week (or, with `week` = `all …`, over the whole span).
#[derive(Debug, Serialize, Default, PartialEq)]
pub struct LaWeek {
    /// ISO week, or `all <first> to <last>`.
    pub week: String,
    /// Schools with data.
    pub schools: String,
    /// Requests.
    pub requests: String,
    /// Blocked requests.
    pub blocked: String,
    /// Blocked share, percent.
    pub blocked_rate: String,
    /// Change in the blocked share on the week before (points).
    pub blocked_rate_change: String,
    /// High-severity repeated-attempt findings.
    pub high_repeats: String,
    /// Staff sessions out of hours.
    pub out_of_hours_sessions: String,
    /// Spikes.
    pub spikes: String,
    /// School days with no log at all, summed over schools.
    pub silent_school_days: String,
}

/// Each school's last `weeks` weeks, measure by measure, oldest first.
pub fn school_trends(rows: &[SchoolWeek], weeks: usize, small: SmallNumbers) -> Vec<TrendRow> {
    let mut by_school: BTreeMap<&str, Vec<&SchoolWeek>> = BTreeMap::new();
    for row in rows {
        by_school.entry(row.school.as_str()).or_default().push(row);
    }
    let mut trends = Vec::new();
    for (school, mut rows) in by_school {
        rows.sort_by(|a, b| a.week.cmp(&b.week));
        for r in rows.iter().skip(rows.len().saturating_sub(weeks)) {
            let measures: [(&'static str, String); 8] = [
                ("requests", r.requests.to_string()),
                ("blocked_rate", format!("{:.1}", r.blocked_rate)),
                ("pupils", small.count(r.pupils)),
                ("high_repeats_per_1000", small.rate(r.high_repeats, r.high_repeats_per_1000)),
                ("out_of_hours_sessions", small.count(r.out_of_hours_sessions)),
                ("spikes", r.spikes.to_string()),
                ("no_user_rate", format!("{:.1}", r.no_user_rate)),
                ("silent_school_days", r.silent_school_days.to_string()),
            ];
            for (measure, value) in measures {
                trends.push(TrendRow { school: school.to_string(), week: r.week.clone(), measure, value });
            }
        }
    }
    trends
}

/// The measures the PDF draws as sparklines, in its columns' order.
pub const SPARKLINE_MEASURES: [&str; 3] = ["blocked_rate", "high_repeats_per_1000", "out_of_hours_sessions"];

/// One school's last weeks of one measure, drawn small.
#[derive(Debug, Serialize, PartialEq)]
pub struct Sparkline {
    /// One per week drawn: the value scaled to 0–1 within this line's own range (0.5 when it
    /// does not change), or none where the school has no such week or the value is not published.
    pub points: Vec<Option<f64>>,
    /// The value in the school's latest week, as published.
    pub latest: String,
}

/// A school's sparklines, one per [`SPARKLINE_MEASURES`].
#[derive(Debug, Serialize, PartialEq)]
pub struct SchoolSparklines {
    /// School id.
    pub school: String,
    /// Its lines.
    pub lines: Vec<Sparkline>,
}

/// Sparklines from [`school_trends`]' rows over the latest `weeks` weeks any school has, so
/// every school's line spans the same weeks.
pub fn sparklines(trends: &[TrendRow], weeks: usize) -> Vec<SchoolSparklines> {
    let all: std::collections::BTreeSet<&str> = trends.iter().map(|t| t.week.as_str()).collect();
    let drawn: Vec<&str> = all.iter().skip(all.len().saturating_sub(weeks)).copied().collect();
    let mut values: BTreeMap<(&str, &str), BTreeMap<&str, &str>> = BTreeMap::new();
    for t in trends {
        values.entry((t.school.as_str(), t.measure)).or_default().insert(t.week.as_str(), t.value.as_str());
    }
    let schools: std::collections::BTreeSet<&str> = trends.iter().map(|t| t.school.as_str()).collect();
    schools
        .into_iter()
        .map(|school| {
            let lines = SPARKLINE_MEASURES
                .iter()
                .map(|&measure| {
                    let by_week = values.get(&(school, measure));
                    let raw: Vec<Option<f64>> = drawn
                        .iter()
                        .map(|week| by_week.and_then(|w| w.get(week)).and_then(|v| v.parse::<f64>().ok()))
                        .collect();
                    let known = raw.iter().flatten();
                    let (low, high) = known.fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                    let scale = |v: f64| if high > low { (v - low) / (high - low) } else { 0.5 };
                    let latest = by_week.and_then(|w| w.values().next_back()).map_or(String::new(), |v| v.to_string());
                    Sparkline { points: raw.into_iter().map(|v| v.map(scale)).collect(), latest }
                })
                .collect();
            SchoolSparklines { school: school.to_string(), lines }
        })
        .collect()
}

/// The authority's weeks, oldest first, then one row for the whole span.
pub fn authority_weeks(rows: &[SchoolWeek], small: SmallNumbers) -> Vec<LaWeek> {
    #[derive(Default, Clone)]
    struct Sum {
        schools: u64,
        requests: u64,
        blocked: u64,
        high_repeats: u64,
        out_of_hours: u64,
        spikes: u64,
        silent: u64,
    }
    let add = |sum: &mut Sum, r: &SchoolWeek| {
        sum.schools += 1;
        sum.requests += r.requests;
        sum.blocked += r.blocked;
        sum.high_repeats += r.high_repeats;
        sum.out_of_hours += r.out_of_hours_sessions;
        sum.spikes += r.spikes;
        sum.silent += r.silent_school_days;
    };
    let mut by_week: BTreeMap<&str, Sum> = BTreeMap::new();
    let mut all = Sum::default();
    for r in rows {
        add(by_week.entry(r.week.as_str()).or_default(), r);
        add(&mut all, r);
    }
    let rate = |s: &Sum| if s.requests == 0 { 0.0 } else { 100.0 * s.blocked as f64 / s.requests as f64 };
    let published = |week: String, s: &Sum, change: String| LaWeek {
        week,
        schools: s.schools.to_string(),
        requests: s.requests.to_string(),
        blocked: s.blocked.to_string(),
        blocked_rate: format!("{:.1}", rate(s)),
        blocked_rate_change: change,
        high_repeats: small.count(s.high_repeats),
        out_of_hours_sessions: small.count(s.out_of_hours),
        spikes: s.spikes.to_string(),
        silent_school_days: s.silent.to_string(),
    };
    let mut out = Vec::new();
    let mut previous: Option<f64> = None;
    for (week, sum) in &by_week {
        let change = previous.map(|p| format!("{:+.1}", rate(sum) - p)).unwrap_or_default();
        previous = Some(rate(sum));
        out.push(published(week.to_string(), sum, change));
    }
    if let (Some(first), Some(last)) = (by_week.keys().next(), by_week.keys().last()) {
        // A school counts once over the span, not once a week.
        all.schools = rows.iter().map(|r| r.school.as_str()).collect::<std::collections::BTreeSet<_>>().len() as u64;
        out.push(published(format!("all {first} to {last}"), &all, String::new()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(school: &str, week: &str, requests: u64, blocked: u64, high_repeats: u64) -> SchoolWeek {
        SchoolWeek {
            school: school.into(),
            week: week.into(),
            requests,
            blocked,
            blocked_rate: 100.0 * blocked as f64 / requests as f64,
            pupils: 400,
            high_repeats,
            high_repeats_per_1000: high_repeats as f64 * 2.5,
            out_of_hours_sessions: 0,
            spikes: 1,
            top_categories: String::new(),
            no_user_rate: 1.0,
            silent_school_days: 0,
            blocked_rate_change: None,
            stands_out: String::new(),
        }
    }

    #[test]
    fn the_authority_adds_its_schools_up_week_by_week_and_hides_small_counts() {
        let rows = vec![
            week("ash", "2026-W42", 1000, 20, 2),
            week("oak", "2026-W42", 3000, 60, 1),
            week("ash", "2026-W43", 1000, 50, 6),
        ];
        let small = SmallNumbers::default();
        let weeks = authority_weeks(&rows, small);
        assert_eq!(weeks.len(), 3, "two weeks and the whole span");
        assert_eq!((weeks[0].requests.as_str(), weeks[0].blocked_rate.as_str()), ("4000", "2.0"));
        assert_eq!(weeks[0].high_repeats, "<5", "3 findings across the authority are not published");
        assert_eq!((weeks[1].blocked_rate.as_str(), weeks[1].blocked_rate_change.as_str()), ("5.0", "+3.0"));
        assert_eq!((weeks[2].week.as_str(), weeks[2].schools.as_str()), ("all 2026-W42 to 2026-W43", "2"));
        assert_eq!(weeks[2].high_repeats, "9");
        let trends = school_trends(&rows, 1, small);
        assert!(trends.iter().all(|t| t.school != "ash" || t.week == "2026-W43"), "only ash's last week");
        let rate = trends.iter().find(|t| t.school == "oak" && t.measure == "high_repeats_per_1000").unwrap();
        assert_eq!(rate.value, "withheld");
    }

    #[test]
    fn sparklines_span_the_same_weeks_with_gaps_where_a_school_has_no_week_or_a_value_is_withheld() {
        let rows = vec![
            week("ash", "2026-W41", 1000, 10, 8),
            week("ash", "2026-W42", 1000, 20, 2),
            week("ash", "2026-W43", 1000, 30, 6),
            week("oak", "2026-W43", 3000, 60, 9),
        ];
        let lines = sparklines(&school_trends(&rows, 12, SmallNumbers::default()), 12);
        assert_eq!(lines.iter().map(|s| s.school.as_str()).collect::<Vec<_>>(), ["ash", "oak"]);
        let blocked = &lines[0].lines[0];
        assert_eq!(blocked.points, [Some(0.0), Some(0.5), Some(1.0)], "1.0%, 2.0%, 3.0% within ash's own range");
        assert_eq!(blocked.latest, "3.0");
        let repeats = &lines[0].lines[1];
        // 8, 2 and 6 findings: 20.0 and 15.0 per 1,000 are drawn, the rate from 2 is withheld.
        assert_eq!(repeats.points, [Some(1.0), None, Some(0.0)], "a gap, not a zero");
        assert_eq!(lines[1].lines[0].points, [None, None, Some(0.5)], "oak has only the last week");
    }
}
