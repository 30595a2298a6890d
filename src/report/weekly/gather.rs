//! What the weekly report reads from the dataset: the week's totals, hourly activity, top
//! domains, searches and roles, and the charts drawn from them.

use super::*;

/// The week in numbers, as counted by `week_totals.sql`.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Totals {
    pub(super) requests: u64,
    pub(super) blocked: u64,
    pub(super) without_user: u64,
    pub(super) users: u64,
}

pub(super) fn totals(df: &polars::prelude::DataFrame) -> Result<Totals> {
    if df.height() == 0 {
        return Ok(Totals::default());
    }
    let get = |name: &str| -> Result<u64> { Ok(columns::int(df, name)?[0].unwrap_or(0) as u64) };
    Ok(Totals {
        requests: get("requests")?,
        blocked: get("blocked")?,
        without_user: get("without_user")?,
        users: get("users")?,
    })
}

/// Hourly requests and blocks of the week, by date, hour and subject.
pub(super) struct Activity {
    pub(super) rows: Vec<(i32, i64, String, u64, u64)>,
}

impl Activity {
    pub(super) fn read(df: &polars::prelude::DataFrame) -> Result<Activity> {
        let dates = columns::int_required(df, "date")?;
        let hours = columns::int_required(df, "hour")?;
        let subjects = columns::text(df, "subject")?;
        let requests = columns::int_required(df, "requests")?;
        let blocked = columns::int_required(df, "blocked")?;
        let rows = (0..df.height())
            .map(|i| {
                (
                    dates[i] as i32,
                    hours[i],
                    subjects[i].clone().unwrap_or_default(),
                    requests[i] as u64,
                    blocked[i] as u64,
                )
            })
            .collect();
        Ok(Activity { rows })
    }

    /// Blocked requests by weekday and hour, leaving out ignored categories.
    pub(super) fn heat(&self, profile: &Profile) -> [[u64; 24]; 7] {
        let mut counts = [[0u64; 24]; 7];
        for (date, hour, subject, _, blocked) in &self.rows {
            if *blocked > 0 && severity_of(subject, &profile.severity) != Severity::Ignored {
                let day = date_from_days(*date).weekday().num_days_from_monday() as usize;
                counts[day][(*hour).clamp(0, 23) as usize] += blocked;
            }
        }
        counts
    }

    /// Hours of the staff day, on school days up to today, in which nothing at all was logged.
    pub(super) fn gaps(&self, profile: &Profile, week: Week) -> Vec<String> {
        let logged: BTreeSet<(NaiveDate, u32)> =
            self.rows.iter().filter(|r| r.3 > 0).map(|r| (date_from_days(r.0), r.1.clamp(0, 23) as u32)).collect();
        let today = chrono::Utc::now().with_timezone(&profile.timezone).date_naive();
        silences(&logged, profile, week.monday, week.end(), today).iter().map(Silence::describe).collect()
    }
}

pub(super) fn spike_chart(profile: &Profile, spike: &Spike, activity: &Activity, n: usize) -> HourlyAgainstUsual {
    let subject = spike_subject(spike);
    let spike_day = crate::enrich::clock::days_from_date(crate::detect::local_date(spike.start, profile.timezone));
    let school_day = profile.hours.is_school_day(date_from_days(spike_day));
    let mut per_day: BTreeMap<i32, [u64; 24]> = BTreeMap::new();
    for (date, hour, s, _, blocked) in &activity.rows {
        if *s == subject {
            per_day.entry(*date).or_insert([0; 24])[(*hour).clamp(0, 23) as usize] += blocked;
        }
    }
    let observed: BTreeSet<i32> = activity.rows.iter().map(|r| r.0).collect();
    let others: Vec<i32> = observed
        .into_iter()
        .filter(|d| *d != spike_day && profile.hours.is_school_day(date_from_days(*d)) == school_day)
        .collect();
    let mut usual = [0f64; 24];
    for (hour, slot) in usual.iter_mut().enumerate() {
        let values: Vec<f64> = others.iter().map(|d| per_day.get(d).map_or(0, |c| c[hour]) as f64).collect();
        *slot = crate::detect::spikes::robust_score(0.0, &values).0;
    }
    HourlyAgainstUsual {
        name: format!("spike-{n}"),
        title: format!("Blocked {subject} requests on {}", local(profile, spike.start).format("%A %-d %B")),
        day: per_day.get(&spike_day).copied().unwrap_or([0; 24]),
        usual,
    }
}

