//! Ingest on real daemon output (testdata/corpus, written by Squid 5.7 and e2guardian 5.3.5) and
//! on the damaged, rotated and growing files a school's log folder really holds.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use filterwatch::config::Profile;
use filterwatch::enrich::SchoolContext;
use filterwatch::formats::detect::FormatHints;
use filterwatch::formats::FormatChoice;
use filterwatch::ingest::{ingest, FileReport, IngestOptions, Outcome};
use filterwatch::store::{scan_events, Dataset};
use polars::prelude::*;

const USERLOG: &str = r#"%{%Y-%m-%d %H:%M:%S}tl %>a %un %Ss/%03>Hs %rm %ru %<st %mt %tr category=%{category}note err=%err_code "%{User-Agent}>h""#;

fn corpus(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus").join(dir).join("access.log")
}

fn profile(extra: &str) -> Profile {
    let text = format!("id = \"riverside\"\ntimezone = \"Europe/London\"\nsquid_logformat = '{USERLOG}'\n{extra}");
    Profile::from_toml(&text, Path::new(".")).unwrap()
}

fn run(data: &Path, files: &[PathBuf]) -> Vec<FileReport> {
    run_with(data, files, profile(""), FormatChoice::Auto)
}

fn run_with(data: &Path, files: &[PathBuf], profile: Profile, format: FormatChoice) -> Vec<FileReport> {
    let hints = FormatHints { squid_logformat: profile.squid_logformat.clone(), csv: profile.csv.clone() };
    let school = Arc::new(SchoolContext::new(profile).unwrap());
    let dataset = Dataset::open(data).unwrap();
    ingest(&dataset, school, files, &IngestOptions { format, hints, follow: None }, &indicatif::ProgressBar::hidden())
        .unwrap()
}

fn events(data: &Path) -> DataFrame {
    scan_events(data).unwrap().collect().unwrap()
}

fn strings(df: &DataFrame, column: &str) -> Vec<Option<String>> {
    let series = df.column(column).unwrap().as_materialized_series().cast(&DataType::String).unwrap();
    series.str().unwrap().iter().map(|v| v.map(str::to_string)).collect()
}

fn count(df: &DataFrame, column: &str, value: &str) -> usize {
    strings(df, column).iter().filter(|v| v.as_deref() == Some(value)).count()
}

