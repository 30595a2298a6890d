//! The words of every message filterwatch sends: an immediate alert, a digest of held alerts,
//! the weekly report, and the technician's notices. Each is built once and queued for every
//! channel the profile sets (e-mail to the right list, the webhook). Text that came from a log
//! (user names, search terms, domains) is escaped so it cannot forge a line or a header.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::outbox::{Channel, Outgoing};
use crate::config::Profile;
use crate::detect::high_risk::HighRisk;
use crate::detect::local_text;
use crate::escape;

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The DSL list: incidents and the weekly report.
    Dsl,
    /// The technician list: the job and the logs themselves.
    Technician,
}

/// A message before it is queued on its channels.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Stable id (also the e-mail's Message-ID).
    pub id: String,
    /// `alert`, `digest`, `weekly`, `silent`, `resumed`.
    pub about: &'static str,
    /// Who it is for.
    pub audience: Audience,
    /// Finding ids it tells of.
    pub findings: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Files to attach to the e-mail.
    pub attachments: Vec<PathBuf>,
    /// The webhook's document (none: not sent to the webhook).
    pub json: Option<serde_json::Value>,
}

impl Draft {
    /// One outgoing message per channel the profile sets up for the draft's audience.
    pub fn outgoing(&self, profile: &Profile, now: DateTime<Utc>) -> Vec<Outgoing> {
        let settings = &profile.alerts;
        let to = match self.audience {
            Audience::Dsl => &settings.dsl,
            Audience::Technician => &settings.technician,
        };
        let mut channels = Vec::new();
        if settings.smtp.is_some() && !to.is_empty() {
            channels.push(Channel::Email);
        }
        if settings.webhook.is_some() && self.json.is_some() {
            channels.push(Channel::Webhook);
        }
        channels
            .into_iter()
            .map(|channel| Outgoing {
                id: self.id.clone(),
                school: profile.id.clone(),
                channel,
                about: self.about.to_string(),
                findings: self.findings.clone(),
                to: to.clone(),
                subject: self.subject.clone(),
                body: self.body.clone(),
                attachments: if channel == Channel::Email { self.attachments.clone() } else { Vec::new() },
                json: self.json.clone(),
                queued: now,
                attempts: 0,
                next_attempt: now,
                last_error: None,
            })
            .collect()
    }
}

/// Log text made safe for a message: control characters escaped.
fn clean(text: &str) -> String {
    escape::text(text).into_owned()
}

/// The lines that describe one incident: who, when, where, what, and how to see the evidence.
fn incident_lines(profile: &Profile, data_hint: &str, incident: &HighRisk) -> String {
    let (start, end) = (incident.start.with_timezone(&profile.timezone), incident.end.with_timezone(&profile.timezone));
    let mut when = start.format("%A %-d %B %Y, %H:%M").to_string();
    if end.format("%H:%M").to_string() != start.format("%H:%M").to_string() {
        when.push_str(&end.format("–%H:%M").to_string());
    }
    format!(
        "Rule:     {}\nWhat:     {}\nWho:      {}\nWhen:     {when} (school time, {})\nWhere:    {}\n\
         Finding:  {}\nEvidence: filterwatch evidence --data {data_hint} {}\n",
        incident.rule.describe(),
        clean(&incident.what()),
        clean(&incident.who()),
        profile.timezone,
        clean(&incident.devices.join(", ")),
        incident.id,
        incident.id,
    )
}

/// The webhook document for incidents.
fn incidents_json(profile: &Profile, about: &str, incidents: &[&HighRisk]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = incidents
        .iter()
        .map(|i| {
            json!({
                "id": i.id, "rule": i.rule, "user": i.user.as_deref().map(clean), "role": i.role,
                "year_group": i.year_group, "category": clean(&i.category), "start": i.start, "end": i.end,
                "local_start": i.local_start, "requests": i.requests, "blocked": i.blocked,
                "domains": i.domains.iter().map(|d| clean(&d.name)).collect::<Vec<_>>(),
                "search_terms": i.search_terms.iter().map(|t| clean(t)).collect::<Vec<_>>(),
                "devices": i.devices.iter().map(|d| clean(d)).collect::<Vec<_>>(),
                "summary": clean(&format!("{}: {}", i.who(), i.what())),
            })
        })
        .collect();
    json!({ "type": about, "school": profile.id, "school_name": profile.name, "incidents": items })
}

