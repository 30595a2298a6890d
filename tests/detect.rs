//! The three detections on a generated school week with planted incidents and look-alikes:
//! a games spike among daily lunchtime peaks, staff at 19:30 BST (out of hours) and 07:15 BST
//! (in hours), a pupil hunting proxies, a self-harm search, an adware Chromebook and a pupil
//! with three blocks spread over a day (neither flagged).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::{NaiveDate, TimeZone, Utc};
use filterwatch::demo::generator::{GeneratedWeek, Planted, WeekSpec};
use filterwatch::demo::{generate_and_ingest, IngestedWeek};
use filterwatch::detect::severity::Severity;
use filterwatch::detect::{out_of_hours, repeats, spikes, Scope};

struct Fixture {
    _dir: tempfile::TempDir,
    data: PathBuf,
    week: GeneratedWeek,
}

/// One generated and ingested week, shared by every test in this file.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let IngestedWeek { week, data, .. } = generate_and_ingest(&WeekSpec::small(), dir.path()).unwrap();
        Fixture { _dir: dir, data, week }
    })
}

fn planted(kind: &str) -> &'static Planted {
    fixture().week.planted.iter().find(|p| p.kind == kind).unwrap_or_else(|| panic!("planted {kind}"))
}

fn scope() -> Scope {
    Scope::new(&fixture().data, None, None, None, None).unwrap()
}

fn bst(date: &str, time: &str) -> chrono::DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Europe::London.from_local_datetime(&naive).unwrap().with_timezone(&Utc)
}

#[test]
fn the_games_spike_is_found_and_daily_lunch_peaks_are_not() {
    let found = spikes::detect(&scope()).unwrap();
    let games: Vec<_> = found.iter().filter(|s| s.category.as_deref() == Some("games")).collect();
    assert_eq!(games.len(), 1, "one games spike: {games:#?}");
    let spike = games[0];
    assert_eq!(spike.start, bst("2026-10-21", "10:00"));
    assert_eq!(spike.start.to_rfc3339(), "2026-10-21T09:00:00+00:00", "10:00 BST is 09:00 UTC");
    assert!(spike.count >= 80 && spike.users >= 15, "{spike:#?}");
    assert!(spike.top_domains.iter().any(|d| d.name == "slither.io"));
    assert!(spike.score > 10.0 && spike.baseline < 10.0);
    assert_eq!(spike.evidence.len() as u64, spike.count);
    for s in &found {
        let hour = chrono_tz::Europe::London.from_utc_datetime(&s.start.naive_utc()).format("%H").to_string();
        assert!(hour != "12" && hour != "13" || s.category.as_deref() != Some("games"), "lunch is not a spike: {s:#?}");
        assert!(!["ads", "tracking", "updates"].contains(&s.category.as_deref().unwrap_or("")), "{s:#?}");
    }
}

#[test]
fn staff_out_of_hours_is_judged_in_school_time() {
    let sessions = out_of_hours::detect(&scope()).unwrap();
    let evening = planted("out_of_hours_staff");
    let found = sessions.iter().find(|s| s.user == evening.user).expect("19:30 BST session found");
    assert!(found.start >= bst("2026-10-20", "19:30") && found.start < bst("2026-10-20", "19:31"), "{found:#?}");
    assert!(found.start.to_rfc3339().starts_with("2026-10-20T18:30"), "19:30 BST is 18:30 UTC");
    assert!(found.when.contains("after 19:00"));
    assert!(found.top_categories.iter().any(|c| c.name == "gambling"));
    let weekend = planted("weekend_staff");
    assert!(sessions.iter().any(|s| s.user == weekend.user && s.when == "Saturday"));
    let early = planted("in_hours_staff");
    assert!(
        !sessions.iter().any(|s| s.user == early.user
            && s.start < bst("2026-10-20", "08:00")
            && s.start > bst("2026-10-20", "06:00")),
        "07:15 BST (06:15 UTC) is within staff hours"
    );
    assert!(sessions.iter().all(|s| s.role == "staff" && s.requests >= 10));
}

#[test]
fn repeated_attempts_rank_by_severity_and_ignore_noise() {
    let found = repeats::detect(&scope()).unwrap();
    let hunter = planted("proxy_hunter");
    let proxy = found.iter().find(|r| r.user == hunter.user).expect("proxy hunter flagged");
    assert_eq!((proxy.category.as_str(), proxy.severity), ("proxy", Severity::High));
    assert!(proxy.attempts >= 26, "{proxy:#?}");
    assert!(proxy.search_terms.iter().any(|t| t.contains("vpn") || t.contains("proxy")), "blocked searches are shown");
    assert_eq!(proxy.year_group, Some(9));
    let harm = planted("selfharm_search");
    let selfharm = found.iter().find(|r| r.user == harm.user).expect("self-harm searches flagged");
    assert_eq!(selfharm.severity, Severity::High);
    assert!(selfharm.search_terms.iter().any(|t| t.contains("self harm")));
    for quiet in ["adware", "scattered_blocks"] {
        let user = &planted(quiet).user;
        assert!(!found.iter().any(|r| &r.user == user), "{quiet} must not be flagged");
    }
    let ranks: Vec<Severity> = found.iter().map(|r| r.severity).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "high severity first: {ranks:?}");
}

