//! The school's clock: turns logged times into UTC instants and UTC instants into the school's
//! local date, wall-clock time and weekday. Local times without a zone are read in the school's
//! zone with fixed rules for the clock changes: in the repeated hour (October) the earlier
//! instant is taken, and a time in the missing hour (March) is read with the offset in force
//! before the change (01:30 on the spring-forward night is 01:30 GMT).

use chrono::{Datelike, LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::formats::LogTime;

const MICROS_PER_SECOND: i64 = 1_000_000;
/// Offsets are cached per quarter hour of UTC: every clock change falls on one.
const CACHE_BUCKET_SECONDS: i64 = 900;

/// Where a UTC instant falls in the school's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalParts {
    /// School-local wall-clock time, microseconds since 1970-01-01 00:00 local.
    pub local_micros: i64,
    /// School-local date as days since 1970-01-01.
    pub date_days: i32,
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub weekday: i8,
}

/// A time-zone converter with a one-entry offset cache (log lines come in time order).
#[derive(Debug, Clone)]
pub struct SchoolClock {
    tz: Tz,
    cached_bucket: i64,
    cached_offset_seconds: i64,
}

impl SchoolClock {
    /// A clock for the school's zone.
    pub fn new(tz: Tz) -> SchoolClock {
        SchoolClock { tz, cached_bucket: i64::MIN, cached_offset_seconds: 0 }
    }

    /// The UTC instant of a logged time, in microseconds since the epoch.
    pub fn to_utc_micros(&self, time: LogTime) -> i64 {
        match time {
            LogTime::EpochMicros(us) => us,
            LogTime::Offset(t) => t.timestamp_micros(),
            LogTime::Local(naive) => self.local_to_utc(naive),
        }
    }

    fn local_to_utc(&self, naive: NaiveDateTime) -> i64 {
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => t.timestamp_micros(),
            LocalResult::Ambiguous(earlier, _) => earlier.timestamp_micros(),
            LocalResult::None => {
                let before_gap = naive.and_utc() - chrono::Duration::hours(3);
                let offset = self.tz.offset_from_utc_datetime(&before_gap.naive_utc()).fix();
                (naive - chrono::Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc().timestamp_micros()
            }
        }
    }

    /// The school-local date, wall-clock time and weekday of a UTC instant.
    pub fn local_parts(&mut self, utc_micros: i64) -> LocalParts {
        let seconds = utc_micros.div_euclid(MICROS_PER_SECOND);
        let bucket = seconds.div_euclid(CACHE_BUCKET_SECONDS);
        if bucket != self.cached_bucket {
            let utc = chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default().naive_utc();
            self.cached_offset_seconds = i64::from(self.tz.offset_from_utc_datetime(&utc).fix().local_minus_utc());
            self.cached_bucket = bucket;
        }
        let local_micros = utc_micros + self.cached_offset_seconds * MICROS_PER_SECOND;
        let date_days = local_micros.div_euclid(86_400 * MICROS_PER_SECOND) as i32;
        // 1970-01-01 was a Thursday (ISO 4).
        let weekday = ((i64::from(date_days) + 3).rem_euclid(7) + 1) as i8;
        LocalParts { local_micros, date_days, weekday }
    }
}

/// Days since 1970-01-01 → calendar date.
pub fn date_from_days(days: i32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap_or_default()
}

/// The UTC instant of a school-local wall-clock time (the first one in October's repeated hour,
/// the wall clock read as UTC in March's skipped hour).
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    tz.from_local_datetime(&local).earliest().map_or_else(|| local.and_utc(), |t| t.with_timezone(&chrono::Utc))
}

/// Calendar date → days since 1970-01-01.
pub fn days_from_date(date: chrono::NaiveDate) -> i32 {
    date.num_days_from_ce() - 719_163
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(s: &str) -> LogTime {
        LogTime::Local(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap())
    }

    fn utc(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap().and_utc().timestamp_micros()
    }

    #[test]
    fn summer_time_is_an_hour_ahead() {
        let clock = SchoolClock::new(chrono_tz::Europe::London);
        assert_eq!(clock.to_utc_micros(local("2026-10-20 07:15:00")), utc("2026-10-20 06:15:00"));
        assert_eq!(clock.to_utc_micros(local("2026-11-20 07:15:00")), utc("2026-11-20 07:15:00"));
    }

    #[test]
    fn repeated_october_hour_takes_the_first_pass() {
        let clock = SchoolClock::new(chrono_tz::Europe::London);
        // 2026-10-25 01:30 happens twice: 00:30 UTC (BST) and 01:30 UTC (GMT).
        assert_eq!(clock.to_utc_micros(local("2026-10-25 01:30:00")), utc("2026-10-25 00:30:00"));
    }

    #[test]
    fn missing_march_hour_is_read_as_gmt() {
        let clock = SchoolClock::new(chrono_tz::Europe::London);
        // 2026-03-29 01:30 does not exist locally; it is read as 01:30 GMT.
        assert_eq!(clock.to_utc_micros(local("2026-03-29 01:30:00")), utc("2026-03-29 01:30:00"));
    }

    #[test]
    fn local_parts_cross_midnight_in_summer() {
        let mut clock = SchoolClock::new(chrono_tz::Europe::London);
        // 23:30 UTC on Tuesday 20 Oct 2026 is 00:30 BST on Wednesday 21 Oct.
        let parts = clock.local_parts(utc("2026-10-20 23:30:00"));
        assert_eq!(date_from_days(parts.date_days), NaiveDate::from_ymd_opt(2026, 10, 21).unwrap());
        assert_eq!(parts.weekday, 3);
        assert_eq!(parts.local_micros, utc("2026-10-21 00:30:00"));
        // And in winter the same UTC time stays on the same day.
        let parts = clock.local_parts(utc("2026-11-24 23:30:00"));
        assert_eq!(date_from_days(parts.date_days), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(parts.weekday, 2);
    }
}