/// The immediate alert for one incident.
pub fn alert(profile: &Profile, data_hint: &str, incident: &HighRisk) -> Draft {
    Draft {
        id: format!("alert-{}", incident.id),
        about: "alert",
        audience: Audience::Dsl,
        findings: vec![incident.id.clone()],
        subject: clean(&format!("High-risk alert, {}: {} — {}", profile.name, incident.category, incident.who())),
        body: format!(
            "A high-risk incident at {}, found by filterwatch. It needs a DSL's attention now.\n\n{}\n\
             Record what is done about it in the school's incident log.\n",
            clean(&profile.name),
            incident_lines(profile, data_hint, incident)
        ),
        attachments: Vec::new(),
        json: Some(incidents_json(profile, "high-risk-alert", &[incident])),
    }
}

/// One message for incidents held back after an alert (same person and rule, within
/// `suppress_hours`).
pub fn digest(profile: &Profile, data_hint: &str, incidents: &[&HighRisk], window_start: DateTime<Utc>) -> Draft {
    let ids: Vec<String> = incidents.iter().map(|i| i.id.clone()).collect();
    let first = incidents[0];
    let body: String = incidents.iter().map(|i| incident_lines(profile, data_hint, i) + "\n").collect();
    Draft {
        id: format!("digest-{}-{}", first.id, window_start.timestamp()),
        about: "digest",
        audience: Audience::Dsl,
        findings: ids,
        subject: clean(&format!(
            "High-risk digest, {}: {} more incident(s) — {}",
            profile.name,
            incidents.len(),
            first.who()
        )),
        body: format!(
            "After the alert at {} about {}, these further incidents under the same rule were held \
             back for {} hours so as not to flood your inbox:\n\n{body}",
            local_text(window_start, profile.timezone),
            clean(&first.who()),
            profile.alerts.suppress_hours,
        ),
        attachments: Vec::new(),
        json: Some(incidents_json(profile, "high-risk-digest", incidents)),
    }
}

/// The weekly report for the DSL: what needs action in a few lines, the PDF and incident log
/// attached.
pub fn weekly(profile: &Profile, week: &str, summary: &[String], attachments: Vec<PathBuf>) -> Draft {
    let needs = if summary.is_empty() {
        "Nothing this week needs action.\n".to_string()
    } else {
        let lines: String = summary.iter().map(|l| format!("  - {}\n", clean(l))).collect();
        format!("To look at first (as in the report):\n{lines}")
    };
    Draft {
        id: format!("weekly-{}-{week}", profile.id),
        about: "weekly",
        audience: Audience::Dsl,
        findings: Vec::new(),
        subject: clean(&format!("Weekly e-safety report, {}: {week}", profile.name)),
        body: format!(
            "The weekly filtering and monitoring report for {}, {week}, is attached (PDF), with the \
             incident log (CSV).\n\n{needs}",
            clean(&profile.name)
        ),
        attachments,
        json: None,
    }
}

/// The technician's notice that the logs went silent during school hours, or came back.
pub fn silence(profile: &Profile, since: DateTime<Utc>, resumed: bool) -> Draft {
    let since_text = local_text(since, profile.timezone);
    let name = clean(&profile.name);
    let (about, subject, body) = if resumed {
        (
            "resumed",
            format!("Filter logs are arriving again, {name}"),
            format!("New log lines are arriving again for {name} (silent since {since_text}).\n"),
        )
    } else {
        (
            "silent",
            format!("Filter logs have stopped, {name}"),
            format!(
                "No new log line has arrived for {name} since {since_text} (school time), during school hours. \
                 The filter may have stopped logging, or its logs moved: check the filter and the \
                 profile's `logs` globs. Until it is fixed, nothing is being monitored.\n"
            ),
        )
    };
    Draft {
        id: format!("{about}-{}-{}", profile.id, since.timestamp()),
        about,
        audience: Audience::Technician,
        findings: Vec::new(),
        subject,
        body,
        attachments: Vec::new(),
        json: Some(json!({ "type": format!("logs-{about}"), "school": profile.id, "since": since })),
    }
}
