//! The coordinator's weekly report: one school, one ISO week. Gathers the week from the dataset
//! (the portable queries plus the three detections), writes the charts (PNG and SVG), the
//! findings and incident-log CSVs, and lays the PDF out with typst from `assets/weekly.typ`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Datelike, Days, NaiveDate, Timelike};
use serde::Serialize;

use super::charts::{save, HeatMap, HorizontalBars, HourlyAgainstUsual, StackedBars};
use super::incident_log;
use super::pdf::Document;
use crate::config::Profile;
use crate::detect::out_of_hours::OutOfHours;
use crate::detect::repeats::Repeat;
use crate::detect::severity::{severity_of, Severity};
use crate::detect::spikes::Spike;
use crate::detect::{Findings, NeedsAction, Scope};
use crate::enrich::clock::date_from_days;
use crate::private_fs::write_atomically;
use crate::queries::{
    columns, Param, Params, BLOCKED_BY_DAY_CATEGORY, BLOCKED_SEARCHES, BY_ROLE, HOURLY_ACTIVITY, TOP_BLOCKED_DOMAINS,
    WEEK_TOTALS,
};
use crate::store;
use crate::week::Week;

const TEMPLATE: &str = include_str!("../../assets/weekly.typ");
/// Categories shown in the daily chart before the rest become "other".
const CHART_CATEGORIES: usize = 6;
/// Most findings listed under "what needs action first".
const MAX_ACTIONS: usize = 12;
/// Most rows in the blocked-searches table.
const MAX_SEARCHES: usize = 30;
/// Most spikes given a chart each.
const MAX_SPIKE_CHARTS: usize = 6;

/// What `write_weekly` produced.
#[derive(Debug, Clone)]
pub struct WeeklyFiles {
    /// The PDF.
    pub pdf: PathBuf,
    /// Every chart, PNG and SVG.
    pub charts: Vec<PathBuf>,
    /// findings.csv.
    pub findings_csv: PathBuf,
    /// incident-log.csv.
    pub incident_log_csv: PathBuf,
    /// How many findings need action.
    pub actions: usize,
}

/// Everything the template reads, as strings ready to print.
#[derive(Serialize, Default)]
struct ReportData {
    school: String,
    week: String,
    from: String,
    to: String,
    timezone: String,
    generated: String,
    empty: bool,
    empty_note: String,
    actions: Vec<Action>,
    totals: Vec<TotalRow>,
    repeats: Vec<RepeatRow>,
    out_of_hours: Vec<SessionRow>,
    spikes: Vec<SpikeRow>,
    charts: ChartPaths,
    top_domains: Vec<DomainRow>,
    top_categories: Vec<CategoryRow>,
    ignored_note: String,
    searches: Vec<SearchRow>,
    searches_note: String,
    roles: Vec<RoleRow>,
    coverage_note: String,
    gaps: Vec<String>,
}

#[derive(Serialize)]
struct Action {
    label: String,
    sentence: String,
    id: String,
}

#[derive(Serialize)]
struct TotalRow {
    label: String,
    this_week: String,
    last_week: String,
    change: String,
}

#[derive(Serialize)]
struct RepeatRow {
    severity: String,
    user: String,
    year: String,
    category: String,
    attempts: String,
    when: String,
    device: String,
    detail: String,
}

#[derive(Serialize)]
struct SessionRow {
    user: String,
    when: String,
    reason: String,
    minutes: String,
    requests: String,
    blocked: String,
    device: String,
    categories: String,
}

#[derive(Serialize)]
struct SpikeRow {
    subject: String,
    when: String,
    sentence: String,
    chart: String,
    caption: String,
}

#[derive(Serialize, Default)]
struct ChartPaths {
    daily: String,
    daily_caption: String,
    heatmap: String,
    roles: String,
}

#[derive(Serialize)]
struct DomainRow {
    domain: String,
    category: String,
    blocked: String,
    users: String,
}

#[derive(Serialize)]
struct CategoryRow {
    category: String,
    severity: String,
    blocked: String,
}

#[derive(Serialize)]
struct SearchRow {
    terms: String,
    topic: String,
    times: String,
    people: String,
    who: String,
    when: String,
}

