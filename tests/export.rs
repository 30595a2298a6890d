//! The local authority's export: no username, client address or device name leaves the school,
//! pseudonyms are stable and one-to-one, and the detections give the same answers on it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

use filterwatch::aggregate::export::export;
use filterwatch::aggregate::pseudonym::Pseudonymiser;
use filterwatch::demo::generator::WeekSpec;
use filterwatch::demo::{generate_and_ingest, IngestedWeek};
use filterwatch::detect::{repeats, Scope};
use filterwatch::queries::columns;
use filterwatch::store::scan_events;
use polars::prelude::DataFrame;

const KEY: &[u8] = b"riverside-la-test-key-0123456789";

fn frame(data: &Path) -> DataFrame {
    scan_events(data).unwrap().collect().unwrap()
}

fn all_text(df: &DataFrame) -> Vec<String> {
    let mut values = Vec::new();
    for name in df.get_column_names() {
        if let Ok(text) = columns::text(df, name) {
            values.extend(text.into_iter().flatten());
        }
    }
    values
}

#[test]
fn no_identifier_leaves_and_pseudonyms_are_one_to_one() {
    let dir = tempfile::tempdir().unwrap();
    let spec = WeekSpec { pupils: 120, staff: 12, requests_per_pupil_day: 40, ..WeekSpec::demo() };
    let IngestedWeek { week, data, .. } = generate_and_ingest(&spec, dir.path()).unwrap();
    let out = dir.path().join("share");
    let done = export(&data, &out, &[], &mut Pseudonymiser::new(KEY)).unwrap();
    let source = frame(&data);
    let shared = frame(&out);
    assert_eq!((done.rows, shared.height()), (source.height(), source.height()));

    // Every roster name and every client address, searched for in every text value.
    let roster = std::fs::read_to_string(week.profile.parent().unwrap().join("roster.csv")).unwrap();
    let mut secrets: HashSet<String> =
        roster.lines().skip(1).map(|l| l.split(',').next().unwrap().to_string()).collect();
    secrets.extend(columns::text(&source, "client_ip").unwrap().into_iter().flatten());
    secrets.extend(columns::text(&source, "user").unwrap().into_iter().flatten());
    let values = all_text(&shared);
    for secret in &secrets {
        assert!(!values.iter().any(|v| v.contains(secret.as_str())), "{secret} leaked");
    }
    for entry in walk(&out) {
        assert!(!secrets.iter().any(|s| entry.contains(s.as_str())), "{entry} names someone");
    }

    // One pseudonym per user, one user per pseudonym, and roles kept.
    let pairs: HashSet<(String, String)> = columns::text(&source, "user")
        .unwrap()
        .into_iter()
        .zip(columns::text(&shared, "user").unwrap())
        .filter_map(|(a, b)| Some((a?, b?)))
        .collect();
    let users: HashSet<_> = pairs.iter().map(|(a, _)| a).collect();
    let pseudonyms: HashSet<_> = pairs.iter().map(|(_, b)| b).collect();
    assert_eq!((pairs.len(), users.len(), pseudonyms.len()), (users.len(), users.len(), users.len()));
    assert_eq!(columns::text(&source, "role").unwrap(), columns::text(&shared, "role").unwrap());

    // Stable under the same key, different under another.
    let again = dir.path().join("again");
    export(&data, &again, &[], &mut Pseudonymiser::new(KEY)).unwrap();
    assert_eq!(columns::text(&frame(&again), "user").unwrap(), columns::text(&shared, "user").unwrap());
    let other = dir.path().join("other");
    export(&data, &other, &[], &mut Pseudonymiser::new(b"a different key, 16+ bytes")).unwrap();
    assert_ne!(columns::text(&frame(&other), "user").unwrap(), columns::text(&shared, "user").unwrap());

    // The detections find the same repeated attempts, under pseudonyms.
    let before = repeats::detect(&Scope::new(&data, None, None, None, None).unwrap()).unwrap();
    let after = repeats::detect(&Scope::new(&out, None, None, None, None).unwrap()).unwrap();
    let key: HashMap<String, String> = pairs.into_iter().collect();
    let summary = |found: &[repeats::Repeat], rename: &dyn Fn(&str) -> String| {
        found.iter().map(|r| (rename(&r.user), r.category.clone(), r.attempts)).collect::<Vec<_>>()
    };
    assert!(!before.is_empty());
    assert_eq!(summary(&before, &|u| key[u].clone()), summary(&after, &|u| u.to_string()));
}

