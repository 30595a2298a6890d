//! The `filterwatch` command as the technician meets it from cron: exit codes, one-line errors
//! that name the file or key, silence on stdout, and no progress bar when not on a terminal.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn filterwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_filterwatch")).args(args).output().expect("runs")
}

fn corpus(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus").join(dir).join("access.log")
}

fn profile(dir: &Path, text: &str) -> String {
    let path = dir.join("school.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `filterwatch ingest --config CONFIG --data DATA [flags] FILES`.
fn ingest(config: &str, data: &Path, flags: &[&str], files: &[&Path]) -> Output {
    let data = data.to_str().unwrap();
    let files: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    filterwatch(&[&["ingest", "--config", config, "--data", data], flags, &files].concat())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn a_clean_run_prints_one_summary_line_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let config = profile(dir.path(), "id = \"riverside\"\n");
    let data = dir.path().join("data");
    let out = ingest(&config, &data, &[], &[&corpus("squid-native")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("335 lines, 335 rows, 0 rejects"), "{err}");
    assert!(err.contains("lines/s") && err.contains("MB/s"), "{err}");
    assert!(!err.contains('\x1b'), "no terminal escapes when stderr is not a terminal");
    // Again: nothing new; --quiet: nothing at all.
    let out = ingest(&config, &data, &["--quiet"], &[&corpus("squid-native")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty() && out.stdout.is_empty());
}

#[test]
fn asking_for_a_school_or_dates_the_dataset_cannot_have_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = profile(dir.path(), "id = \"riverside\"\n");
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let out =
        filterwatch(&["ingest", "-q", "--config", &config, "--data", data, corpus("squid-native").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for args in [
        vec!["repeats", "--data", data, "--school", "hillview"],
        vec!["spikes", "--data", data, "--from", "2026-10-20", "--to", "2026-10-19"],
    ] {
        let out = filterwatch(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "one line: {}", stderr(&out));
    }
}

#[test]
fn a_bad_profile_names_the_key_and_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    for (text, key) in [
        ("id = \"riverside\"\ntimezon = \"Europe/London\"\n", "timezon"),
        ("id = \"riverside\"\ntimezone = \"Europe/Londres\"\n", "timezone"),
        ("id = \"riverside\"\n[hours]\nstaff_end = \"7pm\"\n", "hours.staff_end"),
        ("id = \"riverside\"\n[[role_rules]]\npattern = \"([\"\nrole = \"pupil\"\n", "role_rules[0].pattern"),
    ] {
        let config = profile(dir.path(), text);
        let out = ingest(&config, &dir.path().join("d"), &[], &[&corpus("squid-native")]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("filterwatch: error:") && err.contains(key) && err.contains("school.toml"), "{err}");
    }
}

#[test]
fn an_unreadable_file_is_named_and_the_others_still_land() {
    let dir = tempfile::tempdir().unwrap();
    let config = profile(dir.path(), "id = \"riverside\"\n");
    let text = std::fs::read(corpus("squid-native")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for _ in 0..50 {
        enc.write_all(&text).unwrap();
    }
    let gz = enc.finish().unwrap();
    let cut = dir.path().join("access.log.2.gz");
    std::fs::write(&cut, &gz[..gz.len() * 2 / 3]).unwrap();
    let data = dir.path().join("data");
    let out = ingest(&config, &data, &[], &[&cut, &corpus("squid-common")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let problem = err.lines().find(|l| l.contains("access.log.2.gz")).expect("the damaged file is named");
    assert!(problem.contains("truncated"), "{problem}");
    assert!(data.join("events/school=riverside/date=2025-03-17").is_dir(), "the readable data landed");

    let missing = dir.path().join("nope.log");
    let out =
        filterwatch(&["ingest", "--config", &config, "--data", data.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nope.log"));
}

#[test]
fn unknown_format_is_a_usage_error_and_formats_lists_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let config = profile(dir.path(), "id = \"riverside\"\n");
    let out = filterwatch(&[
        "ingest",
        "--format",
        "bluecoat",
        "--config",
        &config,
        "--data",
        dir.path().to_str().unwrap(),
        corpus("squid-native").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bluecoat"));
    let out = filterwatch(&["formats"]);
    let listed = String::from_utf8_lossy(&out.stdout);
    for name in [
        "squid",
        "squid-common",
        "squid-combined",
        "squid-logformat",
        "e2guardian-1",
        "e2guardian-6",
        "squidguard",
        "csv",
    ] {
        assert!(listed.lines().any(|l| l.starts_with(name)), "{name} in:\n{listed}");
    }
}

#[test]
fn a_folder_is_read_oldest_rotation_first() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::copy(corpus("squid-native"), logs.join("access.log.1")).unwrap();
    std::fs::copy(corpus("e2guardian-format6"), logs.join("access.log")).unwrap();
    let config = profile(dir.path(), "id = \"riverside\"\n");
    let out = ingest(&config, &dir.path().join("data"), &[], &[&logs]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 files (0 already ingested), 658 lines, 658 rows"), "{}", stderr(&out));
}

#[test]
fn check_reads_the_logs_a_profile_names_and_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::copy(corpus("squid-native"), logs.join("access.log")).unwrap();
    let config = profile(dir.path(), "id = \"riverside\"\nlogs = [\"logs/access.log*\"]\n");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
    let stdout = |o: &Output| String::from_utf8_lossy(&o.stdout).to_string();

    let out = filterwatch(&["check", "--config", &config, "--data", data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("profile riverside") && text.contains("1 file(s) match"), "{text}");
    assert!(text.contains("access.log: squid,"), "the detected format is named: {text}");
    let rows = text.lines().filter(|l| l.starts_with("    20") && l.contains("http")).count();
    assert_eq!(rows, 3, "three parsed rows, in school time: {text}");
    assert!(text.contains("writable") && text.contains("GB free"), "{text}");

    // A file in no known format, and a dataset folder every user can read: exit 1, both named.
    std::fs::write(logs.join("access.log.1"), "hello\nthis is not a proxy log\n").unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = filterwatch(&["check", "--config", &config, "--data", data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("access.log.1: problem: format not recognised"), "{text}");
    assert!(text.contains("mode 755") && text.contains("2 problem(s) found"), "{text}");

    // A bad key: exit 2, the key named.
    let config = profile(dir.path(), "id = \"riverside\"\n[hours]\nstaff_end = \"25:00\"\n");
    let out = filterwatch(&["check", "--config", &config]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).contains("hours.staff_end"), "{}", stdout(&out));
}

#[test]
fn completions_and_man_pages_come_from_the_same_flags_as_help() {
    let out = filterwatch(&["completions", "bash"]);
    assert!(out.status.success());
    let script = String::from_utf8_lossy(&out.stdout);
    assert!(script.contains("filterwatch") && script.contains("--no-names") && script.contains("--suppress-below"));
    let dir = tempfile::tempdir().unwrap();
    let out = filterwatch(&["man", "--out", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let review = std::fs::read_to_string(dir.path().join("filterwatch-review.1")).unwrap();
    assert!(review.contains("no\\-names") || review.contains("no-names"), "{review}");
    assert!(dir.path().join("filterwatch.1").is_file() && dir.path().join("filterwatch-check.1").is_file());
}

#[test]
fn the_packaged_example_profile_is_valid() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/school.toml.example");
    let profile = filterwatch::config::Profile::load(&example).unwrap();
    assert_eq!(profile.id, "riverside");
    assert!(!profile.hours.holidays.is_empty() && !profile.logs.is_empty());
}

#[test]
fn generate_writes_the_iso_week_asked_for_and_names_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("school");
    let args = ["generate", "--out", out_dir.to_str().unwrap(), "--pupils", "20", "--staff", "5", "--week"];
    let out = filterwatch(&[&args[..], &["2026-W10"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The Monday of 2026-W10 is 2 March; its log (access.log.6.gz) holds only that day's lines.
    let mut text = String::new();
    let monday = std::fs::File::open(out_dir.join("logs/access.log.6.gz")).unwrap();
    std::io::Read::read_to_string(&mut flate2::read::MultiGzDecoder::new(monday), &mut text).unwrap();
    let first: f64 = text.split_whitespace().next().unwrap().parse().unwrap();
    let day = chrono::DateTime::from_timestamp(first as i64, 0).unwrap().date_naive();
    assert_eq!(day.to_string(), "2026-03-02", "{}", text.lines().next().unwrap());

    let bad = filterwatch(&[&args[..], &["2026-10"]].concat());
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("--week \"2026-10\""), "{}", stderr(&bad));
    assert_eq!(stderr(&bad).trim().lines().count(), 1, "{}", stderr(&bad));
}

#[test]
fn school_ids_that_look_like_numbers_or_dates_stay_names_wherever_the_dataset_is() {
    // A partition folder `school=1e5` must not be read as the number 100000, nor `school=2024-09`
    // as a date: the queries compare the id as text. Nor may the dataset's own path matter: a
    // folder above it named like a partition (`site=north`) or holding glob characters (`[1]`).
    let dir = tempfile::tempdir().unwrap();
    for id in ["1e5", "2024-09"] {
        let school = dir.path().join("site=north").join(format!("{id}[1]"));
        std::fs::create_dir_all(&school).unwrap();
        let config = profile(&school, &format!("id = \"{id}\"\n"));
        let data = school.join("data");
        let out = ingest(&config, &data, &["--quiet"], &[&corpus("squid-native")]);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", stderr(&out));
        let data = data.to_str().unwrap();
        let range = ["--param", "from=2000-01-01", "--param", "to=2100-01-01"];
        let out = filterwatch(
            &[&["query", "observed_days", "--data", data], &range[..], &["--param", &format!("schools={id}")]].concat(),
        );
        assert_eq!(out.status.code(), Some(0), "{id}: {}", stderr(&out));
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let requests: u64 = rows.iter().map(|r| r["requests"].as_str().unwrap().parse::<u64>().unwrap()).sum();
        assert_eq!(requests, 335, "{id}: {rows:?}");
        assert!(rows.iter().all(|r| r["school"] == id && r.get("site").is_none()), "{id}: {rows:?}");
        // One school's scan (the detections, the reports) reads the same rows.
        let out = filterwatch(&["repeats", "--data", data, "--school", id, "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", stderr(&out));
        let found: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert!(found.iter().all(|f| f["school"] == id), "{id}: {found:?}");
    }
}