#[derive(Serialize)]
struct RoleRow {
    group: String,
    users: String,
    requests: String,
    blocked: String,
}

fn detect_week(data: &Path, profile: &Profile, week: Week) -> Result<Findings> {
    Findings::detect_all(&Scope {
        data: data.to_path_buf(),
        schools: vec![profile.clone()],
        from: week.monday,
        to: week.end(),
    })
}

/// Writes the week's report for one school into `out`: `<school>-<week>.pdf`, `charts/*.png|svg`,
/// `findings.csv` and `incident-log.csv`.
pub fn write_weekly(data: &Path, profile: &Profile, week: Week, out: &Path) -> Result<WeeklyFiles> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let stem = format!("{}-{}", profile.id, week.label());
    let chart_dir = out.join("charts");
    let events = store::scan_events(data)?;
    let params = |w: Week| -> Params {
        [("school", Param::Text(profile.id.clone())), ("from", Param::Date(w.monday)), ("to", Param::Date(w.end()))]
            .into_iter()
            .collect()
    };
    let this = params(week);
    let totals_now = totals(&WEEK_TOTALS.run(events.clone(), &this)?)?;
    let findings = detect_week(data, profile, week)?;
    let mut report = ReportData {
        school: profile.name.clone(),
        week: week.label(),
        from: long_date(week.monday),
        to: long_date(week.end() - Days::new(1)),
        timezone: profile.timezone.name().to_string(),
        generated: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        ..ReportData::default()
    };
    let mut document = Document::new(TEMPLATE, chrono::Utc::now().date_naive())?;
    let mut chart_files = Vec::new();
    let mut add_chart =
        |chart: &dyn Fn(&Path) -> Result<(String, PathBuf)>, document: &mut Document| -> Result<String> {
            let (svg, path) = chart(&chart_dir)?;
            let name = format!("charts/{}", path.file_name().expect("chart file").to_string_lossy());
            document.add_file(&name, svg.into_bytes());
            chart_files.push(path.clone());
            chart_files.push(path.with_extension("png"));
            Ok(name)
        };

    if totals_now.requests == 0 {
        report.empty = true;
        report.empty_note = format!(
            "The dataset holds no log lines for {} between {} and {}. Either nothing was ingested for this week yet, \
             or the filter stopped logging: check that the proxy is running and that its logs reach filterwatch.",
            profile.name, report.from, report.to
        );
        report.coverage_note = "A week without log data is itself an incident to record: the school cannot show that \
                                internet use was monitored."
            .to_string();
    } else {
        let totals_before = totals(&WEEK_TOTALS.run(events.clone(), &params(week.previous()))?)?;
        let before = detect_week(data, profile, week.previous())?;
        report.actions = actions(profile, &findings);
        report.totals = total_rows(&totals_now, &totals_before, &findings, &before);
        report.repeats = findings.repeats.iter().map(|r| repeat_row(profile, r)).collect();
        report.out_of_hours = findings.out_of_hours.iter().map(|s| session_row(profile, s)).collect();
        let hourly = HOURLY_ACTIVITY.run(events.clone(), &this)?;
        let activity = Activity::read(&hourly)?;
        for (n, spike) in findings.spikes.iter().take(MAX_SPIKE_CHARTS).enumerate() {
            let chart = spike_chart(profile, spike, &activity, n + 1);
            let path = add_chart(&|dir| save(&chart, dir), &mut document)?;
            report.spikes.push(SpikeRow {
                subject: spike_subject(spike),
                when: when_text(profile, spike.start, spike.end),
                sentence: spike_sentence(profile, spike),
                chart: path,
                caption: chart.title.clone(),
            });
        }
        let daily = BLOCKED_BY_DAY_CATEGORY.run(events.clone(), &this)?;
        let (stacked, categories) = daily_chart(profile, week, &daily)?;
        report.charts.daily = add_chart(&|dir| save(&stacked, dir), &mut document)?;
        report.charts.daily_caption =
            "Blocked requests per school day by category (adverts, trackers and updates left out).".to_string();
        let heat = HeatMap {
            name: "blocked-heatmap".into(),
            title: "When blocked requests happen".into(),
            counts: activity.heat(profile),
        };
        report.charts.heatmap = add_chart(&|dir| save(&heat, dir), &mut document)?;
        report.top_categories = categories;
        report.top_domains = top_domains(profile, &TOP_BLOCKED_DOMAINS.run(events.clone(), &this)?)?;
        report.ignored_note =
            "Adverts, trackers and software updates are blocked all the time by design; they are left out \
                               of these lists and never make a finding."
                .to_string();
        (report.searches, report.searches_note) = searches(profile, &BLOCKED_SEARCHES.run(events.clone(), &this)?)?;
        let (roles, role_chart) = roles(&BY_ROLE.run(events.clone(), &this)?)?;
        report.roles = roles;
        report.charts.roles = add_chart(&|dir| save(&role_chart, dir), &mut document)?;
        report.gaps = activity.gaps(profile, week);
        report.coverage_note = coverage_note(&totals_now, report.gaps.len());
    }

    document.add_file("data.json", serde_json::to_vec(&report)?);
    let pdf = out.join(format!("{stem}.pdf"));
    write_atomically(&pdf, &document.to_pdf()?)?;
    let findings_csv = out.join("findings.csv");
    let incident_log_csv = out.join("incident-log.csv");
    write_atomically(
        &findings_csv,
        &incident_log::findings_csv(&findings.spikes, &findings.out_of_hours, &findings.repeats)?,
    )?;
    write_atomically(
        &incident_log_csv,
        &incident_log::incident_log_csv(profile, &findings.spikes, &findings.out_of_hours, &findings.repeats)?,
    )?;
    Ok(WeeklyFiles { pdf, charts: chart_files, findings_csv, incident_log_csv, actions: findings.needing_action() })
}

