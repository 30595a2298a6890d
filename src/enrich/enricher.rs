//! The per-thread enricher: from a parsed line to an event row, with caches.

use std::sync::Arc;

use super::categories::CategoryLists;
use super::clock::SchoolClock;
use super::roster::{self, Roster, RosterEntry};
use super::{search, url, users};
use crate::config::{Profile, Role, YearGroup};
use crate::event::EventRow;
use crate::formats::{dash_none, Record};

/// What the school knows, shared read-only by every parsing thread.
#[derive(Debug)]
pub struct SchoolContext {
    /// The school profile.
    pub profile: Profile,
    /// The loaded category lists (empty when the profile has none).
    pub categories: CategoryLists,
    /// The loaded roster (empty when the profile has none).
    pub roster: Roster,
    /// Event times (UTC µs) accepted: from `reject_older_than_days` before now to
    /// `reject_future_hours` after it.
    pub accepted_times: std::ops::RangeInclusive<i64>,
}

impl SchoolContext {
    /// Loads the roster and category lists the profile names (errors name the key), and fixes
    /// the accepted times from now.
    pub fn new(profile: Profile) -> anyhow::Result<SchoolContext> {
        use anyhow::Context;
        let categories = match &profile.categories {
            Some(dir) => CategoryLists::load(dir).context("key `categories`")?,
            None => CategoryLists::default(),
        };
        let roster = match &profile.roster {
            Some(path) => roster::load(path).context("key `roster`")?,
            None => Roster::new(),
        };
        let now = chrono::Utc::now().timestamp_micros();
        let (days, hours) = (i64::from(profile.reject_older_than_days), i64::from(profile.reject_future_hours));
        let accepted_times = (now - days * 86_400_000_000)..=(now + hours * 3_600_000_000);
        Ok(SchoolContext { profile, categories, roster, accepted_times })
    }

    /// Why an event time is not accepted, if it is not.
    fn implausible_time(&self, ts: i64) -> Option<String> {
        if self.accepted_times.contains(&ts) {
            return None;
        }
        let when = chrono::DateTime::from_timestamp_micros(ts).map_or(ts.to_string(), |t| t.to_rfc3339());
        Some(if ts < *self.accepted_times.start() {
            format!(
                "dated {when}, more than {} days before ingest (profile key `reject_older_than_days`)",
                self.profile.reject_older_than_days
            )
        } else {
            format!(
                "dated {when}, more than {} hours after ingest (profile key `reject_future_hours`)",
                self.profile.reject_future_hours
            )
        })
    }
}

/// A host's domain and list category, cached: hosts repeat far more than they vary.
struct HostInfo {
    domain: String,
    category: Option<String>,
}

/// A logged username's normal form, role and year group, cached.
struct UserInfo {
    name: Option<String>,
    role: Role,
    year_group: Option<YearGroup>,
}

/// Cache sizes past which a cache is emptied, to keep memory bounded on odd logs.
const MAX_CACHED: usize = 200_000;

/// A bounded cache with one hash lookup per hit: the map gives an index into the values (the
/// map's borrow ends with the index, so a miss can insert without looking up again).
struct Cache<V> {
    index: super::FastMap<String, u32>,
    values: Vec<V>,
}

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Cache { index: Default::default(), values: Vec::new() }
    }
}

impl<V> Cache<V> {
    /// The cached value of `key`, made by `make` when it is not cached; `refresh` makes it again
    /// in its place.
    fn get_or_make(&mut self, key: &str, refresh: bool, make: impl FnOnce() -> V) -> &V {
        let at = match self.index.get(key).copied() {
            Some(at) if !refresh => at as usize,
            Some(at) => {
                self.values[at as usize] = make();
                at as usize
            }
            None => {
                if self.values.len() >= MAX_CACHED {
                    self.index.clear();
                    self.values.clear();
                }
                self.values.push(make());
                self.index.insert(key.to_string(), (self.values.len() - 1) as u32);
                self.values.len() - 1
            }
        };
        &self.values[at]
    }
}

/// Turns parsed records into event rows for one thread; holds that thread's caches.
pub struct Enricher {
    school: Arc<SchoolContext>,
    clock: SchoolClock,
    hosts: Cache<HostInfo>,
    users: Cache<UserInfo>,
}

impl Enricher {
    /// An enricher for one parsing thread.
    pub fn new(school: Arc<SchoolContext>) -> Enricher {
        let clock = SchoolClock::new(school.profile.timezone);
        Enricher { school, clock, hosts: Cache::default(), users: Cache::default() }
    }

