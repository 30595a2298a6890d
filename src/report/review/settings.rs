//! The settings the review records: what was in force (hours, thresholds, severities, alert rules,
//! retention) and every change to them that ingest saw, from the profile versions kept in the
//! dataset. Addresses, paths and role patterns are left out: they are not settings a governor
//! reviews, and they can name people.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::config::Profile;
use crate::store;

/// One setting as the review prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The profile key (`hours.staff_end`).
    pub key: &'static str,
    /// Its value in words.
    pub value: String,
}

/// One setting changed between two profile versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// When ingest first saw the new version.
    pub seen: DateTime<Utc>,
    /// The key.
    pub key: &'static str,
    /// The value before.
    pub before: String,
    /// The value after.
    pub after: String,
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.join(", ")
    }
}

/// The reviewed settings of a profile, defaults included, in a fixed order.
pub fn settings_of(profile: &Profile) -> Vec<Setting> {
    let hours = &profile.hours;
    let detect = &profile.detect;
    let alerts = &profile.alerts;
    let days: Vec<String> = hours.school_days.iter().map(|d| d.to_string()).collect();
    let holidays: Vec<String> =
        hours.holidays.iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a} to {b}") }).collect();
    let days_or = |value: Option<u32>, none: &str| value.map_or(none.to_string(), |d| format!("{d} days"));
    let yes_no = |on: bool| if on { "yes" } else { "no" }.to_string();
    let rows: Vec<(&'static str, String)> = vec![
        ("timezone", profile.timezone.name().to_string()),
        ("hours.staff_start", hours.staff_start.format("%H:%M").to_string()),
        ("hours.staff_end", hours.staff_end.format("%H:%M").to_string()),
        ("hours.school_days", list(&days)),
        ("hours.holidays", list(&holidays)),
        ("severity.high", list(&profile.severity.high)),
        ("severity.medium", list(&profile.severity.medium)),
        ("severity.ignored", list(&profile.severity.ignored)),
        ("detect.spike_min_count", detect.spike_min_count.to_string()),
        ("detect.spike_min_score", detect.spike_min_score.to_string()),
        ("detect.spike_baseline_days", detect.spike_baseline_days.to_string()),
        ("detect.out_of_hours_min_requests", detect.out_of_hours_min_requests.to_string()),
        ("detect.session_gap_minutes", detect.session_gap_minutes.to_string()),
        ("detect.repeat_window_minutes", detect.repeat_window_minutes.to_string()),
        ("detect.repeat_min_attempts", detect.repeat_min_attempts.to_string()),
        ("alerts.immediate_categories", list(&alerts.immediate_categories)),
        ("alerts.bypass_categories", list(&alerts.bypass_categories)),
        ("alerts.bypass_attempts", format!("{} in {} minutes", alerts.bypass_attempts, alerts.bypass_minutes)),
        ("alerts.staff_out_of_hours", yes_no(alerts.staff_out_of_hours)),
        ("alerts by e-mail", format!("{} recipient(s)", alerts.dsl.len())),
        ("alerts.silent_minutes", alerts.silent_minutes.to_string()),
        ("role rules", format!("{} rule(s) for usernames not in the roster", profile.role_rules.len())),
        ("retention_days", days_or(profile.retention_days, "keep everything")),
        ("incident_retention_days", format!("{} days", profile.incident_retention_days)),
    ];
    rows.into_iter().map(|(key, value)| Setting { key, value }).collect()
}

/// Every change of a reviewed setting between the profile versions ingest kept for the school,
/// for versions first seen in `from..to` (UTC). A version that no longer parses (an older
/// filterwatch's keys) is compared as far as it can be: it is skipped.
pub fn changes(data: &Path, school: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Change>> {
    let versions = store::profile_versions(data, school)?;
    let parsed: Vec<(DateTime<Utc>, Vec<Setting>)> = versions
        .iter()
        .filter_map(|(seen, text)| Profile::from_toml(text, Path::new(".")).ok().map(|p| (*seen, settings_of(&p))))
        .collect();
    let mut found = Vec::new();
    for pair in parsed.windows(2) {
        let ((_, before), (seen, after)) = (&pair[0], &pair[1]);
        if *seen < from || *seen >= to {
            continue;
        }
        for (old, new) in before.iter().zip(after) {
            if old.value != new.value {
                found.push(Change { seen: *seen, key: new.key, before: old.value.clone(), after: new.value.clone() });
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_listed_and_a_changed_hour_is_one_change() {
        let dir = tempfile::tempdir().unwrap();
        let first = "id = \"riverside\"\n";
        let second = "id = \"riverside\"\n[hours]\nstaff_end = \"18:00\"\n";
        for (stamp, text) in [("20260901T060000.000000Z", first), ("20261002T101400.250000Z", second)] {
            let path = dir.path().join("profiles/riverside").join(format!("{stamp}.toml"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let profile = Profile::from_toml(first, Path::new(".")).unwrap();
        let settings = settings_of(&profile);
        let end = settings.iter().find(|s| s.key == "hours.staff_end").unwrap();
        assert_eq!(end.value, "19:00");
        let year = |y: i32| chrono::NaiveDate::from_ymd_opt(y, 9, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
        let found = changes(dir.path(), "riverside", year(2026), year(2027)).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].key, found[0].before.as_str(), found[0].after.as_str()),
            ("hours.staff_end", "19:00", "18:00")
        );
        assert!(changes(dir.path(), "riverside", year(2027), year(2028)).unwrap().is_empty());
    }
}
