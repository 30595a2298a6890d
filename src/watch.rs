//! `watch`: the long-running follower behind immediate alerts. Every `poll` it ingests what is
//! new in each school's `logs` (the same ingest as `nightly`: each line once, atomic, rotation by
//! content, under the dataset lock), runs the high-risk rules on the days that just got rows,
//! and queues alerts; a delivery thread works through the outbox on its own, so a slow or
//! absent mail server never holds up ingest. A stop request (SIGTERM, Ctrl-C) lets the batch in
//! hand finish; after `kill -9` the next start finishes or discards the interrupted run and looks
//! again at yesterday and today, so nothing is lost and nothing is told twice.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::alerts::deliver::deliver_due;
use crate::alerts::raise::{check_silence, raise};
use crate::config::{ConfigError, Profile};
use crate::detect::summary::Summary;
use crate::detect::{high_risk, local_date, utc, Findings, Scope};
use crate::enrich::SchoolContext;
use crate::incidents::register::Register;
use crate::incidents::suppress;
use crate::ingest::compact::compact_partition;
use crate::ingest::follow::FollowCache;
use crate::ingest::{self, IngestOptions};
use crate::store::Dataset;

/// How often the school context (roster, category lists, the accepted time range) is rebuilt.
const CONTEXT_MAX_AGE: Duration = Duration::from_secs(3600);
/// Longest the delivery thread sleeps when nothing is due.
const DELIVERY_IDLE: Duration = Duration::from_secs(5);

/// One school being followed.
pub struct Watched {
    /// Its settings.
    pub profile: Profile,
    options: IngestOptions,
    context: Arc<SchoolContext>,
    built: Instant,
    last_line: DateTime<Utc>,
    caught_up: bool,
}

impl Watched {
    /// Starts following a school: its context is loaded now (a bad roster is the profile's
    /// fault: a [`ConfigError`]).
    pub fn new(profile: Profile, mut options: IngestOptions) -> Result<Watched> {
        let context = load_context(&profile)?;
        options.follow = Some(Arc::new(Mutex::new(FollowCache::default())));
        Ok(Watched { profile, options, context, built: Instant::now(), last_line: Utc::now(), caught_up: false })
    }
}

fn load_context(profile: &Profile) -> Result<Arc<SchoolContext>> {
    Ok(Arc::new(SchoolContext::new(profile.clone()).map_err(|e| ConfigError(crate::cmd::one_line(&e)))?))
}

/// What one batch did for one school.
#[derive(Debug, Default)]
pub struct Batch {
    /// Rows added.
    pub rows: u64,
    /// Incidents alerted now.
    pub alerted: Vec<String>,
    /// Incidents held for a digest.
    pub held: Vec<String>,
    /// Lines about files that could not be read.
    pub problems: Vec<String>,
}

/// One pass for one school: ingest, detect on the touched days, tell, tidy.
pub fn batch(data: &Path, school: &mut Watched) -> Result<Batch> {
    if school.built.elapsed() > CONTEXT_MAX_AGE {
        school.context = load_context(&school.profile)?;
        school.built = Instant::now();
    }
    let profile = &school.profile;
    let tz = profile.timezone;
    let dataset = Dataset::open(data)?;
    let selection = ingest::paths::expand_globs(profile)?;
    let files = ingest::ingest(
        &dataset,
        school.context.clone(),
        &selection.files,
        &school.options,
        &indicatif::ProgressBar::hidden(),
    )?;
    let now = Utc::now();
    let mut outcome = Batch { rows: files.iter().map(|f| f.rows).sum(), ..Batch::default() };
    for f in &files {
        if let ingest::Outcome::Failed(why) = &f.outcome {
            outcome.problems.push(format!("{}: {why}", f.path.display()));
        }
    }
    let mut days: Vec<NaiveDate> = files
        .iter()
        .filter_map(|f| f.time_range)
        .flat_map(|(first, last)| [local_date(utc(first), tz), local_date(utc(last), tz)])
        .collect();
    if outcome.rows > 0 {
        school.last_line = now;
    }
    if !school.caught_up {
        // After a restart: whatever was ingested but not yet told.
        let today = local_date(now, tz);
        days.extend([today - Days::new(1), today]);
        school.caught_up = true;
    }
    let incidents = match (days.iter().min(), days.iter().max()) {
        (Some(&from), Some(&to)) if crate::store::schools(data)?.contains(&profile.id) => {
            let scope = Scope::one_school(data, profile, from, to + Days::new(1));
            high_risk::detect(&scope)?
        }
        _ => Vec::new(),
    };
    let mut found = Findings { high_risk: incidents, ..Findings::default() };
    suppress::filter(data, profile, &mut found)?;
    let raised = raise(&dataset, profile, &found.high_risk, now)?;
    let told: Vec<Summary> = found
        .summaries()
        .into_iter()
        .filter(|s| raised.alerted.contains(&s.id) || raised.held.contains(&s.id))
        .collect();
    Register::new(data, &profile.id).record_new(&told, now)?;
    outcome.alerted = raised.alerted;
    outcome.held = raised.held;
    for day in files.iter().filter_map(|f| f.time_range).map(|(_, last)| local_date(utc(last), tz)) {
        compact_partition(&dataset, &profile.id, day)?;
    }
    check_silence(&dataset, profile, school.last_line, in_school_hours(profile, now), now)?;
    Ok(outcome)
}

