//! The analytic queries: portable SQL files in `queries/`, embedded in the binary, with their
//! `:name` parameters bound as SQL literals, run by polars over the hive-partitioned events (the
//! same files run on Apache Spark for local authorities: `engine`). Filters on `school` and `date` prune
//! whole partition folders.

use std::collections::HashMap;

use anyhow::{anyhow, Context, Result};
use chrono::NaiveDate;
use polars::prelude::{DataFrame, DataType, Engine, Series};
use polars::sql::SQLContext;

use crate::engine::EventSource;

/// One SQL file from `queries/`.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    /// The file's name without `.sql`.
    pub name: &'static str,
    /// Its text.
    pub sql: &'static str,
}

macro_rules! query {
    ($name:literal) => {
        Query { name: $name, sql: include_str!(concat!("../queries/", $name, ".sql")) }
    };
}

/// Blocked requests per school, subject, local date and hour.
pub const BLOCKED_HOURLY: Query = query!("blocked_hourly");
/// Days each school logged anything.
pub const OBSERVED_DAYS: Query = query!("observed_days");
/// The blocked requests behind one spike.
pub const SPIKE_ROWS: Query = query!("spike_rows");
/// Staff requests out of hours.
pub const STAFF_OUT_OF_HOURS: Query = query!("staff_out_of_hours");
/// Every blocked request by a pupil.
pub const PUPIL_BLOCKED: Query = query!("pupil_blocked");
/// Every blocked request, whoever made it.
pub const BLOCKED_REQUESTS: Query = query!("blocked_requests");

/// The week in numbers.
pub const WEEK_TOTALS: Query = query!("week_totals");
/// Blocked requests per day and category.
pub const BLOCKED_BY_DAY_CATEGORY: Query = query!("blocked_by_day_category");
/// Requests and blocks per day, hour and subject.
pub const HOURLY_ACTIVITY: Query = query!("hourly_activity");
/// The most blocked domains.
pub const TOP_BLOCKED_DOMAINS: Query = query!("top_blocked_domains");
/// Blocked searches with who and when.
pub const BLOCKED_SEARCHES: Query = query!("blocked_searches");
/// Requests and blocks by role and year group.
pub const BY_ROLE: Query = query!("by_role");

/// Requests per client address and role (the review's device ranges).
pub const REQUESTS_BY_ADDRESS: Query = query!("requests_by_address");
/// Blocked requests per day, category and role (the review's months).
pub const BLOCKED_BY_DATE_CATEGORY_ROLE: Query = query!("blocked_by_date_category_role");
/// The domains blocked in some categories (the review's possible over-blocking).
pub const BLOCKED_DOMAINS_IN_CATEGORIES: Query = query!("blocked_domains_in_categories");
/// Log lines per day and hour (the review's silent days and hours).
pub const LOGGED_HOURS: Query = query!("logged_hours");

/// Every query, for tools that run them all (the Spark comparison).
pub const ALL: [Query; 16] = [
    BLOCKED_REQUESTS,
    BLOCKED_HOURLY,
    OBSERVED_DAYS,
    SPIKE_ROWS,
    STAFF_OUT_OF_HOURS,
    PUPIL_BLOCKED,
    WEEK_TOTALS,
    BLOCKED_BY_DAY_CATEGORY,
    HOURLY_ACTIVITY,
    TOP_BLOCKED_DOMAINS,
    BLOCKED_SEARCHES,
    BY_ROLE,
    REQUESTS_BY_ADDRESS,
    BLOCKED_BY_DATE_CATEGORY_ROLE,
    BLOCKED_DOMAINS_IN_CATEGORIES,
    LOGGED_HOURS,
];

/// A parameter value, written into the SQL as a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// A string literal (quotes doubled).
    Text(String),
    /// An integer literal.
    Int(i64),
    /// A date literal, `DATE 'YYYY-MM-DD'`.
    Date(NaiveDate),
    /// A list for `IN (…)` of text values.
    TextList(Vec<String>),
    /// A list for `IN (…)` of integers.
    IntList(Vec<i64>),
    /// A list for `IN (…)` of dates.
    DateList(Vec<NaiveDate>),
}

impl Param {
    fn literal(&self) -> String {
        let text = |s: &str| format!("'{}'", s.replace('\'', "''"));
        let date = |d: &NaiveDate| format!("DATE '{}'", d.format("%Y-%m-%d"));
        // An empty IN list is not valid SQL: a value no row has stands in for it.
        let list = |items: Vec<String>, none: &str| if items.is_empty() { none.to_string() } else { items.join(", ") };
        match self {
            Param::Text(s) => text(s),
            Param::Int(i) => i.to_string(),
            Param::Date(d) => date(d),
            Param::TextList(v) => list(v.iter().map(|s| text(s)).collect(), "''"),
            Param::IntList(v) => list(v.iter().map(i64::to_string).collect(), "-1"),
            Param::DateList(v) => list(v.iter().map(date).collect(), "DATE '0001-01-01'"),
        }
    }
}

