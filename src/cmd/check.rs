//! `filterwatch check --config FILE|DIR [--data DIR]`: what a technician runs first. Validates
//! each profile (an error names the key), lists the log files its globs match with the format
//! detected for each and how many of its first lines read, shows three parsed rows per file in
//! school time, and checks that the dataset folder is writable, private and has room. Writes
//! nothing. Exit 0 when all is well, 1 when a log or the dataset has a problem, 2 for a bad profile.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use super::{load_school, profile_files, EXIT_BAD_CONFIG, EXIT_FAILED};
use crate::enrich::clock::SchoolClock;
use crate::escape;
use crate::formats::detect::choose;
use crate::ingest::paths::expand_globs;
use crate::ingest::source::open_content;

/// Lines of each log read to judge it.
const SAMPLE_LINES: usize = 200;
/// Parsed rows shown per log.
const SHOWN_ROWS: usize = 3;
/// Free space below which the dataset folder is a problem.
const MIN_FREE_BYTES: u64 = 1 << 30;

/// Arguments of `filterwatch check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The school profile, or a folder of `*.toml` profiles.
    #[arg(long, value_name = "FILE|DIR")]
    pub config: PathBuf,
    /// The dataset folder to check (writable, not readable by others, free space).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
}

/// What checking one log file found.
struct LogCheck {
    format: String,
    read: usize,
    skipped: usize,
    rejected: usize,
    first_reject: Option<String>,
    rows: Vec<String>,
}

