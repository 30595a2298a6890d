//! Every kind of finding in one shape: who, when, where, what, in one plain sentence. The
//! incident register, `findings.csv`, `incident-log.csv` and suppressions all read findings
//! through it, so each kind's words are written once.

use chrono::{DateTime, Utc};

use super::high_risk::HighRisk;
use super::out_of_hours::OutOfHours;
use super::repeats::Repeat;
use super::severity::Severity;
use super::spikes::Spike;
use super::{Evidence, Findings, Kind, NeedsAction, Tally};
use crate::config::YearGroup;

/// One finding, whatever its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Its kind.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// School id.
    pub school: String,
    /// Start (UTC).
    pub start: DateTime<Utc>,
    /// End (UTC).
    pub end: DateTime<Utc>,
    /// The person, when it is about one.
    pub user: Option<String>,
    /// Their role.
    pub role: Option<String>,
    /// Their year group.
    pub year_group: Option<YearGroup>,
    /// Devices and addresses.
    pub devices: Vec<String>,
    /// The category (or domain) it is about.
    pub category: String,
    /// The category's tier, when the kind has one.
    pub severity: Option<Severity>,
    /// Requests, attempts or blocks counted.
    pub count: u64,
    /// Domains, most first.
    pub domains: Vec<String>,
    /// Search terms seen.
    pub search_terms: Vec<String>,
    /// What happened, in one plain sentence without the person.
    pub what: String,
    /// Whether it needs action ([`NeedsAction`]).
    pub needs_action: bool,
    /// The raw lines behind it.
    pub evidence: Vec<Evidence>,
}

/// How a finding's sentence ends when searches were seen.
const SEARCHED: &str = "; searched for: ";

/// `; searched for: a; b`, or nothing when no search was seen.
pub fn searched_clause(terms: &[String]) -> String {
    if terms.is_empty() {
        String::new()
    } else {
        format!("{SEARCHED}{}", terms.join("; "))
    }
}

/// A finding's sentence without what was typed into a search (a pupil's words can name anyone):
/// for what leaves the people who may see names.
pub fn without_searches(what: &str) -> &str {
    what.split_once(SEARCHED).map_or(what, |(before, _)| before)
}

/// A finding that can be summarised.
pub trait Summarise {
    /// The finding in the common shape.
    fn summary(&self) -> Summary;
}

fn names(tallies: &[Tally]) -> Vec<String> {
    tallies.iter().map(|t| t.name.clone()).collect()
}

fn minutes(start: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    (end - start).num_minutes().max(1)
}

impl Summarise for HighRisk {
    fn summary(&self) -> Summary {
        Summary {
            kind: Kind::HighRisk,
            id: self.id.clone(),
            school: self.school.clone(),
            start: self.start,
            end: self.end,
            user: self.user.clone(),
            role: Some(self.role.clone()),
            year_group: self.year_group,
            devices: self.devices.clone(),
            category: self.category.clone(),
            severity: Some(Severity::High),
            count: self.requests,
            domains: names(&self.domains),
            search_terms: self.search_terms.clone(),
            what: format!("high-risk ({}): {}", self.rule.describe(), self.what()),
            needs_action: self.needs_action(),
            evidence: self.evidence.clone(),
        }
    }
}

impl Summarise for Repeat {
    fn summary(&self) -> Summary {
        let searched = searched_clause(&self.search_terms);
        Summary {
            kind: Kind::Repeat,
            id: self.id.clone(),
            school: self.school.clone(),
            start: self.start,
            end: self.end,
            user: Some(self.user.clone()),
            role: Some("pupil".into()),
            year_group: self.year_group,
            devices: self.devices.clone(),
            category: self.category.clone(),
            severity: Some(self.severity),
            count: self.attempts,
            domains: names(&self.domains),
            search_terms: self.search_terms.clone(),
            what: format!(
                "{} blocked attempts in {} minutes to reach {} sites ({}){searched}",
                self.attempts,
                minutes(self.start, self.end),
                self.category,
                names(&self.domains).join("; "),
            ),
            needs_action: self.needs_action(),
            evidence: self.evidence.clone(),
        }
    }
}

impl Summarise for OutOfHours {
    fn summary(&self) -> Summary {
        Summary {
            kind: Kind::OutOfHours,
            id: self.id.clone(),
            school: self.school.clone(),
            start: self.start,
            end: self.end,
            user: Some(self.user.clone()),
            role: Some(self.role.clone()),
            year_group: None,
            devices: self.devices.clone(),
            category: self.top_categories.first().map(|t| t.name.clone()).unwrap_or_default(),
            severity: None,
            count: self.requests,
            domains: names(&self.top_domains),
            search_terms: Vec::new(),
            what: format!(
                "internet use out of hours ({}) for {} minutes: {} requests, {} blocked; mostly {}",
                self.when,
                minutes(self.start, self.end),
                self.requests,
                self.blocked,
                names(&self.top_categories).join("; ")
            ),
            needs_action: self.needs_action(),
            evidence: self.evidence.clone(),
        }
    }
}

impl Summarise for Spike {
    fn summary(&self) -> Summary {
        let subject = self.category.clone().or_else(|| self.domain.clone()).unwrap_or_default();
        Summary {
            kind: Kind::Spike,
            id: self.id.clone(),
            school: self.school.clone(),
            start: self.start,
            end: self.end,
            user: None,
            role: None,
            year_group: None,
            devices: Vec::new(),
            what: format!(
                "spike: {} blocked {subject} requests against about {:.0} usually, {} people, mostly {}",
                self.count,
                self.baseline,
                self.users,
                names(&self.top_domains).join("; ")
            ),
            category: subject,
            severity: Some(self.severity),
            count: self.count,
            domains: names(&self.top_domains),
            search_terms: Vec::new(),
            needs_action: self.needs_action(),
            evidence: self.evidence.clone(),
        }
    }
}

impl Findings {
    /// Keeps only the findings whose id passes `keep`.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.high_risk.retain(|f| keep(&f.id));
        self.repeats.retain(|f| keep(&f.id));
        self.out_of_hours.retain(|f| keep(&f.id));
        self.spikes.retain(|f| keep(&f.id));
    }

    /// Every finding, summarised: high-risk incidents, repeats, sessions out of hours, spikes.
    pub fn summaries(&self) -> Vec<Summary> {
        let mut all: Vec<Summary> = self.high_risk.iter().map(Summarise::summary).collect();
        all.extend(self.repeats.iter().map(Summarise::summary));
        all.extend(self.out_of_hours.iter().map(Summarise::summary));
        all.extend(self.spikes.iter().map(Summarise::summary));
        all
    }
}