fn walk(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        found.push(path.display().to_string());
        if path.is_dir() {
            found.extend(walk(&path));
        }
    }
    found
}

#[test]
fn export_refuses_without_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_filterwatch")).args(args).output().unwrap();
    let (data, la) = (dir.path().join("data"), dir.path().join("la"));
    let (data, la) = (data.to_str().unwrap(), la.to_str().unwrap());
    let out = run(&["export", "--data", data, "--out", la]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pseudonymise --key-file"));
    let short = dir.path().join("short.key");
    std::fs::write(&short, "tiny").unwrap();
    let out = run(&["export", "--data", data, "--out", la, "--pseudonymise", "--key-file", short.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16"));
}

#[test]
fn the_schools_own_hosts_and_peoples_pages_stay_and_its_settings_travel() {
    let dir = tempfile::tempdir().unwrap();
    let spec = WeekSpec { pupils: 60, staff: 8, requests_per_pupil_day: 20, ..WeekSpec::demo() };
    let week = filterwatch::demo::generator::generate(&spec, &dir.path().join("school")).unwrap();
    let profile = std::fs::read_to_string(&week.profile).unwrap();
    let profile = profile.replacen("\n[hours]", "\ninternal_domains = [\"riverside.sch.uk\"]\n\n[hours]", 1);
    std::fs::write(&week.profile, &profile).unwrap();
    let extra = dir.path().join("school/logs/internal.log");
    let hosts = [
        "http://jsmith-laptop.riverside.local/share",
        "http://john-smith-portfolio.github.io/",
        "http://10.1.2.3/printers",
        "https://mrsmith.riverside.sch.uk/homework",
        "http://fileserver/",
    ];
    let lines: String = hosts
        .iter()
        .enumerate()
        .map(|(n, url)| {
            format!(
                "{}.000 5 10.20.1.2 TCP_MISS/200 500 GET {url} - HIER_DIRECT/10.1.2.3 text/html\n",
                1_792_396_800 + n
            )
        })
        .collect();
    std::fs::write(&extra, lines).unwrap();
    let data = dir.path().join("data");
    let mut args = vec!["ingest", "--config", week.profile.to_str().unwrap(), "--data", data.to_str().unwrap()];
    let logs: Vec<String> = week.logs.iter().chain([&extra]).map(|p| p.display().to_string()).collect();
    args.extend(logs.iter().map(String::as_str));
    let out = Command::new(env!("CARGO_BIN_EXE_filterwatch")).args(&args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let share = dir.path().join("share");
    export(&data, &share, &[], &mut Pseudonymiser::new(KEY)).unwrap();
    let shared = frame(&share);
    let mut names: Vec<String> = columns::text(&shared, "host").unwrap().into_iter().flatten().collect();
    names.extend(columns::text(&shared, "domain").unwrap().into_iter().flatten());
    for secret in ["smith", "riverside.local", "riverside.sch.uk", "10.1.2.3", "fileserver"] {
        assert!(!names.iter().any(|n| n.contains(secret)), "{secret} left the school");
    }
    assert!(names.iter().any(|n| n == "*.github.io"), "a personal page keeps its platform");
    assert!(names.iter().any(|n| n == "www.google.com"), "public sites stay as logged");
    assert!(names.iter().filter(|n| n.starts_with("h-")).count() >= 4, "the school's own hosts are pseudonyms");

    // The school's settings travel with its events; its roster, logs and addresses do not.
    let sent = std::fs::read_to_string(share.join("profiles/riverside.toml")).unwrap();
    let settings = filterwatch::config::Profile::from_toml(&sent, Path::new(".")).unwrap();
    let own = filterwatch::config::Profile::load(&week.profile).unwrap();
    assert_eq!(settings.hours.holidays, own.hours.holidays);
    assert!(!settings.hours.holidays.is_empty());
    for private in ["roster", "logs", "riverside.sch.uk", "role_rules"] {
        assert!(!sent.contains(private), "{private} in {sent}");
    }
}
