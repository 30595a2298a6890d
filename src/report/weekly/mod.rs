//! The coordinator's weekly report: one school, one ISO week. Gathers the week from the dataset
//! (the portable queries plus the three detections), writes the charts (PNG and SVG), the
//! findings and incident-log CSVs, and lays the PDF out with typst from `assets/weekly.typ`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use super::charts::{save, HeatMap, HorizontalBars, HourlyAgainstUsual, StackedBars};
use super::incident_log;
use super::pdf::Document;
use super::silence::{silences, Silence};
use crate::config::Profile;
use crate::detect::high_risk::HighRisk;
use crate::detect::out_of_hours::OutOfHours;
use crate::detect::repeats::Repeat;
use crate::detect::severity::{severity_of, Severity};
use crate::detect::spikes::Spike;
use crate::detect::{Findings, NeedsAction, Scope};
use crate::enrich::clock::date_from_days;
use crate::incidents::register::{Incident, Register};
use crate::incidents::suppress::{self, Hidden};
use crate::private_fs::write_atomically;
use crate::queries::{
    columns, Param, Params, BLOCKED_BY_DAY_CATEGORY, BLOCKED_SEARCHES, BY_ROLE, HOURLY_ACTIVITY, TOP_BLOCKED_DOMAINS,
    WEEK_TOTALS,
};
use crate::store;
use crate::week::Week;

mod gather;
pub mod wording;

use gather::*;
use wording::*;

const TEMPLATE: &str = include_str!("../../../assets/weekly.typ");
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
    /// The report's first list, one plain line each (`label: sentence [id]`), for the mail.
    pub action_lines: Vec<String>,
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
    incidents: Vec<IncidentRow>,
    suppressions: Vec<SuppressionRow>,
}

/// An incident still open from an earlier week, or one something was recorded about this week.
#[derive(Serialize)]
struct IncidentRow {
    when: String,
    who: String,
    what: String,
    status: String,
    recorded: String,
    id: String,
}

/// A suppression in force during the week, and what it hid.
#[derive(Serialize)]
struct SuppressionRow {
    what: String,
    by: String,
    reason: String,
    hidden: String,
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

/// The week's findings, less what the school's suppressions hide (returned with what each hid).
fn detect_week(data: &Path, profile: &Profile, week: Week) -> Result<(Findings, Hidden)> {
    let mut findings = Findings::detect_all(&Scope::one_school(data, profile, week.monday, week.end()))?;
    let hidden = suppress::filter(data, profile, &mut findings)?;
    Ok((findings, hidden))
}

/// Writes the week's report for one school into `out`: `<school>-<week>.pdf`, `charts/*.png|svg`,
/// `findings.csv` and `incident-log.csv`.
pub fn write_weekly(data: &Path, profile: &Profile, week: Week, out: &Path) -> Result<WeeklyFiles> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let stem = format!("{}-{}", profile.id, week.label());
    let chart_dir = out.join("charts");
    let events = store::scan_events_of(data, std::slice::from_ref(&profile.id))?;
    let params = |w: Week| -> Params {
        [("school", Param::Text(profile.id.clone())), ("from", Param::Date(w.monday)), ("to", Param::Date(w.end()))]
            .into_iter()
            .collect()
    };
    let this = params(week);
    let totals_now = totals(&WEEK_TOTALS.run(events.clone(), &this)?)?;
    let (findings, hidden) = detect_week(data, profile, week)?;
    let summaries = findings.summaries();
    let register = Register::new(data, &profile.id);
    register.record_new(&summaries, chrono::Utc::now())?;
    let incidents = register.incidents()?;
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
        let (before, _) = detect_week(data, profile, week.previous())?;
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
                when: when_text(profile, spike.start, spike.end, LONG_DAY),
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

    report.incidents = incident_rows(profile, week, &incidents);
    report.suppressions = suppression_rows(&hidden, week);
    document.add_file("data.json", serde_json::to_vec(&report)?);
    let pdf = out.join(format!("{stem}.pdf"));
    write_atomically(&pdf, &document.to_pdf()?)?;
    let findings_csv = out.join("findings.csv");
    let incident_log_csv = out.join("incident-log.csv");
    write_atomically(&findings_csv, &incident_log::findings_csv(profile, &summaries)?)?;
    write_atomically(&incident_log_csv, &incident_log::incident_log_csv(profile, &summaries, &incidents)?)?;
    let action_lines = report.actions.iter().map(|a| format!("{}: {} [{}]", a.label, a.sentence, a.id)).collect();
    Ok(WeeklyFiles {
        pdf,
        charts: chart_files,
        findings_csv,
        incident_log_csv,
        actions: findings.needing_action(),
        action_lines,
    })
}

/// Parses `--week`, naming the flag in the error.
pub fn parse_week(text: &str) -> Result<Week> {
    Week::parse(text).with_context(|| format!("--week {text:?} is not an ISO week like 2026-W43"))
}
