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

#[rustfmt::skip]
mod lists;
mod traffic;

use crate::config::{Role, YearGroup};
use lists::*;
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

// ---------------------------------------------------------------------------------------------
// Calendar and clock.

/// Minutes since local midnight.
type Minute = u32;
/// A stretch of local time `[from, to)`.
type Span = (Minute, Minute);

const fn hm(hour: u32, minute: u32) -> Minute {
    hour * 60 + minute
}

const MINUTE_MS: i64 = 60_000;
const DAYS: usize = 7;
const SCHOOL_DAYS: usize = 5;
const MONDAY: usize = 0;
const TUESDAY: usize = 1;
const WEDNESDAY: usize = 2;
const THURSDAY: usize = 3;
const FRIDAY: usize = 4;
const SATURDAY: usize = 5;

/// Pupils' lessons, around morning break (10:50–11:05) and lunch.
const LESSONS: &[Span] = &[(hm(8, 50), hm(10, 50)), (hm(11, 5), hm(12, 15)), (hm(13, 15), hm(15, 20))];
const LUNCH: &[Span] = &[(hm(12, 15), hm(13, 15))];
/// When staff browse outside lessons.
const STAFF_DAY: &[Span] = &[(hm(7, 30), hm(17, 30))];

/// A local wall-clock time in UTC. A time skipped when the clocks go forward moves on an hour;
/// a repeated one (clocks going back) takes its first occurrence.
fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    match London.from_local_datetime(&local).earliest() {
        Some(time) => time.with_timezone(&Utc),
        None => to_utc(local + TimeDelta::hours(1)),
    }
}

/// `minute` past local midnight on `date`, in UTC.
fn local_utc(date: NaiveDate, minute: Minute) -> DateTime<Utc> {
    to_utc(date.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(minute)))
}

/// Like [`local_utc`], as epoch milliseconds.
fn local_ms(date: NaiveDate, minute: Minute) -> i64 {
    local_utc(date, minute).timestamp_millis()
}

// ---------------------------------------------------------------------------------------------
// Random numbers.

/// SplitMix64: tiny, fast and good enough for made-up traffic.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, n)` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A random offset in `[0, span)` milliseconds.
    fn within(&mut self, span: i64) -> i64 {
        self.below(span.max(0) as u64) as i64
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }

    /// A random element of a non-empty slice.
    fn pick<'s, T>(&mut self, items: &'s [T]) -> &'s T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Fisher–Yates shuffle.
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i as u64 + 1) as usize);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Categories, sites and search engines.

/// A squidGuard category list. `www` says whether visits go to `www.<domain>` (sites people
/// type) or to the bare domain (ad, tracker and update hosts).
struct Category {
    name: &'static str,
    www: bool,
    domains: &'static [&'static str],
}

/// The filtering policy: what everyone is blocked from, and what pupils are blocked from as well.
const BLOCKED_FOR_EVERYONE: [&str; 8] =
    [ADULT.name, PROXY.name, GAMBLING.name, SELFHARM.name, EXTREMISM.name, WEAPONS.name, ADS.name, TRACKING.name];
const BLOCKED_FOR_PUPILS: [&str; 3] = [GAMES.name, SOCIAL.name, STREAMING.name];

/// Category groups the traffic model draws from.
const ADVERTISING: [&Category; 2] = [&ADS, &TRACKING];
const DISTRACTIONS: [&Category; 3] = [&GAMES, &SOCIAL, &STREAMING];
const LUNCH_TEMPTATIONS: [&Category; 2] = [&GAMES, &SOCIAL];
const STAFF_LEISURE: [&Category; 2] = [&SOCIAL, &STREAMING];

/// A domain from one category list.
#[derive(Clone, Copy)]
struct Site {
    category: &'static Category,
    domain: &'static str,
}

impl fmt::Display for Site {
    /// The host a browser asks for: `www.` in front of a bare registrable domain when the
    /// category is one people type.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dots = self.domain.matches('.').count();
        let bare = dots == 1 || (dots == 2 && [".co.uk", ".org.uk"].iter().any(|s| self.domain.ends_with(s)));
        if self.category.www && bare {
            f.write_str("www.")?;
        }
        f.write_str(self.domain)
    }
}

/// A search engine's result-page URL: `https://<host><path><terms><suffix>`.
struct Engine {
    host: &'static str,
    path: &'static str,
    suffix: &'static str,
}

impl Engine {
    fn url(&self, terms: &str) -> String {
        format!("https://{}{}{}{}", self.host, self.path, encode_query(terms), self.suffix)
    }
}

/// Blocked searches are shown on the first engines of `ENGINES` (Google and Bing).
const KEYWORD_ENGINES: usize = 3;

/// Query-string encoding: `+` for spaces, percent-encoding for anything not unreserved.
fn encode_query(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(byte)),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 15)]));
            }
        }
    }
    out
}

