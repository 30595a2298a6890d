//! Suppressions: what a DSL taught filterwatch by closing a finding as a false positive
//! (`incident update ID --status false-positive --suppress domain|user|category`). Kept in
//! `DATA/incidents/<school>-suppressions.csv` (appended, with who, why, when and the incident),
//! applied to every detection's findings while in force, and listed in every report with what
//! each one hid: a suppression is never silent.
//!
//! A `user` suppression hides findings about that user; a `category` one, findings in that
//! category; a `domain` one, findings all of whose domains are that domain or under it (a
//! finding that also names another domain stays).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};

use crate::detect::summary::Summary;
use crate::safe_csv::{restore, SafeCsv};

/// What a suppression covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scope {
    /// One domain and its subdomains.
    Domain,
    /// One user.
    User,
    /// One category.
    Category,
}

impl Scope {
    /// The scope's name in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Domain => "domain",
            Scope::User => "user",
            Scope::Category => "category",
        }
    }

    fn parse(text: &str) -> Option<Scope> {
        [Scope::Domain, Scope::User, Scope::Category].into_iter().find(|s| s.as_str() == text)
    }
}

/// One suppression.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    /// When it was added.
    pub added: DateTime<Utc>,
    /// Who added it.
    pub by: String,
    /// What it covers.
    pub scope: Scope,
    /// The domain, user or category.
    pub value: String,
    /// Last school-local date it applies (inclusive); none: until lifted.
    pub until: Option<NaiveDate>,
    /// Why.
    pub reason: String,
    /// The incident it came from.
    pub incident: String,
}

const COLUMNS: [&str; 7] = ["added", "by", "scope", "value", "until", "reason", "incident"];

impl Suppression {
    /// `domain:example.com until 2027-01-31`.
    pub fn describe(&self) -> String {
        match self.until {
            Some(until) => format!("{}:{} until {until}", self.scope.as_str(), self.value),
            None => format!("{}:{}", self.scope.as_str(), self.value),
        }
    }

    /// Whether it is in force on a school-local date.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.until.is_none_or(|until| day <= until)
    }

    /// Whether it hides a finding.
    pub fn hides(&self, finding: &Summary) -> bool {
        let value = self.value.to_lowercase();
        match self.scope {
            Scope::User => finding.user.as_deref().is_some_and(|u| u.to_lowercase() == value),
            Scope::Category => finding.category.to_lowercase() == value,
            Scope::Domain => {
                !finding.domains.is_empty()
                    && finding.domains.iter().all(|d| {
                        let d = d.to_lowercase();
                        d == value || d.ends_with(&format!(".{value}"))
                    })
            }
        }
    }
}

/// A school's suppressions file.
pub struct Suppressions {
    path: PathBuf,
}

impl Suppressions {
    /// The school's suppressions in a dataset folder.
    pub fn new(data: &Path, school: &str) -> Suppressions {
        Suppressions { path: data.join("incidents").join(format!("{school}-suppressions.csv")) }
    }

