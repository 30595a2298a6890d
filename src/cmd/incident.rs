//! `filterwatch incident list | show | update`: the incident register from the command line —
//! what is open, one incident's finding, evidence and history, and recording what was done
//! (with an optional suppression when it was a false positive). Every change is appended with
//! who and when; nothing is rewritten.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;
use serde::Serialize;

use super::{ConfigError, DataDir};
use crate::detect::{local_date, parse_finding_id, Evidence};
use crate::escape;
use crate::incidents::register::{Change, Incident, Register};
use crate::incidents::suppress::{Scope, Suppression, Suppressions};
use crate::incidents::{evidence, Status};
use crate::report::findings::{write, OutputFormat, Tabular};
use crate::store;

/// Arguments of `filterwatch incident`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The `incident` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// The incidents, newest first.
    List(ListArgs),
    /// One incident: the finding, its evidence lines and its history.
    Show(ShowArgs),
    /// Record what was done about an incident.
    Update(UpdateArgs),
}

/// Arguments of `incident list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// Only this school (default: every school with a register).
    #[arg(long, value_name = "ID")]
    pub school: Option<String>,
    /// Only incidents with this status now.
    #[arg(long, value_enum)]
    pub status: Option<Status>,
    /// Only incidents that started on or after this school-local date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Output format (default: table on a terminal, JSON otherwise).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
}

/// Arguments of `incident show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// The incident (finding) id.
    #[arg(value_name = "ID")]
    pub id: String,
}

/// Arguments of `incident update`.
#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// The dataset folder (`--data`).
    #[command(flatten)]
    pub data: DataDir,
    /// The incident (finding) id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// The new status.
    #[arg(long, value_enum)]
    pub status: Status,
    /// What was done.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub action: String,
    /// What came of it.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub outcome: String,
    /// Who is recording this.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// With `--status false-positive`: stop showing findings like it (its domain, user or
    /// category).
    #[arg(long, value_enum)]
    pub suppress: Option<Scope>,
    /// The domain, user or category to suppress (default: the incident's own).
    #[arg(long, value_name = "VALUE", requires = "suppress")]
    pub value: Option<String>,
    /// Last school-local date the suppression applies (default: until lifted).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "suppress")]
    pub until: Option<NaiveDate>,
    /// Why the suppression is right (required with `--suppress`).
    #[arg(long, value_name = "TEXT", requires = "suppress")]
    pub reason: Option<String>,
}

/// Runs an `incident` subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.action {
        Action::List(a) => list(a),
        Action::Show(a) => show(a),
        Action::Update(a) => update(a),
    }
}

/// One incident as a row of `incident list`.
#[derive(Serialize)]
struct Row {
    id: String,
    school: String,
    status: String,
    local_start: String,
    user: String,
    category: String,
    what: String,
    action: String,
    outcome: String,
    recorded_by: String,
    #[serde(skip)]
    evidence: Vec<Evidence>,
}

impl Tabular for Row {
    fn headers() -> &'static [&'static str] {
        &["id", "status", "local start", "user", "category", "what", "action", "outcome", "recorded by"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.status.clone(),
            self.local_start.clone(),
            self.user.clone(),
            self.category.clone(),
            self.what.clone(),
            self.action.clone(),
            self.outcome.clone(),
            self.recorded_by.clone(),
        ]
    }
    fn evidence(&self) -> &[Evidence] {
        &self.evidence
    }
}