pub(super) fn daily_chart(
    profile: &Profile,
    week: Week,
    df: &polars::prelude::DataFrame,
) -> Result<(StackedBars, Vec<CategoryRow>)> {
    let dates = columns::int_required(df, "date")?;
    let categories = columns::text(df, "category")?;
    let blocked = columns::int_required(df, "blocked")?;
    let days: Vec<NaiveDate> =
        (0..7).map(|i| week.monday + Days::new(i)).filter(|d| profile.hours.is_school_day(*d)).collect();
    let mut by_category: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    for i in 0..df.height() {
        let category = categories[i].clone().unwrap_or_default();
        if severity_of(&category, &profile.severity) == Severity::Ignored {
            continue;
        }
        *totals.entry(category.clone()).or_default() += blocked[i] as u64;
        if let Some(slot) = days.iter().position(|d| crate::enrich::clock::days_from_date(*d) == dates[i] as i32) {
            by_category.entry(category).or_insert_with(|| vec![0; days.len()])[slot] += blocked[i] as u64;
        }
    }
    let mut ranked: Vec<(String, u64)> = totals.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut series: Vec<(String, Vec<u64>)> = Vec::new();
    let mut other = vec![0u64; days.len()];
    for (n, (category, _)) in ranked.iter().enumerate() {
        let values = by_category.remove(category).unwrap_or_else(|| vec![0; days.len()]);
        if n < CHART_CATEGORIES {
            series.push((category.clone(), values));
        } else {
            other.iter_mut().zip(values).for_each(|(o, v)| *o += v);
        }
    }
    if other.iter().any(|v| *v > 0) {
        series.push(("other".to_string(), other));
    }
    let chart = StackedBars {
        name: "blocked-by-day".into(),
        title: "Blocked requests per school day".into(),
        bars: days.iter().map(|d| d.format("%a %-d").to_string()).collect(),
        series,
        y_label: "blocked requests".into(),
    };
    let rows = ranked
        .iter()
        .take(15)
        .map(|(c, n)| CategoryRow {
            category: c.clone(),
            severity: severity_of(c, &profile.severity).as_str().into(),
            blocked: n.to_string(),
        })
        .collect();
    Ok((chart, rows))
}

pub(super) fn top_domains(profile: &Profile, df: &polars::prelude::DataFrame) -> Result<Vec<DomainRow>> {
    let domains = columns::text(df, "domain")?;
    let categories = columns::text(df, "category")?;
    let blocked = columns::int_required(df, "blocked")?;
    let users = columns::int_required(df, "users")?;
    Ok((0..df.height())
        .filter(|&i| severity_of(categories[i].as_deref().unwrap_or(""), &profile.severity) != Severity::Ignored)
        .take(15)
        .map(|i| DomainRow {
            domain: domains[i].clone().unwrap_or_default(),
            category: categories[i].clone().unwrap_or_default(),
            blocked: blocked[i].to_string(),
            users: users[i].to_string(),
        })
        .collect())
}

/// Blocked searches grouped by what was typed: the ones about a safeguarding topic first, then
/// the most repeated, at most [`MAX_SEARCHES`] rows.
pub(super) fn searches(profile: &Profile, df: &polars::prelude::DataFrame) -> Result<(Vec<SearchRow>, String)> {
    let terms = columns::text(df, "search_terms")?;
    let users = columns::text(df, "user")?;
    let first = columns::int_required(df, "first_ts")?;
    let times = columns::int_required(df, "times")?;
    struct Group {
        times: u64,
        people: BTreeSet<String>,
        first: i64,
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for i in 0..df.height() {
        let group = groups.entry(terms[i].clone().unwrap_or_default()).or_insert(Group {
            times: 0,
            people: BTreeSet::new(),
            first: first[i],
        });
        group.times += times[i] as u64;
        group.people.insert(users[i].clone().unwrap_or_else(|| "(no user)".into()));
        group.first = group.first.min(first[i]);
    }
    let mut rows: Vec<(Severity, u64, SearchRow)> = groups
        .into_iter()
        .map(|(terms, g)| {
            let topic = crate::detect::severity::search_topic(&terms).unwrap_or("");
            let severity = if topic.is_empty() { Severity::Low } else { severity_of(topic, &profile.severity) };
            let row = SearchRow {
                topic: topic.to_string(),
                times: g.times.to_string(),
                people: g.people.len().to_string(),
                who: g.people.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
                when: local(profile, crate::detect::utc(g.first)).format("%a %-d %H:%M").to_string(),
                terms,
            };
            (severity, g.times, row)
        })
        .collect();
    let distinct = rows.len();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then_with(|| a.2.terms.cmp(&b.2.terms)));
    let note = if distinct > MAX_SEARCHES {
        format!("The {MAX_SEARCHES} most concerning of {distinct} different blocked searches; all are in the dataset.")
    } else {
        String::new()
    };
    Ok((rows.into_iter().take(MAX_SEARCHES).map(|(_, _, row)| row).collect(), note))
}

pub(super) fn roles(df: &polars::prelude::DataFrame) -> Result<(Vec<RoleRow>, HorizontalBars)> {
    let roles = columns::text(df, "role")?;
    let years = columns::int(df, "year_group")?;
    let requests = columns::int_required(df, "requests")?;
    let blocked = columns::int_required(df, "blocked")?;
    let users = columns::int_required(df, "users")?;
    let rows: Vec<RoleRow> = (0..df.height())
        .map(|i| RoleRow {
            group: group_label(roles[i].as_deref().unwrap_or_default(), years[i]),
            users: users[i].to_string(),
            requests: requests[i].to_string(),
            blocked: blocked[i].to_string(),
        })
        .collect();
    let chart = HorizontalBars {
        name: "blocked-by-role".into(),
        title: "Blocked requests by role and year group".into(),
        bars: rows.iter().map(|r| (r.group.clone(), r.blocked.parse().unwrap_or(0))).collect(),
        x_label: "blocked requests".into(),
    };
    Ok((rows, chart))
}
