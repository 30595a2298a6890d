//! The school profile (TOML): identity, time zone, school hours, roster, category lists, role
//! rules, log globs and the CSV-export column mapping. Every key has a default except `id`, and an
//! unknown key is an error that names it (DESIGN §4).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::formats::csv_export::CsvMapping;
use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// An error in what the user gave (profile, flags), as opposed to a failure while working: the
/// commands exit with code 2 for it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// A loaded, validated school profile. Relative paths are resolved against the profile's folder.
#[derive(Debug, Clone)]
pub struct Profile {
    /// School id: the `school=` partition key. Never purely numeric (Spark would read it as a number).
    pub id: String,
    /// Human-readable school name for reports.
    pub name: String,
    /// The school's time zone; every rule about hours is evaluated in it.
    pub timezone: Tz,
    /// The roster CSV (username, role, year group), read by the school context at ingest.
    pub roster: Option<PathBuf>,
    /// Folder of squidGuard-style category lists, when configured.
    pub categories: Option<PathBuf>,
    /// Regex rules giving a role to usernames that are not in the roster; first match wins.
    pub role_rules: Vec<RoleRule>,
    /// School hours and days.
    pub hours: Hours,
    /// Globs of the logs the nightly job reads (rotated and .gz files included).
    pub logs: Vec<String>,
    /// Read log files that are links to somewhere outside the folder their glob starts in
    /// (off: such a link is skipped with a message, so a planted link cannot copy another file).
    pub follow_links: bool,
    /// Forces one log format for every file instead of auto-detection.
    pub format: Option<String>,
    /// A Squid `logformat` string (as written in squid.conf) for custom Squid logs.
    pub squid_logformat: Option<String>,
    /// Column mapping for CSV exports.
    pub csv: Option<CsvMapping>,
    /// The school's own DNS domains (`riverside.local`, `riverside.sch.uk`): hosts under them
    /// name its machines and people, so `export` replaces them with pseudonyms.
    pub internal_domains: Vec<String>,
    /// Days of data to keep; `nightly` deletes older date partitions, rejects and alerts.
    /// Absent: keep everything.
    pub retention_days: Option<u32>,
    /// Days a closed incident (closed or false positive) is kept in the register, with its
    /// evidence lines, after its last change; default 2557 (seven years).
    pub incident_retention_days: u32,
    /// Lines dated more than this many days before ingest are rejected (a stray 1970 line would
    /// otherwise stretch every week loop over decades). Default 10957 (30 years).
    pub reject_older_than_days: u32,
    /// Lines dated more than this many hours after ingest are rejected. Default 48.
    pub reject_future_hours: u32,
    /// Detection thresholds.
    pub detect: DetectSettings,
    /// Category severity tiers.
    pub severity: Severities,
    /// The immediate rules and where alerts go (`[alerts]`).
    pub alerts: crate::alerts::settings::AlertSettings,
    /// The folder the profile was read from.
    pub base_dir: PathBuf,
    /// The profile's TOML text, kept with the dataset so detections know the school's settings.
    pub source_text: String,
}

/// Thresholds of the three detections, all with defaults.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectSettings {
    /// Blocked requests in one hour below which nothing is a spike.
    pub spike_min_count: u32,
    /// Robust z-score (median/MAD against comparable hours) from which an hour is a spike.
    pub spike_min_score: f64,
    /// How many trailing days of comparable hours form a spike's baseline.
    pub spike_baseline_days: u32,
    /// Fewer out-of-hours requests than this in a session is stray traffic, not a session.
    pub out_of_hours_min_requests: u32,
    /// A gap longer than this (minutes) ends an out-of-hours session.
    pub session_gap_minutes: u32,
    /// Sliding window (minutes) for repeated pupil attempts.
    pub repeat_window_minutes: u32,
    /// Blocked attempts in one window that make a repeat.
    pub repeat_min_attempts: u32,
}

impl DetectSettings {
    /// Checks every threshold against its bounds; the error names the key and the bounds.
    fn validate(&self) -> Result<()> {
        check_bounds("detect.spike_min_count", self.spike_min_count, 1, 1_000_000)?;
        if !(0.5..=100.0).contains(&self.spike_min_score) {
            bail!("key `detect.spike_min_score`: {} is not a number from 0.5 to 100", self.spike_min_score);
        }
        check_bounds("detect.spike_baseline_days", self.spike_baseline_days, 1, 366)?;
        check_bounds("detect.out_of_hours_min_requests", self.out_of_hours_min_requests, 1, 1_000_000)?;
        check_bounds("detect.session_gap_minutes", self.session_gap_minutes, 1, 1440)?;
        check_bounds("detect.repeat_window_minutes", self.repeat_window_minutes, 1, 1440)?;
        check_bounds("detect.repeat_min_attempts", self.repeat_min_attempts, 2, 100_000)
    }
}

