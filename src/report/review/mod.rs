//! The annual filtering and monitoring review (DfE standard: at least once every academic year,
//! by SLT, the DSL and IT support with the responsible governor): a PDF laid out by typst from
//! `assets/review.typ` and a CSV per table. Coverage by group and device range; what was blocked,
//! month by month; possible over-blocking; incidents and how they were handled; school days and
//! hours with no logs; the settings in force and their changes; the suppressions; a sign-off
//! table. The governors' copy ([`Audience::Governors`]) names no user, device or address and leaves
//! out every free-text note (an action typed by staff can name a pupil).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::Serialize;

use super::charts::save;
use super::pdf::Document;
use super::silence::silences;
use crate::config::Profile;
use crate::detect::{Findings, Scope};
use crate::incidents::register::Register;
use crate::incidents::suppress::{self, Suppressions};
use crate::private_fs::write_atomically;
use crate::queries::{
    columns, Param, Params, BLOCKED_BY_DATE_CATEGORY_ROLE, BLOCKED_DOMAINS_IN_CATEGORIES, BY_ROLE, LOGGED_HOURS,
    REQUESTS_BY_ADDRESS,
};
use crate::safe_csv::SafeCsv;
use crate::store;

pub mod blocking;
pub mod coverage;
pub mod incidents;
pub mod settings;

const TEMPLATE: &str = include_str!("../../../assets/review.typ");
/// Most rows of a long table printed in the PDF (the CSV has them all).
const MAX_ROWS: usize = 25;

/// Who a copy of the review is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The school's own: names users, ranges and what staff recorded.
    School,
    /// The governors' (`--no-names`): groups and numbers only.
    Governors,
}

/// The dates a review covers: school-local, `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// The day after the last.
    pub to: NaiveDate,
}

impl Period {
    /// The academic year to date: from 1 September (of this year, or last year before September)
    /// to the end of `today`.
    pub fn academic_year_to_date(today: NaiveDate) -> Period {
        let year = if today.month() >= 9 { today.year() } else { today.year() - 1 };
        let from = NaiveDate::from_ymd_opt(year, 9, 1).unwrap_or(today);
        Period { from, to: today + Days::new(1) }
    }

    /// The last day covered.
    pub fn last(&self) -> NaiveDate {
        self.to - Days::new(1)
    }

    fn utc_bounds(&self, profile: &Profile) -> (DateTime<Utc>, DateTime<Utc>) {
        let at =
            |d: NaiveDate| crate::enrich::clock::local_to_utc(profile.timezone, d.and_time(chrono::NaiveTime::MIN));
        (at(self.from), at(self.to))
    }
}

/// What [`write_review`] wrote.
#[derive(Debug, Clone)]
pub struct ReviewFiles {
    /// The PDF.
    pub pdf: PathBuf,
    /// The CSVs, one per table.
    pub csvs: Vec<PathBuf>,
    /// Incidents of the period still open.
    pub open_incidents: usize,
}

/// `part` of `whole` as a percentage, `–` when there is no whole.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".to_string()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

/// A setting in force, for the template and the CSV.
#[derive(Debug, Serialize, Default)]
struct SettingRow {
    key: String,
    value: String,
}

/// A change of setting.
#[derive(Debug, Serialize, Default)]
struct ChangeRow {
    seen: String,
    key: String,
    before: String,
    after: String,
}

/// A school-day stretch with no logs.
#[derive(Debug, Serialize, Default)]
struct SilenceRow {
    date: String,
    from: String,
    to: String,
    whole_day: String,
}

/// A suppression in force at some point of the period.
#[derive(Debug, Serialize, Default)]
struct SuppressionRow {
    what: String,
    added: String,
    by: String,
    reason: String,
    hidden: String,
}

