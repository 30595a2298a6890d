//! The two CSVs that go with the weekly report, both from the findings' one summary shape
//! ([`Summary`]): `findings.csv` (every finding, one row each, for analysis) and
//! `incident-log.csv` in the columns a school's e-safety incident log keeps, with the status,
//! action, outcome and who recorded them taken from the incident register.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::config::Profile;
use crate::detect::summary::Summary;
use crate::incidents::register::Incident;
use crate::safe_csv::SafeCsv;

fn rfc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Every finding as one CSV row.
pub fn findings_csv(profile: &Profile, findings: &[Summary]) -> Result<Vec<u8>> {
    let mut w = SafeCsv::new(Vec::new());
    w.write_record([
        "kind",
        "id",
        "school",
        "user",
        "role",
        "year_group",
        "subject",
        "severity",
        "needs_action",
        "start_utc",
        "end_utc",
        "local_start",
        "count",
        "domains",
        "search_terms",
        "devices",
        "what",
        "evidence_lines",
    ])?;
    for f in findings {
        w.write_record([
            f.kind.csv_name(),
            &f.id,
            &f.school,
            f.user.as_deref().unwrap_or(""),
            f.role.as_deref().unwrap_or(""),
            &f.year_group.map(|y| y.to_string()).unwrap_or_default(),
            &f.category,
            f.severity.map_or("", |s| s.as_str()),
            if f.needs_action { "yes" } else { "no" },
            &rfc(f.start),
            &rfc(f.end),
            &crate::detect::local_text(f.start, profile.timezone),
            &f.count.to_string(),
            &f.domains.join("; "),
            &f.search_terms.join("; "),
            &f.devices.join("; "),
            &f.what,
            &f.evidence.len().to_string(),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// The findings in incident-log columns (school-local date and time), with what the register
/// says was done about each.
pub fn incident_log_csv(
    profile: &Profile,
    findings: &[Summary],
    register: &BTreeMap<String, Incident>,
) -> Result<Vec<u8>> {
    let mut w = SafeCsv::new(Vec::new());
    w.write_record([
        "date",
        "time",
        "user",
        "role",
        "year_group",
        "device_or_ip",
        "category",
        "severity",
        "what_happened",
        "evidence_reference",
        "status",
        "action_taken",
        "outcome",
        "recorded_by",
    ])?;
    let local =
        |t: chrono::DateTime<chrono::Utc>, format: &str| t.with_timezone(&profile.timezone).format(format).to_string();
    for f in findings {
        let (status, (action, outcome, by)) = match register.get(&f.id) {
            Some(incident) => (incident.latest().status.as_str(), incident.recorded()),
            None => ("new", ("", "", "")),
        };
        w.write_record([
            local(f.start, "%Y-%m-%d").as_str(),
            local(f.start, "%H:%M").as_str(),
            f.user.as_deref().unwrap_or("(several)"),
            f.role.as_deref().unwrap_or(""),
            f.year_group.map(|y| y.to_string()).unwrap_or_default().as_str(),
            f.devices.join("; ").as_str(),
            f.category.as_str(),
            f.severity.map_or("", |s| s.as_str()),
            f.what.as_str(),
            format!("{} (filterwatch evidence --data DATA {})", f.id, f.id).as_str(),
            status,
            action,
            outcome,
            by,
        ])?;
    }
    Ok(w.into_inner()?)
}