/// `Err` naming the key and its bounds when `value` is outside `low..=high`.
pub fn check_bounds(key: &str, value: u32, low: u32, high: u32) -> Result<()> {
    if !(low..=high).contains(&value) {
        bail!("key `{key}`: {value} is outside {low}..={high}");
    }
    Ok(())
}

/// Most days of retention or age any setting may name (100 years).
pub const MAX_DAYS: u32 = 36_525;

impl Default for DetectSettings {
    fn default() -> Self {
        DetectSettings {
            spike_min_count: 10,
            spike_min_score: 4.0,
            spike_baseline_days: 28,
            out_of_hours_min_requests: 10,
            session_gap_minutes: 30,
            repeat_window_minutes: 15,
            repeat_min_attempts: 10,
        }
    }
}

/// Which categories matter how much. A category is in a tier when its words contain one of the
/// tier's entries (`Proxy Avoidance` is in `proxy`); `high` is checked first, then `medium`,
/// then `ignored`; anything else is `low`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Severities {
    /// Safeguarding concerns: adult content, filter bypass, self-harm, extremism (the Prevent
    /// duty), weapons, gambling.
    pub high: Vec<String>,
    /// Behaviour and distraction: games, social networking, streaming.
    pub medium: Vec<String>,
    /// Machine noise that never makes a finding: adverts, trackers, updates.
    pub ignored: Vec<String>,
}

impl Default for Severities {
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Severities {
            high: list(&[
                "adult",
                "porn",
                "pornography",
                "sex",
                "nudity",
                "proxy",
                "anonymizer",
                "anonymiser",
                "vpn",
                "filter bypass",
                "bypass",
                "selfharm",
                "self harm",
                "suicide",
                "eating disorder",
                "extremism",
                "extremist",
                "radicalisation",
                "terrorism",
                "hate",
                "racism",
                "weapons",
                "violence",
                "gambling",
                "drugs",
            ]),
            medium: list(&[
                "games",
                "gaming",
                "socialnetworking",
                "social networking",
                "social",
                "chat",
                "dating",
                "streaming",
                "video",
            ]),
            ignored: list(&[
                "ads",
                "advertising",
                "adverts",
                "advertisement",
                "tracking",
                "trackers",
                "analytics",
                "updates",
                "software updates",
            ]),
        }
    }
}

/// A National Curriculum year group (7–13 in a secondary school): one type wherever a pupil's
/// year is held, from the roster to the findings.
pub type YearGroup = i8;

/// Who a username belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Teaching and support staff.
    Staff,
    /// Pupils (students).
    Pupil,
    /// Visitors on a guest network or account.
    Guest,
    /// Service and device accounts (update agents, printers, kiosks).
    Service,
    /// Not in the roster and matched by no rule.
    Unknown,
}

impl Role {
    /// The role as stored in the `role` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Pupil => "pupil",
            Role::Guest => "guest",
            Role::Service => "service",
            Role::Unknown => "unknown",
        }
    }

    /// Parses a roster role, accepting the usual synonyms (teacher, student, visitor, …).
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "staff" | "teacher" | "employee" | "admin" => Some(Role::Staff),
            "pupil" | "student" | "learner" => Some(Role::Pupil),
            "guest" | "visitor" => Some(Role::Guest),
            "service" | "device" | "system" => Some(Role::Service),
            "unknown" => Some(Role::Unknown),
            _ => None,
        }
    }
}

/// A username rule: usernames matching `pattern` get `role` (and optionally a year group taken
/// from a named capture group `year`).
#[derive(Debug, Clone)]
pub struct RoleRule {
    /// The compiled regex, matched against the lower-cased username.
    pub pattern: regex::Regex,
    /// The role it gives.
    pub role: Role,
}

/// School hours: staff activity outside them, or on a non-school day or holiday, is out of hours.
#[derive(Debug, Clone)]
pub struct Hours {
    /// Start of the staff day (local time).
    pub staff_start: NaiveTime,
    /// End of the staff day (local time).
    pub staff_end: NaiveTime,
    /// Days of the week school is open.
    pub school_days: Vec<Weekday>,
    /// Inclusive date ranges when school is closed.
    pub holidays: Vec<(NaiveDate, NaiveDate)>,
}