/// The week in numbers, as counted by `week_totals.sql`.
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    requests: u64,
    blocked: u64,
    without_user: u64,
    users: u64,
}

fn totals(df: &polars::prelude::DataFrame) -> Result<Totals> {
    if df.height() == 0 {
        return Ok(Totals::default());
    }
    let get = |name: &str| -> Result<u64> { Ok(columns::int(df, name)?[0].unwrap_or(0) as u64) };
    Ok(Totals {
        requests: get("requests")?,
        blocked: get("blocked")?,
        without_user: get("without_user")?,
        users: get("users")?,
    })
}

/// "Thursday 22 October".
fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

fn local(profile: &Profile, time: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono_tz::Tz> {
    time.with_timezone(&profile.timezone)
}

/// "Thursday 22 October, 11:05–11:16".
fn when_text(profile: &Profile, start: chrono::DateTime<chrono::Utc>, end: chrono::DateTime<chrono::Utc>) -> String {
    let (a, b) = (local(profile, start), local(profile, end));
    format!("{} {}–{}", a.format("%A %-d %B,"), a.format("%H:%M"), b.format("%H:%M"))
}

/// "Thu 22 Oct 11:05–11:16", for table cells.
fn short_when(profile: &Profile, start: chrono::DateTime<chrono::Utc>, end: chrono::DateTime<chrono::Utc>) -> String {
    let (a, b) = (local(profile, start), local(profile, end));
    format!("{} {}–{}", a.format("%a %-d %b"), a.format("%H:%M"), b.format("%H:%M"))
}

fn names(tallies: &[crate::detect::Tally], limit: usize) -> String {
    tallies.iter().take(limit).map(|t| t.name.clone()).collect::<Vec<_>>().join(", ")
}

fn pupil_label(r: &Repeat) -> String {
    match r.year_group {
        Some(y) => format!("Year {y} pupil {}", r.user),
        None => format!("Pupil {}", r.user),
    }
}

fn repeat_sentence(profile: &Profile, r: &Repeat) -> String {
    let searches = if r.search_terms.is_empty() {
        String::new()
    } else {
        format!(
            ", including searches for {}",
            r.search_terms.iter().map(|t| format!("“{t}”")).collect::<Vec<_>>().join(", ")
        )
    };
    format!(
        "{} made {} blocked attempts to reach {} sites on {} from {}, mostly {}{}.",
        pupil_label(r),
        r.attempts,
        r.category,
        when_text(profile, r.start, r.end),
        r.devices.join(" and "),
        names(&r.domains, 3),
        searches
    )
}

fn session_sentence(profile: &Profile, s: &OutOfHours) -> String {
    let minutes = (s.end - s.start).num_minutes().max(1);
    format!(
        "{} (staff) used the internet for {minutes} minutes on {} ({}) from {}: {} requests, {} blocked, mostly {}.",
        s.user,
        when_text(profile, s.start, s.end),
        s.when,
        s.devices.join(" and "),
        s.requests,
        s.blocked,
        names(&s.top_categories, 3)
    )
}

fn spike_subject(s: &Spike) -> String {
    s.category.clone().or_else(|| s.domain.clone()).unwrap_or_default()
}

fn spike_sentence(profile: &Profile, s: &Spike) -> String {
    format!(
        "blocked {} requests rose to {} on {}, against about {:.0} usually at that time of day; {} {} involved, mostly {}.",
        spike_subject(s),
        s.count,
        when_text(profile, s.start, s.end),
        s.baseline,
        s.users,
        if s.users == 1 { "person was" } else { "people were" },
        names(&s.top_domains, 3)
    )
}

/// What needs action first ([`NeedsAction`]: high-severity repeats, staff out of hours,
/// high-severity spikes), then what is worth a look (the other spikes by severity, then the other
/// repeats), at most [`MAX_ACTIONS`].
fn actions(profile: &Profile, f: &Findings) -> Vec<Action> {
    let repeat = |r: &Repeat| Action {
        label: format!("{} severity, repeated attempts", capitalise(r.severity.as_str())),
        sentence: repeat_sentence(profile, r),
        id: r.id.clone(),
    };
    let session = |s: &OutOfHours| Action {
        label: "Staff out of hours".into(),
        sentence: session_sentence(profile, s),
        id: s.id.clone(),
    };
    let spike = |s: &Spike| Action {
        label: "Spike".into(),
        sentence: capitalise(&spike_sentence(profile, s)),
        id: s.id.clone(),
    };
    let mut worth_a_look: Vec<&Spike> = f.spikes.iter().filter(|s| !s.needs_action()).collect();
    worth_a_look.sort_by_key(|s| s.severity);
    let mut actions: Vec<Action> = f.repeats.iter().filter(|r| r.needs_action()).map(repeat).collect();
    actions.extend(f.out_of_hours.iter().filter(|s| s.needs_action()).map(session));
    actions.extend(f.spikes.iter().filter(|s| s.needs_action()).map(spike));
    actions.extend(worth_a_look.into_iter().map(spike));
    actions.extend(f.repeats.iter().filter(|r| !r.needs_action()).map(repeat));
    actions.truncate(MAX_ACTIONS);
    actions
}

/// The text with its first letter in capitals.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn total_rows(now: &Totals, before: &Totals, f: &Findings, b: &Findings) -> Vec<TotalRow> {
    let pct = |part: u64, whole: u64| if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 };
    let high = |f: &Findings| f.repeats.iter().filter(|r| r.severity == Severity::High).count() as f64;
    let rows: [(&str, f64, f64, bool); 7] = [
        ("Requests", now.requests as f64, before.requests as f64, false),
        ("Blocked requests", now.blocked as f64, before.blocked as f64, false),
        ("Share blocked (%)", pct(now.blocked, now.requests), pct(before.blocked, before.requests), true),
        ("People seen", now.users as f64, before.users as f64, false),
        ("High-severity repeated attempts", high(f), high(b), false),
        ("Staff sessions out of hours", f.out_of_hours.len() as f64, b.out_of_hours.len() as f64, false),
        ("Spikes", f.spikes.len() as f64, b.spikes.len() as f64, false),
    ];
    rows.into_iter()
        .map(|(label, now, before, percent)| {
            let show = |v: f64| if percent { format!("{v:.1}") } else { format!("{v:.0}") };
            let change = if before == 0.0 && now == 0.0 {
                "—".to_string()
            } else if before == 0.0 {
                "new".to_string()
            } else {
                format!("{:+.0}%", 100.0 * (now - before) / before)
            };
            TotalRow { label: label.to_string(), this_week: show(now), last_week: show(before), change }
        })
        .collect()
}

