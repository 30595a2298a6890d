//! The weekly report's words: dates, times and sentences in plain English for a DSL, and the
//! rows and actions of the layout model built from the findings.

use super::*;

/// "Thursday 22 October".
pub(super) fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

pub(super) fn local(profile: &Profile, time: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono_tz::Tz> {
    time.with_timezone(&profile.timezone)
}

/// How [`when_text`] writes the day: "Thursday 22 October," in sentences.
pub(super) const LONG_DAY: &str = "%A %-d %B,";
/// How [`when_text`] writes the day in table cells: "Thu 22 Oct".
pub(super) const SHORT_DAY: &str = "%a %-d %b";

/// The school-local day of `start` (written as `day_format`) and the two clock times:
/// "Thursday 22 October, 11:05–11:16".
pub(super) fn when_text(
    profile: &Profile,
    start: chrono::DateTime<chrono::Utc>,
    end: chrono::DateTime<chrono::Utc>,
    day_format: &str,
) -> String {
    let (a, b) = (local(profile, start), local(profile, end));
    format!("{} {}–{}", a.format(day_format), a.format("%H:%M"), b.format("%H:%M"))
}

pub(super) fn names(tallies: &[crate::detect::Tally], limit: usize) -> String {
    tallies.iter().take(limit).map(|t| t.name.clone()).collect::<Vec<_>>().join(", ")
}

pub(super) fn pupil_label(r: &Repeat) -> String {
    match r.year_group {
        Some(y) => format!("Year {y} pupil {}", r.user),
        None => format!("Pupil {}", r.user),
    }
}

pub(super) fn repeat_sentence(profile: &Profile, r: &Repeat) -> String {
    let searches = if r.search_terms.is_empty() {
        String::new()
    } else {
        format!(
            ", including searches for {}",
            r.search_terms.iter().map(|t| format!("“{t}”")).collect::<Vec<_>>().join(", ")
        )
    };
    format!(
        "{} made {} blocked attempts to reach {} sites on {} from {}, mostly {}{}.",
        pupil_label(r),
        r.attempts,
        r.category,
        when_text(profile, r.start, r.end, LONG_DAY),
        r.devices.join(" and "),
        names(&r.domains, 3),
        searches
    )
}

pub(super) fn session_sentence(profile: &Profile, s: &OutOfHours) -> String {
    let minutes = (s.end - s.start).num_minutes().max(1);
    format!(
        "{} (staff) used the internet for {minutes} minutes on {} ({}) from {}: {} requests, {} blocked, mostly {}.",
        s.user,
        when_text(profile, s.start, s.end, LONG_DAY),
        s.when,
        s.devices.join(" and "),
        s.requests,
        s.blocked,
        names(&s.top_categories, 3)
    )
}

pub(super) fn spike_subject(s: &Spike) -> String {
    s.category.clone().or_else(|| s.domain.clone()).unwrap_or_default()
}

pub(super) fn spike_sentence(profile: &Profile, s: &Spike) -> String {
    format!(
        "blocked {} requests rose to {} on {}, against about {:.0} usually at that time of day; {} {} involved, mostly {}.",
        spike_subject(s),
        s.count,
        when_text(profile, s.start, s.end, LONG_DAY),
        s.baseline,
        s.users,
        if s.users == 1 { "person was" } else { "people were" },
        names(&s.top_domains, 3)
    )
}

/// What needs action first ([`NeedsAction`]: high-severity repeats, staff out of hours,
/// high-severity spikes), then what is worth a look (the other spikes by severity, then the other
/// repeats), at most [`MAX_ACTIONS`].
pub(super) fn actions(profile: &Profile, f: &Findings) -> Vec<Action> {
    let repeat = |r: &Repeat| Action {
        label: format!("{} severity, repeated attempts", capitalise(r.severity.as_str())),
        sentence: repeat_sentence(profile, r),
        id: r.id.clone(),
    };
    let session = |s: &OutOfHours| Action {
        label: "Staff out of hours".into(),
        sentence: session_sentence(profile, s),
        id: s.id.clone(),
    };
    let spike = |s: &Spike| Action {
        label: "Spike".into(),
        sentence: capitalise(&spike_sentence(profile, s)),
        id: s.id.clone(),
    };
    let mut worth_a_look: Vec<&Spike> = f.spikes.iter().filter(|s| !s.needs_action()).collect();
    worth_a_look.sort_by_key(|s| s.severity);
    let high_risk = |h: &HighRisk| Action {
        label: format!("High risk: {}", h.rule.describe()),
        sentence: format!("{}: {}: {}.", when_text(profile, h.start, h.end, LONG_DAY), capitalise(&h.who()), h.what()),
        id: h.id.clone(),
    };
    let mut actions: Vec<Action> = f.high_risk.iter().map(high_risk).collect();
    actions.extend(f.repeats.iter().filter(|r| r.needs_action()).map(repeat));
    actions.extend(f.out_of_hours.iter().filter(|s| s.needs_action()).map(session));
    actions.extend(f.spikes.iter().filter(|s| s.needs_action()).map(spike));
    actions.extend(worth_a_look.into_iter().map(spike));
    actions.extend(f.repeats.iter().filter(|r| !r.needs_action()).map(repeat));
    actions.truncate(MAX_ACTIONS);
    actions
}

/// A user group as reports name it: `staff`, `pupils, Year 9`, `unknown (…)`.
pub fn group_label(role: &str, year_group: Option<i64>) -> String {
    match (role, year_group) {
        ("pupil", Some(y)) => format!("pupils, Year {y}"),
        ("pupil", None) => "pupils, year not known".to_string(),
        ("unknown", _) => "unknown (not in the roster, or no user)".to_string(),
        (other, _) => other.to_string(),
    }
}

/// The text with its first letter in capitals.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub(super) fn total_rows(now: &Totals, before: &Totals, f: &Findings, b: &Findings) -> Vec<TotalRow> {
    let pct = |part: u64, whole: u64| if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 };
    let high = |f: &Findings| f.repeats.iter().filter(|r| r.severity == Severity::High).count() as f64;
    let rows: [(&str, f64, f64, bool); 7] = [
        ("Requests", now.requests as f64, before.requests as f64, false),
        ("Blocked requests", now.blocked as f64, before.blocked as f64, false),
        ("Share blocked (%)", pct(now.blocked, now.requests), pct(before.blocked, before.requests), true),
        ("People seen", now.users as f64, before.users as f64, false),
        ("High-severity repeated attempts", high(f), high(b), false),
        ("Staff sessions out of hours", f.out_of_hours.len() as f64, b.out_of_hours.len() as f64, false),
        ("Spikes", f.spikes.len() as f64, b.spikes.len() as f64, false),
    ];
    rows.into_iter()
        .map(|(label, now, before, percent)| {
            let show = |v: f64| if percent { format!("{v:.1}") } else { format!("{v:.0}") };
            let change = if before == 0.0 && now == 0.0 {
                "—".to_string()
            } else if before == 0.0 {
                "new".to_string()
            } else {
                format!("{:+.0}%", 100.0 * (now - before) / before)
            };
            TotalRow { label: label.to_string(), this_week: show(now), last_week: show(before), change }
        })
        .collect()
}

