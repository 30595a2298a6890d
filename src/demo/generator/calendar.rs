//! The school calendar and clock: minutes since local midnight, the days of the week, lesson
//! times, and local wall-clock times turned into UTC through chrono-tz.

use super::*;

/// Minutes since local midnight.
pub(super) type Minute = u32;
/// A stretch of local time `[from, to)`.
pub(super) type Span = (Minute, Minute);

pub(super) const fn hm(hour: u32, minute: u32) -> Minute {
    hour * 60 + minute
}

pub(super) const MINUTE_MS: i64 = 60_000;
pub(super) const DAYS: usize = 7;
pub(super) const SCHOOL_DAYS: usize = 5;
pub(super) const MONDAY: usize = 0;
pub(super) const TUESDAY: usize = 1;
pub(super) const WEDNESDAY: usize = 2;
pub(super) const THURSDAY: usize = 3;
pub(super) const FRIDAY: usize = 4;
pub(super) const SATURDAY: usize = 5;

/// Pupils' lessons, around morning break (10:50–11:05) and lunch.
pub(super) const LESSONS: &[Span] = &[(hm(8, 50), hm(10, 50)), (hm(11, 5), hm(12, 15)), (hm(13, 15), hm(15, 20))];
pub(super) const LUNCH: &[Span] = &[(hm(12, 15), hm(13, 15))];
/// When staff browse outside lessons.
pub(super) const STAFF_DAY: &[Span] = &[(hm(7, 30), hm(17, 30))];

/// A local wall-clock time in UTC. A time skipped when the clocks go forward moves on an hour;
/// a repeated one (clocks going back) takes its first occurrence.
pub(super) fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    match London.from_local_datetime(&local).earliest() {
        Some(time) => time.with_timezone(&Utc),
        None => to_utc(local + TimeDelta::hours(1)),
    }
}

/// `minute` past local midnight on `date`, in UTC.
pub(super) fn local_utc(date: NaiveDate, minute: Minute) -> DateTime<Utc> {
    to_utc(date.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(minute)))
}

/// Like [`local_utc`], as epoch milliseconds.
pub(super) fn local_ms(date: NaiveDate, minute: Minute) -> i64 {
    local_utc(date, minute).timestamp_millis()
}
