//! Out-of-hours staff use: staff requests before the staff day starts, after it ends, on a day
//! that is not a school day, or in a holiday, in the school's local time (07:15 BST is 06:15 UTC
//! and is in hours). A person's requests are grouped into sessions (a gap longer than the
//! profile's `session_gap_minutes` ends one) and a handful of stray requests is not a session.
//! Rows with no user, pupils and service accounts never count.
//!
//! SQL selects the rows (`staff_out_of_hours.sql`); sessions are formed in Rust, because
//! gap-based sessionisation needs a running sum over a window, which polars SQL and Spark do not
//! express the same way.

use anyhow::Result;
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Timelike, Utc};
use serde::Serialize;

use super::{finding_id, local_date, local_text, top, utc, week_by_week, Evidence, Kind, Scope, Tally};
use crate::config::Profile;
use crate::queries::{columns, Param, STAFF_OUT_OF_HOURS};

/// How many top categories and domains a session lists.
const TOP: usize = 5;

/// An out-of-hours session finding (DESIGN §5).
#[derive(Debug, Clone, Serialize)]
pub struct OutOfHours {
    /// Stable id, for `evidence`.
    pub id: String,
    /// School id.
    pub school: String,
    /// The member of staff.
    pub user: String,
    /// Always `staff`.
    pub role: String,
    /// Start (UTC).
    pub start: DateTime<Utc>,
    /// End (UTC).
    pub end: DateTime<Utc>,
    /// Start in the school's local time, for people.
    pub local_start: String,
    /// Why it is out of hours, in words (`after 19:00`, `Saturday`, `holiday`).
    pub when: String,
    /// Requests in the session.
    pub requests: u64,
    /// Blocked requests among them.
    pub blocked: u64,
    /// Most requested categories.
    pub top_categories: Vec<Tally>,
    /// Most requested domains.
    pub top_domains: Vec<Tally>,
    /// Client addresses and device names used.
    pub devices: Vec<String>,
    /// The raw log lines behind it.
    pub evidence: Vec<Evidence>,
}

/// One out-of-hours request (also read by the high-risk rules).
pub(super) struct Request {
    pub(super) user: String,
    pub(super) ts: i64,
    pub(super) category: String,
    pub(super) domain: String,
    pub(super) device: String,
    pub(super) blocked: bool,
    pub(super) evidence: Evidence,
}

/// Finds out-of-hours sessions in scope, longest first.
pub fn detect(scope: &Scope) -> Result<Vec<OutOfHours>> {
    let mut sessions = Vec::new();
    for profile in &scope.schools {
        let window = |from, to| Ok(sessions_in(&out_of_hours_requests(scope, profile, from, to)?, profile));
        sessions.extend(week_by_week(scope, profile, window, |s| s.start)?);
    }
    sessions.sort_by(|a, b| b.requests.cmp(&a.requests).then_with(|| a.start.cmp(&b.start)));
    Ok(sessions)
}

/// Splits one school's out-of-hours requests (sorted by user, then time) into sessions.
fn sessions_in(requests: &[Request], profile: &Profile) -> Vec<OutOfHours> {
    let gap = i64::from(profile.detect.session_gap_minutes) * 60_000_000;
    let mut sessions = Vec::new();
    let mut start = 0;
    for i in 1..=requests.len() {
        let ends = i == requests.len()
            || requests[i].user != requests[i - 1].user
            || requests[i].ts - requests[i - 1].ts > gap;
        if ends {
            let session = &requests[start..i];
            if session.len() >= profile.detect.out_of_hours_min_requests as usize {
                sessions.push(build(profile, session));
            }
            start = i;
        }
    }
    sessions
}

/// The school's staff requests out of hours in [from, to), by user and time.
pub(super) fn out_of_hours_requests(
    scope: &Scope,
    profile: &Profile,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Request>> {
    let hours = &profile.hours;
    let minute = |t: chrono::NaiveTime| i64::from(t.hour() * 60 + t.minute());
    let mut params = scope.params(from, to);
    params.insert("school", Param::Text(profile.id.clone()));
    params.insert(
        "school_weekdays",
        Param::IntList(hours.school_days.iter().map(|d| i64::from(d.number_from_monday())).collect()),
    );
    params.insert("holiday_dates", Param::DateList(holiday_dates(profile, from, to)));
    params.insert("staff_start_minute", Param::Int(minute(hours.staff_start)));
    params.insert("staff_end_minute", Param::Int(minute(hours.staff_end)));
    let df = STAFF_OUT_OF_HOURS.run(scope.events()?, &params)?;
    let users = columns::text(&df, "user")?;
    let ts = columns::int_required(&df, "ts")?;
    let categories = columns::text(&df, "category")?;
    let domains = columns::text(&df, "domain")?;
    let ips = columns::text(&df, "client_ip")?;
    let devices = columns::text(&df, "device")?;
    let evidence = super::evidence_of(&df)?;
    let actions = columns::text(&df, "action")?;
    Ok((0..df.height())
        .map(|i| Request {
            user: users[i].clone().unwrap_or_default(),
            ts: ts[i],
            category: categories[i].clone().unwrap_or_else(|| "uncategorised".into()),
            domain: domains[i].clone().unwrap_or_default(),
            device: devices[i].clone().or_else(|| ips[i].clone()).unwrap_or_default(),
            blocked: actions[i].as_deref() == Some("blocked"),
            evidence: evidence[i].clone(),
        })
        .collect())
}

/// Every holiday date within [from, to).
fn holiday_dates(profile: &Profile, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut dates = Vec::new();
    for &(first, last) in &profile.hours.holidays {
        let mut day = first.max(from);
        while day <= last && day < to {
            dates.push(day);
            day = day + Days::new(1);
        }
    }
    dates
}

/// Why a session starting at `start` is out of hours, in words.
fn when(profile: &Profile, start: DateTime<Utc>) -> String {
    let local = profile.timezone.from_utc_datetime(&start.naive_utc());
    let day = local.date_naive();
    let hours = &profile.hours;
    if hours.holidays.iter().any(|(a, b)| *a <= day && day <= *b) {
        "holiday".to_string()
    } else if !hours.school_days.contains(&day.weekday()) {
        day.format("%A").to_string()
    } else if local.time() < hours.staff_start {
        format!("before {}", hours.staff_start.format("%H:%M"))
    } else {
        format!("after {}", hours.staff_end.format("%H:%M"))
    }
}

fn build(profile: &Profile, session: &[Request]) -> OutOfHours {
    let start = utc(session[0].ts);
    let user = session[0].user.clone();
    let mut devices: Vec<String> = session.iter().map(|r| r.device.clone()).collect();
    devices.sort();
    devices.dedup();
    OutOfHours {
        id: finding_id(
            Kind::OutOfHours,
            &profile.id,
            local_date(start, profile.timezone),
            &format!("{user}|{}", start.timestamp()),
        ),
        school: profile.id.clone(),
        role: "staff".to_string(),
        start,
        end: utc(session[session.len() - 1].ts),
        local_start: local_text(start, profile.timezone),
        when: when(profile, start),
        requests: session.len() as u64,
        blocked: session.iter().filter(|r| r.blocked).count() as u64,
        top_categories: top(session.iter().map(|r| r.category.as_str()), TOP),
        top_domains: top(session.iter().map(|r| r.domain.as_str()), TOP),
        devices,
        evidence: session.iter().map(|r| r.evidence.clone()).collect(),
        user,
    }
}
