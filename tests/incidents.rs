//! The incident record as a DSL keeps it, with real processes on a generated school week: every
//! finding enters the register as `new` once, walks through every status with who and when,
//! nothing written before is ever rewritten, the weekly outputs carry what was recorded, and a
//! false positive's suppression hides exactly what it should and is itself reported.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use filterwatch::demo::generator::{generate, GeneratedWeek, WeekSpec};

const BIN: &str = env!("CARGO_BIN_EXE_filterwatch");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A generated week after its Monday-morning nightly run (findings registered, evidence kept).
fn school(dir: &Path) -> (GeneratedWeek, PathBuf) {
    let spec = WeekSpec { pupils: 120, staff: 12, requests_per_pupil_day: 40, ..WeekSpec::demo() };
    let week = generate(&spec, &dir.join("school")).unwrap();
    let data = dir.join("data");
    let out = run(&["nightly", "--config", week.profile.to_str().unwrap(), "--data", data.to_str().unwrap()]
        .into_iter()
        .chain(["--today", "2026-10-26"])
        .collect::<Vec<_>>());
    assert!(out.status.success(), "{}", text(&out.stderr));
    (week, data)
}

fn list(data: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["incident", "list", "--data", data.to_str().unwrap(), "--format", "json"];
    args.extend(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn update(data: &Path, id: &str, extra: &[&str]) -> Output {
    let mut args = vec!["incident", "update", "--data", data.to_str().unwrap(), id];
    args.extend(extra);
    run(&args)
}

#[test]
fn a_finding_walks_through_every_status_and_the_register_keeps_each_step() {
    let dir = tempfile::tempdir().unwrap();
    let (week, data) = school(dir.path());
    let hunter = &week.planted.iter().find(|p| p.kind == "proxy_hunter").unwrap().user;
    let new = list(&data, &["--status", "new"]);
    let repeat = new
        .iter()
        .find(|i| i["user"] == hunter.as_str() && i["id"].as_str().unwrap().starts_with("repeat-"))
        .expect("the proxy hunter's repeated attempts are in the register");
    let id = repeat["id"].as_str().unwrap().to_string();
    let register = data.join("incidents/riverside.csv");
    let before = std::fs::read(&register).unwrap();

    // A second nightly adds nothing: each finding enters once.
    let out = run(&[
        "nightly",
        "--config",
        week.profile.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--today",
        "2026-10-27",
    ]);
    assert!(out.status.success());
    assert_eq!(std::fs::read(&register).unwrap(), before);

    let steps: [&[&str]; 3] = [
        &["--status", "investigating", "--by", "A. Head (DSL)", "--action", "spoke to the pupil's form tutor"],
        &[
            "--status",
            "action-taken",
            "--by",
            "A. Head (DSL)",
            "--action",
            "met the pupil and parents",
            "--outcome",
            "agreed a device contract",
        ],
        &["--status", "closed", "--by", "B. Deputy", "--outcome", "no repeat in two weeks"],
    ];
    for step in steps {
        let out = update(&data, &id, step);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let after = std::fs::read(&register).unwrap();
    assert!(after.starts_with(&before), "append-only: what was written before is unchanged");
    let rows: Vec<String> = text(&after).lines().filter(|l| l.contains(&id)).map(str::to_string).collect();
    assert_eq!(rows.len(), 4, "{rows:#?}");
    for (row, status) in rows.iter().zip(["new", "investigating", "action-taken", "closed"]) {
        assert!(row.contains(&format!(",{status},")), "{row}");
    }

    let out = run(&["incident", "show", "--data", data.to_str().unwrap(), &id]);
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for needed in
        ["closed", "investigating", "A. Head (DSL)", "met the pupil and parents", "no repeat in two weeks", hunter]
    {
        assert!(shown.contains(needed), "{needed} missing:\n{shown}");
    }
    let evidence = shown.split("Evidence:").nth(1).unwrap();
    assert!(evidence.lines().filter(|l| l.contains(hunter.as_str())).count() >= 10, "kept evidence lines:\n{evidence}");
    assert_eq!(list(&data, &["--status", "closed"]).len(), 1);

    // The weekly incident log carries what was recorded.
    let report = dir.path().join("report");
    let out = run(&[
        "report",
        "--config",
        week.profile.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--week",
        "2026-W43",
        "--out",
        report.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = std::fs::read_to_string(report.join("incident-log.csv")).unwrap();
    let row = log.lines().find(|l| l.contains(&id)).expect("the incident in the log");
    assert!(row.ends_with(",closed,met the pupil and parents,no repeat in two weeks,B. Deputy"), "{row}");

    // Mistakes are named, and exit 2.
    let out = update(&data, "repeat-riverside-20261022-00000000", &["--status", "closed", "--by", "X"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = update(&data, &id, &["--status", "closed"]);
    assert_eq!(out.status.code(), Some(2), "--by is required");
}

#[test]
fn a_false_positive_suppression_hides_what_it_should_and_nothing_else_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (week, data) = school(dir.path());
    let config = week.profile.to_str().unwrap();
    let weekly = |name: &str| {
        let out_dir = dir.path().join(name);
        let out = run(&[
            "report",
            "--config",
            config,
            "--data",
            data.to_str().unwrap(),
            "--week",
            "2026-W43",
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        out_dir
    };
    let before = std::fs::read_to_string(weekly("before").join("findings.csv")).unwrap();
    let staff = &week.planted.iter().find(|p| p.kind == "out_of_hours_staff").unwrap().user;
    let session = list(&data, &[])
        .into_iter()
        .find(|i| i["user"] == staff.as_str() && i["id"].as_str().unwrap().starts_with("ooh-"))
        .expect("the evening session is registered");
    let id = session["id"].as_str().unwrap();
    let out = update(
        &data,
        id,
        &[
            "--status",
            "false-positive",
            "--by",
            "C. Bursar",
            "--suppress",
            "user",
            "--reason",
            "caretaker's evening shift",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let after_dir = weekly("after");
    let after = std::fs::read_to_string(after_dir.join("findings.csv")).unwrap();
    let about_staff = |csv: &str| csv.lines().filter(|l| l.contains(staff.as_str())).count();
    assert!(about_staff(&before) > 0);
    assert_eq!(about_staff(&after), 0, "the user's findings are hidden:\n{after}");
    assert_eq!(before.lines().count() - about_staff(&before), after.lines().count(), "and nothing else is");
    let suppressions = std::fs::read_to_string(data.join("incidents/riverside-suppressions.csv")).unwrap();
    assert!(
        suppressions.contains("C. Bursar")
            && suppressions.contains("caretaker's evening shift")
            && suppressions.contains(id)
    );
    let pdf = support::pdf_text(&after_dir.join("riverside-2026-W43.pdf"));
    let listed = pdf.split("Suppressions").last().unwrap();
    assert!(
        listed.contains(&format!("user:{staff}")) && listed.contains("caretaker"),
        "the suppression is reported:\n{listed}"
    );
    assert!(listed.contains("this week"), "with what it hid:\n{listed}");
}