fn repeat_row(profile: &Profile, r: &Repeat) -> RepeatRow {
    let mut detail = names(&r.domains, 4);
    if !r.search_terms.is_empty() {
        detail.push_str(&format!("; searched: {}", r.search_terms.join(", ")));
    }
    RepeatRow {
        severity: r.severity.as_str().to_string(),
        user: r.user.clone(),
        year: r.year_group.map(|y| y.to_string()).unwrap_or_default(),
        category: r.category.clone(),
        attempts: r.attempts.to_string(),
        when: short_when(profile, r.start, r.end),
        device: r.devices.join(", "),
        detail,
    }
}

fn session_row(profile: &Profile, s: &OutOfHours) -> SessionRow {
    SessionRow {
        user: s.user.clone(),
        when: short_when(profile, s.start, s.end),
        reason: s.when.clone(),
        minutes: (s.end - s.start).num_minutes().to_string(),
        requests: s.requests.to_string(),
        blocked: s.blocked.to_string(),
        device: s.devices.join(", "),
        categories: names(&s.top_categories, 3),
    }
}

/// Hourly requests and blocks of the week, by date, hour and subject.
struct Activity {
    rows: Vec<(i32, i64, String, u64, u64)>,
}

impl Activity {
    fn read(df: &polars::prelude::DataFrame) -> Result<Activity> {
        let dates = columns::int_required(df, "date")?;
        let hours = columns::int_required(df, "hour")?;
        let subjects = columns::text(df, "subject")?;
        let requests = columns::int_required(df, "requests")?;
        let blocked = columns::int_required(df, "blocked")?;
        let rows = (0..df.height())
            .map(|i| {
                (
                    dates[i] as i32,
                    hours[i],
                    subjects[i].clone().unwrap_or_default(),
                    requests[i] as u64,
                    blocked[i] as u64,
                )
            })
            .collect();
        Ok(Activity { rows })
    }

