//! High-risk incidents: the ones the DfE filtering and monitoring standard says must be reported
//! at once, not in the weekly report. Three rules, set in the profile's `[alerts]`:
//!
//! - **category**: one blocked request, or one blocked search about it, in an immediate category
//!   (self-harm, extremism, child abuse, weapons by default) is enough;
//! - **bypass**: `bypass_attempts` blocked proxy/VPN requests by one person within
//!   `bypass_minutes`;
//! - **staff out of hours**: a member of staff using a high-severity category out of hours.
//!
//! One person's requests under one rule and category form one incident until a gap of
//! `episode_minutes`; the incident's id depends only on its first request, so `watch` (which
//! sees it grow) and `nightly` (which sees it whole) give it the same id. The person is the
//! user, or the device or address when the log names no user.
//!
//! SQL selects the rows (`blocked_requests.sql`, and `staff_out_of_hours.sql` through
//! [`super::out_of_hours`]); episodes and windows are formed in Rust (DESIGN §7).

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::out_of_hours::out_of_hours_requests;
use super::severity::{search_topic, severity_of, Severity};
use super::{bursts, finding_id, local_date, local_text, top, utc, week_by_week, Evidence, Kind, Scope, Tally};
use crate::config::{Profile, Severities, YearGroup};
use crate::queries::{columns, Param, BLOCKED_REQUESTS};

/// How many domains an incident lists.
const TOP_DOMAINS: usize = 8;

/// Which immediate rule an incident broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A blocked request or search in an immediate category.
    Category,
    /// Repeated proxy or VPN attempts.
    Bypass,
    /// Staff in a high-severity category out of hours.
    StaffOutOfHours,
}

impl Rule {
    /// The rule's name in files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Category => "category",
            Rule::Bypass => "bypass",
            Rule::StaffOutOfHours => "staff-out-of-hours",
        }
    }

    /// What the rule means, for people.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Category => "blocked high-risk content",
            Rule::Bypass => "repeated attempts to get round the filter",
            Rule::StaffOutOfHours => "staff use of a high-severity category out of hours",
        }
    }
}

/// A high-risk incident (DESIGN §5).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HighRisk {
    /// Stable id, for `evidence` and the alerts.
    pub id: String,
    /// School id.
    pub school: String,
    /// The rule it broke.
    pub rule: Rule,
    /// Who: the user, when the log names one.
    pub user: Option<String>,
    /// Their role (`pupil`, `staff`, `guest`, `unknown`…).
    pub role: String,
    /// Their year group, when the roster gives it.
    pub year_group: Option<YearGroup>,
    /// What: the category (or what the searches were about).
    pub category: String,
    /// Requests in the incident.
    pub requests: u64,
    /// Blocked requests among them.
    pub blocked: u64,
    /// First request (UTC).
    pub start: DateTime<Utc>,
    /// Last request (UTC).
    pub end: DateTime<Utc>,
    /// Start in the school's local time, for people.
    pub local_start: String,
    /// Domains requested, most first.
    pub domains: Vec<Tally>,
    /// Search terms among the requests, in order, without repeats.
    pub search_terms: Vec<String>,
    /// Where: device names and client addresses used.
    pub devices: Vec<String>,
    /// The raw log lines behind it.
    pub evidence: Vec<Evidence>,
}

impl HighRisk {
    /// Who, for people: `Year 9 pupil jsmith`, `staff mbrown`, `device 10.0.0.7 (no user logged)`.
    pub fn who(&self) -> String {
        let person = self.person();
        let year = self.year_group.map(|y| format!("Year {y} ")).unwrap_or_default();
        match &self.user {
            Some(_) => format!("{year}{} {person}", self.role),
            None => format!("device {person} (no user logged)"),
        }
    }

    /// The person it is about: the user, or the devices when no user was logged.
    pub fn person(&self) -> String {
        self.user.clone().unwrap_or_else(|| self.devices.join(", "))
    }

    /// What happened, in one plain sentence without the person.
    pub fn what(&self) -> String {
        let sites = self.domains.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ");
        let terms = super::summary::searched_clause(&self.search_terms);
        let minutes = (self.end - self.start).num_minutes().max(1);
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        match self.rule {
            Rule::Category => {
                format!(
                    "{} blocked request{} for {} content ({sites}){terms}",
                    self.blocked,
                    plural(self.blocked),
                    self.category
                )
            }
            Rule::Bypass => {
                format!(
                    "{} blocked attempts to get round the filter in {minutes} minutes ({sites}){terms}",
                    self.blocked
                )
            }
            Rule::StaffOutOfHours => format!(
                "{} request{} to {} sites out of hours over {minutes} minutes ({sites}), {} blocked",
                self.requests,
                plural(self.requests),
                self.category,
                self.blocked
            ),
        }
    }
}

/// One request a rule looks at.
struct Request {
    user: Option<String>,
    role: String,
    year_group: Option<YearGroup>,
    ts: i64,
    category: String,
    domain: String,
    search_terms: Option<String>,
    device: String,
    blocked: bool,
    evidence: Evidence,
}

impl Request {
    /// The person: the user, else the device or address.
    fn subject(&self) -> String {
        match &self.user {
            Some(user) => format!("user:{user}"),
            None => format!("device:{}", self.device),
        }
    }
}

/// Finds high-risk incidents in scope, earliest first.
pub fn detect(scope: &Scope) -> Result<Vec<HighRisk>> {
    let mut found = Vec::new();
    for profile in &scope.schools {
        let window = |from, to| incidents(scope, profile, from, to);
        found.extend(week_by_week(scope, profile, window, |f| f.start)?);
    }
    found.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
    Ok(found)
}