    /// Builds the event for a parsed line and hands it to `sink` with its local date
    /// (days since 1970-01-01). Fails, with the reason for the rejects file, when the time is
    /// outside the school's accepted times.
    pub fn enrich(
        &mut self,
        record: &Record<'_>,
        source_line: u64,
        sink: &mut impl FnMut(i32, &EventRow<'_>),
    ) -> Result<(), String> {
        let ts = self.clock.to_utc_micros(record.time);
        if let Some(why) = self.school.implausible_time(ts) {
            return Err(why);
        }
        let local = self.clock.local_parts(ts);
        // A request with no host (a port scan's `GET /`, Squid's `error:invalid-request`) is a
        // row with no host or domain: it must never invent one.
        let parts = url::split_url(&record.url, &record.method).filter(|p| url::is_host_name(&p.host));
        let school = &self.school;
        let host_info = parts.as_ref().map(|p| {
            // URL lists depend on the path, so hosts that have URL entries are looked up each time.
            let per_url = record.category.is_none() && school.categories.has_url_entries(&p.host);
            self.hosts.get_or_make(&p.host, per_url, || HostInfo {
                domain: url::registrable_domain(&p.host).to_string(),
                category: school.categories.lookup(&p.host, p.path).map(str::to_string),
            })
        });
        let user_info = match record.user.as_deref() {
            Some(raw) => self.users.get_or_make(raw, false, || {
                let name = users::normalise_user(raw);
                let (role, year_group) = match &name {
                    Some(n) => role_of(school, n),
                    None => (Role::Unknown, None),
                };
                UserInfo { name, role, year_group }
            }),
            None => &NOBODY,
        };
        let search = match (&parts, host_info) {
            (Some(p), Some(info)) => search::search_terms(&p.host, &info.domain, p.path),
            _ => None,
        }
        .or_else(|| record.search_terms.as_deref().map(str::to_string));
        // A block stays a block (an application denied by its address has no URL host); any
        // other request without a host is an error.
        let action = match (&parts, record.action) {
            (Some(_), action) | (None, action @ crate::formats::Action::Blocked) => action,
            (None, _) => crate::formats::Action::Error,
        };
        let row = EventRow {
            ts,
            local_time: local.local_micros,
            weekday: local.weekday,
            client_ip: &record.client_ip,
            device: record.device.as_deref(),
            user: user_info.name.as_deref(),
            role: user_info.role.as_str(),
            year_group: user_info.year_group,
            method: &record.method,
            host: parts.as_ref().map(|p| p.host.as_ref()),
            domain: host_info.map(|h| h.domain.as_str()),
            url: match &parts {
                Some(p) => p.url,
                None => dash_none(&record.url),
            },
            search_terms: search.as_deref(),
            status: record.status,
            action: action.as_str(),
            category: record.category.as_deref().or(host_info.and_then(|h| h.category.as_deref())),
            reason: record.reason.as_deref(),
            filter_group: record.filter_group.as_deref(),
            bytes: record.bytes,
            duration_ms: record.duration_ms,
            user_agent: record.user_agent.as_deref(),
            source_line,
        };
        sink(local.date_days, &row);
        Ok(())
    }
}

static NOBODY: UserInfo = UserInfo { name: None, role: Role::Unknown, year_group: None };

/// Role and year group of a normalised username: the roster first, then the profile's rules.
pub fn role_of(school: &SchoolContext, user: &str) -> (Role, Option<YearGroup>) {
    if let Some(RosterEntry { role, year_group }) = school.roster.get(user) {
        return (*role, *year_group);
    }
    school
        .profile
        .role_rules
        .iter()
        .find(|rule| rule.pattern.is_match(user))
        .map_or((Role::Unknown, None), |rule| (rule.role, None))
}

#[cfg(test)]
mod tests {
    use super::Cache;

    #[test]
    fn a_refreshed_entry_is_made_again_in_its_place() {
        let mut cache = Cache::default();
        assert_eq!(*cache.get_or_make("sites.google.com", false, || 1), 1);
        assert_eq!(*cache.get_or_make("sites.google.com", false, || 2), 1, "a hit is not made again");
        for made in 3..10 {
            assert_eq!(*cache.get_or_make("sites.google.com", true, || made), made);
        }
        assert_eq!(cache.values.len(), 1, "refreshing does not grow the cache");
    }
}