/// A stable, public-looking server address for a host (FNV-1a of the name).
fn server_address(host: &str) -> Ipv4Addr {
    let hash = host.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let [a, b, c, d, ..] = hash.to_le_bytes();
    Ipv4Addr::new(PUBLIC_PREFIXES[usize::from(a) % PUBLIC_PREFIXES.len()], b, c, 1 + d % 254)
}

// ---------------------------------------------------------------------------------------------
// People.

const STAFF_REQUESTS_PER_DAY: u32 = 150;
/// Two real users the roster forgot: a pupil-looking name and a supply teacher.
const UNROSTERED_PUPIL: &str = "25doej";
const UNROSTERED_PUPIL_YEAR: YearGroup = 8;
const SUPPLY_TEACHER: &str = "supply.teacher1";
const SERVICE_ACCOUNTS: &[&str] = &["svc-print", "svc-mdm"];

/// Someone who browses, with the one or two addresses they use all week.
struct Person {
    username: String,
    role: Role,
    year_group: Option<YearGroup>,
    /// False for the two users the school forgot to put in the roster.
    rostered: bool,
    addresses: Vec<Ipv4Addr>,
}

impl Person {
    fn client(&self, address: Ipv4Addr) -> Client<'_> {
        Client { address, user: &self.username, role: self.role }
    }
}

/// Hands out unique addresses `10.<network>.x.y`.
struct AddressPool {
    network: u8,
    next: u32,
}

impl AddressPool {
    /// One address, or two for about a third of people.
    fn addresses(&mut self, rng: &mut Rng) -> Vec<Ipv4Addr> {
        let count = if rng.chance(0.3) { 2 } else { 1 };
        (0..count).map(|_| self.take()).collect()
    }

    fn take(&mut self) -> Ipv4Addr {
        let n = self.next;
        self.next += 1;
        Ipv4Addr::new(10, self.network, (1 + n / 250) as u8, (2 + n % 250) as u8)
    }
}

/// The calendar year in which pupils now in `year_group` joined Year 7.
fn intake_year(monday: NaiveDate, year_group: YearGroup) -> i32 {
    let september = if monday.month() >= 9 { monday.year() } else { monday.year() - 1 };
    september - i32::from(year_group - 7)
}

/// `base`, or `base2`, `base3`, … when it is taken.
fn unique(taken: &mut HashSet<String>, base: String) -> String {
    let mut name = base.clone();
    let mut suffix = 2;
    while taken.contains(&name) {
        name = format!("{base}{suffix}");
        suffix += 1;
    }
    taken.insert(name.clone());
    name
}

