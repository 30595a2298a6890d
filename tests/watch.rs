//! `watch` as a service runs it, with real processes and real servers on 127.0.0.1: a high-risk
//! line reaches the DSL by mail and webhook within seconds, a pupil's search cannot add a mail
//! header, repeated incidents are held for a digest, an SMTP outage is ridden out by the outbox
//! with each alert delivered once, and logrotate, a half-written line and `kill -9` lose and
//! double nothing. Also `report --send`.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use filterwatch::queries::columns;
use filterwatch::store::scan_events;
use support::{HookServer, SmtpServer};

const BIN: &str = env!("CARGO_BIN_EXE_filterwatch");

/// A school whose logs are written by the test.
struct School {
    _dir: tempfile::TempDir,
    root: PathBuf,
    profile: PathBuf,
    data: PathBuf,
}

impl School {
    /// A school with a roster (two pupils, one member of staff), self-harm and proxy lists, and
    /// `alerts` as the profile's `[alerts]` table.
    fn new(alerts: &str) -> School {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("logs")).unwrap();
        std::fs::write(
            root.join("roster.csv"),
            "username,role,year_group\n09jsmith,pupil,9\n10abrown,pupil,10\nmgreen,staff,\n",
        )
        .unwrap();
        for (category, domain) in [("selfharm", "selfharmstories.net"), ("proxy", "proxysite.com")] {
            std::fs::create_dir_all(root.join("categories").join(category)).unwrap();
            std::fs::write(root.join("categories").join(category).join("domains"), format!("{domain}\n")).unwrap();
        }
        let password = root.join("smtp-password");
        std::fs::write(&password, "s3cret\n").unwrap();
        std::fs::set_permissions(&password, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        let profile = root.join("school.toml");
        std::fs::write(
            &profile,
            format!(
                "id = \"riverside\"\nname = \"Riverside Academy\"\nroster = \"roster.csv\"\ncategories = \"categories\"\n\
                 logs = [\"logs/access.log*\"]\n\n[alerts]\n{alerts}\n"
            ),
        )
        .unwrap();
        School { data: root.join("data"), root, profile, _dir: dir }
    }

    fn log(&self, name: &str) -> PathBuf {
        self.root.join("logs").join(name)
    }

