//! The local authority's view: one row per school and week whose numbers equal each school's own
//! detections, a school that stands out is flagged, and no name or address reaches any output.

mod support;

use std::io::Write;
use std::process::Command;

use filterwatch::aggregate::disclosure::SmallNumbers;
use filterwatch::aggregate::la_report::write_la_report;
use filterwatch::aggregate::views::school_weeks;
use filterwatch::demo::generator::{generate, WeekSpec};
use filterwatch::detect::severity::Severity;
use filterwatch::detect::{out_of_hours, repeats, spikes, Scope};
use filterwatch::engine::Engine;

#[test]
fn school_weeks_match_each_schools_detections_and_outliers_stand_out() {
    let dir = tempfile::tempdir().unwrap();
    let support::la::Share { data, share, usernames: secrets } = support::la::share(dir.path());
    let rows = school_weeks(&share, &Engine::Local, SmallNumbers::default(), None).unwrap();
    assert_eq!(rows.len(), 7, "one row per school for the one week");
    for row in &rows {
        let scope = Scope::new(&data, Some(&row.school), None, None, None).unwrap();
        let high = repeats::detect(&scope).unwrap().iter().filter(|r| r.severity == Severity::High).count() as u64;
        assert_eq!(row.high_repeats, high, "{}", row.school);
        assert_eq!(row.out_of_hours_sessions, out_of_hours::detect(&scope).unwrap().len() as u64, "{}", row.school);
        assert_eq!(row.spikes, spikes::detect(&scope).unwrap().len() as u64, "{}", row.school);
        assert_eq!(row.week, "2026-W43");
    }
    let willow = rows.iter().find(|r| r.school == "willow").unwrap();
    assert!(willow.stands_out.contains("blocked rate"), "{willow:#?}");
    assert!(rows.iter().filter(|r| !r.stands_out.is_empty()).all(|r| r.school == "willow"), "{rows:#?}");

    let out = dir.path().join("la");
    let files = write_la_report(&rows, SmallNumbers::default(), 12, &out).unwrap();
    let mut outputs = support::pdf_text(&files.pdf);
    assert!(outputs.contains("Schools that stand out") && outputs.contains("willow"), "{outputs}");
    assert!(outputs.contains("last weeks") && outputs.contains("last 1 week,"), "the sparklines' section: {outputs}");
    // Counts of 1 to 4 people are published as `<5`, with the rate made from them withheld.
    let mut published = csv::Reader::from_path(&files.school_weeks_csv).unwrap();
    let headers = published.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut hidden = 0;
    for record in published.records() {
        let record = record.unwrap();
        let raw = rows.iter().find(|r| r.school == record[column("school")]).unwrap();
        let cell = |name: &str| record[column(name)].to_string();
        if (1..5).contains(&raw.high_repeats) {
            hidden += 1;
            assert_eq!((cell("high_repeats"), cell("high_repeats_per_1000")), ("<5".into(), "withheld".into()));
        } else {
            assert_eq!(cell("high_repeats"), raw.high_repeats.to_string());
        }
        assert_eq!(cell("out_of_hours_sessions"), SmallNumbers::default().count(raw.out_of_hours_sessions));
    }
    assert!(hidden > 0, "small schools have 1 to 4 high-severity findings: the rule is exercised");
    assert!(rows.iter().all(|r| !r.stands_out.contains("repeats") || r.high_repeats >= 5), "{rows:#?}");
    // The authority's own week and span: the schools' requests added up; trends long-form.
    let la = std::fs::read_to_string(&files.la_weeks_csv).unwrap();
    let total: u64 = rows.iter().map(|r| r.requests).sum();
    assert_eq!(la.lines().count(), 3, "header, 2026-W43 and the span: {la}");
    assert!(la.lines().nth(1).unwrap().starts_with(&format!("2026-W43,7,{total},")), "{la}");
    let trends = std::fs::read_to_string(&files.trends_csv).unwrap();
    assert_eq!(trends.lines().count(), 1 + 7 * 8, "seven schools, eight measures, one week");
    assert!(trends.contains("willow,2026-W43,blocked_rate,"), "{trends}");
    outputs.push_str(&la);
    outputs.push_str(&trends);
    // The share carries each school's own settings (the generated half term), not the defaults.
    let sent = std::fs::read_to_string(share.join("profiles/willow.toml")).unwrap();
    assert!(sent.contains("holidays") && sent.contains("2026-10-26"), "{sent}");
    outputs.push_str(&std::fs::read_to_string(&files.school_weeks_csv).unwrap());
    outputs.push_str(&std::fs::read_to_string(&files.outliers_csv).unwrap());
    for chart in &files.charts {
        outputs.push_str(&String::from_utf8_lossy(&std::fs::read(chart).unwrap()));
    }
    for secret in secrets.iter().chain(["10.20.", "10.10."].map(String::from).iter()) {
        assert!(!outputs.contains(secret.as_str()), "{secret} in the adviser's outputs");
    }
}

/// `school-weeks.csv` rows by school: (requests, blocked).
fn published_counts(csv_path: &std::path::Path) -> std::collections::BTreeMap<String, (String, String)> {
    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[at("school")].to_string(), (r[at("requests")].to_string(), r[at("blocked")].to_string()))
        })
        .collect()
}

#[test]
fn a_rerun_reuses_unchanged_school_weeks_and_recomputes_a_school_that_got_new_lines() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bin = env!("CARGO_BIN_EXE_filterwatch");
    let ingest = |profile: &std::path::Path, logs: &[std::path::PathBuf]| {
        let mut args = vec!["ingest".to_string(), "--config".into(), profile.display().to_string()];
        args.extend(["--data".into(), data.display().to_string()]);
        args.extend(logs.iter().map(|p| p.display().to_string()));
        let out = Command::new(bin).args(&args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let mut weeks = Vec::new();
    for (n, id) in ["ash", "beech"].iter().enumerate() {
        let spec = WeekSpec {
            school_id: id.to_string(),
            pupils: 40,
            staff: 6,
            requests_per_pupil_day: 20,
            seed: 7 + n as u64,
            ..WeekSpec::demo()
        };
        let week = generate(&spec, &dir.path().join(id)).unwrap();
        ingest(&week.profile, &week.logs);
        weeks.push(week);
    }
    let aggregate = |out: &str| {
        let out = dir.path().join(out);
        let result = Command::new(bin)
            .args(["aggregate", "--data", data.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
        published_counts(&out.join("school-weeks.csv"))
    };
    let first = aggregate("la1");
    assert!(data.join(".cache/aggregate/ash/2026-W43.json").is_file());
    assert_eq!(aggregate("la2"), first, "an unchanged share gives the same report from the cache");

    // 50 more blocked lines at ash on the Tuesday: ash's week is computed again, beech's is not changed.
    let extra = dir.path().join("ash/logs/late.log");
    let mut file = std::fs::File::create(&extra).unwrap();
    for i in 0..50u64 {
        let ts = 1_792_483_200 + i * 30; // Tuesday 20 October 2026, 08:00 BST
        writeln!(
            file,
            "{ts}.000 0 10.20.9.9 TCP_DENIED/403 3423 GET https://www.croxyproxy.com/ - HIER_NONE/- text/html"
        )
        .unwrap();
    }
    drop(file);
    ingest(&weeks[0].profile, &[extra]);
    let third = aggregate("la3");
    let number = |text: &str| text.parse::<u64>().unwrap();
    assert_eq!(number(&third["ash"].0), number(&first["ash"].0) + 50);
    assert_eq!(number(&third["ash"].1), number(&first["ash"].1) + 50);
    assert_eq!(third["beech"], first["beech"]);
}
