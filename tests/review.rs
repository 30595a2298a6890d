//! The annual review on a generated term, as a DSL and the governors would read it: three school
//! weeks before this one, with a day whose logs never arrived, pupils blocked from an education
//! site, a change of school hours part-way, and incidents some of which are dealt with. The pack
//! must name the over-blocking, the silent day, the open incidents and the change; the
//! governors' copy must hold no username, no address and no note staff typed.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{Datelike, Days, NaiveDate, TimeZone};
use filterwatch::demo::generator::{generate, GeneratedWeek, WeekSpec};

const BIN: &str = env!("CARGO_BIN_EXE_filterwatch");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Term {
    data: PathBuf,
    profile: PathBuf,
    /// The school day whose logs never reached filterwatch.
    silent_day: NaiveDate,
    /// This week's school days before today: nothing generated for them, so silent too.
    this_week: Vec<NaiveDate>,
    /// The first Monday.
    from: NaiveDate,
    /// Tomorrow (the review's exclusive end).
    to: NaiveDate,
    usernames: Vec<String>,
}

/// Squid native lines: pupils blocked from Khan Academy on the term's first Tuesday.
fn overblocking_log(path: &Path, tuesday: NaiveDate, pupils: &[String]) {
    let mut file = std::fs::File::create(path).unwrap();
    for (n, pupil) in pupils.iter().enumerate() {
        let local = tuesday.and_hms_opt(10, 5 + n as u32, 0).unwrap();
        let ts = chrono_tz::Europe::London.from_local_datetime(&local).unwrap().timestamp();
        for attempt in 0..3 {
            writeln!(
                file,
                "{}.{attempt:03} 1 10.20.30.{} TCP_DENIED/403 3500 GET http://www.khanacademy.org/math/algebra {pupil} HIER_NONE/- text/html",
                ts + attempt,
                40 + n
            )
            .unwrap();
        }
    }
}