fn schools_with_registers(data: &std::path::Path, only: Option<&str>) -> Result<Vec<String>> {
    if let Some(id) = only {
        return Ok(vec![id.to_string()]);
    }
    let mut ids: Vec<String> = std::fs::read_dir(data.join("incidents"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_string_lossy().strip_suffix(".csv").map(str::to_string))
                .filter(|name| !name.ends_with("-suppressions") && crate::config::is_school_id(name))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    Ok(ids)
}

fn list(args: ListArgs) -> Result<ExitCode> {
    let data = &args.data.path;
    let mut rows: Vec<(chrono::DateTime<chrono::Utc>, Row)> = Vec::new();
    for school in schools_with_registers(data, args.school.as_deref())? {
        let tz = store::school_settings(data, &school)?.timezone;
        for incident in Register::new(data, &school).incidents()?.into_values() {
            let first = incident.first();
            let start = first.start_utc.unwrap_or(first.recorded_at);
            let status = incident.latest().status;
            if args.status.is_some_and(|s| s != status) || args.from.is_some_and(|from| local_date(start, tz) < from) {
                continue;
            }
            let (action, outcome, by) = incident.recorded();
            let row = Row {
                id: first.id.clone(),
                school: school.clone(),
                status: status.as_str().to_string(),
                local_start: crate::detect::local_text(start, tz),
                user: first.user.clone(),
                category: first.category.clone(),
                what: first.what.clone(),
                action: action.to_string(),
                outcome: outcome.to_string(),
                recorded_by: by.to_string(),
                evidence: Vec::new(),
            };
            rows.push((start, row));
        }
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    let rows: Vec<Row> = rows.into_iter().map(|(_, r)| r).collect();
    let format = args.format.unwrap_or_else(OutputFormat::for_stdout);
    write(&rows, format, &mut std::io::stdout().lock())?;
    Ok(ExitCode::SUCCESS)
}

/// The incident with this id, from its school's register.
fn find(data: &std::path::Path, id: &str) -> Result<(String, Incident)> {
    let (_, school, _) = parse_finding_id(id)?;
    let incident = Register::new(data, school).incidents()?.remove(id);
    let incident = incident.ok_or_else(|| ConfigError(format!("no incident {id} in {}", data.display())))?;
    Ok((school.to_string(), incident))
}

fn show(args: ShowArgs) -> Result<ExitCode> {
    let data = &args.data.path;
    let (school, incident) = find(data, &args.id)?;
    let tz = store::school_settings(data, &school)?.timezone;
    let first = incident.first();
    let mut out = std::io::stdout().lock();
    let clean = |t: &str| escape::text(t).into_owned();
    writeln!(out, "{} ({}), {}", first.id, first.kind, incident.latest().status.as_str())?;
    if let Some(start) = first.start_utc {
        writeln!(out, "When:     {} (school time, {tz})", crate::detect::local_text(start, tz))?;
    }
    writeln!(out, "Who:      {} {}", clean(&first.role), clean(&first.user))?;
    writeln!(out, "What:     {}", clean(&first.what))?;
    writeln!(out, "\nHistory:")?;
    for e in &incident.history {
        let mut line = format!(
            "  {}  {:<14} {}",
            crate::detect::local_text(e.recorded_at, tz),
            e.status.as_str(),
            clean(&e.recorded_by)
        );
        for (label, text) in [("action", &e.action), ("outcome", &e.outcome), ("suppressed", &e.suppression)] {
            if !text.is_empty() {
                line.push_str(&format!("; {label}: {}", clean(text)));
            }
        }
        writeln!(out, "{line}")?;
    }
    writeln!(out, "\nEvidence:")?;
    match std::fs::read_to_string(evidence::path(data, &school, &first.id)) {
        Ok(lines) => write!(out, "{lines}")?,
        Err(_) => writeln!(
            out,
            "  (not kept yet: the next nightly keeps it; until then `filterwatch evidence --data {} {}`)",
            data.display(),
            first.id
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

fn update(args: UpdateArgs) -> Result<ExitCode> {
    let data = &args.data.path;
    let (school, incident) = find(data, &args.id)?;
    if args.suppress.is_some() && args.status != Status::FalsePositive {
        return Err(ConfigError("--suppress goes with --status false-positive".into()).into());
    }
    let now = chrono::Utc::now();
    let suppression = match args.suppress {
        Some(scope) => {
            let first = incident.first();
            let own = match scope {
                Scope::User => first.user.clone(),
                Scope::Category => first.category.clone(),
                Scope::Domain => first.domains.split("; ").next().unwrap_or("").to_string(),
            };
            let value = args.value.clone().unwrap_or(own);
            if value.is_empty() {
                return Err(ConfigError(format!(
                    "--suppress {}: give the value with --value (the incident has none of its own)",
                    scope.as_str()
                ))
                .into());
            }
            let reason = args.reason.clone().ok_or_else(|| ConfigError("--suppress needs --reason".into()))?;
            Some(Suppression {
                added: now,
                by: args.by.clone(),
                scope,
                value,
                until: args.until,
                reason,
                incident: args.id.clone(),
            })
        }
        None => None,
    };
    let change = Change {
        status: args.status,
        action: args.action,
        outcome: args.outcome,
        by: args.by,
        suppression: suppression.as_ref().map(Suppression::describe).unwrap_or_default(),
    };
    if change.by.trim().is_empty() {
        return Err(ConfigError("--by: name who is recording this".into()).into());
    }
    let entry = Register::new(data, &school).update(&args.id, change, now)?;
    if let Some(s) = &suppression {
        Suppressions::new(data, &school).add(s)?;
    }
    println!("{} is now {} (recorded by {})", entry.id, entry.status.as_str(), escape::text(&entry.recorded_by));
    Ok(ExitCode::SUCCESS)
}