impl Hours {
    /// True when `date` is a school day (a listed weekday and not a holiday).
    pub fn is_school_day(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        self.school_days.contains(&date.weekday())
            && !self.holidays.iter().any(|(from, to)| *from <= date && date <= *to)
    }
}

fn default_incident_retention_days() -> u32 {
    2557
}
fn default_reject_older_than_days() -> u32 {
    10957
}
fn default_reject_future_hours() -> u32 {
    48
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    id: String,
    name: Option<String>,
    #[serde(default = "default_timezone")]
    timezone: String,
    roster: Option<PathBuf>,
    categories: Option<PathBuf>,
    #[serde(default)]
    role_rules: Vec<RawRoleRule>,
    #[serde(default)]
    hours: RawHours,
    #[serde(default)]
    logs: Vec<String>,
    #[serde(default)]
    follow_links: bool,
    format: Option<String>,
    squid_logformat: Option<String>,
    csv: Option<CsvMapping>,
    #[serde(default)]
    internal_domains: Vec<String>,
    retention_days: Option<u32>,
    #[serde(default = "default_incident_retention_days")]
    incident_retention_days: u32,
    #[serde(default = "default_reject_older_than_days")]
    reject_older_than_days: u32,
    #[serde(default = "default_reject_future_hours")]
    reject_future_hours: u32,
    #[serde(default)]
    detect: DetectSettings,
    #[serde(default)]
    severity: Severities,
    #[serde(default)]
    alerts: crate::alerts::settings::AlertSettings,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoleRule {
    pattern: String,
    role: Role,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHours {
    #[serde(default = "default_staff_start")]
    staff_start: String,
    #[serde(default = "default_staff_end")]
    staff_end: String,
    #[serde(default = "default_school_days")]
    school_days: Vec<String>,
    #[serde(default)]
    holidays: Vec<String>,
}

impl Default for RawHours {
    fn default() -> Self {
        RawHours {
            staff_start: default_staff_start(),
            staff_end: default_staff_end(),
            school_days: default_school_days(),
            holidays: Vec::new(),
        }
    }
}

fn default_timezone() -> String {
    "Europe/London".to_string()
}
fn default_staff_start() -> String {
    "07:00".to_string()
}
fn default_staff_end() -> String {
    "19:00".to_string()
}
fn default_school_days() -> Vec<String> {
    ["Mon", "Tue", "Wed", "Thu", "Fri"].map(String::from).to_vec()
}

impl Profile {
    /// Reads and validates a profile file. Errors name the file and the offending key.
    pub fn load(path: &Path) -> Result<Profile> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read profile {}", path.display()))?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Profile::from_toml(&text, &base_dir).with_context(|| format!("bad profile {}", path.display()))
    }

    /// The settings a school's rules need and nothing that names a person or a path: id, name,
    /// time zone, hours, holidays, thresholds and severity lists, as profile TOML. `export` sends
    /// it with the school's events so the local authority judges each school by its own hours;
    /// the roster, logs, alert addresses and role patterns stay at the school.
    pub fn settings_toml(&self) -> Result<String> {
        use toml::Value;
        let texts = |items: Vec<String>| Value::Array(items.into_iter().map(Value::String).collect());
        let hours = &self.hours;
        let mut hours_table = toml::Table::new();
        hours_table.insert("staff_start".into(), Value::String(hours.staff_start.format("%H:%M").to_string()));
        hours_table.insert("staff_end".into(), Value::String(hours.staff_end.format("%H:%M").to_string()));
        hours_table.insert("school_days".into(), texts(hours.school_days.iter().map(|d| d.to_string()).collect()));
        hours_table.insert("holidays".into(), texts(hours.holidays.iter().map(|(a, b)| format!("{a}..{b}")).collect()));
        let mut table = toml::Table::new();
        table.insert("id".into(), Value::String(self.id.clone()));
        table.insert("name".into(), Value::String(self.name.clone()));
        table.insert("timezone".into(), Value::String(self.timezone.name().to_string()));
        table.insert("hours".into(), Value::Table(hours_table));
        table.insert("detect".into(), Value::try_from(&self.detect)?);
        table.insert("severity".into(), Value::try_from(&self.severity)?);
        Ok(toml::to_string(&table)?)
    }

    /// Parses and validates a profile from TOML text; relative paths are resolved against
    /// `base_dir`. Validation only: the roster and category files it names are read by the
    /// school context ([`crate::enrich::SchoolContext`]) when a run needs them.
    pub fn from_toml(text: &str, base_dir: &Path) -> Result<Profile> {
        let raw: RawProfile = toml::from_str(text).map_err(|e| anyhow::anyhow!(toml_error(&e)))?;
        validate_id(&raw.id)?;
        raw.detect.validate()?;
        if let Some(days) = raw.retention_days {
            check_bounds("retention_days", days, 1, MAX_DAYS)?;
        }
        check_bounds("reject_older_than_days", raw.reject_older_than_days, 1, MAX_DAYS)?;
        check_bounds("incident_retention_days", raw.incident_retention_days, 1, MAX_DAYS)?;
        check_bounds("reject_future_hours", raw.reject_future_hours, 1, 24 * 366)?;
        let timezone: Tz = raw
            .timezone
            .parse()
            .map_err(|_| anyhow::anyhow!("key `timezone`: unknown time zone {:?}", raw.timezone))?;
        let resolve = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { base_dir.join(p) };
        let role_rules = raw
            .role_rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let pattern = regex::Regex::new(&r.pattern)
                    .map_err(|e| anyhow::anyhow!("key `role_rules[{i}].pattern`: bad regex: {e}"))?;
                Ok(RoleRule { pattern, role: r.role })
            })
            .collect::<Result<Vec<_>>>()?;
        let hours = parse_hours(&raw.hours)?;
        let alerts = raw.alerts.validate(base_dir)?;
        Ok(Profile {
            name: raw.name.clone().unwrap_or_else(|| raw.id.clone()),
            id: raw.id,
            timezone,
            roster: raw.roster.as_deref().map(resolve),
            categories: raw.categories.as_deref().map(resolve),
            role_rules,
            hours,
            logs: raw.logs,
            follow_links: raw.follow_links,
            format: raw.format,
            squid_logformat: raw.squid_logformat,
            csv: raw.csv,
            internal_domains: parse_internal_domains(&raw.internal_domains)?,
            retention_days: raw.retention_days,
            incident_retention_days: raw.incident_retention_days,
            reject_older_than_days: raw.reject_older_than_days,
            reject_future_hours: raw.reject_future_hours,
            detect: raw.detect,
            severity: raw.severity,
            alerts,
            base_dir: base_dir.to_path_buf(),
            source_text: text.to_string(),
        })
    }

    /// A profile with every default, for ingesting without a school profile file.
    pub fn with_defaults(id: &str) -> Result<Profile> {
        Profile::from_toml(&format!("id = {:?}\n", id), Path::new("."))
    }
}

