//! The adviser's outputs from the cross-school views: `school-weeks.csv`, `outliers.csv`, charts
//! (PNG and SVG) and a PDF in the weekly report's style. Only per-school numbers go in, and
//! counts of people below the disclosure threshold are printed as `<5` ([`SmallNumbers`]).

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use super::disclosure::SmallNumbers;
use super::trends::{authority_weeks, school_trends, sparklines, LaWeek, SchoolSparklines};
use super::views::{SchoolWeek, STANDS_OUT_Z};
use crate::private_fs::write_atomically;
use crate::report::charts::{save, HorizontalBars, StackedBars};
use crate::report::pdf::Document;
use crate::safe_csv::SafeCsv;

const TEMPLATE: &str = include_str!("../../assets/la.typ");
/// Most schools drawn in a chart.
const CHART_SCHOOLS: usize = 30;

/// What `write_la_report` produced.
#[derive(Debug, Clone)]
pub struct LaFiles {
    /// The PDF.
    pub pdf: PathBuf,
    /// Every school-week.
    pub school_weeks_csv: PathBuf,
    /// The school-weeks that stand out.
    pub outliers_csv: PathBuf,
    /// Each school's last weeks, measure by measure.
    pub trends_csv: PathBuf,
    /// The authority week by week and over the span.
    pub la_weeks_csv: PathBuf,
    /// Charts, PNG and SVG.
    pub charts: Vec<PathBuf>,
}

#[derive(Serialize)]
struct Data {
    schools: usize,
    weeks: String,
    generated: String,
    threshold: f64,
    small_numbers: String,
    outliers: Vec<Outlier>,
    la_weeks: Vec<LaWeek>,
    trend_weeks: usize,
    sparklines: Vec<SchoolSparklines>,
    rows: Vec<Published>,
    charts: Charts,
}

#[derive(Serialize)]
struct Outlier {
    school: String,
    week: String,
    why: String,
}

/// One school-week as published: the CSV row and the PDF's table row.
#[derive(Serialize)]
struct Published {
    school: String,
    week: String,
    requests: String,
    blocked: String,
    blocked_rate: String,
    blocked_rate_change: String,
    pupils: String,
    high_repeats: String,
    high_repeats_per_1000: String,
    out_of_hours_sessions: String,
    spikes: String,
    no_user_rate: String,
    silent_school_days: String,
    top_categories: String,
    stands_out: String,
}

#[derive(Serialize)]
struct Charts {
    rate: String,
    repeats: String,
    la_rate: String,
}