    /// Blocked requests by weekday and hour, leaving out ignored categories.
    fn heat(&self, profile: &Profile) -> [[u64; 24]; 7] {
        let mut counts = [[0u64; 24]; 7];
        for (date, hour, subject, _, blocked) in &self.rows {
            if *blocked > 0 && severity_of(subject, &profile.severity) != Severity::Ignored {
                let day = date_from_days(*date).weekday().num_days_from_monday() as usize;
                counts[day][(*hour).clamp(0, 23) as usize] += blocked;
            }
        }
        counts
    }

    /// Hours of the staff day, on school days up to today, in which nothing at all was logged.
    fn gaps(&self, profile: &Profile, week: Week) -> Vec<String> {
        let logged: BTreeSet<(i32, i64)> = self.rows.iter().filter(|r| r.3 > 0).map(|r| (r.0, r.1)).collect();
        let today = chrono::Utc::now().with_timezone(&profile.timezone).date_naive();
        let (first, last) = (i64::from(profile.hours.staff_start.hour()), i64::from(profile.hours.staff_end.hour()));
        let mut gaps = Vec::new();
        let mut day = week.monday;
        while day < week.end() && day < today {
            if profile.hours.is_school_day(day) {
                let days = crate::enrich::clock::days_from_date(day);
                let missing: Vec<i64> = (first..last).filter(|h| !logged.contains(&(days, *h))).collect();
                for (a, b) in runs(&missing) {
                    gaps.push(format!("{}: no log lines at all from {a:02}:00 to {:02}:00", long_date(day), b + 1));
                }
            }
            day = day + Days::new(1);
        }
        gaps
    }
}

/// Consecutive runs in sorted numbers, as (first, last).
fn runs(values: &[i64]) -> Vec<(i64, i64)> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &v in values {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == v => *last = v,
            _ => runs.push((v, v)),
        }
    }
    runs
}

fn coverage_note(totals: &Totals, gaps: usize) -> String {
    let share = if totals.requests == 0 { 0.0 } else { 100.0 * totals.without_user as f64 / totals.requests as f64 };
    let gaps_text = if gaps == 0 {
        "Every hour of the staff day on every school day so far has log lines.".to_string()
    } else {
        format!("{gaps} stretch(es) of the school day have no log lines at all; a filter that stops logging is itself an incident:")
    };
    format!(
        "{share:.1}% of requests ({} of {}) carried no username (devices not logged in, or traffic that skips \
         authentication), so they cannot be traced to a person. {gaps_text}",
        totals.without_user, totals.requests
    )
}