    /// Starts `watch`, waiting for its first line.
    fn watch(&self) -> Watch {
        let mut child = Command::new(BIN)
            .args(["watch", "--config", self.profile.to_str().unwrap(), "--data", self.data.to_str().unwrap()])
            .args(["--poll", "0.2"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let said: Arc<Mutex<Vec<String>>> = Arc::default();
        let lines = said.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let watch = Watch { child, said };
        assert!(watch.wait_said("watching", Duration::from_secs(30)), "{:?}", watch.said());
        watch
    }

    /// Rows in the dataset and how many repeat another's (time, client, URL).
    fn rows(&self) -> (usize, usize) {
        if !self.data.join("events").exists() {
            return (0, 0);
        }
        let df = scan_events(&self.data).unwrap().collect().unwrap();
        let ts = columns::int(&df, "ts").unwrap();
        let urls = columns::text(&df, "url").unwrap();
        let hosts = columns::text(&df, "host").unwrap();
        let distinct: std::collections::HashSet<_> = (0..df.height()).map(|i| (ts[i], &urls[i], &hosts[i])).collect();
        (df.height(), df.height() - distinct.len())
    }

    fn wait_rows(&self, rows: usize, timeout: Duration) -> (usize, usize) {
        let start = Instant::now();
        loop {
            let found = self.rows();
            if found.0 >= rows || start.elapsed() > timeout {
                return found;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alerts_log(&self) -> String {
        std::fs::read_to_string(self.data.join("alerts/riverside.log")).unwrap_or_default()
    }
}

struct Watch {
    child: Child,
    said: Arc<Mutex<Vec<String>>>,
}

impl Watch {
    fn said(&self) -> Vec<String> {
        self.said.lock().unwrap().clone()
    }

    fn wait_said(&self, text: &str, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.said().iter().any(|l| l.contains(text)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// SIGTERM, then the exit code.
    fn stop(mut self) -> Option<i32> {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().unwrap();
        panic!("watch did not stop within 30 s of SIGTERM: {:?}", self.said());
    }

    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// A Squid native access.log line at `ago` before now.
fn squid(ago: Duration, client: &str, user: &str, denied: bool, method: &str, url: &str) -> String {
    let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap() - ago;
    let status = if denied { "TCP_DENIED/403" } else { "TCP_TUNNEL/200" };
    format!("{:.3}    120 {client} {status} 3456 {method} {url} {user} HIER_NONE/- text/html\n", ts.as_secs_f64())
}

fn append(path: &Path, text: &str) {
    std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

fn finding_ids(text: &str) -> Vec<String> {
    let re = regex::Regex::new(r"risk-riverside-\d{8}-[0-9a-f]{8}").unwrap();
    let mut ids: Vec<String> = re.find_iter(text).map(|m| m.as_str().to_string()).collect();
    ids.dedup();
    ids
}

#[test]
fn a_high_risk_block_reaches_the_dsl_by_mail_and_webhook_within_seconds() {
    let smtp = SmtpServer::start();
    let hook = HookServer::start();
    let school = School::new(&format!(
        "smtp = \"{}\"\nsmtp_user = \"filterwatch\"\nsmtp_password_file = \"smtp-password\"\n\
         from = \"filterwatch@riverside.example\"\ndsl = [\"dsl@riverside.example\"]\nwebhook = \"{}\"\n",
        smtp.url(),
        hook.url()
    ));
    let watch = school.watch();
    let access = school.log("access.log");
    append(&access, &squid(Duration::ZERO, "10.1.2.3", "-", false, "CONNECT", "www.bbc.co.uk:443"));
    let started = Instant::now();
    append(&access, &squid(Duration::ZERO, "10.1.2.3", "09jsmith", true, "CONNECT", "selfharmstories.net:443"));
    let mails = smtp.wait_for(1, Duration::from_secs(30));
    let latency = started.elapsed();
    assert_eq!(mails.len(), 1, "one alert: {:?}", watch.said());
    assert!(latency < Duration::from_secs(15), "alert took {latency:?}");
    let mail = &mails[0];
    let text = mail.text();
    assert!(mail.header("Subject").unwrap().contains("High-risk"), "{text}");
    for needed in ["09jsmith", "Year 9 pupil", "selfharm", "10.1.2.3", "selfharmstories.net", "Europe/London"] {
        assert!(text.contains(needed), "{needed} missing from the alert:\n{text}");
    }
    assert_eq!(mail.to, vec!["dsl@riverside.example".to_string()]);
    assert_eq!(mail.user.as_deref(), Some("filterwatch"), "authenticated with smtp_user");
    let ids = finding_ids(&text);
    assert_eq!(ids.len(), 1, "{text}");
    let posts = hook.wait_for(1, Duration::from_secs(10));
    let json: serde_json::Value = serde_json::from_str(&posts[0].1).unwrap();
    assert_eq!(json["incidents"][0]["user"], "09jsmith");
    assert_eq!(json["incidents"][0]["id"], ids[0].as_str());
    assert_eq!(posts[0].0, format!("alert-{}", ids[0]), "idempotency key");

    // A pupil's search with an encoded line break must not become a mail header.
    let search = "http://www.google.com/search?q=kill+myself%0D%0ABcc%3A+attacker%40evil.example";
    append(&access, &squid(Duration::ZERO, "10.1.2.4", "10abrown", true, "GET", search));
    let mails = smtp.wait_for(2, Duration::from_secs(30));
    assert_eq!(mails.len(), 2, "{:?}", watch.said());
    assert!(mails[1].header("Bcc").is_none() && mails[1].to == vec!["dsl@riverside.example".to_string()]);
    assert!(!mails[1].data.contains("\r\nBcc:"), "{}", mails[1].data);
    assert!(mails[1].text().contains("10abrown"));

    // The evidence command shows the very line.
    let out = Command::new(BIN).args(["evidence", "--data", school.data.to_str().unwrap(), &ids[0]]).output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && shown.contains("selfharmstories.net") && shown.contains("09jsmith"), "{shown}");
    assert_eq!(watch.stop(), Some(0), "SIGTERM is a clean stop");
    let log = school.alerts_log();
    assert_eq!(log.matches("\"event\":\"sent\"").count(), 4, "two alerts, mail and webhook each:\n{log}");

    // The nightly job finds nothing new to ingest and tells no one again.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive().to_string();
    let out = Command::new(BIN)
        .args(["nightly", "--config", school.profile.to_str().unwrap(), "--data", school.data.to_str().unwrap()])
        .args(["--today", &today])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(!summary.contains(&ids[0]), "already told by watch:\n{summary}");
    assert_eq!(school.rows(), (3, 0));
    std::thread::sleep(Duration::from_millis(500));
    // On a Monday the nightly also mails last week's report: that is not an alert sent again.
    let alerts = smtp.mails().iter().filter(|m| !m.header("Subject").is_some_and(|s| s.starts_with("Weekly"))).count();
    assert_eq!(alerts, 2, "nightly sends no alert twice");
}

#[test]
fn further_incidents_of_one_pupil_are_held_and_sent_as_one_digest() {
    let smtp = SmtpServer::start();
    let school = School::new(&format!(
        "smtp = \"{}\"\nfrom = \"fw@riverside.example\"\ndsl = [\"dsl@riverside.example\"]\n\
         suppress_hours = 0.002\nepisode_minutes = 1\n",
        smtp.url()
    ));
    let watch = school.watch();
    let access = school.log("access.log");
    let minutes = |m: u64| Duration::from_secs(60 * m);
    append(&access, &squid(minutes(20), "10.1.2.3", "09jsmith", true, "CONNECT", "selfharmstories.net:443"));
    assert_eq!(smtp.wait_for(1, Duration::from_secs(30)).len(), 1);
    // The same pupil again ten minutes later (a new incident), and another pupil.
    append(&access, &squid(minutes(10), "10.1.2.3", "09jsmith", true, "CONNECT", "selfharmstories.net:443"));
    append(&access, &squid(minutes(10), "10.1.2.9", "10abrown", true, "CONNECT", "selfharmstories.net:443"));
    assert!(watch.wait_said("held for the digest", Duration::from_secs(30)), "{:?}", watch.said());
    let mails = smtp.wait_for(3, Duration::from_secs(40));
    assert_eq!(mails.len(), 3, "{:?}", watch.said());
    let other = mails.iter().find(|m| m.text().contains("10abrown")).expect("the other pupil's own alert");
    assert!(other.header("Subject").unwrap().contains("alert"));
    let digest = mails.iter().find(|m| m.header("Subject").unwrap().contains("digest")).expect("a digest");
    let held = finding_ids(&digest.text());
    assert_eq!(held.len(), 1, "{}", digest.text());
    assert!(!finding_ids(&mails[0].text()).contains(&held[0]), "the digest tells of the later incident");
    assert!(school.alerts_log().contains("\"event\":\"held\""));
    assert_eq!(watch.stop(), Some(0));
}

#[test]
fn an_smtp_outage_is_ridden_out_and_each_alert_delivered_once() {
    let down = SmtpServer::start();
    let (port, store) = (down.port, down.store());
    let url = down.url();
    down.stop();
    let school =
        School::new(&format!("smtp = \"{url}\"\nfrom = \"fw@riverside.example\"\ndsl = [\"dsl@riverside.example\"]\n"));
    let watch = school.watch();
    append(
        &school.log("access.log"),
        &squid(Duration::ZERO, "10.1.2.3", "09jsmith", true, "CONNECT", "selfharmstories.net:443"),
    );
    assert!(watch.wait_said("cannot deliver", Duration::from_secs(30)), "{:?}", watch.said());
    assert!(school.alerts_log().contains("\"event\":\"retry\""));
    let queued: Vec<_> = std::fs::read_dir(school.data.join("alerts/outbox/riverside")).unwrap().collect();
    assert!(!queued.is_empty(), "the alert waits in the outbox");
    // Ingest carries on while the mail waits.
    append(&school.log("access.log"), &squid(Duration::ZERO, "10.1.2.5", "-", false, "CONNECT", "www.bbc.co.uk:443"));
    assert_eq!(school.wait_rows(2, Duration::from_secs(20)).0, 2);
    let up = SmtpServer::start_on(port, store);
    let mails = up.wait_for(1, Duration::from_secs(60));
    assert_eq!(mails.len(), 1, "{:?}", watch.said());
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(up.mails().len(), 1, "delivered once");
    let left: Vec<_> = std::fs::read_dir(school.data.join("alerts/outbox/riverside"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .collect();
    assert!(left.is_empty(), "the outbox is empty once delivered");
    assert_eq!(watch.stop(), Some(0));
}

#[test]
fn rotation_a_half_written_line_and_kill_9_lose_and_double_nothing() {
    let school = School::new("");
    let access = school.log("access.log");
    let lines = |n: usize, tag: &str| -> String {
        (0..n)
            .map(|i| {
                squid(
                    Duration::from_millis(i as u64),
                    "10.1.2.3",
                    "-",
                    false,
                    "GET",
                    &format!("http://example.com/{tag}/{i}"),
                )
            })
            .collect()
    };
    let watch = school.watch();
    append(&access, &lines(100, "a"));
    assert_eq!(school.wait_rows(100, Duration::from_secs(20)), (100, 0));
    // Half a line: left for later, not rejected.
    let whole = squid(Duration::ZERO, "10.1.2.3", "-", false, "GET", "http://example.com/half");
    let (first, rest) = whole.split_at(30);
    append(&access, first);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(school.rows().0, 100);
    append(&access, rest);
    assert_eq!(school.wait_rows(101, Duration::from_secs(20)), (101, 0));
    assert!(!school.data.join("rejects").exists(), "nothing rejected");
    // logrotate's rename while Squid still writes to the renamed file, then a new file.
    std::fs::rename(&access, school.log("access.log.1")).unwrap();
    append(&school.log("access.log.1"), &lines(10, "late"));
    append(&access, &lines(50, "b"));
    assert_eq!(school.wait_rows(161, Duration::from_secs(20)), (161, 0));
    // copytruncate.
    std::fs::copy(&access, school.log("access.log.2")).unwrap();
    std::fs::OpenOptions::new().write(true).truncate(true).open(&access).unwrap();
    append(&access, &lines(30, "c"));
    assert_eq!(school.wait_rows(191, Duration::from_secs(20)), (191, 0));
    // kill -9 while lines arrive, and a restart.
    append(&access, &lines(40, "d"));
    std::thread::sleep(Duration::from_millis(150));
    watch.kill_9();
    append(&access, &lines(20, "e"));
    let watch = school.watch();
    assert_eq!(school.wait_rows(251, Duration::from_secs(30)), (251, 0));
    assert_eq!(watch.stop(), Some(0));
    let out = Command::new(BIN)
        .args(["nightly", "--config", school.profile.to_str().unwrap(), "--data", school.data.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(school.rows(), (251, 0), "nightly after watch finds nothing new");
}

#[test]
fn report_send_mails_the_pdf_and_incident_log_to_the_dsl() {
    use filterwatch::demo::generator::{generate, WeekSpec};
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = WeekSpec { pupils: 60, staff: 6, requests_per_pupil_day: 20, ..WeekSpec::demo() };
    let week = generate(&spec, &dir.path().join("school")).unwrap();
    append(
        &week.profile,
        &format!(
            "\n[alerts]\nsmtp = \"{}\"\nfrom = \"fw@riverside.example\"\ndsl = [\"dsl@riverside.example\"]\n",
            smtp.url()
        ),
    );
    let data = dir.path().join("data");
    let (config, data_arg) = (week.profile.to_str().unwrap(), data.to_str().unwrap());
    let out = Command::new(BIN).args(["ingest", "--quiet", "--config", config, "--data", data_arg]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = dir.path().join("report");
    let out = Command::new(BIN)
        .args(["report", "--config", config, "--data", data_arg, "--week", "2026-W43", "--send"])
        .args(["--out", report.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mails = smtp.wait_for(1, Duration::from_secs(20));
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.header("Subject").unwrap().contains("2026-W43"));
    assert!(mail.data.contains("application/pdf") && mail.data.contains("riverside-2026-W43.pdf"), "PDF attached");
    assert!(mail.data.contains("incident-log.csv"), "incident log attached");
    assert!(mail.text().contains("To look at first"), "{}", mail.text());
}

#[test]
fn logs_gone_silent_in_school_hours_tell_the_technician_once_and_again_when_they_return() {
    use filterwatch::alerts::outbox::Outbox;
    use filterwatch::alerts::raise::check_silence;
    let dir = tempfile::tempdir().unwrap();
    let profile = filterwatch::config::Profile::from_toml(
        "id = \"riverside\"\n[alerts]\nsmtp = \"smtp://127.0.0.1:1\"\nfrom = \"fw@r.example\"\n\
         technician = [\"it@r.example\"]\ndsl = [\"dsl@r.example\"]\nsilent_minutes = 30\n",
        dir.path(),
    )
    .unwrap();
    let dataset = filterwatch::store::Dataset::open(&dir.path().join("data")).unwrap();
    let now = chrono::Utc::now();
    let outbox = Outbox::new(dataset.root(), "riverside");
    let queued = || -> Vec<filterwatch::alerts::outbox::Outgoing> {
        outbox.queued().unwrap().into_iter().map(|(_, m)| m.unwrap()).collect()
    };
    // Twenty minutes of silence is not yet news; out of school hours an hour is not either.
    check_silence(&dataset, &profile, now - chrono::Duration::minutes(20), true, now).unwrap();
    check_silence(&dataset, &profile, now - chrono::Duration::minutes(90), false, now).unwrap();
    assert!(queued().is_empty());
    let last_line = now - chrono::Duration::minutes(45);
    check_silence(&dataset, &profile, last_line, true, now).unwrap();
    check_silence(&dataset, &profile, last_line, true, now + chrono::Duration::minutes(5)).unwrap();
    let notices = queued();
    assert_eq!(notices.len(), 1, "told once: {notices:?}");
    assert_eq!(notices[0].to, vec!["it@r.example".to_string()], "the technician, not the DSL");
    assert!(notices[0].subject.contains("stopped"), "{}", notices[0].subject);
    check_silence(&dataset, &profile, now + chrono::Duration::minutes(6), true, now + chrono::Duration::minutes(6))
        .unwrap();
    let notices = queued();
    assert_eq!(notices.len(), 2);
    assert!(notices.iter().any(|n| n.subject.contains("arriving again")));
}