/// Writes the CSVs, charts and PDF for `rows` into `out`.
/// `trend_weeks` is how many of each school's latest weeks `trends.csv` holds.
pub fn write_la_report(rows: &[SchoolWeek], small: SmallNumbers, trend_weeks: usize, out: &Path) -> Result<LaFiles> {
    std::fs::create_dir_all(out)?;
    let weeks: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.week.as_str()).collect();
    let schools: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.school.as_str()).collect();
    let span = match (weeks.first(), weeks.last()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no data".to_string(),
    };
    let school_weeks_csv = out.join("school-weeks.csv");
    let mut csv = SafeCsv::new(Vec::new());
    for row in rows {
        csv.serialize(published(row, small))?;
    }
    write_atomically(&school_weeks_csv, &csv.into_inner()?)?;
    let outliers: Vec<&SchoolWeek> = rows.iter().filter(|r| !r.stands_out.is_empty()).collect();
    let outliers_csv = out.join("outliers.csv");
    let mut csv = SafeCsv::new(Vec::new());
    csv.write_record(["school", "week", "why"])?;
    for r in &outliers {
        csv.write_record([&r.school, &r.week, &r.stands_out])?;
    }
    write_atomically(&outliers_csv, &csv.into_inner()?)?;
    let trends_csv = out.join("trends.csv");
    let mut csv = SafeCsv::new(Vec::new());
    csv.write_record(["school", "week", "measure", "value"])?;
    let trends = school_trends(rows, trend_weeks, small);
    for t in &trends {
        csv.write_record([t.school.as_str(), t.week.as_str(), t.measure, t.value.as_str()])?;
    }
    write_atomically(&trends_csv, &csv.into_inner()?)?;
    let la_weeks = authority_weeks(rows, small);
    let la_weeks_csv = out.join("la-weeks.csv");
    let mut csv = SafeCsv::new(Vec::new());
    for week in &la_weeks {
        csv.serialize(week)?;
    }
    write_atomically(&la_weeks_csv, &csv.into_inner()?)?;

    let latest: Vec<&SchoolWeek> = rows.iter().filter(|r| Some(&r.week.as_str()) == weeks.last()).collect();
    let bars = |value: fn(&SchoolWeek) -> f64, scale: f64| {
        let mut bars: Vec<(String, u64)> =
            latest.iter().map(|r| (r.school.clone(), (value(r) * scale).round() as u64)).collect();
        bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        bars.truncate(CHART_SCHOOLS);
        bars
    };
    let rate = HorizontalBars {
        name: "blocked-rate-by-school".into(),
        title: "Blocked share of requests (tenths of a percent)".into(),
        bars: bars(|r| r.blocked_rate, 10.0),
        x_label: "blocked per 1,000 requests".into(),
    };
    let mut repeat_bars = bars(|r| r.high_repeats_per_1000, 1.0);
    repeat_bars.retain(|(school, _)| latest.iter().any(|r| &r.school == school && !small.hides(r.high_repeats)));
    let repeats = HorizontalBars {
        name: "high-repeats-by-school".into(),
        title: format!("High-severity repeated attempts per 1,000 pupils (schools with {} or more)", small.threshold),
        bars: repeat_bars,
        x_label: "per 1,000 pupils".into(),
    };
    let weekly: Vec<&LaWeek> = la_weeks.iter().filter(|w| !w.week.starts_with("all")).collect();
    let la_rate = StackedBars {
        name: "la-blocked-rate-by-week".into(),
        title: "Blocked share of requests across the authority, week by week".into(),
        bars: weekly.iter().map(|w| w.week.clone()).collect(),
        series: vec![(
            "blocked per 1,000 requests".to_string(),
            weekly.iter().map(|w| (w.blocked_rate.parse::<f64>().unwrap_or(0.0) * 10.0).round() as u64).collect(),
        )],
        y_label: "blocked per 1,000 requests".into(),
    };
    let chart_dir = out.join("charts");
    let mut document = Document::new(TEMPLATE, chrono::Utc::now().date_naive())?;
    let mut charts = Vec::new();
    let mut add = |chart: &dyn Fn(&Path) -> Result<(String, PathBuf)>, document: &mut Document| -> Result<String> {
        let (svg, path) = chart(&chart_dir)?;
        let name = format!("charts/{}", path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        document.add_file(&name, svg.into_bytes());
        charts.push(path.clone());
        charts.push(path.with_extension("png"));
        Ok(name)
    };
    let data = Data {
        schools: schools.len(),
        weeks: span.clone(),
        generated: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        threshold: STANDS_OUT_Z,
        small_numbers: small.count(1),
        outliers: outliers
            .iter()
            .map(|r| Outlier { school: r.school.clone(), week: r.week.clone(), why: r.stands_out.clone() })
            .collect(),
        rows: rows.iter().map(|r| published(r, small)).collect(),
        charts: Charts {
            rate: add(&|dir| save(&rate, dir), &mut document)?,
            repeats: add(&|dir| save(&repeats, dir), &mut document)?,
            la_rate: add(&|dir| save(&la_rate, dir), &mut document)?,
        },
        la_weeks,
        trend_weeks: trend_weeks.min(weeks.len()),
        sparklines: sparklines(&trends, trend_weeks),
    };
    document.add_file("data.json", serde_json::to_vec(&data)?);
    let pdf = out.join(format!("schools-{}.pdf", span.replace(' ', "")));
    write_atomically(&pdf, &document.to_pdf()?)?;
    Ok(LaFiles { pdf, school_weeks_csv, outliers_csv, trends_csv, la_weeks_csv, charts })
}

fn published(r: &SchoolWeek, small: SmallNumbers) -> Published {
    Published {
        school: r.school.clone(),
        week: r.week.clone(),
        requests: r.requests.to_string(),
        blocked: r.blocked.to_string(),
        blocked_rate: format!("{:.1}", r.blocked_rate),
        blocked_rate_change: r.blocked_rate_change.map(|c| format!("{c:+.1}")).unwrap_or_default(),
        pupils: small.count(r.pupils),
        high_repeats: small.count(r.high_repeats),
        high_repeats_per_1000: small.rate(r.high_repeats, r.high_repeats_per_1000),
        out_of_hours_sessions: small.count(r.out_of_hours_sessions),
        spikes: r.spikes.to_string(),
        no_user_rate: format!("{:.1}", r.no_user_rate),
        silent_school_days: r.silent_school_days.to_string(),
        top_categories: r.top_categories.clone(),
        stands_out: r.stands_out.clone(),
    }
}
