//! The ISO week: what weekly reports, the nightly job, the LA view and the demo count in. A week
//! runs Monday to Sunday in school time.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// An ISO week, Monday to Sunday in school time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    /// Its Monday.
    pub monday: NaiveDate,
}

impl Week {
    /// Parses `2026-W43`.
    pub fn parse(text: &str) -> Option<Week> {
        let (year, week) = text.trim().split_once("-W").or_else(|| text.trim().split_once("-w"))?;
        NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon).map(|monday| Week { monday })
    }

    /// The week containing `date`.
    pub fn of(date: NaiveDate) -> Week {
        Week { monday: date - Days::new(u64::from(date.weekday().num_days_from_monday())) }
    }

    /// `2026-W43`.
    pub fn label(&self) -> String {
        let iso = self.monday.iso_week();
        format!("{}-W{:02}", iso.year(), iso.week())
    }

    /// The Monday after.
    pub fn end(&self) -> NaiveDate {
        self.monday + Days::new(7)
    }

    /// The week before.
    pub fn previous(&self) -> Week {
        Week { monday: self.monday - Days::new(7) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_parse_and_label() {
        let week = Week::parse("2026-W43").unwrap();
        assert_eq!(week.monday, NaiveDate::from_ymd_opt(2026, 10, 19).unwrap());
        assert_eq!(week.label(), "2026-W43");
        assert_eq!(Week::of(NaiveDate::from_ymd_opt(2026, 10, 25).unwrap()), week);
        assert_eq!(week.previous().label(), "2026-W42");
        assert!(Week::parse("2026-43").is_none());
    }
}