/// Turns a TOML/serde error into one line that names the key and the line.
fn toml_error(e: &toml::de::Error) -> String {
    let message = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => format!("{message} (at byte {})", span.start),
        None => message,
    }
}

/// Whether `id` can name a school: letters, digits, `-` and `_`, not only digits. Such an id is
/// safe to use as a folder name (never `..`, `/` or absolute).
pub fn is_school_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !id.chars().all(|c| c.is_ascii_digit())
}

fn validate_id(id: &str) -> Result<()> {
    if !is_school_id(id) {
        bail!(
            "key `id`: {id:?} must be letters, digits, '-' or '_' and not only digits \
             (it names a partition folder, and numeric ids are read as numbers by Spark)"
        );
    }
    Ok(())
}

fn parse_time(key: &str, text: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| anyhow::anyhow!("key `hours.{key}`: {text:?} is not a time like \"07:30\""))
}

fn parse_hours(raw: &RawHours) -> Result<Hours> {
    let staff_start = parse_time("staff_start", &raw.staff_start)?;
    let staff_end = parse_time("staff_end", &raw.staff_end)?;
    let school_days = raw
        .school_days
        .iter()
        .map(|d| d.parse::<Weekday>().map_err(|_| anyhow::anyhow!("key `hours.school_days`: {d:?} is not a weekday")))
        .collect::<Result<Vec<_>>>()?;
    let holidays =
        raw.holidays.iter().map(|h| parse_date_range(h).context("key `hours.holidays`")).collect::<Result<Vec<_>>>()?;
    Ok(Hours { staff_start, staff_end, school_days, holidays })
}

/// Lower-cased domains without a leading or trailing dot; an empty or spaced one names the key.
fn parse_internal_domains(raw: &[String]) -> Result<Vec<String>> {
    raw.iter()
        .map(|d| {
            let domain = d.trim().trim_matches('.').to_lowercase();
            if domain.is_empty() || domain.contains(char::is_whitespace) || domain.contains('/') {
                bail!("key `internal_domains`: {d:?} is not a domain like \"riverside.local\"");
            }
            Ok(domain)
        })
        .collect()
}