pub(super) fn repeat_row(profile: &Profile, r: &Repeat) -> RepeatRow {
    let mut detail = names(&r.domains, 4);
    if !r.search_terms.is_empty() {
        detail.push_str(&format!("; searched: {}", r.search_terms.join(", ")));
    }
    RepeatRow {
        severity: r.severity.as_str().to_string(),
        user: r.user.clone(),
        year: r.year_group.map(|y| y.to_string()).unwrap_or_default(),
        category: r.category.clone(),
        attempts: r.attempts.to_string(),
        when: when_text(profile, r.start, r.end, SHORT_DAY),
        device: r.devices.join(", "),
        detail,
    }
}

pub(super) fn session_row(profile: &Profile, s: &OutOfHours) -> SessionRow {
    SessionRow {
        user: s.user.clone(),
        when: when_text(profile, s.start, s.end, SHORT_DAY),
        reason: s.when.clone(),
        minutes: (s.end - s.start).num_minutes().to_string(),
        requests: s.requests.to_string(),
        blocked: s.blocked.to_string(),
        device: s.devices.join(", "),
        categories: names(&s.top_categories, 3),
    }
}

pub(super) fn coverage_note(totals: &Totals, gaps: usize) -> String {
    let share = if totals.requests == 0 { 0.0 } else { 100.0 * totals.without_user as f64 / totals.requests as f64 };
    let gaps_text = if gaps == 0 {
        "Every hour of the staff day on every school day so far has log lines.".to_string()
    } else {
        format!("{gaps} stretch(es) of the school day have no log lines at all; a filter that stops logging is itself an incident:")
    };
    format!(
        "{share:.1}% of requests ({} of {}) carried no username (devices not logged in, or traffic that skips \
         authentication), so they cannot be traced to a person. {gaps_text}",
        totals.without_user, totals.requests
    )
}