#[test]
fn date_filters_are_school_local_and_exclusive_at_the_end() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let wednesday_only =
        Scope::new(&fixture().data, Some("riverside"), Some(d("2026-10-21")), Some(d("2026-10-22")), None).unwrap();
    assert!(spikes::detect(&wednesday_only).unwrap().iter().any(|s| s.category.as_deref() == Some("games")));
    let thursday_on = Scope::new(&fixture().data, None, Some(d("2026-10-22")), None, None).unwrap();
    assert!(!spikes::detect(&thursday_on).unwrap().iter().any(|s| s.category.as_deref() == Some("games")));
    assert!(Scope::new(&fixture().data, Some("nosuchschool"), None, None, None).is_err());
}

/// Copies a folder tree (a dataset) so a test can damage its copy.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn detections_read_only_the_days_they_look_at() {
    // A night's detections must cost the days they cover, not every day kept: a damaged event
    // file on a day outside the dates asked for is never opened, and the findings are the same.
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_tree(&fixture().data, &data);
    let later = data.join("events/school=riverside/date=2026-12-01");
    std::fs::create_dir_all(&later).unwrap();
    std::fs::write(later.join("part-damaged.parquet"), b"not parquet at all, and no footer").unwrap();
    let week = |data: &Path| Scope::new(data, Some("riverside"), Some(d("2026-10-19")), Some(d("2026-10-26")), None);

    let damaged = week(&data).unwrap();
    let ids = |scope: &Scope| -> Vec<String> {
        let mut ids: Vec<String> = spikes::detect(scope).unwrap().into_iter().map(|f| f.id).collect();
        ids.extend(out_of_hours::detect(scope).unwrap().into_iter().map(|f| f.id));
        ids.extend(repeats::detect(scope).unwrap().into_iter().map(|f| f.id));
        ids
    };
    let found = ids(&damaged);
    assert!(!found.is_empty());
    assert_eq!(found, ids(&week(&fixture().data).unwrap()), "the same findings as without the damaged day");

    let including = Scope::new(&data, Some("riverside"), Some(d("2026-11-30")), Some(d("2026-12-02")), None).unwrap();
    let error = repeats::detect(&including).expect_err("the damaged day is read when it is asked for");
    assert!(format!("{error:#}").contains("query"), "{error:#}");
}

fn filterwatch(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_filterwatch")).args(args).output().unwrap()
}

#[test]
fn json_has_the_contract_fields_and_evidence_prints_the_raw_lines() {
    let data = fixture().data.to_str().unwrap();
    for (command, fields) in [
        (
            "spikes",
            vec![
                "id",
                "school",
                "category",
                "start",
                "end",
                "count",
                "baseline",
                "score",
                "top_domains",
                "users",
                "evidence",
            ],
        ),
        (
            "out-of-hours",
            vec!["id", "school", "user", "role", "start", "end", "requests", "top_categories", "evidence"],
        ),
        (
            "repeats",
            vec!["id", "school", "user", "category", "attempts", "start", "end", "domains", "severity", "evidence"],
        ),
    ] {
        let out = filterwatch(&[command, "--data", data, "--format", "json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "nothing on stderr: {}", String::from_utf8_lossy(&out.stderr));
        let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!findings.is_empty(), "{command}");
        for field in &fields {
            assert!(findings[0].get(*field).is_some(), "{command}: {field} in {}", findings[0]);
        }
        let start = findings[0]["start"].as_str().unwrap();
        assert!(start.ends_with('Z') || start.ends_with("+00:00"), "RFC 3339 UTC: {start}");
    }
    let out = filterwatch(&["repeats", "--data", data, "--format", "json"]);
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let hunter = &planted("proxy_hunter").user;
    let finding = findings.iter().find(|f| f["user"] == hunter.as_str()).unwrap();
    let out = filterwatch(&["evidence", "--data", data, finding["id"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count() as u64, finding["attempts"].as_u64().unwrap());
    for line in text.lines() {
        assert!(line.contains(hunter.as_str()) && line.contains("TCP_DENIED/403"), "{line}");
        let (file, rest) = line.split_once(':').unwrap();
        assert!(Path::new(file).exists() && rest.split(':').next().unwrap().parse::<u64>().is_ok(), "{line}");
    }
    let csv = filterwatch(&["repeats", "--data", data, "--format", "csv"]);
    let text = String::from_utf8_lossy(&csv.stdout);
    assert!(text.starts_with("id,school,user,year,severity,category,attempts"), "{text}");
    assert_eq!(text.lines().count(), findings.len() + 1);
}
