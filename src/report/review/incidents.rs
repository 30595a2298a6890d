//! The incidents of the year from the register: how many by month and severity, how they ended,
//! the ones still open, and how long the school took to act on each.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::Audience;
use crate::config::Profile;
use crate::detect::severity::severity_of;
use crate::detect::summary::without_searches;
use crate::detect::{parse_finding_id, Kind};
use crate::incidents::register::Incident;
use crate::incidents::Status;
use crate::report::weekly::wording::{capitalise, group_label};

/// Incidents that began in one month.
#[derive(Debug, Serialize, Default)]
pub struct MonthRow {
    /// `September 2026`.
    pub month: String,
    /// High-severity ones.
    pub high: String,
    /// Medium.
    pub medium: String,
    /// Low.
    pub low: String,
    /// All.
    pub total: String,
}

/// How many incidents stand at one status.
#[derive(Debug, Serialize, Default)]
pub struct OutcomeRow {
    /// The status.
    pub status: String,
    /// How many.
    pub incidents: String,
}

/// One incident of the period (the CSV lists every one; the PDF the open ones).
#[derive(Debug, Clone, Serialize, Default)]
pub struct IncidentRow {
    /// The finding id.
    pub id: String,
    /// When it began, school time.
    pub began: String,
    /// The kind.
    pub kind: String,
    /// Its tier.
    pub severity: String,
    /// The user (school copy), or the group only (governors' copy).
    pub who: String,
    /// What happened.
    pub what: String,
    /// Where it stands.
    pub status: String,
    /// When someone first acted, school time.
    pub first_action: String,
    /// Days from entering the register to the first action.
    pub days_to_first_action: String,
    /// The latest action and outcome recorded (school copy only).
    pub recorded: String,
}

/// The incidents section.
#[derive(Debug, Serialize, Default)]
pub struct IncidentSection {
    /// By month and severity.
    pub months: Vec<MonthRow>,
    /// By status.
    pub outcomes: Vec<OutcomeRow>,
    /// Every incident of the period, oldest first.
    pub all: Vec<IncidentRow>,
    /// The ones still open.
    pub open: Vec<IncidentRow>,
    /// Time to first action in words.
    pub first_action_note: String,
}

fn began(incident: &Incident) -> DateTime<Utc> {
    let first = incident.first();
    first.start_utc.unwrap_or(first.recorded_at)
}

fn severity(profile: &Profile, incident: &Incident) -> &'static str {
    let first = incident.first();
    match parse_finding_id(&first.id).ok().and_then(|(prefix, _, _)| Kind::from_id_prefix(prefix)) {
        Some(Kind::HighRisk) => "high",
        _ => severity_of(&first.category, &profile.severity).as_str(),
    }
}

/// Days as the review prints them: `0.4`, `3`, `12`.
fn days(span: chrono::Duration) -> String {
    let days = span.num_minutes() as f64 / 1440.0;
    if days < 10.0 {
        format!("{:.1}", days)
    } else {
        format!("{:.0}", days)
    }
}

/// The section for the incidents that began in `from..to` (school-local dates).
pub fn section(
    profile: &Profile,
    incidents: &BTreeMap<String, Incident>,
    from: NaiveDate,
    to: NaiveDate,
    audience: Audience,
) -> IncidentSection {
    let local = |t: DateTime<Utc>| t.with_timezone(&profile.timezone);
    let mut chosen: Vec<&Incident> =
        incidents.values().filter(|i| (from..to).contains(&local(began(i)).date_naive())).collect();
    chosen.sort_by_key(|i| (began(i), i.first().id.clone()));

    let mut months: BTreeMap<NaiveDate, [u64; 3]> = BTreeMap::new();
    let mut outcomes: BTreeMap<Status, u64> = BTreeMap::new();
    let mut waits: Vec<chrono::Duration> = Vec::new();
    let mut section = IncidentSection::default();
    for incident in &chosen {
        let first = incident.first();
        let latest = incident.latest();
        let start = local(began(incident));
        let tier = severity(profile, incident);
        let month = start.date_naive().with_day(1).unwrap_or(start.date_naive());
        let slot = match tier {
            "high" => 0,
            "medium" => 1,
            _ => 2,
        };
        months.entry(month).or_default()[slot] += 1;
        *outcomes.entry(latest.status).or_default() += 1;
        let acted = incident.first_action();
        if let Some(at) = acted {
            waits.push(at - first.recorded_at);
        }
        let who = match audience {
            Audience::School if !first.user.is_empty() => first.user.clone(),
            _ if first.role.is_empty() => "(several people)".to_string(),
            _ => group_label(&first.role, first.year_group.parse().ok()),
        };
        let (action, outcome, by) = incident.recorded();
        let recorded = match audience {
            Audience::Governors => String::new(),
            Audience::School => {
                let text = [action, outcome].iter().filter(|t| !t.is_empty()).copied().collect::<Vec<_>>().join("; ");
                if by.is_empty() {
                    text
                } else {
                    format!("{text} ({by})")
                }
            }
        };
        let row = IncidentRow {
            id: first.id.clone(),
            began: start.format("%a %-d %b %Y %H:%M").to_string(),
            kind: first.kind.clone(),
            severity: tier.to_string(),
            who,
            what: capitalise(match audience {
                Audience::School => &first.what,
                Audience::Governors => without_searches(&first.what),
            }),
            status: latest.status.as_str().to_string(),
            first_action: acted.map(|t| local(t).format("%-d %b %Y").to_string()).unwrap_or_default(),
            days_to_first_action: acted.map(|t| days(t - first.recorded_at)).unwrap_or_default(),
            recorded,
        };
        if latest.status.is_open() {
            section.open.push(row.clone());
        }
        section.all.push(row);
    }
    section.months = months
        .into_iter()
        .map(|(month, [high, medium, low])| MonthRow {
            month: month.format("%B %Y").to_string(),
            high: high.to_string(),
            medium: medium.to_string(),
            low: low.to_string(),
            total: (high + medium + low).to_string(),
        })
        .collect();
    section.outcomes = Status::ALL
        .iter()
        .map(|s| OutcomeRow {
            status: s.as_str().to_string(),
            incidents: outcomes.get(s).copied().unwrap_or(0).to_string(),
        })
        .collect();
    section.first_action_note = first_action_note(chosen.len(), &mut waits);
    section
}

fn first_action_note(total: usize, waits: &mut [chrono::Duration]) -> String {
    if total == 0 {
        return "No incident entered the register in this period.".to_string();
    }
    if waits.is_empty() {
        return format!("None of the {total} incidents has a recorded action yet.");
    }
    waits.sort();
    let median = waits[waits.len() / 2];
    let longest = waits[waits.len() - 1];
    let waiting = total - waits.len();
    let mut note = format!(
        "{} of {total} incidents had a first action recorded: typically {} days after the finding entered the \
         register (median), {} days at the longest.",
        waits.len(),
        days(median),
        days(longest)
    );
    if waiting > 0 {
        note.push_str(&format!(" {waiting} still have none."));
    }
    note
}