fn spike_chart(profile: &Profile, spike: &Spike, activity: &Activity, n: usize) -> HourlyAgainstUsual {
    let subject = spike_subject(spike);
    let spike_day = crate::enrich::clock::days_from_date(crate::detect::local_date(spike.start, profile.timezone));
    let school_day = profile.hours.is_school_day(date_from_days(spike_day));
    let mut per_day: BTreeMap<i32, [u64; 24]> = BTreeMap::new();
    for (date, hour, s, _, blocked) in &activity.rows {
        if *s == subject {
            per_day.entry(*date).or_insert([0; 24])[(*hour).clamp(0, 23) as usize] += blocked;
        }
    }
    let observed: BTreeSet<i32> = activity.rows.iter().map(|r| r.0).collect();
    let others: Vec<i32> = observed
        .into_iter()
        .filter(|d| *d != spike_day && profile.hours.is_school_day(date_from_days(*d)) == school_day)
        .collect();
    let mut usual = [0f64; 24];
    for (hour, slot) in usual.iter_mut().enumerate() {
        let values: Vec<f64> = others.iter().map(|d| per_day.get(d).map_or(0, |c| c[hour]) as f64).collect();
        *slot = crate::detect::spikes::robust_score(0.0, &values).0;
    }
    HourlyAgainstUsual {
        name: format!("spike-{n}"),
        title: format!("Blocked {subject} requests on {}", local(profile, spike.start).format("%A %-d %B")),
        day: per_day.get(&spike_day).copied().unwrap_or([0; 24]),
        usual,
    }
}

