//! What the filter blocked over the year: month by month for each group and category, and the
//! possible over-blocking (education, reference, search, health and news sites stopped), which
//! the standard asks the review to weigh against teaching.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::DataFrame;
use serde::Serialize;

use crate::config::Profile;
use crate::detect::severity::{severity_of, Severity};
use crate::enrich::clock::date_from_days;
use crate::queries::columns;
use crate::report::charts::StackedBars;

/// The categories whose blocks may hold teaching back (common category names).
pub const OVERBLOCKING_CATEGORIES: [&str; 5] = ["education", "reference", "search", "health", "news"];
/// Categories drawn in the monthly chart before the rest become "other".
const CHART_CATEGORIES: usize = 6;
/// The roles as columns of the monthly table.
const ROLES: [&str; 5] = ["staff", "pupil", "guest", "service", "unknown"];

/// Blocked requests in one month.
#[derive(Debug, Serialize, Default)]
pub struct MonthRow {
    /// `September 2026`.
    pub month: String,
    /// Blocked for staff.
    pub staff: String,
    /// … pupils.
    pub pupils: String,
    /// … guests.
    pub guests: String,
    /// … service accounts.
    pub service: String,
    /// … unknown users.
    pub unknown: String,
    /// All of them.
    pub total: String,
    /// The most blocked categories, `name (count)`.
    pub top_categories: String,
}

/// One month, group and category (the CSV's grain).
#[derive(Debug, Serialize, Default)]
pub struct MonthCategoryRow {
    /// `2026-09`.
    pub month: String,
    /// The role.
    pub role: String,
    /// The category.
    pub category: String,
    /// Its tier.
    pub severity: String,
    /// Blocked requests.
    pub blocked: String,
}

/// One domain blocked in an over-blocking category.
#[derive(Debug, Serialize, Default)]
pub struct OverblockingRow {
    /// The category.
    pub category: String,
    /// The domain.
    pub domain: String,
    /// Blocked requests.
    pub blocked: String,
    /// Distinct people blocked.
    pub people: String,
    /// Days it was blocked on.
    pub days: String,
    /// First and last day, `2026-09-08 to 2026-11-30`.
    pub seen: String,
}

/// The months, what the CSV holds and the chart, from `blocked_by_date_category_role.sql`
/// (adverts, trackers and updates left out, as in every report).
pub fn months(profile: &Profile, df: &DataFrame) -> Result<(Vec<MonthRow>, Vec<MonthCategoryRow>, StackedBars)> {
    let dates = columns::int_required(df, "date")?;
    let categories = columns::text(df, "category")?;
    let roles = columns::text(df, "role")?;
    let blocked = columns::int_required(df, "blocked")?;
    // month (first day) → role → category → blocked
    let mut by_month: BTreeMap<NaiveDate, BTreeMap<String, BTreeMap<String, u64>>> = BTreeMap::new();
    let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
    for i in 0..df.height() {
        let category = categories[i].clone().unwrap_or_default();
        if severity_of(&category, &profile.severity) == Severity::Ignored {
            continue;
        }
        let month = first_of_month(date_from_days(dates[i] as i32));
        let role = roles[i].clone().unwrap_or_else(|| "unknown".into());
        *by_month.entry(month).or_default().entry(role).or_default().entry(category.clone()).or_default() +=
            blocked[i] as u64;
        *by_category.entry(category).or_default() += blocked[i] as u64;
    }
    let mut table = Vec::new();
    let mut detail = Vec::new();
    for (month, roles) in &by_month {
        let role_total = |role: &str| roles.get(role).map_or(0, |c| c.values().sum::<u64>());
        let mut categories: BTreeMap<&str, u64> = BTreeMap::new();
        for (role, counts) in roles {
            for (category, n) in counts {
                *categories.entry(category).or_default() += n;
                detail.push(MonthCategoryRow {
                    month: month.format("%Y-%m").to_string(),
                    role: role.clone(),
                    category: category.clone(),
                    severity: severity_of(category, &profile.severity).as_str().to_string(),
                    blocked: n.to_string(),
                });
            }
        }
        let mut top: Vec<(&str, u64)> = categories.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let counts = ROLES.map(role_total);
        table.push(MonthRow {
            month: month.format("%B %Y").to_string(),
            staff: counts[0].to_string(),
            pupils: counts[1].to_string(),
            guests: counts[2].to_string(),
            service: counts[3].to_string(),
            unknown: counts[4].to_string(),
            total: roles.values().flat_map(|c| c.values()).sum::<u64>().to_string(),
            top_categories: top.iter().take(3).map(|(c, n)| format!("{c} ({n})")).collect::<Vec<_>>().join(", "),
        });
    }
    let mut ranked: Vec<(String, u64)> = by_category.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let month_total =
        |month: &NaiveDate, category: &str| -> u64 { by_month[month].values().filter_map(|c| c.get(category)).sum() };
    let mut series: Vec<(String, Vec<u64>)> = ranked
        .iter()
        .take(CHART_CATEGORIES)
        .map(|(c, _)| (c.clone(), by_month.keys().map(|m| month_total(m, c)).collect()))
        .collect();
    if ranked.len() > CHART_CATEGORIES {
        let other: Vec<u64> = by_month
            .keys()
            .map(|m| ranked.iter().skip(CHART_CATEGORIES).map(|(c, _)| month_total(m, c)).sum())
            .collect();
        series.push(("other".to_string(), other));
    }
    let chart = StackedBars {
        name: "blocked-by-month".into(),
        title: "Blocked requests per month by category".into(),
        bars: by_month.keys().map(|m| m.format("%b %Y").to_string()).collect(),
        series,
        y_label: "blocked requests".into(),
    };
    Ok((table, detail, chart))
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    date.with_day(1).unwrap_or(date)
}

/// The domains blocked in [`OVERBLOCKING_CATEGORIES`], most blocked first, from
/// `blocked_domains_in_categories.sql`.
pub fn overblocking(df: &DataFrame) -> Result<Vec<OverblockingRow>> {
    let categories = columns::text(df, "category")?;
    let domains = columns::text(df, "domain")?;
    let blocked = columns::int_required(df, "blocked")?;
    let users = columns::int_required(df, "users")?;
    let days = columns::int_required(df, "days")?;
    let first = columns::int_required(df, "first_date")?;
    let last = columns::int_required(df, "last_date")?;
    Ok((0..df.height())
        .map(|i| OverblockingRow {
            category: categories[i].clone().unwrap_or_default(),
            domain: domains[i].clone().unwrap_or_else(|| "(no domain)".into()),
            blocked: blocked[i].to_string(),
            people: users[i].to_string(),
            days: days[i].to_string(),
            seen: format!("{} to {}", date_from_days(first[i] as i32), date_from_days(last[i] as i32)),
        })
        .collect())
}
