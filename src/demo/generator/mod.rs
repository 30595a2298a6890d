//! A deterministic generator of one realistic week of a UK secondary school's Squid proxy logs,
//! together with the school profile, roster and category lists that go with them. Tests and
//! `filterwatch demo` use it. A handful of planted events give the detections something to find,
//! and some look-alikes they must leave alone.
//!
//! The same [`WeekSpec`] always gives byte-identical files: randomness comes from a seeded
//! SplitMix64, nothing iterates a hash map, and gzip headers carry no time or file name. School
//! times are local (Europe/London) and are turned into UTC through chrono-tz, so the change of
//! the clocks is handled properly.

use std::collections::HashSet;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Europe::London;
use flate2::{Compression, GzBuilder};

mod calendar;
mod files;
mod lines;
#[rustfmt::skip]
mod lists;
mod people;
mod rng;
mod sites;
mod traffic;

use crate::config::{Role, YearGroup};
use calendar::*;
use files::*;
use lines::*;
use lists::*;
use people::*;
use rng::*;
use sites::*;
use traffic::{Event, Traffic};

/// What to generate: one school and one week of its traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekSpec {
    /// School id written to the profile (the partition key).
    pub school_id: String,
    /// Human-readable school name written to the profile.
    pub school_name: String,
    /// The Monday the week starts on, a local date in Europe/London.
    pub monday: NaiveDate,
    /// Number of pupils in the roster.
    pub pupils: u32,
    /// Number of staff in the roster.
    pub staff: u32,
    /// Average number of requests a pupil makes on a school day.
    pub requests_per_pupil_day: u32,
    /// Seed of the random generator.
    pub seed: u64,
}

impl WeekSpec {
    /// The demo school: Riverside Academy, the week of Monday 19 October 2026, 600 pupils and 60 staff.
    pub fn demo() -> WeekSpec {
        WeekSpec {
            school_id: "riverside".to_string(),
            school_name: "Riverside Academy".to_string(),
            monday: NaiveDate::from_ymd_opt(2026, 10, 19).expect("19 October 2026 is a valid date"),
            pupils: 600,
            staff: 60,
            requests_per_pupil_day: 120,
            seed: 43,
        }
    }

    /// The demo school at a fifth of its traffic (240 pupils, 24 staff, 60 requests a pupil a
    /// day): every planted event, ingested and detected in seconds, for tests.
    pub fn small() -> WeekSpec {
        WeekSpec { pupils: 240, staff: 24, requests_per_pupil_day: 60, ..WeekSpec::demo() }
    }
}

/// One event planted in the logs, with what a detection should (or should not) make of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planted {
    /// What was planted: `spike`, `out_of_hours_staff`, `in_hours_staff`, `weekend_staff`,
    /// `proxy_hunter`, `adware`, `scattered_blocks` or `selfharm_search`.
    pub kind: &'static str,
    /// The username, or a comma-separated list when several people take part (the spike).
    pub user: String,
    /// Start of the event's time window.
    pub start_utc: DateTime<Utc>,
    /// End of the event's time window.
    pub end_utc: DateTime<Utc>,
    /// Number of authenticated requests the event made (login challenges not counted).
    pub requests: u32,
    /// One plain-English sentence saying what happened.
    pub description: String,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedWeek {
    /// The folder everything was written to.
    pub dir: PathBuf,
    /// The school profile (`school.toml`).
    pub profile: PathBuf,
    /// The seven daily access logs, oldest (Monday) first.
    pub logs: Vec<PathBuf>,
    /// Total number of lines across all the logs.
    pub lines: u64,
    /// The planted events.
    pub planted: Vec<Planted>,
}