fn stats() -> serde_json::Value {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/corpus/STATS.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_corpus_file_parses_with_the_daemons_own_counts() {
    let stats = stats();
    let expected_format = [
        ("squid-native", "squid"),
        ("squid-common", "squid-common"),
        ("squid-combined", "squid-combined"),
        ("squid-custom-userlog", "squid-logformat"),
        ("e2guardian-format1", "e2guardian-1"),
        ("e2guardian-format2", "e2guardian-2"),
        ("e2guardian-format3", "e2guardian-3"),
        ("e2guardian-format4", "e2guardian-4"),
        ("e2guardian-format5", "e2guardian-5"),
        ("e2guardian-format6", "e2guardian-6"),
    ];
    for (dir, format) in expected_format {
        let data = tempfile::tempdir().unwrap();
        let reports = run(data.path(), &[corpus(dir)]);
        let report = &reports[0];
        let s = &stats[dir];
        assert_eq!(report.format.map(|f| f.as_str()), Some(format), "{dir}");
        assert_eq!(report.rejects, 0, "{dir}: rejects");
        assert_eq!(report.lines, s["lines"].as_u64().unwrap(), "{dir}: lines");
        assert_eq!(report.rows, report.lines, "{dir}: one row per line");
        let df = events(data.path());
        assert_eq!(df.height() as u64, report.rows, "{dir}");
        // e2guardian's format 3 cannot tell its blocks from origin 403s (STATS says n/a): its
        // own block pages are the 403s with size 0, 67 of the 72 blocks the other formats show
        // (the other 5 are content blocks, logged with the page size).
        let blocked = s["blocked"].as_u64().unwrap_or(67) as usize;
        assert_eq!(count(&df, "action", "blocked"), blocked, "{dir}: blocked");
        assert_eq!(count(&df, "action", "auth_required"), s["auth_407"].as_u64().unwrap() as usize, "{dir}: 407");
        let users = strings(&df, "user");
        for pair in s["users"].as_array().unwrap() {
            let (name, n) = (pair[0].as_str().unwrap(), pair[1].as_u64().unwrap() as usize);
            let got = users.iter().filter(|u| u.as_deref() == if name == "-" { None } else { Some(name) }).count();
            assert_eq!(got, n, "{dir}: user {name}");
        }
        let ips = strings(&df, "client_ip");
        for pair in s["ips"].as_array().unwrap() {
            let (ip, n) = (pair[0].as_str().unwrap(), pair[1].as_u64().unwrap() as usize);
            assert_eq!(ips.iter().filter(|v| v.as_deref() == Some(ip)).count(), n, "{dir}: ip {ip}");
        }
    }
}

/// Expected column values of one row.
type Expected = Vec<(&'static str, Option<&'static str>)>;

/// The row written for `line` of a file, as column → value text.
fn row_for_line(data: &Path, line: u64) -> HashMap<String, Option<String>> {
    let df = events(data).lazy().filter(col("source_line").eq(lit(line))).collect().unwrap();
    assert_eq!(df.height(), 1, "one row for line {line}");
    df.get_column_names().iter().map(|name| (name.to_string(), strings(&df, name)[0].clone())).collect()
}

fn assert_fields(row: &HashMap<String, Option<String>>, expected: &[(&str, Option<&str>)], context: &str) {
    for (column, value) in expected {
        assert_eq!(row[*column].as_deref(), *value, "{context}: column {column}");
    }
}

#[test]
fn raw_line_to_row_field_by_field_for_every_format() {
    // (corpus folder, line number, expected columns). The same request, the 21obrienk krunker.io
    // block at 08:52:12 GMT on Mon 17 March 2025, is checked in every format that logs it.
    let krunker_common = [
        ("school", Some("riverside")),
        ("date", Some("2025-03-17")),
        ("user", Some("21obrienk")),
        ("role", Some("unknown")),
        ("client_ip", Some("127.0.0.23")),
        ("method", Some("GET")),
        ("host", Some("krunker.io")),
        ("domain", Some("krunker.io")),
        ("status", Some("403")),
        ("action", Some("blocked")),
        ("weekday", Some("1")),
    ];
    let cases: Vec<(&str, Expected)> = vec![
        ("squid-native", vec![("source_format", Some("squid")), ("bytes", Some("3423")), ("url", Some("http://krunker.io/")), ("duration_ms", Some("1")), ("ts", Some("2025-03-17 08:52:12.140000+00:00"))]),
        ("squid-common", vec![("source_format", Some("squid-common")), ("bytes", Some("3423")), ("url", Some("http://krunker.io/")), ("ts", Some("2025-03-17 08:52:12.000000+00:00"))]),
        ("squid-combined", vec![("source_format", Some("squid-combined")), ("user_agent", Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"))]),
        ("squid-custom-userlog", vec![("source_format", Some("squid-logformat")), ("category", Some("games")), ("reason", Some("ERR_BLOCKED_GAMES")), ("ts", Some("2025-03-17 08:52:12.000000+00:00"))]),
        ("e2guardian-format1", vec![("source_format", Some("e2guardian-1")), ("category", Some("Games")), ("reason", Some("Blocked site: krunker.io")), ("filter_group", Some("Pupils")), ("url", Some("http://krunker.io")), ("bytes", Some("0"))]),
        ("e2guardian-format2", vec![("source_format", Some("e2guardian-2")), ("category", Some("Games")), ("filter_group", Some("Pupils"))]),
        ("e2guardian-format4", vec![("source_format", Some("e2guardian-4")), ("reason", Some("Blocked site: krunker.io"))]),
        ("e2guardian-format5", vec![("source_format", Some("e2guardian-5")), ("category", Some("Games")), ("reason", Some("Blocked site: krunker.io"))]),
        ("e2guardian-format6", vec![("source_format", Some("e2guardian-6")), ("filter_group", Some("Pupils"))]),
        ("e2guardian-format3", vec![("source_format", Some("e2guardian-3")), ("bytes", Some("0"))]),
    ];
    for (dir, expected) in cases {
        let path = corpus(dir);
        let text = std::fs::read_to_string(&path).unwrap();
        let line = text
            .lines()
            .position(|l| l.contains("krunker.io") && l.contains("21obrienk") && l.contains("403"))
            .unwrap() as u64
            + 1;
        let data = tempfile::tempdir().unwrap();
        run(data.path(), std::slice::from_ref(&path));
        let row = row_for_line(data.path(), line);
        assert_fields(&row, &krunker_common, dir);
        assert_fields(&row, &expected, dir);
        assert_eq!(row["source_file"].as_deref(), Some(path.display().to_string().as_str()), "{dir}");
        assert_eq!(row["source_line"].as_deref(), Some(line.to_string().as_str()), "{dir}");
    }
}

#[test]
fn search_terms_and_auth_challenges_keep_their_meaning() {
    let data = tempfile::tempdir().unwrap();
    run(data.path(), &[corpus("e2guardian-format1")]);
    let df = events(data.path());
    let terms = strings(&df, "search_terms");
    assert!(terms.iter().any(|t| t.as_deref() == Some("water cycle diagram")));
    assert!(terms.iter().any(|t| t.as_deref() == Some("online casino blackjack")), "from the params field too");
    // 407s are never blocks, and have no user.
    let actions = strings(&df, "action");
    let statuses = strings(&df, "status");
    for (a, s) in actions.iter().zip(&statuses) {
        assert_eq!(a.as_deref() == Some("auth_required"), s.as_deref() == Some("407"));
    }
}

#[test]
fn roles_come_from_roster_then_rules_and_categories_from_lists() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("roster.csv"),
        "username,role,year_group\njsmith,staff,\n19smithj,pupil,Y9\nA.Khan,teacher,\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("lists/gambling")).unwrap();
    std::fs::write(dir.path().join("lists/gambling/domains"), "bet365.com\nwilliamhill.com\n").unwrap();
    let text = format!(
        "id = \"riverside\"\nroster = \"roster.csv\"\ncategories = \"lists\"\nsquid_logformat = '{USERLOG}'\n\
         [[role_rules]]\npattern = '^\\d{{2}}[a-z]+$'\nrole = \"pupil\"\n"
    );
    let profile = Profile::from_toml(&text, dir.path()).unwrap();
    let data = tempfile::tempdir().unwrap();
    run_with(data.path(), &[corpus("squid-native")], profile, FormatChoice::Auto);
    let df = events(data.path());
    let users = strings(&df, "user");
    let roles = strings(&df, "role");
    let years = strings(&df, "year_group");
    let role_of = |name: &str| {
        let i = users.iter().position(|u| u.as_deref() == Some(name)).unwrap();
        (roles[i].clone().unwrap(), years[i].clone())
    };
    assert_eq!(role_of("jsmith"), ("staff".to_string(), None));
    assert_eq!(role_of("a.khan"), ("staff".to_string(), None));
    assert_eq!(role_of("19smithj"), ("pupil".to_string(), Some("9".to_string())));
    assert_eq!(role_of("20patelr"), ("pupil".to_string(), None), "by rule");
    assert_eq!(role_of("m.thompson"), ("unknown".to_string(), None));
    let hosts = strings(&df, "host");
    let categories = strings(&df, "category");
    for (h, c) in hosts.iter().zip(&categories) {
        let h = h.as_deref().unwrap();
        let expected = (h.ends_with("bet365.com") || h.ends_with("williamhill.com")).then_some("gambling");
        assert_eq!(c.as_deref(), expected, "{h}");
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn native_lines() -> Vec<String> {
    std::fs::read_to_string(corpus("squid-native")).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn local_times_across_clock_changes_have_a_fixed_answer() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("userlog.log");
    let line = |when: &str| {
        format!("{when} 10.0.0.5 19smithj TCP_MISS/200 GET http://www.bbc.co.uk/news 500 text/html 3 category=- err=- \"UA\"\n")
    };
    let text = [
        line("2026-10-25 00:59:59"), // BST, 23:59:59 UTC on the 24th
        line("2026-10-25 01:30:00"), // the repeated hour: first pass (BST), 00:30 UTC
        line("2026-10-25 02:30:00"), // GMT again
        line("2026-03-29 01:30:00"), // the missing hour: read as GMT
        line("2026-03-29 02:30:00"), // BST, 01:30 UTC
        line("2026-07-01 07:15:00"), // summer: 06:15 UTC
    ]
    .concat();
    write(&log, text.as_bytes());
    let data = tempfile::tempdir().unwrap();
    let reports = run(data.path(), &[log]);
    assert_eq!((reports[0].rows, reports[0].rejects), (6, 0));
    let expect = [
        (1, "2026-10-24 23:59:59.000000+00:00", "2026-10-25"),
        (2, "2026-10-25 00:30:00.000000+00:00", "2026-10-25"),
        (3, "2026-10-25 02:30:00.000000+00:00", "2026-10-25"),
        (4, "2026-03-29 01:30:00.000000+00:00", "2026-03-29"),
        (5, "2026-03-29 01:30:00.000000+00:00", "2026-03-29"),
        (6, "2026-07-01 06:15:00.000000+00:00", "2026-07-01"),
    ];
    for (line_no, ts, date) in expect {
        let row = row_for_line(data.path(), line_no);
        assert_eq!(row["ts"].as_deref(), Some(ts), "line {line_no}");
        assert_eq!(row["date"].as_deref(), Some(date), "line {line_no}");
    }
}

#[test]
fn damaged_input_lands_what_is_readable_and_rejects_the_rest() {
    let lines = native_lines();
    let dir = tempfile::tempdir().unwrap();
    // Binary junk between good lines, CRLF endings, and no final newline.
    let mut junk = format!("{}\r\n{}\r\n", lines[0], lines[1]).into_bytes();
    junk.extend_from_slice(b"\x00\x01\x02\xff\xfe binary junk \x00\n");
    // A request whose path is Latin-1, not UTF-8: a row, the bad byte shown as U+FFFD.
    let (before_path, after_path) = lines[1].split_once("generate_204").unwrap();
    junk.extend_from_slice(format!("{before_path}caf").as_bytes());
    junk.push(0xe9);
    junk.extend_from_slice(format!("{after_path}\n{}\r\n{}", lines[2], lines[3]).as_bytes());
    write(&dir.path().join("junk.log"), &junk);
    // A 10 MB line in the middle.
    let mut long = format!("{}\n", lines[4]).into_bytes();
    long.extend(std::iter::repeat_n(b'A', 10 << 20));
    long.extend_from_slice(format!("\n{}\n", lines[5]).as_bytes());
    write(&dir.path().join("long.log"), &long);
    write(&dir.path().join("empty.log"), b"");
    // A .gz cut off half way.
    let big: String = lines.iter().cycle().take(20_000).map(|l| format!("{l}\n")).collect();
    let gz = gzip(big.as_bytes());
    write(&dir.path().join("cut.log.gz"), &gz[..gz.len() / 2]);

    let data = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> =
        ["junk.log", "long.log", "empty.log", "cut.log.gz"].iter().map(|f| dir.path().join(f)).collect();
    let reports = run(data.path(), &files);
    let by_name = |name: &str| reports.iter().find(|r| r.path.ends_with(name)).unwrap();

    let junk = by_name("junk.log");
    assert_eq!((junk.lines, junk.rows, junk.rejects), (6, 5, 1));
    let long = by_name("long.log");
    assert_eq!((long.lines, long.rows, long.rejects), (3, 2, 1));
    assert_eq!(by_name("empty.log").outcome, Outcome::Empty);
    let cut = by_name("cut.log.gz");
    assert!(cut.damage.as_deref().unwrap().contains("truncated"), "{:?}", cut.damage);
    assert!(cut.rows > 1000 && cut.rows < 20_000, "the readable half landed: {}", cut.rows);
    assert!(cut.rejects <= 1, "at most the cut line");

    // Rejects name the file and the line, and keep the text.
    let rejects =
        std::fs::read_to_string(data.path().join(Dataset::rejects_path("riverside", &dir.path().join("junk.log"))))
            .unwrap();
    let fields: Vec<&str> = rejects.trim_end().split('\t').collect();
    assert_eq!(fields[0], dir.path().join("junk.log").display().to_string());
    assert_eq!(fields[1], "3");
    assert!(fields[3].contains("binary junk") && fields[3].contains("\\x00"), "{rejects}");
    // CRLF did not leak into the rows.
    let df = events(data.path());
    let urls: Vec<String> = strings(&df, "url").into_iter().flatten().collect();
    assert!(urls.iter().all(|u| !u.ends_with('\r')));
    assert!(urls.contains(&"http://www.google.com/caf\u{fffd}".to_string()), "{urls:?}");
}

#[test]
fn re_ingest_growth_and_rotation_never_duplicate_rows() {
    let lines = native_lines();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let data = tempfile::tempdir().unwrap();
    let rows = |data: &Path| events(data).height();
    let lines_text = |range: std::ops::Range<usize>| lines[range].iter().map(|l| format!("{l}\n")).collect::<String>();

    write(&log, lines_text(0..200).as_bytes());
    assert_eq!(run(data.path(), std::slice::from_ref(&log))[0].rows, 200);
    // The same file again adds nothing.
    assert_eq!(run(data.path(), std::slice::from_ref(&log))[0].outcome, Outcome::AlreadyIngested);
    assert_eq!(rows(data.path()), 200);

    // It grew: only the new lines, numbered after the old ones.
    write(&log, lines_text(0..300).as_bytes());
    let report = &run(data.path(), std::slice::from_ref(&log))[0];
    assert_eq!((report.lines, report.rows), (100, 100));
    assert_eq!(rows(data.path()), 300);
    assert_eq!(row_for_line(data.path(), 201)["source_line"].as_deref(), Some("201"));

    // logrotate: access.log → access.log.1 → access.log.2.gz, and a new access.log.
    let rotated = dir.path().join("access.log.1");
    std::fs::rename(&log, &rotated).unwrap();
    write(&log, lines_text(300..320).as_bytes());
    let reports = run(data.path(), &[rotated.clone(), log.clone()]);
    assert_eq!(reports[0].outcome, Outcome::AlreadyIngested, "renamed file is the same content");
    assert_eq!(reports[1].rows, 20, "new file under the old name is new");
    let compressed = dir.path().join("access.log.2.gz");
    write(&compressed, &gzip(&std::fs::read(&rotated).unwrap()));
    std::fs::remove_file(&rotated).unwrap();
    assert_eq!(run(data.path(), std::slice::from_ref(&compressed))[0].outcome, Outcome::AlreadyIngested);
    assert_eq!(rows(data.path()), 320);

    // copytruncate: the copy has lines written since the last run; the truncated file restarts.
    write(&log, lines_text(300..330).as_bytes());
    let copy = dir.path().join("access.log.1");
    std::fs::copy(&log, &copy).unwrap();
    write(&log, lines_text(330..335).as_bytes());
    let reports = run(data.path(), &[copy, log]);
    assert_eq!((reports[0].lines, reports[1].lines), (10, 5));
    assert_eq!(rows(data.path()), 335);
}

/// Rewrites a file in place (same inode) and gives it modification time `modified`.
fn rewrite_in_place(path: &Path, bytes: &[u8], modified: std::time::SystemTime) {
    let mut file = std::fs::OpenOptions::new().write(true).truncate(true).open(path).unwrap();
    file.write_all(bytes).unwrap();
    file.set_modified(modified).unwrap();
}

#[test]
fn a_settled_file_read_to_its_end_is_known_by_its_stamp_and_not_read_again() {
    // A night does not read again the rotated logs it has ingested (logrotate keeps weeks of
    // them): a file unchanged since it was read to its end, the same inode with the same length
    // and modification time, is known without reading it. The test shows it by changing the
    // bytes behind the stamp's back, which only a deliberate rewrite that sets the time back does.
    let lines = native_lines();
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let rows = |data: &Path| events(data).height();
    let text: String = lines[0..100].iter().map(|l| format!("{l}\n")).collect();
    // The same length with one digit of a line's milliseconds changed: the line at `start`.
    let changed_line = |text: &str, start: usize| {
        let mut bytes = text.as_bytes().to_vec();
        bytes[start + 12] = if bytes[start + 12] == b'0' { b'1' } else { b'0' };
        bytes
    };
    let changed_first_line = |text: &str| changed_line(text, 0);
    let last_line = text.trim_end().rfind('\n').unwrap() + 1;
    assert!(last_line > 4096, "the last line is past the 4 KiB head");
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);

    let log = dir.path().join("access.log.1");
    write(&log, text.as_bytes());
    std::fs::File::options().write(true).open(&log).unwrap().set_modified(an_hour_ago).unwrap();
    assert_eq!(run(data.path(), std::slice::from_ref(&log))[0].rows, 100);

    // Rotated on (renamed, so the same inode): known, and remembered under its new name.
    let rotated = dir.path().join("access.log.2");
    std::fs::rename(&log, &rotated).unwrap();
    assert_eq!(run(data.path(), std::slice::from_ref(&rotated))[0].outcome, Outcome::AlreadyIngested);
    let manifest = std::fs::read_to_string(data.path().join("manifest.json")).unwrap();
    assert!(manifest.contains("access.log.2"), "{manifest}");

    // Other bytes past the head behind the same stamp: not read.
    rewrite_in_place(&rotated, &changed_line(&text, last_line), an_hour_ago);
    assert_eq!(run(data.path(), std::slice::from_ref(&rotated))[0].outcome, Outcome::AlreadyIngested);
    assert_eq!(rows(data.path()), 100);
    // Any other modification time, and it is read: its last line differs, so it is new content.
    rewrite_in_place(&rotated, &changed_line(&text, last_line), an_hour_ago + std::time::Duration::from_secs(1));
    assert_eq!(run(data.path(), std::slice::from_ref(&rotated))[0].rows, 100);
    assert_eq!(rows(data.path()), 200);
    // The first stamp again, but other first bytes (a reused inode, an archive's stored time): read.
    rewrite_in_place(&rotated, &changed_first_line(&text), an_hour_ago);
    assert_eq!(run(data.path(), std::slice::from_ref(&rotated))[0].rows, 100);
    assert_eq!(rows(data.path()), 300);

    // A file written within the last minute may still change: its stamp is not kept, so the same
    // rewrite that hid behind a settled stamp is read.
    let fresh = dir.path().join("access.log");
    let fresh_text: String = lines[100..150].iter().map(|l| format!("{l}\n")).collect();
    write(&fresh, fresh_text.as_bytes());
    let written = std::fs::metadata(&fresh).unwrap().modified().unwrap();
    assert_eq!(run(data.path(), std::slice::from_ref(&fresh))[0].rows, 50);
    assert_eq!(rows(data.path()), 350);
    let fresh_last_line = fresh_text.trim_end().rfind('\n').unwrap() + 1;
    assert!(fresh_last_line > 4096, "the last line is past the 4 KiB head");
    rewrite_in_place(&fresh, &changed_line(&fresh_text, fresh_last_line), written);
    assert_eq!(run(data.path(), std::slice::from_ref(&fresh))[0].rows, 50);
    assert_eq!(rows(data.path()), 400);
}

#[test]
fn forced_format_reads_every_line_that_way() {
    let data = tempfile::tempdir().unwrap();
    let reports = run_with(
        data.path(),
        &[corpus("squid-native")],
        profile(""),
        FormatChoice::Exact(filterwatch::formats::FormatName::SquidCommon),
    );
    assert_eq!(reports[0].rows, 0);
    assert_eq!(reports[0].rejects, 335, "a wrong --format rejects lines, it does not guess");
}

/// Elastic's historic Squid samples (in ../shared, not copied: Elastic License). Skipped with a
/// message where ../shared is absent.
#[test]
fn historic_and_extended_squid_logs_from_other_sites_parse() {
    let vendor = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples/vendor");
    if !vendor.is_dir() {
        eprintln!("skipped: {} is absent", vendor.display());
        return;
    }
    let extended = r#"%ts.%03tu %6tr %>a %>p %Ss/%03>Hs %<st %>st %<sh %>sh %<bs %rm %ru %rv %un %Sh/%<a %<p %mt %ea %et "%{Referer}>h" "%{User-Agent}>h" "%{Host}>h" "%{X-Forwarded-For}>h" %sn %ssl::>sni"#;
    for (file, logformat, lines, blocked, auth) in [
        ("squid_native_isp2002_access2.log", None, 100, 1, 0),
        ("squid_native_secrepo2006_access1.log", None, 100, 0, 15),
        ("squid_custom_extended_logformat.log", Some(extended), 11, 0, 0),
    ] {
        let mut p = profile("");
        p.squid_logformat = logformat.map(str::to_string);
        let data = tempfile::tempdir().unwrap();
        let reports = run_with(data.path(), &[vendor.join(file)], p, FormatChoice::Auto);
        assert_eq!((reports[0].lines, reports[0].rows, reports[0].rejects), (lines, lines, 0), "{file}");
        let df = events(data.path());
        assert_eq!(count(&df, "action", "blocked"), blocked, "{file}");
        assert_eq!(count(&df, "action", "auth_required"), auth, "{file}");
    }
}

#[test]
fn squidguard_and_csv_exports_land_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let sg = dir.path().join("squidGuard.log");
    write(
        &sg,
        b"2026-10-19 08:59:58 [2873] squidGuard 1.6.0 started (1760860798.120)\n\
          2026-10-19 10:01:54 [2873] Request(pupils/adult/-) http://www.pornhub.com/ 10.20.1.5/- 22smithj GET REDIRECT\n\
          2026-10-19 10:02:10 [2873] Request(pupils/proxy/-) https://www.croxyproxy.com/ 10.20.1.5/pc5.school.local SCHOOL%5c22SmithJ GET REDIRECT\n",
    );
    let data = tempfile::tempdir().unwrap();
    let reports = run(data.path(), std::slice::from_ref(&sg));
    assert_eq!((reports[0].lines, reports[0].rows, reports[0].skipped, reports[0].rejects), (3, 2, 1, 0));
    let row = row_for_line(data.path(), 3);
    assert_fields(
        &row,
        &[
            ("source_format", Some("squidguard")),
            ("ts", Some("2026-10-19 09:02:10.000000+00:00")),
            ("date", Some("2026-10-19")),
            ("user", Some("22smithj")),
            ("device", Some("pc5.school.local")),
            ("client_ip", Some("10.20.1.5")),
            ("host", Some("www.croxyproxy.com")),
            ("domain", Some("croxyproxy.com")),
            ("action", Some("blocked")),
            ("category", Some("proxy")),
            ("filter_group", Some("pupils")),
        ],
        "squidguard",
    );

    let csv = dir.path().join("export.csv");
    write(
        &csv,
        "Date/Time,Username,Source IP,URL,Category,Action\r\n\
         19/10/2026 10:05:01,SCHOOL\\22smithj,10.20.1.5,https://poki.com/en/g/subway,\"Games, Online\",Blocked\r\n\
         19/10/2026 10:05:09,j.smith@school.local,10.10.0.7,https://www.bbc.co.uk/news,News,Allowed\r\n"
            .as_bytes(),
    );
    let p = profile(
        "[csv]\ntime = \"Date/Time\"\ntime_format = \"%d/%m/%Y %H:%M:%S\"\nuser = \"Username\"\nclient_ip = \"Source IP\"\n\
         url = \"URL\"\naction = \"Action\"\ncategory = \"Category\"\n",
    );
    let data = tempfile::tempdir().unwrap();
    let reports = run_with(data.path(), std::slice::from_ref(&csv), p, FormatChoice::Auto);
    assert_eq!((reports[0].lines, reports[0].rows, reports[0].skipped, reports[0].rejects), (3, 2, 1, 0));
    assert_fields(
        &row_for_line(data.path(), 2),
        &[
            ("source_format", Some("csv")),
            ("ts", Some("2026-10-19 09:05:01.000000+00:00")),
            ("user", Some("22smithj")),
            ("host", Some("poki.com")),
            ("url", Some("https://poki.com/en/g/subway")),
            ("category", Some("Games, Online")),
            ("action", Some("blocked")),
        ],
        "csv",
    );
    assert_fields(&row_for_line(data.path(), 3), &[("user", Some("j.smith")), ("action", Some("allowed"))], "csv");
}

/// Commercial filters' own samples (../shared/samples/vendor, Elastic License: read in place,
/// never copied). Every block is counted; non-web lines are skipped, not rejected.
#[test]
fn vendor_samples_count_every_block_and_skip_non_web_lines() {
    let vendor = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples/vendor");
    if !vendor.is_dir() {
        eprintln!("skipped: {} is absent", vendor.display());
        return;
    }
    for (file, format, rows, blocked, skipped) in [
        // Its three DNS-filter responses ("domain is monitored") are allowed look-up rows; the
        // DNS query line and the traffic, system, VPN and user events are skipped.
        ("fortigate_mixed_incl_webfilter.log", "fortigate", 10, 2, 43),
        // Its id 0072 line ("warned and proceeded") is a row: allowed, the user clicked through.
        ("sophos_utm_httpproxy.log", "sophos-utm", 8, 3, 2),
        ("sophos_xg_v18_content_filtering_http.log", "sophos-xg", 8, 2, 0),
        ("cisco_umbrella_proxylogs.csv", "umbrella-proxy", 9, 2, 0),
        ("cisco_umbrella_dnslogs.csv", "umbrella-dns", 15, 2, 0),
        ("zscaler_zia_nss_web.jsonl", "zscaler", 6, 5, 0),
        ("panos_threat_url_blockurl_excerpt.log", "panos", 4, 4, 0),
        ("panos_threat_url_single.log", "panos", 1, 0, 0),
    ] {
        let data = tempfile::tempdir().unwrap();
        let reports = run(data.path(), &[vendor.join(file)]);
        let r = &reports[0];
        assert_eq!(r.format.map(|f| f.as_str()), Some(format), "{file}");
        assert_eq!((r.rows, r.rejects, r.skipped), (rows, 0, skipped), "{file}");
        assert_eq!(count(&events(data.path()), "action", "blocked"), blocked, "{file}: blocks");
    }
    let data = tempfile::tempdir().unwrap();
    let path = vendor.join("fortigate_mixed_incl_webfilter.log");
    run(data.path(), std::slice::from_ref(&path));
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().position(|l| l.contains("eventtype=\"ftgd_blk\"")).unwrap() as u64 + 1;
    assert_fields(
        &row_for_line(data.path(), line),
        &[
            ("source_format", Some("fortigate")),
            ("url", Some("https://elastic.co/config/")),
            ("host", Some("elastic.co")),
            ("user", Some("elasticuser")),
            ("client_ip", Some("192.168.2.1")),
            ("action", Some("blocked")),
            ("category", Some("internet telephony")),
            ("filter_group", Some("elasticruleset")),
            ("ts", Some("2020-04-23 17:17:48.000000+00:00")),
        ],
        "fortigate webfilter",
    );
    let vpn = text.lines().position(|l| l.contains("app=\"X-VPN\"")).unwrap() as u64 + 1;
    assert_fields(
        &row_for_line(data.path(), vpn),
        &[("category", Some("proxy")), ("action", Some("blocked"))],
        "X-VPN",
    );
}

#[test]
fn requests_without_a_host_are_error_rows_that_invent_no_host() {
    // What Squid writes for port scans and broken clients (native format; Squid 5/6 spell the
    // missing tag NONE_NONE, Squid 4 writes NONE and method NONE).
    let lines = [
        "1792573200.000      0 10.1.2.9 NONE_NONE/400 3896 GET / - HIER_NONE/- text/html",
        "1792573201.000      0 10.1.2.9 NONE_NONE/000 0 - error:transaction-end-before-headers - HIER_NONE/- -",
        "1792573202.000      0 10.1.2.9 NONE/000 0 NONE error:invalid-request - HIER_NONE/- -",
        "1792573203.000      0 10.1.2.9 NONE_NONE/000 0 - error:accept-client-connection - HIER_NONE/- -",
        "1792573204.000     12 10.1.2.9 TCP_MISS/200 512 GET http://www.bbc.co.uk/news 09jbloggs HIER_DIRECT/1.2.3.4 text/html",
    ];
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    write(&log, (lines.join("\n") + "\n").as_bytes());
    let data = dir.path().join("data");
    let reports = run(&data, &[log]);
    assert_eq!((reports[0].rows, reports[0].rejects), (5, 0), "{reports:?}");
    let df = events(&data);
    let hosts = strings(&df, "host");
    let domains = strings(&df, "domain");
    let actions = strings(&df, "action");
    for i in 0..df.height() {
        if domains[i].is_none() {
            assert_eq!(hosts[i], None);
            assert_eq!(actions[i].as_deref(), Some("error"));
        } else {
            assert_eq!(domains[i].as_deref(), Some("bbc.co.uk"));
        }
    }
    assert_eq!(domains.iter().filter(|d| d.is_none()).count(), 4);
    assert!(!domains.iter().flatten().any(|d| d.contains("error:")), "{domains:?}");
    assert_eq!(count(&df, "url", "error:transaction-end-before-headers"), 1, "the raw text is kept in url");
}

#[test]
fn syslog_forwarded_squid_lines_keep_their_own_time_and_the_sender() {
    // As a central rsyslog (Debian 12's RSYSLOG_FileFormat) writes Squid's `access_log syslog:`.
    let lines: Vec<String> = (0..20)
        .map(|i| {
            format!(
                "2026-10-21T23:59:59.000000+01:00 proxy1 squid[812]: {}.000     12 10.1.2.3 TCP_MISS/200 512 GET http://www.bbc.co.uk/news/{i} 09jbloggs HIER_DIRECT/1.2.3.4 text/html",
                1_792_573_200 + i * 60
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("messages");
    write(&log, (lines.join("\n") + "\n").as_bytes());
    let data = dir.path().join("data");
    let reports = run(&data, &[log]);
    assert_eq!((reports[0].rows, reports[0].rejects), (20, 0), "{reports:?}");
    let df = events(&data);
    assert_eq!(count(&df, "device", "proxy1"), 20);
    assert_eq!(count(&df, "source_format", "squid"), 20);
    // Squid's epoch (10:00 BST), not the relay's stamp (23:59).
    let dates: Vec<_> =
        std::fs::read_dir(data.join("events/school=riverside")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(dates, vec![std::ffi::OsString::from("date=2026-10-21")]);
    let row = row_for_line(&data, 1);
    assert_eq!(row["local_time"].as_deref().map(|t| &t[11..16]), Some("10:00"), "{row:?}");
}