/// Whether `now` is within the staff day of a school day, in the school's time zone.
fn in_school_hours(profile: &Profile, now: DateTime<Utc>) -> bool {
    let local = now.with_timezone(&profile.timezone);
    let hours = &profile.hours;
    hours.is_school_day(local.date_naive()) && (hours.staff_start..hours.staff_end).contains(&local.time())
}

/// Follows every school until `stop` is set, then lets the delivery thread finish its pass.
/// `say` gets one line per alert, held incident and problem.
pub fn run(
    data: &Path,
    mut schools: Vec<Watched>,
    poll: Duration,
    stop: &'static AtomicBool,
    say: fn(&str),
) -> Result<()> {
    let (wake, woken) = std::sync::mpsc::channel::<()>();
    let profiles: Vec<Profile> = schools.iter().map(|s| s.profile.clone()).collect();
    let delivery = {
        let data = data.to_path_buf();
        std::thread::Builder::new()
            .name("delivery".into())
            .spawn(move || deliver_until_stopped(&data, &profiles, &woken, stop, say))
            .context("cannot start the delivery thread")?
    };
    let result = follow(data, &mut schools, poll, stop, say, &wake);
    stop.store(true, Ordering::SeqCst);
    let _ = wake.send(());
    delivery.join().map_err(|_| anyhow::anyhow!("the delivery thread failed"))?;
    result
}

fn follow(
    data: &Path,
    schools: &mut [Watched],
    poll: Duration,
    stop: &AtomicBool,
    say: fn(&str),
    wake: &Sender<()>,
) -> Result<()> {
    let mut last_errors: Vec<Option<String>> = vec![None; schools.len()];
    let mut last_problems: Vec<Vec<String>> = vec![Vec::new(); schools.len()];
    while !stop.load(Ordering::SeqCst) {
        let started = Instant::now();
        for ((school, last_error), last_problems) in schools.iter_mut().zip(&mut last_errors).zip(&mut last_problems) {
            let outcome = match batch(data, school) {
                Ok(outcome) => {
                    *last_error = None;
                    outcome
                }
                Err(error) if error.chain().any(|e| e.is::<ConfigError>()) => return Err(error),
                Err(error) => {
                    // Said once, not every poll; the next batch tries again.
                    let line = crate::cmd::one_line(&error);
                    if last_error.as_ref() != Some(&line) {
                        say(&format!("{}: {line}; trying again", school.profile.id));
                    }
                    *last_error = Some(line);
                    continue;
                }
            };
            for id in &outcome.alerted {
                say(&format!("{}: high-risk alert {id} queued", school.profile.id));
            }
            for id in &outcome.held {
                say(&format!("{}: high-risk incident {id} held for the digest", school.profile.id));
            }
            // A file that keeps failing is said once, not every poll.
            for problem in outcome.problems.iter().filter(|p| !last_problems.contains(p)) {
                say(&format!("{}: {problem}", school.profile.id));
            }
            *last_problems = outcome.problems;
        }
        let _ = wake.send(());
        while started.elapsed() < poll && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50).min(poll));
        }
    }
    Ok(())
}

fn deliver_until_stopped(data: &Path, profiles: &[Profile], woken: &Receiver<()>, stop: &AtomicBool, say: fn(&str)) {
    loop {
        let mut wait = DELIVERY_IDLE;
        for profile in profiles {
            match deliver_due(data, profile, Utc::now()) {
                Ok(delivery) => {
                    for problem in &delivery.problems {
                        say(&format!("{}: {problem}", profile.id));
                    }
                    if let Some(due) = delivery.next_due {
                        let until = (due - Utc::now()).to_std().unwrap_or_default();
                        wait = wait.min(until.max(Duration::from_millis(100)));
                    }
                }
                Err(error) => say(&format!("{}: delivery: {}", profile.id, crate::cmd::one_line(&error))),
            }
        }
        if stop.load(Ordering::SeqCst) {
            return;
        }
        match woken.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Set by SIGTERM or SIGINT: finish the batch in hand, then stop.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_signal: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Installs the SIGTERM and SIGINT handlers and returns the flag they set.
pub fn stop_on_signals() -> &'static AtomicBool {
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGTERM, request_stop as *const () as libc::sighandler_t);
        libc::signal(libc::SIGINT, request_stop as *const () as libc::sighandler_t);
    }
    &STOP
}