/// Parses `2026-10-26..2026-10-30` (inclusive) or a single `2026-12-25`.
fn parse_date_range(text: &str) -> Result<(NaiveDate, NaiveDate)> {
    let date = |s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| anyhow::anyhow!("{s:?} is not a date like 2026-10-26"))
    };
    match text.split_once("..") {
        Some((from, to)) => {
            let (from, to) = (date(from)?, date(to)?);
            if to < from {
                bail!("{text:?} ends before it starts");
            }
            Ok((from, to))
        }
        None => {
            let day = date(text)?;
            Ok((day, day))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named() {
        let err = Profile::from_toml("id = \"x1\"\ntimezon = \"Europe/London\"\n", Path::new(".")).unwrap_err();
        assert!(format!("{err:#}").contains("timezon"), "{err:#}");
    }

    #[test]
    fn bad_hours_name_the_key() {
        let err = Profile::from_toml("id = \"x1\"\n[hours]\nstaff_start = \"7am\"\n", Path::new(".")).unwrap_err();
        assert!(format!("{err:#}").contains("hours.staff_start"), "{err:#}");
    }

    #[test]
    fn detection_settings_have_defaults_and_name_bad_keys() {
        let p = Profile::from_toml("id = \"r\"\n[detect]\nrepeat_min_attempts = 5\n", Path::new(".")).unwrap();
        assert_eq!(p.detect.repeat_min_attempts, 5);
        assert_eq!(p.detect.repeat_window_minutes, 15);
        assert!(p.severity.high.iter().any(|c| c == "selfharm"));
        let err = Profile::from_toml("id = \"r\"\n[detect]\nrepeat_attempts = 5\n", Path::new(".")).unwrap_err();
        assert!(format!("{err:#}").contains("repeat_attempts"), "{err:#}");
    }

    #[test]
    fn numeric_id_is_refused() {
        assert!(Profile::from_toml("id = \"00123\"\n", Path::new(".")).is_err());
    }

    #[test]
    fn the_settings_sent_with_an_export_read_back_the_same_and_name_no_file_or_address() {
        let text = r#"
id = "riverside"
name = "Riverside Academy"
roster = "roster.csv"
logs = ["/var/log/squid/access.log*"]
internal_domains = ["Riverside.LOCAL."]
[hours]
staff_end = "18:30"
school_days = ["Mon", "Tue", "Wed", "Thu"]
holidays = ["2026-10-26..2026-10-30", "2026-12-25"]
[detect]
repeat_min_attempts = 7
[severity]
high = ["proxy"]
[alerts]
dsl = ["dsl@riverside.example"]
"#;
        let profile = Profile::from_toml(text, Path::new(".")).unwrap();
        assert_eq!(profile.internal_domains, vec!["riverside.local"]);
        let sent = profile.settings_toml().unwrap();
        for private in ["roster", "access.log", "dsl@", "riverside.local"] {
            assert!(!sent.contains(private), "{private} in {sent}");
        }
        let back = Profile::from_toml(&sent, Path::new(".")).unwrap();
        assert_eq!((back.id.as_str(), back.name.as_str()), ("riverside", "Riverside Academy"));
        assert_eq!(back.hours.staff_end, profile.hours.staff_end);
        assert_eq!(back.hours.school_days, profile.hours.school_days);
        assert_eq!(back.hours.holidays, profile.hours.holidays);
        assert_eq!(back.detect, profile.detect);
        assert_eq!(back.severity, profile.severity);
        let bad = Profile::from_toml("id = \"x\"\ninternal_domains = [\"a b\"]\n", Path::new(".")).unwrap_err();
        assert!(bad.to_string().contains("internal_domains"), "{bad}");
    }

    #[test]
    fn holidays_are_inclusive_ranges() {
        let p = Profile::from_toml(
            "id = \"r\"\n[hours]\nholidays = [\"2026-10-26..2026-10-30\", \"2026-12-25\"]\n",
            Path::new("."),
        )
        .unwrap();
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!p.hours.is_school_day(d("2026-10-30")));
        assert!(p.hours.is_school_day(d("2026-11-02")));
        assert!(!p.hours.is_school_day(d("2026-12-25")));
        assert!(!p.hours.is_school_day(d("2026-10-24")), "Saturday");
    }
}
