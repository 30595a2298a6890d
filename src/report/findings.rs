//! Findings as JSON (an array, DESIGN §5), CSV, or a table for a terminal. The table and CSV
//! show the same findings for people: school-local times, lists joined with `; `.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::detect::high_risk::HighRisk;
use crate::detect::out_of_hours::OutOfHours;
use crate::detect::repeats::Repeat;
use crate::detect::spikes::Spike;
use crate::detect::{Evidence, Tally};
use crate::safe_csv::SafeCsv;

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for a terminal.
    Table,
    /// CSV with a header.
    Csv,
    /// A JSON array.
    Json,
}

impl OutputFormat {
    /// The default for stdout: a table on a terminal, JSON otherwise.
    pub fn for_stdout() -> OutputFormat {
        use std::io::IsTerminal;
        if std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        }
    }
}

/// A finding that can be shown as a row.
pub trait Tabular: Serialize {
    /// Column names.
    fn headers() -> &'static [&'static str];
    /// The row's cells, in header order.
    fn cells(&self) -> Vec<String>;
    /// The evidence references.
    fn evidence(&self) -> &[Evidence];
}

fn tallies(items: &[Tally]) -> String {
    items.iter().map(|t| format!("{} ({})", t.name, t.count)).collect::<Vec<_>>().join("; ")
}

impl Tabular for HighRisk {
    fn headers() -> &'static [&'static str] {
        &[
            "id",
            "school",
            "rule",
            "user",
            "role",
            "year",
            "category",
            "local start",
            "requests",
            "domains",
            "search terms",
            "devices",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.school.clone(),
            self.rule.as_str().to_string(),
            self.user.clone().unwrap_or_default(),
            self.role.clone(),
            self.year_group.map(|y| y.to_string()).unwrap_or_default(),
            self.category.clone(),
            self.local_start.clone(),
            self.requests.to_string(),
            tallies(&self.domains),
            self.search_terms.join("; "),
            self.devices.join("; "),
        ]
    }
    fn evidence(&self) -> &[Evidence] {
        &self.evidence
    }
}

impl Tabular for Spike {
    fn headers() -> &'static [&'static str] {
        &["id", "school", "subject", "local start", "count", "baseline", "score", "severity", "users", "top domains"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.school.clone(),
            self.category.clone().or_else(|| self.domain.clone()).unwrap_or_default(),
            self.local_start.clone(),
            self.count.to_string(),
            format!("{:.1}", self.baseline),
            format!("{:.1}", self.score),
            self.severity.as_str().to_string(),
            self.users.to_string(),
            tallies(&self.top_domains),
        ]
    }
    fn evidence(&self) -> &[Evidence] {
        &self.evidence
    }
}

impl Tabular for OutOfHours {
    fn headers() -> &'static [&'static str] {
        &["id", "school", "user", "local start", "when", "minutes", "requests", "blocked", "top categories", "devices"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.school.clone(),
            self.user.clone(),
            self.local_start.clone(),
            self.when.clone(),
            ((self.end - self.start).num_seconds() / 60).to_string(),
            self.requests.to_string(),
            self.blocked.to_string(),
            tallies(&self.top_categories),
            self.devices.join("; "),
        ]
    }
    fn evidence(&self) -> &[Evidence] {
        &self.evidence
    }
}

impl Tabular for Repeat {
    fn headers() -> &'static [&'static str] {
        &[
            "id",
            "school",
            "user",
            "year",
            "severity",
            "category",
            "attempts",
            "local start",
            "minutes",
            "domains",
            "search terms",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.school.clone(),
            self.user.clone(),
            self.year_group.map(|y| y.to_string()).unwrap_or_default(),
            self.severity.as_str().to_string(),
            self.category.clone(),
            self.attempts.to_string(),
            self.local_start.clone(),
            ((self.end - self.start).num_seconds() / 60).to_string(),
            tallies(&self.domains),
            self.search_terms.join("; "),
        ]
    }
    fn evidence(&self) -> &[Evidence] {
        &self.evidence
    }
}

/// Longest a table cell may be before it is shortened with `…`.
const TABLE_CELL_CHARS: usize = 48;

/// Writes findings in the chosen format.
pub fn write<T: Tabular>(findings: &[T], format: OutputFormat, out: &mut impl Write) -> Result<()> {
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, findings)?;
            writeln!(out)?;
        }
        OutputFormat::Csv => {
            let mut writer = SafeCsv::new(out);
            let mut headers: Vec<&str> = T::headers().to_vec();
            headers.push("evidence");
            writer.write_record(&headers)?;
            for f in findings {
                let mut cells = f.cells();
                cells
                    .push(f.evidence().iter().map(|e| format!("{}:{}", e.file, e.line)).collect::<Vec<_>>().join("; "));
                writer.write_record(&cells)?;
            }
            writer.flush()?;
        }
        OutputFormat::Table => write_table(findings, out)?,
    }
    Ok(())
}

fn write_table<T: Tabular>(findings: &[T], out: &mut impl Write) -> Result<()> {
    if findings.is_empty() {
        writeln!(out, "no findings")?;
        return Ok(());
    }
    let shorten = |s: String| {
        let s = crate::escape::text(&s).into_owned();
        match s.char_indices().nth(TABLE_CELL_CHARS) {
            Some((at, _)) => format!("{}…", &s[..at]),
            None => s,
        }
    };
    let rows: Vec<Vec<String>> = findings.iter().map(|f| f.cells().into_iter().map(shorten).collect()).collect();
    let mut widths: Vec<usize> = T::headers().iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string()
    };
    writeln!(out, "{}", line(T::headers().iter().map(|h| h.to_uppercase()).collect()))?;
    for row in rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}