/// Writes the profile, roster, category lists and a week of rotated Squid logs into `dir`
/// (created if needed). Needs at least three staff and enough pupils (about 20) for the planted
/// events; otherwise, and when `monday` is not a Monday, it fails with `InvalidInput`.
pub fn generate(spec: &WeekSpec, dir: &Path) -> io::Result<GeneratedWeek> {
    if spec.monday.weekday() != Weekday::Mon {
        return Err(invalid("the week must start on a Monday"));
    }
    let mut rng = Rng(spec.seed);
    let people = build_people(spec, &mut rng);
    let mut week = Traffic::new(spec, &people, rng);
    let planted = week.plant_all()?;

    let logs_dir = dir.join("logs");
    fs::create_dir_all(&logs_dir)?;
    let profile = dir.join("school.toml");
    fs::write(&profile, profile_text(spec))?;
    fs::write(dir.join("roster.csv"), roster_text(&people))?;
    write_categories(&dir.join("categories"))?;
    let mut logs = Vec::with_capacity(DAYS);
    let mut lines = 0;
    for day in 0..DAYS {
        let path = logs_dir.join(log_name(day));
        lines += write_log(&path, &week.day_lines(day))?;
        logs.push(path);
    }
    Ok(GeneratedWeek { dir: dir.to_path_buf(), profile, logs, lines, planted })
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use flate2::read::MultiGzDecoder;

    use super::*;

    fn small_spec() -> WeekSpec {
        WeekSpec { pupils: 40, staff: 6, requests_per_pupil_day: 20, ..WeekSpec::demo() }
    }

    /// A scratch folder under the system temp folder, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let path = std::env::temp_dir().join(format!("filterwatch-generator-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            Scratch(path)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// Every file under `dir` as (relative path, bytes), sorted by path.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(folder) = pending.pop() {
            for entry in fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    files.push((path.strip_prefix(dir).unwrap().to_path_buf(), fs::read(&path).unwrap()));
                }
            }
        }
        files.sort();
        files
    }

    #[test]
    fn same_spec_gives_byte_identical_files() {
        let (first, second) = (Scratch::new("same-a"), Scratch::new("same-b"));
        let a = generate(&small_spec(), &first.0).unwrap();
        let b = generate(&small_spec(), &second.0).unwrap();
        assert_eq!(a.lines, b.lines);
        let (a_files, b_files) = (snapshot(&first.0), snapshot(&second.0));
        assert!(a_files.len() >= 7 + 14 + 3, "{} files", a_files.len());
        assert_eq!(a_files.len(), b_files.len());
        for ((a_path, a_bytes), (b_path, b_bytes)) in a_files.iter().zip(&b_files) {
            assert_eq!(a_path, b_path);
            assert!(a_bytes == b_bytes, "{} differs", a_path.display());
        }
    }

    #[test]
    fn monday_lines_have_ten_fields_in_time_order() {
        let dir = Scratch::new("fields");
        let week = generate(&small_spec(), &dir.0).unwrap();
        let monday = &week.logs[0];
        assert!(monday.ends_with("access.log.6.gz"), "{}", monday.display());
        let mut text = String::new();
        MultiGzDecoder::new(File::open(monday).unwrap()).read_to_string(&mut text).unwrap();
        let mut previous = i64::MIN;
        for line in text.lines() {
            let fields: Vec<&str> = line.split(' ').filter(|field| !field.is_empty()).collect();
            assert_eq!(fields.len(), 10, "{line}");
            let millis: i64 = fields[0].replace('.', "").parse().unwrap();
            assert!(millis >= previous, "out of order: {line}");
            previous = millis;
        }
        assert!(text.lines().count() > 1_000, "{} lines", text.lines().count());
    }

    #[test]
    fn out_of_hours_staff_starts_at_half_past_six_utc() {
        let dir = Scratch::new("planted");
        let week = generate(&small_spec(), &dir.0).unwrap();
        let event = week.planted.iter().find(|event| event.kind == "out_of_hours_staff").unwrap();
        assert_eq!(event.start_utc, Utc.with_ymd_and_hms(2026, 10, 20, 18, 30, 0).unwrap());
    }
}
