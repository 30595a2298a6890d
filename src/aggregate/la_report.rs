//! The adviser's outputs from the cross-school views: `school-weeks.csv`, `outliers.csv`, charts
//! (PNG and SVG) and a PDF in the weekly report's style. Only per-school numbers go in.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use super::views::{SchoolWeek, STANDS_OUT_Z};
use crate::private_fs::write_atomically;
use crate::report::charts::{save, HorizontalBars};
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
    /// Charts, PNG and SVG.
    pub charts: Vec<PathBuf>,
}

#[derive(Serialize)]
struct Data {
    schools: usize,
    weeks: String,
    generated: String,
    threshold: f64,
    outliers: Vec<Outlier>,
    rows: Vec<Row>,
    charts: Charts,
}

#[derive(Serialize)]
struct Outlier {
    school: String,
    week: String,
    why: String,
}

#[derive(Serialize)]
struct Row {
    school: String,
    week: String,
    requests: String,
    blocked_rate: String,
    change: String,
    pupils: String,
    repeats: String,
    ooh: String,
    spikes: String,
    no_user: String,
    silent: String,
    categories: String,
}

#[derive(Serialize)]
struct Charts {
    rate: String,
    repeats: String,
}

/// Writes the CSVs, charts and PDF for `rows` into `out`.
pub fn write_la_report(rows: &[SchoolWeek], out: &Path) -> Result<LaFiles> {
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
        csv.serialize(row)?;
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
    let repeats = HorizontalBars {
        name: "high-repeats-by-school".into(),
        title: "High-severity repeated attempts per 1,000 pupils".into(),
        bars: bars(|r| r.high_repeats_per_1000, 1.0),
        x_label: "per 1,000 pupils".into(),
    };
    let chart_dir = out.join("charts");
    let mut document = Document::new(TEMPLATE, chrono::Utc::now().date_naive())?;
    let mut charts = Vec::new();
    let mut add = |chart: &HorizontalBars, document: &mut Document| -> Result<String> {
        let (svg, path) = save(chart, &chart_dir)?;
        let name = format!("charts/{}.svg", chart.name);
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
        outliers: outliers
            .iter()
            .map(|r| Outlier { school: r.school.clone(), week: r.week.clone(), why: r.stands_out.clone() })
            .collect(),
        rows: rows.iter().map(row).collect(),
        charts: Charts { rate: add(&rate, &mut document)?, repeats: add(&repeats, &mut document)? },
    };
    document.add_file("data.json", serde_json::to_vec(&data)?);
    let pdf = out.join(format!("schools-{}.pdf", span.replace(' ', "")));
    write_atomically(&pdf, &document.to_pdf()?)?;
    Ok(LaFiles { pdf, school_weeks_csv, outliers_csv, charts })
}

fn row(r: &SchoolWeek) -> Row {
    Row {
        school: r.school.clone(),
        week: r.week.clone(),
        requests: r.requests.to_string(),
        blocked_rate: format!("{:.1}", r.blocked_rate),
        change: r.blocked_rate_change.map(|c| format!("{c:+.1}")).unwrap_or_default(),
        pupils: r.pupils.to_string(),
        repeats: format!("{:.1}", r.high_repeats_per_1000),
        ooh: r.out_of_hours_sessions.to_string(),
        spikes: r.spikes.to_string(),
        no_user: format!("{:.1}", r.no_user_rate),
        silent: r.silent_school_days.to_string(),
        categories: r.top_categories.clone(),
    }
}