    /// Every suppression ever added, oldest first.
    pub fn all(&self) -> Result<Vec<Suppression>> {
        let file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", self.path.display())),
        };
        let mut found = Vec::new();
        for (n, record) in csv::Reader::from_reader(file).records().enumerate() {
            let at = || format!("{}: line {}", self.path.display(), n + 2);
            let record = record.with_context(at)?;
            let cell = |i: usize| restore(record.get(i).unwrap_or("")).to_string();
            found.push(Suppression {
                added: DateTime::parse_from_rfc3339(&cell(0)).with_context(at)?.to_utc(),
                by: cell(1),
                scope: Scope::parse(&cell(2)).with_context(at)?,
                value: cell(3),
                until: match cell(4).as_str() {
                    "" => None,
                    day => Some(NaiveDate::parse_from_str(day, "%Y-%m-%d").with_context(at)?),
                },
                reason: cell(5),
                incident: cell(6),
            });
        }
        Ok(found)
    }

    /// Adds one.
    pub fn add(&self, suppression: &Suppression) -> Result<()> {
        if suppression.value.trim().is_empty() || suppression.reason.trim().is_empty() {
            bail!("a suppression needs a value and a reason (--reason)");
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut csv = SafeCsv::new(Vec::new());
        if !self.path.exists() {
            csv.write_record(COLUMNS)?;
        }
        csv.write_record([
            suppression.added.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            suppression.by.clone(),
            suppression.scope.as_str().to_string(),
            suppression.value.clone(),
            suppression.until.map(|d| d.to_string()).unwrap_or_default(),
            suppression.reason.clone(),
            suppression.incident.clone(),
        ])?;
        let bytes = csv.into_inner()?;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(&bytes))
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

/// What the suppressions hid: each suppression with the ids it hid (in force or not).
pub type Hidden = Vec<(Suppression, Vec<String>)>;

/// Which findings the suppressions hide, each judged on its own school-local start date.
pub fn apply(suppressions: &[Suppression], tz: chrono_tz::Tz, findings: &[Summary]) -> Hidden {
    let mut hidden: Hidden = suppressions.iter().map(|s| (s.clone(), Vec::new())).collect();
    for f in findings {
        let day = crate::detect::local_date(f.start, tz);
        if let Some(i) = suppressions.iter().position(|s| s.in_force(day) && s.hides(f)) {
            hidden[i].1.push(f.id.clone());
        }
    }
    hidden
}

/// Removes from `findings` what the school's suppressions hide; returns what each hid.
pub fn filter(data: &Path, profile: &crate::config::Profile, findings: &mut crate::detect::Findings) -> Result<Hidden> {
    let suppressions = Suppressions::new(data, &profile.id).all()?;
    if suppressions.is_empty() {
        return Ok(Vec::new());
    }
    let hidden = apply(&suppressions, profile.timezone, &findings.summaries());
    let ids: std::collections::HashSet<&str> =
        hidden.iter().flat_map(|(_, ids)| ids.iter().map(String::as_str)).collect();
    findings.retain(|id| !ids.contains(id));
    Ok(hidden)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Kind;

    fn finding(user: Option<&str>, category: &str, domains: &[&str]) -> Summary {
        Summary {
            kind: Kind::Repeat,
            id: "repeat-r-20261022-00000001".into(),
            school: "r".into(),
            start: DateTime::parse_from_rfc3339("2026-10-22T10:00:00Z").unwrap().to_utc(),
            end: DateTime::parse_from_rfc3339("2026-10-22T10:10:00Z").unwrap().to_utc(),
            user: user.map(str::to_string),
            role: None,
            year_group: None,
            devices: Vec::new(),
            category: category.into(),
            severity: None,
            count: 1,
            domains: domains.iter().map(|d| d.to_string()).collect(),
            search_terms: Vec::new(),
            what: String::new(),
            needs_action: true,
            evidence: Vec::new(),
        }
    }

    fn suppression(scope: Scope, value: &str, until: Option<&str>) -> Suppression {
        Suppression {
            added: Utc::now(),
            by: "dsl".into(),
            scope,
            value: value.into(),
            until: until.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
            reason: "test".into(),
            incident: String::new(),
        }
    }

    #[test]
    fn a_domain_suppression_hides_only_findings_wholly_within_it() {
        let s = suppression(Scope::Domain, "classroom.example", None);
        assert!(s.hides(&finding(None, "games", &["classroom.example"])));
        assert!(s.hides(&finding(None, "games", &["cdn.classroom.example", "classroom.example"])));
        assert!(!s.hides(&finding(None, "games", &["classroom.example", "coolmathgames.com"])));
        assert!(!s.hides(&finding(None, "games", &["notclassroom.example"])));
        assert!(!s.hides(&finding(None, "games", &[])));
    }

    #[test]
    fn user_and_category_suppressions_and_their_end_date() {
        let user = suppression(Scope::User, "09JSmith", Some("2026-10-21"));
        let f = finding(Some("09jsmith"), "games", &["a.example"]);
        assert!(user.hides(&f) && !user.hides(&finding(Some("09jbrown"), "games", &[])));
        assert!(
            apply(std::slice::from_ref(&user), chrono_tz::Europe::London, std::slice::from_ref(&f))[0].1.is_empty(),
            "ended the day before"
        );
        let until_then = suppression(Scope::User, "09jsmith", Some("2026-10-22"));
        assert_eq!(apply(&[until_then], chrono_tz::Europe::London, std::slice::from_ref(&f))[0].1.len(), 1);
        assert!(suppression(Scope::Category, "Games", None).hides(&f));
        assert!(!suppression(Scope::Category, "gambling", None).hides(&f));
    }
}
