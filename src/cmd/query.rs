//! `filterwatch query NAME --data DATA [--param key=value]…`: runs one of the portable SQL files
//! in `queries/` with polars and prints its rows as JSON (every value as text). Advisers can use
//! it directly; the Spark comparison uses it as the polars side.

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use super::{ConfigError, DataDir};
use crate::queries::{columns, Param, Params, ALL};
use crate::store::scan_events;

/// Arguments of `filterwatch query`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query's name (the file name in queries/ without `.sql`).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// A parameter, `key=value`: a date (YYYY-MM-DD), an integer, text, or a comma list of them.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
}

/// Runs the query and prints `[{"column": "value", …}, …]`.
pub fn run(args: Args) -> Result<ExitCode> {
    let query = ALL.iter().find(|q| q.name == args.name).ok_or_else(|| {
        let names: Vec<&str> = ALL.iter().map(|q| q.name).collect();
        ConfigError(format!("no query {:?} (there are: {})", args.name, names.join(", ")))
    })?;
    let mut params = Params::new();
    for text in &args.params {
        let (key, value) =
            text.split_once('=').ok_or_else(|| ConfigError(format!("--param {text:?} is not key=value")))?;
        // The name as it stands in the query's own (static) text: an unknown one is an error.
        let at = query
            .sql
            .match_indices(&format!(":{key}"))
            .map(|(at, _)| at + 1)
            .find(|&at| !query.sql[at + key.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
            .ok_or_else(|| ConfigError(format!("query {} has no parameter :{key}", query.name)))?;
        params.insert(&query.sql[at..at + key.len()], parse_param(value));
    }
    let df = query.run(scan_events(&args.data.path)?, &params)?;
    let names: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
    let values: Vec<Vec<Option<String>>> =
        names.iter().map(|n| columns::text(&df, n)).collect::<Result<_>>().context("cannot read the result")?;
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = (0..df.height())
        .map(|i| {
            names
                .iter()
                .zip(&values)
                .map(|(n, v)| (n.clone(), v[i].clone().map_or(serde_json::Value::Null, Into::into)))
                .collect()
        })
        .collect();
    println!("{}", serde_json::to_string(&rows)?);
    Ok(ExitCode::SUCCESS)
}

/// A date, an integer, or text; with commas, a list of the first item's kind.
fn parse_param(value: &str) -> Param {
    let date = |v: &str| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
    let int = |v: &str| v.trim().parse::<i64>().ok();
    if value.contains(',') {
        let items: Vec<&str> = value.split(',').collect();
        if let Some(dates) = items.iter().map(|v| date(v)).collect::<Option<Vec<_>>>() {
            return Param::DateList(dates);
        }
        if let Some(ints) = items.iter().map(|v| int(v)).collect::<Option<Vec<_>>>() {
            return Param::IntList(ints);
        }
        return Param::TextList(items.iter().map(|v| v.trim().to_string()).collect());
    }
    date(value)
        .map(Param::Date)
        .or_else(|| int(value).map(Param::Int))
        .unwrap_or_else(|| Param::Text(value.to_string()))
}
