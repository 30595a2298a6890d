//! The cron job as the technician runs it, with real processes: quiet when nothing is new, a
//! short summary when something needs action, logrotate's rename and copytruncate between runs,
//! kill -9 in the middle of a run, two runs at once, and retention.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use filterwatch::demo::generator::{generate, GeneratedWeek, WeekSpec};
use filterwatch::queries::columns;
use filterwatch::store::scan_events;

fn filterwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_filterwatch")).args(args).output().unwrap()
}

/// Runs `filterwatch nightly` for the week's school as if it were `today`.
fn nightly(week: &GeneratedWeek, data: &Path, today: &str) -> Output {
    filterwatch(&[
        "nightly",
        "--config",
        week.profile.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--today",
        today,
    ])
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn small_week(dir: &Path) -> GeneratedWeek {
    let spec = WeekSpec { pupils: 120, staff: 12, requests_per_pupil_day: 40, ..WeekSpec::demo() };
    generate(&spec, &dir.join("school")).unwrap()
}

/// Rows in the dataset, and how many of them repeat another row's request (same time to the
/// millisecond, client and URL: the generated logs never repeat one). File and line number alone
/// do not identify a line across rotations: `access.log:1` names a new line after each rotation.
fn rows_and_duplicates(data: &Path) -> (usize, usize) {
    let df = scan_events(data).unwrap().collect().unwrap();
    let ts = columns::int(&df, "ts").unwrap();
    let clients = columns::text(&df, "client_ip").unwrap();
    let hosts = columns::text(&df, "host").unwrap();
    let lines: Vec<Option<String>> = columns::text(&df, "url").unwrap();
    let distinct: HashSet<_> = (0..df.height()).map(|i| (ts[i], &clients[i], &hosts[i], &lines[i])).collect();
    (df.height(), df.height() - distinct.len())
}

fn lines_in(paths: &[PathBuf]) -> usize {
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let plain = if bytes.starts_with(&[0x1f, 0x8b]) {
                let mut out = Vec::new();
                std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut out).unwrap();
                out
            } else {
                bytes
            };
            plain.iter().filter(|b| **b == b'\n').count()
        })
        .sum()
}

#[test]
fn quiet_when_nothing_is_new_and_a_summary_when_something_needs_action() {
    let dir = tempfile::tempdir().unwrap();
    let week = small_week(dir.path());
    let data = dir.path().join("data");
    let (config, data_arg) = (week.profile.to_str().unwrap(), data.to_str().unwrap());
    // Monday after the week: ingest, detect, alert, weekly report.
    let out = filterwatch(&["nightly", "--config", config, "--data", data_arg, "--today", "2026-10-26"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let mail = text(&out.stdout);
    for kind in ["proxy_hunter", "selfharm_search", "out_of_hours_staff"] {
        let user = &week.planted.iter().find(|p| p.kind == kind).unwrap().user;
        assert!(mail.contains(user.as_str()), "{kind} in the mail:\n{mail}");
    }
    assert!(!mail.contains(&week.planted.iter().find(|p| p.kind == "adware").unwrap().user));
    assert!(
        mail.contains("weekly report") && data.join("reports/riverside-2026-W43/riverside-2026-W43.pdf").exists(),
        "{mail}"
    );
    assert!(data.join("alerts/2026-10-26.json").exists());
    assert_eq!(rows_and_duplicates(&data), (lines_in(&week.logs), 0));
    // Next night: nothing new, nothing printed, nothing duplicated.
    let out = filterwatch(&["nightly", "--config", config, "--data", data_arg, "--today", "2026-10-27"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(rows_and_duplicates(&data), (lines_in(&week.logs), 0));
}

#[test]
fn rename_and_copytruncate_rotation_read_every_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let week = small_week(dir.path());
    let logs = dir.path().join("school/logs");
    let monday = std::fs::read(&week.logs[0]).unwrap();
    let plain = {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&monday[..]), &mut out).unwrap();
        out
    };
    let all: Vec<&[u8]> = plain.split_inclusive(|b| *b == b'\n').collect();
    for f in std::fs::read_dir(&logs).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    let write = |path: &Path, lines: &[&[u8]]| std::fs::write(path, lines.concat()).unwrap();
    let part = all.len() / 5;
    let data = dir.path().join("data");
    let run = || nightly(&week, &data, "2026-10-20");
    let access = logs.join("access.log");
    write(&access, &all[..part]);
    assert!(run().status.success());
    // The file grows, then logrotate renames it and a new file starts under the old name.
    write(&access, &all[..2 * part]);
    std::fs::rename(&access, logs.join("access.log.1")).unwrap();
    write(&access, &all[2 * part..3 * part]);
    assert!(run().status.success());
    assert_eq!(rows_and_duplicates(&data), (3 * part, 0));
    // The rotated file is compressed later, and copytruncate handles the live file.
    let rotated = std::fs::read(logs.join("access.log.1")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&rotated).unwrap();
    std::fs::write(logs.join("access.log.2.gz"), gz.finish().unwrap()).unwrap();
    std::fs::remove_file(logs.join("access.log.1")).unwrap();
    write(&access, &all[2 * part..4 * part]);
    std::fs::copy(&access, logs.join("access.log.1")).unwrap();
    write(&access, &all[4 * part..]);
    let out = run();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(rows_and_duplicates(&data), (all.len(), 0), "every line once");
}

#[test]
fn kill_9_at_any_moment_then_a_rerun_gives_one_row_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = WeekSpec { pupils: 400, staff: 30, ..WeekSpec::demo() };
    let week = generate(&spec, &dir.path().join("school")).unwrap();
    let expected = lines_in(&week.logs);
    for (attempt, delay_ms) in [40u64, 150, 400, 900].into_iter().enumerate() {
        let data = dir.path().join(format!("data{attempt}"));
        let mut args =
            vec!["ingest".to_string(), "--quiet".into(), "--config".into(), week.profile.display().to_string()];
        args.extend(["--data".into(), data.display().to_string()]);
        args.extend(week.logs.iter().map(|p| p.display().to_string()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_filterwatch"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let again = Command::new(env!("CARGO_BIN_EXE_filterwatch")).args(&args).output().unwrap();
        assert!(again.status.success(), "{}", text(&again.stderr));
        assert_eq!(rows_and_duplicates(&data), (expected, 0), "killed after {delay_ms} ms");
        assert!(std::fs::read_dir(data.join(".staging")).unwrap().next().is_none(), "staging cleaned up");
    }
}

#[test]
fn two_runs_at_once_wait_for_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let week = small_week(dir.path());
    let data = dir.path().join("data");
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_filterwatch"))
            .args(["ingest", "--config", week.profile.to_str().unwrap(), "--data", data.to_str().unwrap()])
            .args(&week.logs)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success(), "{}{}", text(&a.stderr), text(&b.stderr));
    assert_eq!(rows_and_duplicates(&data), (lines_in(&week.logs), 0));
    let both = text(&a.stderr) + &text(&b.stderr);
    assert!(both.contains(&format!("{} lines", lines_in(&week.logs))) && both.contains("already ingested"), "{both}");
}