/// Everything the template reads, as text ready to print.
#[derive(Serialize, Default)]
struct ReviewData {
    school: String,
    from: String,
    to: String,
    timezone: String,
    generated: String,
    governors_copy: bool,
    empty: bool,
    requests: String,
    coverage_note: String,
    groups: Vec<coverage::GroupRow>,
    ranges: Vec<coverage::RangeRow>,
    ranges_note: String,
    months: Vec<blocking::MonthRow>,
    month_chart: String,
    overblocking_categories: String,
    overblocking: Vec<blocking::OverblockingRow>,
    overblocking_note: String,
    incidents: incidents::IncidentSection,
    silent_days: Vec<String>,
    silent_hours: Vec<String>,
    silent_note: String,
    settings: Vec<SettingRow>,
    changes: Vec<ChangeRow>,
    changes_note: String,
    suppressions: Vec<SuppressionRow>,
}

/// A CSV of rows (the header from the row type's fields, even with no rows).
fn table_csv<T: Serialize + Default>(rows: &[T]) -> Result<Vec<u8>> {
    let mut csv = SafeCsv::new(Vec::new());
    if rows.is_empty() {
        csv.serialize(T::default())?;
        let bytes = csv.into_inner()?;
        let header_end = bytes.iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| i + 1);
        return Ok(bytes[..header_end].to_vec());
    }
    for row in rows {
        csv.serialize(row)?;
    }
    Ok(csv.into_inner()?)
}