/// Three generated weeks (same school, same people) ending last week, ingested week by week;
/// the second week's Wednesday log is left out and the third week is ingested under a profile
/// whose staff day ends an hour earlier.
fn term(dir: &Path) -> Term {
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive();
    let this_monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let from = this_monday - Days::new(21);
    let weeks: Vec<GeneratedWeek> = (0..3)
        .map(|k| {
            let spec = WeekSpec {
                pupils: 120,
                staff: 12,
                requests_per_pupil_day: 30,
                monday: from + Days::new(7 * k),
                ..WeekSpec::demo()
            };
            generate(&spec, &dir.join(format!("week{k}"))).unwrap()
        })
        .collect();
    // One profile for the term: the generated one without its half term (the weeks are real
    // recent weeks, not the demo's October).
    let generated = std::fs::read_to_string(&weeks[0].profile).unwrap();
    let base: String = generated.lines().filter(|l| !l.starts_with("holidays")).map(|l| format!("{l}\n")).collect();
    let profile = weeks[0].dir.join("term.toml");
    std::fs::write(&profile, &base).unwrap();
    let usernames: Vec<String> = std::fs::read_to_string(weeks[0].dir.join("roster.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next().map(str::to_string))
        .collect();
    let pupils: Vec<String> = std::fs::read_to_string(weeks[0].dir.join("roster.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(",pupil,"))
        .take(4)
        .filter_map(|l| l.split(',').next().map(str::to_string))
        .collect();
    let extra = weeks[0].dir.join("logs/khan.log");
    overblocking_log(&extra, from + Days::new(1), &pupils);

    let data = dir.join("data");
    let silent_day = from + Days::new(9);
    for (k, week) in weeks.iter().enumerate() {
        let mut logs: Vec<String> = week
            .logs
            .iter()
            .enumerate()
            .filter(|(day, _)| !(k == 1 && *day == 2))
            .map(|(_, p)| p.to_string_lossy().into_owned())
            .collect();
        if k == 0 {
            logs.push(extra.to_string_lossy().into_owned());
        }
        if k == 2 {
            std::fs::write(&profile, base.replace("staff_end = \"19:00\"", "staff_end = \"18:00\"")).unwrap();
        }
        let mut args = vec!["ingest", "--config", profile.to_str().unwrap(), "--data", data.to_str().unwrap()];
        args.extend(logs.iter().map(String::as_str));
        let out = run(&args);
        assert!(out.status.success(), "ingest week {k}: {}", text(&out.stderr));
    }
    let this_week = (0..5).map(|d| this_monday + Days::new(d)).filter(|d| *d < today).collect();
    Term { data, profile, silent_day, this_week, from, to: today + Days::new(1), usernames }
}

fn review(term: &Term, out: &Path, extra: &[&str]) -> PathBuf {
    let (from, to) = (term.from.to_string(), term.to.to_string());
    let mut args = vec![
        "review",
        "--data",
        term.data.to_str().unwrap(),
        "--config",
        term.profile.to_str().unwrap(),
        "--from",
        &from,
        "--to",
        &to,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    let result = run(&args);
    assert!(result.status.success(), "{}", text(&result.stderr));
    PathBuf::from(text(&result.stdout).lines().next().unwrap().trim())
}

fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| headers.iter().map(String::from).zip(r.unwrap().iter().map(String::from)).collect())
        .collect()
}

fn incidents(data: &Path) -> Vec<serde_json::Value> {
    let out = run(&["incident", "list", "--data", data.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_review_of_a_term_names_the_overblocking_the_silent_day_the_open_incidents_and_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let term = term(dir.path());
    let school = dir.path().join("review");
    review(&term, &school, &[]);

    // Every finding of the term entered the register; the DSL deals with one of them.
    let registered = incidents(&term.data);
    assert!(registered.len() >= 3, "{registered:?}");
    let closed = registered[0]["id"].as_str().unwrap().to_string();
    let out = run(&[
        "incident",
        "update",
        "--data",
        term.data.to_str().unwrap(),
        &closed,
        "--status",
        "closed",
        "--action",
        &format!("Spoke to {} and their parents", term.usernames[0]),
        "--by",
        "A. Teacher",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A member of staff's evening sessions are a false positive: a suppression, listed in the review.
    let evening =
        registered.iter().find(|i| i["id"].as_str().is_some_and(|id| id.starts_with("ooh-") && id != closed)).unwrap();
    let evening_id = evening["id"].as_str().unwrap();
    let out = run(&[
        "incident",
        "update",
        "--data",
        term.data.to_str().unwrap(),
        evening_id,
        "--status",
        "false-positive",
        "--by",
        "C. Bursar",
        "--suppress",
        "user",
        "--reason",
        "marks coursework in the evenings",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pdf = review(&term, &school, &[]);
    let suppressions = csv_rows(&school.join("review-suppressions.csv"));
    assert_eq!(suppressions.len(), 1, "{suppressions:?}");
    assert_eq!(suppressions[0]["what"], format!("user:{}", evening["user"].as_str().unwrap()));
    assert!(suppressions[0]["reason"].contains("coursework") && suppressions[0]["by"] == "C. Bursar");
    assert_ne!(suppressions[0]["hidden"], "0 findings", "it hides the same person's other sessions");

    let over = csv_rows(&school.join("review-overblocking.csv"));
    let khan = over.iter().find(|r| r["domain"] == "khanacademy.org").expect("the blocked education site is listed");
    assert_eq!(
        (khan["category"].as_str(), khan["blocked"].as_str(), khan["people"].as_str()),
        ("education", "12", "4")
    );

    let silent = csv_rows(&school.join("review-silent.csv"));
    let whole: Vec<&str> = silent.iter().filter(|r| r["whole_day"] == "yes").map(|r| r["date"].as_str()).collect();
    let mut expected = vec![term.silent_day.to_string()];
    expected.extend(term.this_week.iter().map(NaiveDate::to_string));
    assert_eq!(whole, expected, "only the day whose log never arrived (and this week so far) is silent");

    let listed = csv_rows(&school.join("review-incidents.csv"));
    assert_eq!(listed.len(), registered.len(), "every incident of the term is in the CSV");
    let row = listed.iter().find(|r| r["id"] == closed).unwrap();
    assert_eq!(row["status"], "closed");
    assert!(!row["days_to_first_action"].is_empty(), "{row:?}");
    assert!(row["recorded"].contains("A. Teacher"), "{row:?}");

    let changes = csv_rows(&school.join("review-setting-changes.csv"));
    assert!(
        changes.iter().any(|c| c["key"] == "hours.staff_end" && c["before"] == "19:00" && c["after"] == "18:00"),
        "{changes:?}"
    );
    let settings = csv_rows(&school.join("review-settings.csv"));
    assert!(settings.iter().any(|s| s["key"] == "hours.staff_end" && s["value"] == "18:00"), "{settings:?}");

    let pdf_text = support::pdf_text(&pdf);
    let flat = pdf_text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("khanacademy.org"), "{flat}");
    assert!(flat.contains(&term.silent_day.format("%A %-d %B %Y").to_string()), "{flat}");
    assert!(flat.contains("Responsible governor"), "{flat}");
    let open: Vec<&str> =
        registered.iter().filter_map(|i| i["id"].as_str()).filter(|id| *id != closed && *id != evening_id).collect();
    for id in &open {
        assert!(flat.contains(id), "open incident {id} is listed: {flat}");
    }
    assert!(!flat.contains(&closed), "the closed incident is not among the open ones");
    assert!(flat.contains("marks coursework in the evenings"), "the suppression is in the PDF");
}

#[test]
fn the_governors_copy_holds_no_username_address_or_staff_note() {
    let dir = tempfile::tempdir().unwrap();
    let term = term(dir.path());
    let school = dir.path().join("school-copy");
    review(&term, &school, &[]);
    let first = incidents(&term.data)[0]["id"].as_str().unwrap().to_string();
    let note = format!("Spoke to {} about it", term.usernames[1]);
    let out = run(&[
        "incident",
        "update",
        "--data",
        term.data.to_str().unwrap(),
        &first,
        "--status",
        "investigating",
        "--action",
        &note,
        "--by",
        "B. Head",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let governors = dir.path().join("governors");
    let pdf = review(&term, &governors, &["--no-names"]);
    assert!(pdf.to_string_lossy().ends_with("-governors.pdf"), "{}", pdf.display());
    let mut texts: Vec<(String, String)> = std::fs::read_dir(&governors)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    assert!(texts.len() >= 9, "{texts:?}");
    texts.push((pdf.display().to_string(), support::pdf_text(&pdf)));
    let address = regex::Regex::new(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b").unwrap();
    let word = |name: &str| regex::Regex::new(&format!(r"(?i)\b{}\b", regex::escape(name))).unwrap();
    let names: Vec<regex::Regex> = term.usernames.iter().map(|u| word(u)).collect();
    for (file, body) in &texts {
        assert!(!address.is_match(body), "{file} holds an address: {:?}", address.find(body));
        for (name, pattern) in term.usernames.iter().zip(&names) {
            assert!(!pattern.is_match(body), "{file} names {name}");
        }
        assert!(!body.contains("B. Head") && !body.contains("Spoke to"), "{file} holds a staff note");
        assert!(!body.contains("searched for"), "{file} holds what a pupil typed into a search");
    }

    // The school's copy of the same term does name them: the check above can fail.
    let school_text = std::fs::read_to_string(school.join("review-incidents.csv")).unwrap();
    assert!(term.usernames.iter().any(|u| word(u).is_match(&school_text)), "{school_text}");
    assert!(school_text.contains("searched for: ways to self harm"), "{school_text}");
    let ranges = std::fs::read_to_string(school.join("review-coverage-ranges.csv")).unwrap();
    assert!(ranges.contains("10.20.30.0/24"), "{ranges}");
}