fn incidents(scope: &Scope, profile: &Profile, from: NaiveDate, to: NaiveDate) -> Result<Vec<HighRisk>> {
    let rules = &profile.alerts;
    let tiers = |entries: &[String]| Severities { high: entries.to_vec(), medium: Vec::new(), ignored: Vec::new() };
    let (immediate, bypass) = (tiers(&rules.immediate_categories), tiers(&rules.bypass_categories));
    let mut groups: BTreeMap<(Rule, String, String), Vec<Request>> = BTreeMap::new();
    for request in blocked_requests(scope, profile, from, to)? {
        let rule = if severity_of(&request.category, &immediate) == Severity::High {
            Rule::Category
        } else if severity_of(&request.category, &bypass) == Severity::High {
            Rule::Bypass
        } else {
            continue;
        };
        let category = if rule == Rule::Bypass { "filter bypass".to_string() } else { request.category.clone() };
        groups.entry((rule, request.subject(), category)).or_default().push(request);
    }
    if rules.staff_out_of_hours {
        for r in out_of_hours_requests(scope, profile, from, to)? {
            if severity_of(&r.category, &profile.severity) != Severity::High {
                continue;
            }
            let request = Request {
                user: Some(r.user),
                role: "staff".into(),
                year_group: None,
                ts: r.ts,
                category: r.category,
                domain: r.domain,
                search_terms: None,
                device: r.device,
                blocked: r.blocked,
                evidence: r.evidence,
            };
            groups
                .entry((Rule::StaffOutOfHours, request.subject(), request.category.clone()))
                .or_default()
                .push(request);
        }
    }
    let episode = i64::from(rules.episode_minutes) * 60_000_000;
    let mut found = Vec::new();
    for ((rule, _, category), mut requests) in groups {
        requests.sort_by_key(|r| r.ts);
        let times: Vec<i64> = requests.iter().map(|r| r.ts).collect();
        let runs = match rule {
            Rule::Bypass => {
                let window = i64::from(rules.bypass_minutes) * 60_000_000;
                bursts(&times, window, rules.bypass_attempts as usize)
            }
            Rule::Category | Rule::StaffOutOfHours => bursts(&times, episode, 1),
        };
        for run in runs {
            found.push(build(profile, rule, &category, &requests[run]));
        }
    }
    Ok(found)
}

/// The school's blocked requests in [from, to), each with the category it counts under: a
/// blocked search's topic when its terms have one, else the logged category, else the domain.
fn blocked_requests(scope: &Scope, profile: &Profile, from: NaiveDate, to: NaiveDate) -> Result<Vec<Request>> {
    let mut params = scope.params(from, to);
    params.insert("school", Param::Text(profile.id.clone()));
    let df = BLOCKED_REQUESTS.run(scope.events()?, &params)?;
    let users = columns::text(&df, "user")?;
    let roles = columns::text(&df, "role")?;
    let years = columns::int(&df, "year_group")?;
    let ts = columns::int_required(&df, "ts")?;
    let categories = columns::text(&df, "category")?;
    let domains = columns::text(&df, "domain")?;
    let terms = columns::text(&df, "search_terms")?;
    let ips = columns::text(&df, "client_ip")?;
    let devices = columns::text(&df, "device")?;
    let evidence = super::evidence_of(&df)?;
    Ok((0..df.height())
        .map(|i| {
            let domain = domains[i].clone().unwrap_or_default();
            let category = terms[i]
                .as_deref()
                .and_then(search_topic)
                .map(str::to_string)
                .or_else(|| categories[i].clone())
                .unwrap_or_else(|| domain.clone());
            Request {
                user: users[i].clone(),
                role: roles[i].clone().unwrap_or_else(|| "unknown".into()),
                year_group: years[i].and_then(|y| YearGroup::try_from(y).ok()),
                ts: ts[i],
                category,
                domain,
                search_terms: terms[i].clone(),
                device: devices[i].clone().or_else(|| ips[i].clone()).unwrap_or_default(),
                blocked: true,
                evidence: evidence[i].clone(),
            }
        })
        .collect())
}

fn build(profile: &Profile, rule: Rule, category: &str, requests: &[Request]) -> HighRisk {
    let first = &requests[0];
    let start = utc(first.ts);
    let mut search_terms: Vec<String> = Vec::new();
    for terms in requests.iter().filter_map(|r| r.search_terms.clone()) {
        if !search_terms.contains(&terms) {
            search_terms.push(terms);
        }
    }
    let mut devices: Vec<String> = requests.iter().map(|r| r.device.clone()).collect();
    devices.sort();
    devices.dedup();
    HighRisk {
        id: finding_id(
            Kind::HighRisk,
            &profile.id,
            local_date(start, profile.timezone),
            &format!("{}|{}|{category}|{}", rule.as_str(), first.subject(), start.timestamp()),
        ),
        school: profile.id.clone(),
        rule,
        user: first.user.clone(),
        role: first.role.clone(),
        year_group: requests.iter().find_map(|r| r.year_group),
        category: category.to_string(),
        requests: requests.len() as u64,
        blocked: requests.iter().filter(|r| r.blocked).count() as u64,
        start,
        end: utc(requests[requests.len() - 1].ts),
        local_start: local_text(start, profile.timezone),
        domains: top(requests.iter().map(|r| r.domain.as_str()), TOP_DOMAINS),
        search_terms,
        devices,
        evidence: requests.iter().map(|r| r.evidence.clone()).collect(),
    }
}