/// Writes the review of one school for `period` into `out`: `<school>-review-<from>-to-<last>.pdf`
/// (with `-governors` for that copy), `charts/`, and the CSVs.
pub fn write_review(
    data: &Path,
    profile: &Profile,
    period: Period,
    audience: Audience,
    out: &Path,
) -> Result<ReviewFiles> {
    if !store::schools(data)?.contains(&profile.id) {
        anyhow::bail!("no events for school {:?} in {} (nothing ingested for it yet?)", profile.id, data.display());
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let events = store::scan_events_of(data, std::slice::from_ref(&profile.id))?;
    let params: Params = [
        ("school", Param::Text(profile.id.clone())),
        ("from", Param::Date(period.from)),
        ("to", Param::Date(period.to)),
        ("categories", Param::TextList(blocking::OVERBLOCKING_CATEGORIES.iter().map(|c| c.to_string()).collect())),
    ]
    .into_iter()
    .collect();
    let now = Utc::now();
    let today = now.with_timezone(&profile.timezone).date_naive();

    // Findings of the period enter the register (as the weekly report and nightly do).
    let mut findings = Findings::detect_all(&Scope::one_school(data, profile, period.from, period.to))?;
    let hidden = suppress::filter(data, profile, &mut findings)?;
    let register = Register::new(data, &profile.id);
    register.record_new(&findings.summaries(), now)?;
    let incident_section = incidents::section(profile, &register.incidents()?, period.from, period.to, audience);

    let groups = coverage::groups(&BY_ROLE.run(events.clone(), &params)?)?;
    let ranges = coverage::ranges(&REQUESTS_BY_ADDRESS.run(events.clone(), &params)?, audience)?;
    let (months, month_detail, month_chart) =
        blocking::months(profile, &BLOCKED_BY_DATE_CATEGORY_ROLE.run(events.clone(), &params)?)?;
    let overblocking = blocking::overblocking(&BLOCKED_DOMAINS_IN_CATEGORIES.run(events.clone(), &params)?)?;
    let logged = LOGGED_HOURS.run(events, &params)?;
    let (dates, hours, counts) = (
        columns::int_required(&logged, "date")?,
        columns::int_required(&logged, "hour")?,
        columns::int_required(&logged, "requests")?,
    );
    let logged: std::collections::BTreeSet<(NaiveDate, u32)> = (0..logged.height())
        .filter(|&i| counts[i] > 0)
        .map(|i| (crate::enrich::clock::date_from_days(dates[i] as i32), hours[i].clamp(0, 23) as u32))
        .collect();
    let silent = silences(&logged, profile, period.from, period.to, today);

    let (utc_from, utc_to) = period.utc_bounds(profile);
    let setting_rows: Vec<SettingRow> = settings::settings_of(profile)
        .into_iter()
        .map(|s| SettingRow { key: s.key.to_string(), value: s.value })
        .collect();
    let change_rows: Vec<ChangeRow> = settings::changes(data, &profile.id, utc_from, utc_to)?
        .into_iter()
        .map(|c| ChangeRow {
            seen: c.seen.with_timezone(&profile.timezone).format("%-d %b %Y %H:%M").to_string(),
            key: c.key.to_string(),
            before: c.before,
            after: c.after,
        })
        .collect();
    let all_suppressions = Suppressions::new(data, &profile.id).all()?;
    let hidden_ids = |s: &suppress::Suppression| hidden.iter().find(|(h, _)| h == s).map_or(0, |(_, ids)| ids.len());
    let suppression_rows: Vec<SuppressionRow> = all_suppressions
        .iter()
        .filter(|s| s.added < utc_to && s.until.is_none_or(|until| until >= period.from))
        .map(|s| {
            let what = match (audience, s.scope) {
                (Audience::Governors, suppress::Scope::User) => "user: one named person".to_string(),
                _ => s.describe(),
            };
            let governors = audience == Audience::Governors;
            SuppressionRow {
                what,
                added: s.added.with_timezone(&profile.timezone).format("%-d %b %Y").to_string(),
                by: if governors { String::new() } else { s.by.clone() },
                reason: if governors { String::new() } else { s.reason.clone() },
                hidden: match hidden_ids(s) {
                    1 => "1 finding".to_string(),
                    n => format!("{n} findings"),
                },
            }
        })
        .collect();
    let silence_rows: Vec<SilenceRow> = silent
        .iter()
        .map(|s| SilenceRow {
            date: s.date.to_string(),
            from: format!("{:02}:00", s.from_hour),
            to: format!("{:02}:00", s.to_hour),
            whole_day: if s.whole_day { "yes" } else { "no" }.to_string(),
        })
        .collect();

    // The tables as CSV.
    let governors = audience == Audience::Governors;
    let suffix = if governors { "-governors" } else { "" };
    let mut csvs = Vec::new();
    let mut write_csv = |name: &str, bytes: Vec<u8>| -> Result<()> {
        let path = out.join(format!("review-{name}{suffix}.csv"));
        write_atomically(&path, &bytes)?;
        csvs.push(path);
        Ok(())
    };
    write_csv("coverage-groups", table_csv(&groups)?)?;
    write_csv("coverage-ranges", table_csv(&ranges)?)?;
    write_csv("blocked-by-month", table_csv(&month_detail)?)?;
    write_csv("overblocking", table_csv(&overblocking)?)?;
    write_csv("incidents", table_csv(&incident_section.all)?)?;
    write_csv("silent", table_csv(&silence_rows)?)?;
    write_csv("settings", table_csv(&setting_rows)?)?;
    write_csv("setting-changes", table_csv(&change_rows)?)?;
    write_csv("suppressions", table_csv(&suppression_rows)?)?;

    // The PDF.
    let total_requests: u64 = groups.iter().map(|g| g.requests.parse::<u64>().unwrap_or(0)).sum();
    let mut document = Document::new(TEMPLATE, today)?;
    let mut report = ReviewData {
        school: profile.name.clone(),
        from: period.from.format("%A %-d %B %Y").to_string(),
        to: period.last().format("%A %-d %B %Y").to_string(),
        timezone: profile.timezone.name().to_string(),
        generated: now.format("%Y-%m-%d %H:%M UTC").to_string(),
        governors_copy: governors,
        empty: total_requests == 0,
        requests: total_requests.to_string(),
        ..ReviewData::default()
    };
    report.coverage_note = coverage_note(total_requests, &ranges);
    report.ranges_note = match audience {
        Audience::School if ranges.len() > MAX_ROWS => {
            format!("The {MAX_ROWS} busiest of {} ranges; review-coverage-ranges.csv has them all.", ranges.len())
        }
        Audience::School => String::new(),
        Audience::Governors => "Ranges are numbered, busiest first; the school's copy names them.".to_string(),
    };
    if !month_chart.bars.is_empty() {
        let (svg, path) = save(&month_chart, &out.join("charts"))?;
        let name = format!("charts/{}", path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        document.add_file(&name, svg.into_bytes());
        report.month_chart = name;
    }
    report.overblocking_categories = blocking::OVERBLOCKING_CATEGORIES.join(", ");
    report.overblocking_note = overblocking_note(&overblocking);
    report.silent_days =
        silent.iter().filter(|s| s.whole_day).map(|s| s.date.format("%A %-d %B %Y").to_string()).collect();
    report.silent_hours = silent.iter().filter(|s| !s.whole_day).take(MAX_ROWS * 2).map(|s| s.describe()).collect();
    report.silent_note = silent_note(&silent);
    report.changes_note = if store::profile_versions(data, &profile.id)?.is_empty() {
        "This dataset keeps no earlier versions of the profile (they are kept from the first ingest by this version \
         of filterwatch on), so changes before that cannot be shown."
            .to_string()
    } else {
        String::new()
    };
    let open_incidents = incident_section.open.len();
    report.groups = groups;
    report.ranges = ranges.into_iter().take(MAX_ROWS).collect();
    report.months = months;
    report.overblocking = overblocking.into_iter().take(MAX_ROWS).collect();
    report.incidents = incident_section;
    report.settings = setting_rows;
    report.changes = change_rows;
    report.suppressions = suppression_rows;
    document.add_file("data.json", serde_json::to_vec(&report)?);
    let pdf = out.join(format!("{}-review-{}-to-{}{suffix}.pdf", profile.id, period.from, period.last()));
    write_atomically(&pdf, &document.to_pdf()?)?;
    Ok(ReviewFiles { pdf, csvs, open_incidents })
}

fn coverage_note(total: u64, ranges: &[coverage::RangeRow]) -> String {
    if total == 0 {
        return "The dataset holds no log lines for this period: the school cannot show that internet use was \
                monitored. Check that the filter logs reach filterwatch."
            .to_string();
    }
    let unnamed: Vec<&str> =
        ranges.iter().filter(|r| r.with_user == "0%").map(|r| r.range.as_str()).take(5).collect::<Vec<_>>();
    let mut note = format!("{total} requests were logged in the period.");
    if !unnamed.is_empty() {
        note.push_str(&format!(
            " No request from {} carried a username: use there cannot be traced to a person.",
            unnamed.join(", ")
        ));
    }
    note
}

fn overblocking_note(rows: &[blocking::OverblockingRow]) -> String {
    if rows.is_empty() {
        return "No request to an education, reference, search, health or news site was blocked.".to_string();
    }
    let blocked: u64 = rows.iter().map(|r| r.blocked.parse::<u64>().unwrap_or(0)).sum();
    format!(
        "{blocked} requests to {} education, reference, search, health or news domains were blocked. The standard \
         asks that filtering does not unreasonably get in the way of teaching and learning: check each domain below \
         and ask for the ones used in lessons to be unblocked.",
        rows.len()
    )
}

fn silent_note(silent: &[super::silence::Silence]) -> String {
    let days = silent.iter().filter(|s| s.whole_day).count();
    let stretches = silent.len() - days;
    if silent.is_empty() {
        return "Something was logged in every hour of the staff day on every school day.".to_string();
    }
    format!(
        "{days} school day(s) with no log line at all, and {stretches} shorter stretch(es) of the staff day with \
         none. A filter that stops logging is itself an incident: each should have a known cause (a power cut, an \
         INSET day not in the profile's holidays, a proxy outage)."
    )
}