fn daily_chart(
    profile: &Profile,
    week: Week,
    df: &polars::prelude::DataFrame,
) -> Result<(StackedBars, Vec<CategoryRow>)> {
    let dates = columns::int_required(df, "date")?;
    let categories = columns::text(df, "category")?;
    let blocked = columns::int_required(df, "blocked")?;
    let days: Vec<NaiveDate> =
        (0..7).map(|i| week.monday + Days::new(i)).filter(|d| profile.hours.is_school_day(*d)).collect();
    let mut by_category: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    for i in 0..df.height() {
        let category = categories[i].clone().unwrap_or_default();
        if severity_of(&category, &profile.severity) == Severity::Ignored {
            continue;
        }
        *totals.entry(category.clone()).or_default() += blocked[i] as u64;
        if let Some(slot) = days.iter().position(|d| crate::enrich::clock::days_from_date(*d) == dates[i] as i32) {
            by_category.entry(category).or_insert_with(|| vec![0; days.len()])[slot] += blocked[i] as u64;
        }
    }
    let mut ranked: Vec<(String, u64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut series: Vec<(String, Vec<u64>)> = Vec::new();
    let mut other = vec![0u64; days.len()];
    for (n, (category, _)) in ranked.iter().enumerate() {
        let values = by_category.remove(category).unwrap_or_else(|| vec![0; days.len()]);
        if n < CHART_CATEGORIES {
            series.push((category.clone(), values));
        } else {
            other.iter_mut().zip(values).for_each(|(o, v)| *o += v);
        }
    }
    if other.iter().any(|v| *v > 0) {
        series.push(("other".to_string(), other));
    }
    let chart = StackedBars {
        name: "blocked-by-day".into(),
        title: "Blocked requests per school day".into(),
        bars: days.iter().map(|d| d.format("%a %-d").to_string()).collect(),
        series,
        y_label: "blocked requests".into(),
    };
    let rows = ranked
        .iter()
        .take(15)
        .map(|(c, n)| CategoryRow {
            category: c.clone(),
            severity: severity_of(c, &profile.severity).as_str().into(),
            blocked: n.to_string(),
        })
        .collect();
    Ok((chart, rows))
}

fn top_domains(profile: &Profile, df: &polars::prelude::DataFrame) -> Result<Vec<DomainRow>> {
    let domains = columns::text(df, "domain")?;
    let categories = columns::text(df, "category")?;
    let blocked = columns::int_required(df, "blocked")?;
    let users = columns::int_required(df, "users")?;
    Ok((0..df.height())
        .filter(|&i| severity_of(categories[i].as_deref().unwrap_or(""), &profile.severity) != Severity::Ignored)
        .take(15)
        .map(|i| DomainRow {
            domain: domains[i].clone().unwrap_or_default(),
            category: categories[i].clone().unwrap_or_default(),
            blocked: blocked[i].to_string(),
            users: users[i].to_string(),
        })
        .collect())
}

/// Blocked searches grouped by what was typed: the ones about a safeguarding topic first, then
/// the most repeated, at most [`MAX_SEARCHES`] rows.
fn searches(profile: &Profile, df: &polars::prelude::DataFrame) -> Result<(Vec<SearchRow>, String)> {
    let terms = columns::text(df, "search_terms")?;
    let users = columns::text(df, "user")?;
    let first = columns::int_required(df, "first_ts")?;
    let times = columns::int_required(df, "times")?;
    struct Group {
        times: u64,
        people: BTreeSet<String>,
        first: i64,
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for i in 0..df.height() {
        let group = groups.entry(terms[i].clone().unwrap_or_default()).or_insert(Group {
            times: 0,
            people: BTreeSet::new(),
            first: first[i],
        });
        group.times += times[i] as u64;
        group.people.insert(users[i].clone().unwrap_or_else(|| "(no user)".into()));
        group.first = group.first.min(first[i]);
    }
    let mut rows: Vec<(Severity, u64, SearchRow)> = groups
        .into_iter()
        .map(|(terms, g)| {
            let topic = crate::detect::severity::search_topic(&terms).unwrap_or("");
            let severity = if topic.is_empty() { Severity::Low } else { severity_of(topic, &profile.severity) };
            let row = SearchRow {
                topic: topic.to_string(),
                times: g.times.to_string(),
                people: g.people.len().to_string(),
                who: g.people.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
                when: local(profile, crate::detect::utc(g.first)).format("%a %-d %H:%M").to_string(),
                terms,
            };
            (severity, g.times, row)
        })
        .collect();
    let distinct = rows.len();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then_with(|| a.2.terms.cmp(&b.2.terms)));
    let note = if distinct > MAX_SEARCHES {
        format!("The {MAX_SEARCHES} most concerning of {distinct} different blocked searches; all are in the dataset.")
    } else {
        String::new()
    };
    Ok((rows.into_iter().take(MAX_SEARCHES).map(|(_, _, row)| row).collect(), note))
}

fn roles(df: &polars::prelude::DataFrame) -> Result<(Vec<RoleRow>, HorizontalBars)> {
    let roles = columns::text(df, "role")?;
    let years = columns::int(df, "year_group")?;
    let requests = columns::int_required(df, "requests")?;
    let blocked = columns::int_required(df, "blocked")?;
    let users = columns::int_required(df, "users")?;
    let rows: Vec<RoleRow> = (0..df.height())
        .map(|i| {
            let role = roles[i].clone().unwrap_or_default();
            let group = match (role.as_str(), years[i]) {
                ("pupil", Some(y)) => format!("pupils, Year {y}"),
                ("pupil", None) => "pupils, year not known".to_string(),
                ("unknown", _) => "unknown (not in the roster, or no user)".to_string(),
                (other, _) => other.to_string(),
            };
            RoleRow {
                group,
                users: users[i].to_string(),
                requests: requests[i].to_string(),
                blocked: blocked[i].to_string(),
            }
        })
        .collect();
    let chart = HorizontalBars {
        name: "blocked-by-role".into(),
        title: "Blocked requests by role and year group".into(),
        bars: rows.iter().map(|r| (r.group.clone(), r.blocked.parse().unwrap_or(0))).collect(),
        x_label: "blocked requests".into(),
    };
    Ok((rows, chart))
}

/// Parses `--week`, naming the flag in the error.
pub fn parse_week(text: &str) -> Result<Week> {
    Week::parse(text).with_context(|| format!("--week {text:?} is not an ISO week like 2026-W43"))
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
        assert_eq!(runs(&[9, 10, 11, 14]), vec![(9, 11), (14, 14)]);
    }
}