#[test]
fn retention_removes_whole_days_and_old_files_are_not_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let week = small_week(dir.path());
    let data = dir.path().join("data");
    let config = week.profile.to_str().unwrap();
    assert!(filterwatch(&["ingest", "--quiet", "--config", config, "--data", data.to_str().unwrap()]).status.success());
    // The demo week is October 2026; a 10-day retention (counted from today) removes all of it.
    let out = filterwatch(&["prune", "--data", data.to_str().unwrap(), "--older-than", "10d"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("removed 7 day(s) of events"), "{}", text(&out.stdout));
    assert!(!data.join("events/school=riverside/date=2026-10-19").exists());
    let log = std::fs::read_to_string(data.join("prune.log")).unwrap();
    assert!(log.contains("date=2026-10-19") && log.contains("\"school\":\"riverside\""), "{log}");
    let again = filterwatch(&["ingest", "--config", config, "--data", data.to_str().unwrap()]);
    assert!(
        text(&again.stderr).contains("7 files (7 already ingested)"),
        "pruned logs stay ingested: {}",
        text(&again.stderr)
    );
    assert_eq!(
        filterwatch(&["prune", "--data", data.to_str().unwrap(), "--older-than", "soon"]).status.code(),
        Some(2)
    );
}

/// Unmounts the small file system at the end of the test, whatever happens.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_fails_cleanly_and_the_next_run_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let week = small_week(dir.path());
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", "size=200k", "tmpfs"]).arg(&data).status();
    if !mounted.is_ok_and(|s| s.success()) {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    let _mount = Mount(data.clone());
    let run = || nightly(&week, &data, "2026-10-27");
    let full = run();
    assert_eq!(full.status.code(), Some(1), "a full disk fails the run");
    let err = text(&full.stderr);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("No space left"), "{err}");
    assert!(!data.join("manifest.json").exists() && !data.join("events").exists(), "nothing half-published");
    let grown = Command::new("mount").args(["-o", "remount,size=64m"]).arg(&data).status().unwrap();
    assert!(grown.success());
    let again = run();
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(rows_and_duplicates(&data), (lines_in(&week.logs), 0));
    assert!(std::fs::read_dir(data.join(".staging")).unwrap().next().is_none(), "the failed run's staging is gone");
}

#[test]
fn a_failing_weekly_report_stops_nothing_else_and_is_retried_the_next_night() {
    let dir = tempfile::tempdir().unwrap();
    let week = small_week(dir.path());
    let data = dir.path().join("data");
    // Something in the way of the report's folder: the Monday report cannot be written.
    let blocked = data.join("reports/riverside-2026-W43");
    std::fs::create_dir_all(blocked.parent().unwrap()).unwrap();
    std::fs::write(&blocked, "not a folder").unwrap();
    let out = nightly(&week, &data, "2026-10-26");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("weekly report failed"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("need action"), "the alerts still go out: {}", text(&out.stdout));
    assert!(data.join("alerts/2026-10-26.json").exists());
    let state = std::fs::read_to_string(data.join("state/riverside.json")).unwrap();
    assert!(state.contains("weekly_retry"), "{state}");

    // Tuesday, the way cleared: the same week's report is written, and nothing is retried after.
    std::fs::remove_file(&blocked).unwrap();
    let out = nightly(&week, &data, "2026-10-27");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(data.join("reports/riverside-2026-W43/riverside-2026-W43.pdf").exists());
    let state = std::fs::read_to_string(data.join("state/riverside.json")).unwrap();
    assert!(!state.contains("weekly_retry"), "{state}");
}
