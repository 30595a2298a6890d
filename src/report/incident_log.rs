//! The two CSVs that go with the weekly report: `findings.csv` (every finding, one row each) and
//! `incident-log.csv` in the columns a school's e-safety incident log keeps, with the action taken
//! left blank for staff to fill in.

use anyhow::Result;

use crate::config::Profile;
use crate::detect::{Findings, Kind, Tally};
use crate::safe_csv::SafeCsv;

fn names(tallies: &[Tally]) -> String {
    tallies.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join("; ")
}

/// Every finding as one CSV row.
pub fn findings_csv(findings: &Findings) -> Result<Vec<u8>> {
    let mut w = SafeCsv::new(Vec::new());
    w.write_record([
        "kind",
        "id",
        "school",
        "user",
        "subject",
        "severity",
        "start_utc",
        "end_utc",
        "local_start",
        "count",
        "baseline",
        "score",
        "domains",
        "search_terms",
        "devices",
        "evidence_lines",
    ])?;
    let rfc = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for h in &findings.high_risk {
        w.write_record([
            Kind::HighRisk.csv_name(),
            &h.id,
            &h.school,
            h.user.as_deref().unwrap_or(""),
            &h.category,
            "high",
            &rfc(h.start),
            &rfc(h.end),
            &h.local_start,
            &h.requests.to_string(),
            "",
            "",
            &names(&h.domains),
            &h.search_terms.join("; "),
            &h.devices.join("; "),
            &h.evidence.len().to_string(),
        ])?;
    }
    for r in &findings.repeats {
        w.write_record([
            Kind::Repeat.csv_name(),
            &r.id,
            &r.school,
            &r.user,
            &r.category,
            r.severity.as_str(),
            &rfc(r.start),
            &rfc(r.end),
            &r.local_start,
            &r.attempts.to_string(),
            "",
            "",
            &names(&r.domains),
            &r.search_terms.join("; "),
            &r.devices.join("; "),
            &r.evidence.len().to_string(),
        ])?;
    }
    for s in &findings.out_of_hours {
        w.write_record([
            Kind::OutOfHours.csv_name(),
            &s.id,
            &s.school,
            &s.user,
            &names(&s.top_categories),
            "",
            &rfc(s.start),
            &rfc(s.end),
            &s.local_start,
            &s.requests.to_string(),
            "",
            "",
            &names(&s.top_domains),
            "",
            &s.devices.join("; "),
            &s.evidence.len().to_string(),
        ])?;
    }
    for s in &findings.spikes {
        let subject = s.category.clone().or_else(|| s.domain.clone()).unwrap_or_default();
        w.write_record([
            Kind::Spike.csv_name(),
            &s.id,
            &s.school,
            "",
            &subject,
            s.severity.as_str(),
            &rfc(s.start),
            &rfc(s.end),
            &s.local_start,
            &s.count.to_string(),
            &format!("{:.1}", s.baseline),
            &format!("{:.1}", s.score),
            &names(&s.top_domains),
            "",
            "",
            &s.evidence.len().to_string(),
        ])?;
    }
    Ok(w.into_inner()?)
}

/// The findings about people, in incident-log columns (school-local date and time).
pub fn incident_log_csv(profile: &Profile, findings: &Findings) -> Result<Vec<u8>> {
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
        "action_taken",
        "recorded_by",
    ])?;
    let date = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&profile.timezone).format("%Y-%m-%d").to_string();
    let time = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&profile.timezone).format("%H:%M").to_string();
    let evidence = |id: &str| format!("{id} (filterwatch evidence --data DATA {id})");
    for h in &findings.high_risk {
        w.write_record([
            &date(h.start),
            &time(h.start),
            h.user.as_deref().unwrap_or(""),
            &h.role,
            &h.year_group.map(|y| y.to_string()).unwrap_or_default(),
            &h.devices.join("; "),
            &h.category,
            "high",
            &format!("high-risk ({}): {}", h.rule.describe(), h.what()),
            &evidence(&h.id),
            "",
            "",
        ])?;
    }
    for r in &findings.repeats {
        let what = format!(
            "{} blocked attempts in {} minutes to reach {} sites ({}){}",
            r.attempts,
            (r.end - r.start).num_minutes().max(1),
            r.category,
            names(&r.domains),
            if r.search_terms.is_empty() {
                String::new()
            } else {
                format!("; searched for: {}", r.search_terms.join("; "))
            }
        );
        w.write_record([
            &date(r.start),
            &time(r.start),
            &r.user,
            "pupil",
            &r.year_group.map(|y| y.to_string()).unwrap_or_default(),
            &r.devices.join("; "),
            &r.category,
            r.severity.as_str(),
            &what,
            &evidence(&r.id),
            "",
            "",
        ])?;
    }
    for s in &findings.out_of_hours {
        let what = format!(
            "internet use out of hours ({}) for {} minutes: {} requests, {} blocked; mostly {}",
            s.when,
            (s.end - s.start).num_minutes().max(1),
            s.requests,
            s.blocked,
            names(&s.top_categories)
        );
        let category = s.top_categories.first().map(|t| t.name.clone()).unwrap_or_default();
        w.write_record([
            &date(s.start),
            &time(s.start),
            &s.user,
            "staff",
            "",
            &s.devices.join("; "),
            &category,
            "",
            &what,
            &evidence(&s.id),
            "",
            "",
        ])?;
    }
    for s in &findings.spikes {
        let subject = s.category.clone().or_else(|| s.domain.clone()).unwrap_or_default();
        let what = format!(
            "spike: {} blocked {subject} requests against about {:.0} usually, {} people, mostly {}",
            s.count,
            s.baseline,
            s.users,
            names(&s.top_domains)
        );
        w.write_record([
            &date(s.start),
            &time(s.start),
            "(several)",
            "",
            "",
            "",
            &subject,
            s.severity.as_str(),
            &what,
            &evidence(&s.id),
            "",
            "",
        ])?;
    }
    Ok(w.into_inner()?)
}
