//! Hours of the school's staff day, on school days, in which nothing at all was logged: a filter
//! that stops logging is itself an incident. The weekly report lists them for its week, the
//! annual review for the year.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate, Timelike};

use crate::config::Profile;

/// One stretch of a school day with no log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Silence {
    /// The school-local date.
    pub date: NaiveDate,
    /// First silent hour (0–23).
    pub from_hour: u32,
    /// The hour after the last silent one.
    pub to_hour: u32,
    /// Whether it is the whole staff day (nothing logged that day at all in those hours).
    pub whole_day: bool,
}

impl Silence {
    /// `Wednesday 21 October 2026: no log lines at all from 07:00 to 19:00`.
    pub fn describe(&self) -> String {
        format!(
            "{}: no log lines at all from {:02}:00 to {:02}:00",
            self.date.format("%A %-d %B %Y"),
            self.from_hour,
            self.to_hour
        )
    }
}

/// The silent stretches of school days in `from..to` (local dates, `to` exclusive) before
/// `today`, given the (date, hour) pairs in which anything was logged.
pub fn silences(
    logged: &BTreeSet<(NaiveDate, u32)>,
    profile: &Profile,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Vec<Silence> {
    let (first, last) = (profile.hours.staff_start.hour(), profile.hours.staff_end.hour());
    let mut found = Vec::new();
    let mut day = from;
    while day < to && day < today {
        if profile.hours.is_school_day(day) {
            let missing: Vec<u32> = (first..last).filter(|h| !logged.contains(&(day, *h))).collect();
            for (a, b) in runs(&missing) {
                found.push(Silence { date: day, from_hour: a, to_hour: b + 1, whole_day: a == first && b + 1 == last });
            }
        }
        day = day + Days::new(1);
    }
    found
}

/// Consecutive runs in sorted numbers, as (first, last).
fn runs(values: &[u32]) -> Vec<(u32, u32)> {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &v in values {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == v => *last = v,
            _ => runs.push((v, v)),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn consecutive_hours_form_runs() {
        assert_eq!(runs(&[9, 10, 11, 14]), vec![(9, 11), (14, 14)]);
    }

    #[test]
    fn a_day_without_logs_is_one_whole_day_silence_and_weekends_do_not_count() {
        let profile = Profile::with_defaults("riverside").unwrap();
        // Monday 19 October 2026 logged 07:00–18:59 except 12:00–13:59; Tuesday nothing; the
        // weekend nothing (not school days).
        let logged: BTreeSet<(NaiveDate, u32)> =
            (7..19).filter(|h| !(12..14).contains(h)).map(|h| (d("2026-10-19"), h)).collect();
        let found = silences(&logged, &profile, d("2026-10-19"), d("2026-10-26"), d("2026-10-21"));
        assert_eq!(
            found,
            vec![
                Silence { date: d("2026-10-19"), from_hour: 12, to_hour: 14, whole_day: false },
                Silence { date: d("2026-10-20"), from_hour: 7, to_hour: 19, whole_day: true },
            ]
        );
        assert_eq!(found[1].describe(), "Tuesday 20 October 2026: no log lines at all from 07:00 to 19:00");
    }
}