/// Runs the checks and prints what they found.
pub fn run(args: Args) -> Result<ExitCode> {
    let mut bad_config = false;
    let mut problems = 0usize;
    for path in profile_files(&args.config)? {
        let shown = escape::text(&path.display().to_string()).into_owned();
        let (profile, options) = match load_school(&path) {
            Ok(loaded) => loaded,
            Err(e) => {
                println!("{shown}: bad profile: {}", super::one_line(&e));
                bad_config = true;
                continue;
            }
        };
        println!(
            "{shown}: profile {} ({}) is valid, school time {}",
            profile.id,
            profile.name,
            profile.timezone.name()
        );
        // The roster and category lists are read as ingest reads them.
        if let Err(e) = crate::enrich::SchoolContext::new(profile.clone()) {
            println!("  problem: {}", super::one_line(&e));
            problems += 1;
        }
        let selection = match expand_globs(&profile) {
            Ok(selection) => selection,
            Err(e) => {
                println!("  logs: {}", super::one_line(&e));
                problems += 1;
                continue;
            }
        };
        println!("  logs: {} file(s) match {:?}", selection.files.len(), profile.logs);
        if selection.files.is_empty() {
            println!("  problem: no log file matches the `logs` globs");
            problems += 1;
        }
        for (skipped, why) in &selection.skipped {
            println!("  {}: not read: {why}", escape::text(&skipped.display().to_string()));
        }
        let clock = SchoolClock::new(profile.timezone);
        for file in &selection.files {
            let name = escape::text(&file.display().to_string()).into_owned();
            match check_log(file, &options, &clock, profile.timezone) {
                Ok(found) => {
                    println!(
                        "  {name}: {}, {} of the first {} lines read ({} skipped as not web requests, {} rejected)",
                        found.format,
                        found.read,
                        found.read + found.skipped + found.rejected,
                        found.skipped,
                        found.rejected
                    );
                    if let Some(reject) = &found.first_reject {
                        println!("    first rejected: {reject}");
                    }
                    if found.rejected * 2 > found.read + found.rejected {
                        println!(
                            "    problem: most lines do not read in this format (set `format` or `squid_logformat`)"
                        );
                        problems += 1;
                    }
                    for row in &found.rows {
                        println!("    {row}");
                    }
                }
                Err(why) => {
                    println!("  {name}: problem: {why}");
                    problems += 1;
                }
            }
        }
    }
    if let Some(data) = &args.data {
        problems += check_data(data);
    }
    Ok(if bad_config {
        ExitCode::from(EXIT_BAD_CONFIG)
    } else if problems > 0 {
        println!("{problems} problem(s) found");
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads the first lines of one log, picks its format as ingest would, and parses them.
fn check_log(
    path: &Path,
    options: &crate::ingest::IngestOptions,
    clock: &SchoolClock,
    tz: chrono_tz::Tz,
) -> Result<LogCheck, String> {
    let reader = open_content(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut lines = Vec::new();
    for line in BufReader::new(reader.take(64 << 20)).split(b'\n').take(SAMPLE_LINES) {
        let line = line.map_err(|e| format!("cannot read: {e}"))?;
        lines.push(String::from_utf8_lossy(&line).trim_end_matches('\r').to_string());
    }
    if lines.iter().all(|l| l.trim().is_empty()) {
        return Err("the file is empty".to_string());
    }
    let sample: Vec<&str> = lines.iter().map(String::as_str).collect();
    let parser =
        choose(&sample, options.format, &options.hints).map_err(|why| format!("format not recognised: {why}"))?;
    let mut found = LogCheck {
        format: parser.name().as_str().to_string(),
        read: 0,
        skipped: 0,
        rejected: 0,
        first_reject: None,
        rows: Vec::new(),
    };
    // Rows that name a user say most about a log: those are shown first.
    let (mut named, mut unnamed) = (Vec::new(), Vec::new());
    for (n, line) in sample.iter().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match parser.parse(line) {
            Ok(record) => {
                found.read += 1;
                let rows = if record.user.is_some() { &mut named } else { &mut unnamed };
                if rows.len() < SHOWN_ROWS {
                    let utc =
                        chrono::DateTime::from_timestamp_micros(clock.to_utc_micros(record.time)).unwrap_or_default();
                    let row = format!(
                        "{}  {}  {}  {} {}  {}{}",
                        utc.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S"),
                        record.client_ip,
                        record.user.as_deref().unwrap_or("-"),
                        record.method,
                        record.url,
                        record.action.as_str(),
                        record.category.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
                    );
                    rows.push(escape::text(&row).into_owned());
                }
            }
            Err(e) if e.skip => found.skipped += 1,
            Err(e) => {
                found.rejected += 1;
                found
                    .first_reject
                    .get_or_insert_with(|| escape::text(&format!("line {}: {}", n + 1, e.message)).into_owned());
            }
        }
    }
    found.rows = named.into_iter().chain(unnamed).take(SHOWN_ROWS).collect();
    Ok(found)
}

/// Checks the dataset folder; prints what it found and returns how many problems.
fn check_data(data: &Path) -> usize {
    let shown = escape::text(&data.display().to_string()).into_owned();
    let meta = match std::fs::metadata(data) {
        Ok(meta) if meta.is_dir() => meta,
        Ok(_) => {
            println!("{shown}: problem: not a folder");
            return 1;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = data.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            println!("{shown}: does not exist yet; the first ingest creates it in {}", parent.display());
            return check_data(parent).min(1);
        }
        Err(e) => {
            println!("{shown}: problem: cannot read: {e}");
            return 1;
        }
    };
    let mut problems = 0;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o007 != 0 {
            println!(
                "{shown}: problem: mode {mode:03o} lets every user of this machine read pupils' browsing (chmod o-rwx)"
            );
            problems += 1;
        } else {
            println!("{shown}: mode {mode:03o}, not readable by other users");
        }
    }
    let probe = data.join(format!(".filterwatch-check-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            println!("{shown}: writable");
        }
        Err(e) => {
            println!("{shown}: problem: cannot write: {e}");
            problems += 1;
        }
    }
    match free_bytes(data) {
        Some(free) if free < MIN_FREE_BYTES => {
            println!("{shown}: problem: only {} MB free", free / 1_000_000);
            problems += 1;
        }
        Some(free) => println!("{shown}: {:.1} GB free", free as f64 / 1e9),
        None => {}
    }
    problems
}

/// Free bytes on the file system holding `path` (for an unprivileged user).
#[cfg(unix)]
fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c_path` is a valid NUL-terminated string and `stat` a writable statvfs.
    let ok = unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) } == 0;
    ok.then(|| stat.f_bavail as u64 * stat.f_frsize as u64)
}

#[cfg(not(unix))]
fn free_bytes(_path: &Path) -> Option<u64> {
    None
}