/// Incidents still open from before the week, and those something was recorded about in it.
pub(super) fn incident_rows(
    profile: &Profile,
    week: Week,
    incidents: &std::collections::BTreeMap<String, Incident>,
) -> Vec<IncidentRow> {
    let local_day = |t: chrono::DateTime<chrono::Utc>| local(profile, t).date_naive();
    let in_week = |t: chrono::DateTime<chrono::Utc>| (week.monday..week.end()).contains(&local_day(t));
    let mut rows: Vec<(chrono::DateTime<chrono::Utc>, IncidentRow)> = incidents
        .values()
        .filter_map(|incident| {
            let first = incident.first();
            let start = first.start_utc.unwrap_or(first.recorded_at);
            let latest = incident.latest();
            let earlier_and_open = local_day(start) < week.monday && latest.status.is_open();
            let acted_this_week =
                incident.history.iter().any(|e| e.recorded_by != "filterwatch" && in_week(e.recorded_at));
            if !(earlier_and_open || acted_this_week) {
                return None;
            }
            let (action, outcome, by) = incident.recorded();
            let mut recorded =
                [action, outcome].iter().filter(|t| !t.is_empty()).copied().collect::<Vec<_>>().join("; ");
            if !by.is_empty() {
                recorded = format!("{recorded} ({by}, {})", local(profile, latest.recorded_at).format(SHORT_DAY));
            }
            let row = IncidentRow {
                when: local(profile, start).format("%a %-d %b %H:%M").to_string(),
                who: if first.user.is_empty() { "(several)".into() } else { first.user.clone() },
                what: capitalise(&first.what),
                status: latest.status.as_str().to_string(),
                recorded: if recorded.is_empty() { "nothing recorded yet".into() } else { recorded },
                id: first.id.clone(),
            };
            Some((start, row))
        })
        .collect();
    rows.sort_by_key(|(start, _)| *start);
    rows.into_iter().map(|(_, row)| row).collect()
}

/// Every suppression in force at some point of the week, with what it hid this week.
pub(super) fn suppression_rows(hidden: &Hidden, week: Week) -> Vec<SuppressionRow> {
    hidden
        .iter()
        .filter(|(s, ids)| !ids.is_empty() || s.in_force(week.monday) || s.in_force(week.end() - Days::new(1)))
        .map(|(s, ids)| SuppressionRow {
            what: s.describe(),
            by: format!("{} on {}", s.by, s.added.format("%-d %b %Y")),
            reason: s.reason.clone(),
            hidden: match ids.len() {
                0 => "nothing this week".to_string(),
                1 => "1 finding this week".to_string(),
                n => format!("{n} findings this week"),
            },
        })
        .collect()
}