/// Named parameters for one query run.
pub type Params = HashMap<&'static str, Param>;

impl Query {
    /// The SQL with comments removed and every `:name` replaced by its literal. A parameter the
    /// query uses but `params` lacks is an error.
    pub fn bind(&self, params: &Params) -> Result<String> {
        let code: String = self
            .sql
            .lines()
            .map(|l| l.split("--").next().unwrap_or(""))
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        let pattern = regex::Regex::new(r":([a-z_]+)").expect("valid regex");
        let mut missing = None;
        let bound = pattern.replace_all(&code, |caps: &regex::Captures<'_>| match params.get(&caps[1]) {
            Some(value) => value.literal(),
            None => {
                missing.get_or_insert_with(|| caps[1].to_string());
                String::new()
            }
        });
        match missing {
            Some(name) => Err(anyhow!("query {}: no value for :{name}", self.name)),
            None => Ok(bound.into_owned()),
        }
    }

    /// Runs the query over `events` (a polars scan, or a Spark job's view) and collects the result.
    pub fn run(&self, events: impl Into<EventSource>, params: &Params) -> Result<DataFrame> {
        let sql = self.bind(params)?;
        match events.into() {
            EventSource::Local(events) => {
                quiet_polars_deprecations();
                let mut context = SQLContext::new();
                context.register("events", *events);
                // The streaming engine scans the partitions in batches, so memory follows the
                // result rather than the dataset. A SELECT has one sink, so the result is always a
                // single frame.
                context
                    .execute(&sql)
                    .and_then(|frame| frame.collect_with_engine(Engine::Streaming))
                    .map(|result| result.unwrap_single())
                    .with_context(|| format!("query {} failed", self.name))
            }
            EventSource::Spark(driver) => driver.sql(&sql).with_context(|| format!("query {} failed", self.name)),
        }
    }
}

/// polars' SQL reads the standard `DATE 'YYYY-MM-DD'` literal through a string cast it has
/// deprecated, and prints a notice on stderr for every query. Cron mails whatever a job prints,
/// so deprecation notices (about polars' internals, not our input) are dropped; other warnings
/// still reach stderr.
fn quiet_polars_deprecations() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        polars::error::set_warning_function(|message, warning| {
            if !matches!(warning, polars::error::PolarsWarning::Deprecation) {
                eprintln!("polars: {warning:?}: {message}");
            }
        })
    });
}

/// Typed access to the columns of a query result.
pub mod columns {
    use super::*;

    fn series(df: &DataFrame, name: &str, to: &DataType) -> Result<Series> {
        let column = df.column(name).with_context(|| format!("no column {name}"))?;
        column.as_materialized_series().cast(to).with_context(|| format!("column {name}"))
    }

    /// A text column.
    pub fn text(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
        let s = series(df, name, &DataType::String)?;
        Ok(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
    }

    /// An integer column (any integer, date as days, timestamp as its physical µs).
    pub fn int(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
        let column = df.column(name).with_context(|| format!("no column {name}"))?;
        let physical = column.as_materialized_series().to_physical_repr().into_owned();
        let s = physical.cast(&DataType::Int64).with_context(|| format!("column {name}"))?;
        Ok(s.i64()?.iter().collect())
    }

    /// An integer column with no nulls.
    pub fn int_required(df: &DataFrame, name: &str) -> Result<Vec<i64>> {
        int(df, name)?.into_iter().map(|v| v.ok_or_else(|| anyhow!("null in column {name}"))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_literals_and_refuses_missing_parameters() {
        let params: Params = [
            ("from", Param::Date(NaiveDate::from_ymd_opt(2026, 10, 19).unwrap())),
            ("to", Param::Date(NaiveDate::from_ymd_opt(2026, 10, 26).unwrap())),
            ("schools", Param::TextList(vec!["riverside".into(), "o'brien".into()])),
        ]
        .into_iter()
        .collect();
        let sql = BLOCKED_HOURLY.bind(&params).unwrap();
        assert!(sql.contains("date >= DATE '2026-10-19'"), "{sql}");
        assert!(sql.contains("school IN ('riverside', 'o''brien')"), "{sql}");
        assert!(!sql.contains("--"));
        let err = STAFF_OUT_OF_HOURS.bind(&params).unwrap_err();
        assert!(err.to_string().contains(":school"), "{err}");
    }

    #[test]
    fn empty_lists_stay_valid_sql() {
        assert_eq!(Param::DateList(vec![]).literal(), "DATE '0001-01-01'");
        assert_eq!(Param::IntList(vec![]).literal(), "-1");
    }
}