/// Rostered pupils (sorted), the unrostered pupil, rostered staff (sorted), the supply teacher.
fn build_people(spec: &WeekSpec, rng: &mut Rng) -> Vec<Person> {
    let mut taken: HashSet<String> = [UNROSTERED_PUPIL, SUPPLY_TEACHER].iter().map(|name| name.to_string()).collect();
    let mut pupils: Vec<(String, YearGroup)> = (0..spec.pupils)
        .map(|i| {
            let year = 7 + (i % 5) as YearGroup;
            let intake = intake_year(spec.monday, year).rem_euclid(100);
            let name = format!("{intake:02}{}{}", rng.pick(SURNAMES), &rng.pick(FIRST_NAMES)[..1]);
            (unique(&mut taken, name), year)
        })
        .collect();
    pupils.sort();
    let mut staff: Vec<String> = (0..spec.staff)
        .map(|_| {
            let name = format!("{}.{}", &rng.pick(FIRST_NAMES)[..1], rng.pick(SURNAMES));
            unique(&mut taken, name)
        })
        .collect();
    staff.sort();

    let entries = pupils
        .into_iter()
        .map(|(name, year)| (name, Role::Pupil, Some(year), true))
        .chain([(UNROSTERED_PUPIL.to_string(), Role::Pupil, Some(UNROSTERED_PUPIL_YEAR), false)])
        .chain(staff.into_iter().map(|name| (name, Role::Staff, None, true)))
        .chain([(SUPPLY_TEACHER.to_string(), Role::Staff, None, false)]);
    let mut pupil_network = AddressPool { network: 20, next: 0 };
    let mut staff_network = AddressPool { network: 10, next: 0 };
    entries
        .map(|(username, role, year_group, rostered)| {
            let pool = if role == Role::Pupil { &mut pupil_network } else { &mut staff_network };
            Person { username, role, year_group, rostered, addresses: pool.addresses(rng) }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Profile, roster and category files.

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `school.toml`, with half term the week after as the holiday.
fn profile_text(spec: &WeekSpec) -> String {
    let half_term_start = spec.monday + TimeDelta::days(7);
    let half_term_end = spec.monday + TimeDelta::days(11);
    format!(
        r#"id = {id}
name = {name}
timezone = "Europe/London"
roster = "roster.csv"
categories = "categories"
logs = ["logs/access.log*"]

[hours]
staff_start = "07:00"
staff_end = "19:00"
school_days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
holidays = ["{half_term_start}..{half_term_end}"]

[[role_rules]]
pattern = '^\d{{2}}[a-z]+$'
role = "pupil"
"#,
        id = toml_string(&spec.school_id),
        name = toml_string(&spec.school_name),
    )
}

fn roster_text(people: &[Person]) -> String {
    let mut text = String::from("username,role,year_group\n");
    for person in people.iter().filter(|person| person.rostered) {
        let year = person.year_group.map(|year| year.to_string()).unwrap_or_default();
        text.push_str(&format!("{},{},{year}\n", person.username, person.role.as_str()));
    }
    for account in SERVICE_ACCOUNTS {
        text.push_str(&format!("{account},service,\n"));
    }
    text
}

fn one_per_line(items: &[&str]) -> String {
    items.iter().map(|item| format!("{item}\n")).collect()
}

fn write_categories(dir: &Path) -> io::Result<()> {
    for category in CATEGORIES {
        let folder = dir.join(category.name);
        fs::create_dir_all(&folder)?;
        fs::write(folder.join("domains"), one_per_line(category.domains))?;
    }
    fs::write(dir.join(PROXY.name).join("urls"), one_per_line(PROXY_URLS))
}

// ---------------------------------------------------------------------------------------------
// Log lines.

/// Who sent a request, and which filtering policy applies.
#[derive(Clone, Copy)]
struct Client<'a> {
    address: Ipv4Addr,
    user: &'a str,
    role: Role,
}

/// What someone did: open a site (a CONNECT, or a block page), fetch a plain-HTTP page, or search.
#[derive(Clone, Copy)]
enum Act {
    Visit(Site),
    Fetch(Site),
    Search { terms: &'static str, blocked: bool },
}

impl Act {
    fn category(self) -> &'static str {
        match self {
            Act::Visit(site) | Act::Fetch(site) => site.category.name,
            Act::Search { .. } => SEARCH.name,
        }
    }
}

/// True when the filter blocks `act` for `role`.
fn blocks(role: Role, act: Act) -> bool {
    match act {
        Act::Visit(site) | Act::Fetch(site) => {
            let category = site.category.name;
            BLOCKED_FOR_EVERYONE.contains(&category) || (role == Role::Pupil && BLOCKED_FOR_PUPILS.contains(&category))
        }
        Act::Search { blocked, .. } => blocked,
    }
}

/// Squid's side of a request: result code, timing, size, upstream and MIME type.
#[derive(Clone, Copy)]
struct Reply {
    result: &'static str,
    elapsed_ms: u32,
    bytes: u32,
    server: Option<Ipv4Addr>,
    mime: &'static str,
}

const CHALLENGE: Reply =
    Reply { result: "TCP_DENIED/407", elapsed_ms: 0, bytes: 3549, server: None, mime: "text/html" };

/// One access-log line before it is written.
struct Line<'a> {
    at_ms: i64,
    client: Ipv4Addr,
    user: &'a str,
    method: &'static str,
    url: String,
    reply: Reply,
}

/// Writes a line in Squid's native `squid` logformat.
fn write_line(out: &mut impl Write, line: &Line) -> io::Result<()> {
    let reply = &line.reply;
    write!(
        out,
        "{}.{:03} {:>6} {} {} {} {} {} {} ",
        line.at_ms.div_euclid(1000),
        line.at_ms.rem_euclid(1000),
        reply.elapsed_ms,
        line.client,
        reply.result,
        reply.bytes,
        line.method,
        line.url,
        line.user,
    )?;
    match reply.server {
        Some(address) => write!(out, "HIER_DIRECT/{address}")?,
        None => out.write_all(b"HIER_NONE/-")?,
    }
    writeln!(out, " {}", reply.mime)
}

/// Logrotate with delaycompress: Sunday is `access.log`, Saturday `access.log.1`, older days `.N.gz`.
fn log_name(day: usize) -> String {
    match DAYS - 1 - day {
        0 => "access.log".to_string(),
        1 => "access.log.1".to_string(),
        rotation => format!("access.log.{rotation}.gz"),
    }
}

/// Writes `lines` to `path`, gzipped (no time, no name in the header) when it ends in `.gz`.
fn write_log(path: &Path, lines: &[Line]) -> io::Result<u64> {
    let file = File::create(path)?;
    if path.extension().is_some_and(|extension| extension == "gz") {
        let encoder = GzBuilder::new().mtime(0).write(file, Compression::default());
        write_lines(encoder, lines)?.finish()?;
    } else {
        write_lines(file, lines)?;
    }
    Ok(lines.len() as u64)
}

/// Writes `lines` through a buffer and hands back the flushed writer.
fn write_lines<W: Write>(writer: W, lines: &[Line]) -> io::Result<W> {
    let mut out = BufWriter::new(writer);
    for line in lines {
        write_line(&mut out, line)?;
    }
    out.into_inner().map_err(io::IntoInnerError::into_error)
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
