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

use lists::*;

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
    let mut week = Week::new(spec, &people, rng);
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
const UNROSTERED_PUPIL_YEAR: u8 = 8;
const SUPPLY_TEACHER: &str = "supply.teacher1";
const SERVICE_ACCOUNTS: &[&str] = &["svc-print", "svc-mdm"];

/// How the filter treats a client.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Pupil,
    Staff,
    /// A background device (update agents): no user.
    Device,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Pupil => "pupil",
            Role::Staff => "staff",
            Role::Device => "service",
        }
    }
}

/// Someone who browses, with the one or two addresses they use all week.
struct Person {
    username: String,
    role: Role,
    year_group: Option<u8>,
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
fn intake_year(monday: NaiveDate, year_group: u8) -> i32 {
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
    let mut pupils: Vec<(String, u8)> = (0..spec.pupils)
        .map(|i| {
            let year = 7 + (i % 5) as u8;
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

// ---------------------------------------------------------------------------------------------
// The week's traffic.

const BACKGROUND_DEVICES: u8 = 12;

/// Who takes part in the planted events (indexes into the people).
struct Cast {
    staff: [usize; 3],
    proxy_hunter: usize,
    self_harm: usize,
    adware: usize,
    scattered: usize,
    spike: Vec<usize>,
}

/// When a planted event happens and how it is described (`{user}` stands for the username). Its
/// acts are spread evenly over `[from, to)` local time, or each falls in the minute given in
/// `moments` when there are any.
struct Event {
    kind: &'static str,
    day: usize,
    from: Minute,
    to: Minute,
    moments: &'static [Minute],
    description: &'static str,
}

/// The generator's state while it makes the week.
struct Week<'a> {
    spec: &'a WeekSpec,
    people: &'a [Person],
    rng: Rng,
    /// (person, category) pairs that ordinary traffic must not block, so planted events stand out.
    quiet: Vec<(usize, &'static str)>,
    /// Planted lines waiting for their day, by day index.
    planted: Vec<Vec<Line<'a>>>,
}

impl<'a> Week<'a> {
    fn new(spec: &'a WeekSpec, people: &'a [Person], rng: Rng) -> Self {
        Week { spec, people, rng, quiet: Vec::new(), planted: (0..DAYS).map(|_| Vec::new()).collect() }
    }

    fn date(&self, day: usize) -> NaiveDate {
        self.spec.monday + TimeDelta::days(day as i64)
    }

    fn name(&self, index: usize) -> &'a str {
        let people = self.people;
        &people[index].username
    }

    fn site(&mut self, category: &'static Category) -> Site {
        let domain = *self.rng.pick(category.domains);
        Site { category, domain }
    }

    fn is_quiet(&self, index: usize, category: &str) -> bool {
        self.quiet.iter().any(|&(person, quiet)| person == index && quiet == category)
    }

    /// Every line of one local calendar day, in time order.
    fn day_lines(&mut self, day: usize) -> Vec<Line<'a>> {
        let date = self.date(day);
        let mut lines = std::mem::take(&mut self.planted[day]);
        self.background(&mut lines, date);
        if day < SCHOOL_DAYS {
            for index in 0..self.people.len() {
                self.browse_day(&mut lines, date, index);
            }
            self.lunch_wave(&mut lines, date);
        }
        lines.sort_by_key(|line| line.at_ms);
        lines
    }

    /// Update agents checking in every 15–45 minutes around the clock (25 hours when the clocks go back).
    fn background(&mut self, out: &mut Vec<Line<'a>>, date: NaiveDate) {
        let end = local_ms(date + TimeDelta::days(1), 0);
        for device in 0..BACKGROUND_DEVICES {
            let client = Client { address: Ipv4Addr::new(10, 30, 0, 10 + device), user: "-", role: Role::Device };
            let mut at = local_ms(date, 0) + self.rng.within(30 * MINUTE_MS);
            while at < end {
                let act = Act::Visit(self.site(&UPDATES));
                out.push(self.render(at, client, act));
                at += 15 * MINUTE_MS + self.rng.within(30 * MINUTE_MS);
            }
        }
    }

    /// A person's school day: two to four sessions sharing their day's requests.
    fn browse_day(&mut self, out: &mut Vec<Line<'a>>, date: NaiveDate, index: usize) {
        let role = self.people[index].role;
        let average = if role == Role::Pupil { self.spec.requests_per_pupil_day } else { STAFF_REQUESTS_PER_DAY };
        let total = average * (80 + self.rng.below(41) as u32) / 100;
        let sessions = 2 + self.rng.below(3) as u32;
        for session in 0..sessions {
            let requests = total / sessions + u32::from(session < total % sessions);
            let start = self.session_start(date, role);
            self.session(out, index, start, requests);
        }
    }

    /// Pupils browse in lessons and, more densely, at lunch; staff mostly in lessons.
    fn session_start(&mut self, date: NaiveDate, role: Role) -> i64 {
        let spans = match role {
            Role::Pupil if self.rng.chance(0.3) => LUNCH,
            Role::Pupil => LESSONS,
            _ if self.rng.chance(0.8) => LESSONS,
            _ => STAFF_DAY,
        };
        self.random_moment(date, spans)
    }

    /// A uniformly random moment (UTC epoch ms) inside `spans` of local time on `date`.
    fn random_moment(&mut self, date: NaiveDate, spans: &[Span]) -> i64 {
        let length = |(from, to): Span| i64::from(to - from) * MINUTE_MS;
        let mut offset = self.rng.within(spans.iter().copied().map(length).sum());
        for &span in spans {
            if offset < length(span) {
                return local_ms(date, span.0) + offset;
            }
            offset -= length(span);
        }
        unreachable!("the offset is below the spans' total length")
    }

    /// One browsing session: a login challenge for an allowed first page, then the rest of
    /// `requests` a few seconds apart.
    fn session(&mut self, out: &mut Vec<Line<'a>>, index: usize, start_ms: i64, requests: u32) {
        let people = self.people;
        let person = &people[index];
        let client = person.client(*self.rng.pick(&person.addresses));
        let mut at = start_ms;
        for request in 0..requests {
            if request == 0 {
                let act = self.allowed_act(person.role);
                let line = self.render(at, client, act);
                self.push_challenged(out, line);
            } else {
                let act = self.ordinary_act(index);
                out.push(self.render(at, client, act));
            }
            at += self.think_time();
        }
    }

    fn think_time(&mut self) -> i64 {
        if self.rng.chance(0.6) {
            150 + self.rng.within(2_500)
        } else {
            4_000 + self.rng.within(60_000)
        }
    }

    /// Pushes the 407 challenge that precedes a session's first request, then the request.
    fn push_challenged(&mut self, out: &mut Vec<Line<'a>>, line: Line<'a>) {
        let at_ms = line.at_ms - 20 - self.rng.within(250);
        out.push(Line { at_ms, user: "-", url: line.url.clone(), reply: CHALLENGE, ..line });
        out.push(line);
    }

    /// An everyday request: 5% adverts and trackers (blocked), for pupils now and then a blocked
    /// distraction or silly search, otherwise allowed browsing.
    fn ordinary_act(&mut self, index: usize) -> Act {
        let role = self.people[index].role;
        let pupil = role == Role::Pupil;
        let candidate = match self.rng.below(1000) {
            0..=29 => Some(Act::Visit(self.site(&ADS))),
            30..=49 => Some(Act::Visit(self.site(&TRACKING))),
            50 if pupil => {
                let category = *self.rng.pick(&DISTRACTIONS);
                Some(Act::Visit(self.site(category)))
            }
            51..=52 if pupil => {
                let terms = *self.rng.pick(SILLY_TERMS);
                Some(Act::Search { terms, blocked: true })
            }
            _ => None,
        };
        match candidate {
            Some(act) if !self.is_quiet(index, act.category()) => act,
            _ => self.allowed_act(role),
        }
    }

    /// Something the filter allows: searches, school sites, plain-HTTP pages, everyday hosts, and
    /// for staff some social media and streaming.
    fn allowed_act(&mut self, role: Role) -> Act {
        let staff = role == Role::Staff;
        match self.rng.below(100) {
            0..=6 => {
                let terms = *self.rng.pick(if staff { STAFF_TERMS } else { HOMEWORK_TERMS });
                Act::Search { terms, blocked: false }
            }
            7..=9 => Act::Fetch(self.site(&EDUCATION)),
            10..=15 if staff => {
                let category = *self.rng.pick(&STAFF_LEISURE);
                Act::Visit(self.site(category))
            }
            10..=59 => Act::Visit(self.site(&EDUCATION)),
            _ => Act::Visit(self.site(&UNCATEGORISED)),
        }
    }

    /// The normal lunchtime rush on blocked games and social media: 20–40 blocks a day, on top of
    /// the odd blocks from pupils' own lunchtime sessions (about 35–60 in all for the demo school).
    fn lunch_wave(&mut self, out: &mut Vec<Line<'a>>, date: NaiveDate) {
        let people = self.people;
        let target = 20 + self.rng.below(21);
        let mut made = 0;
        while made < target {
            let category = *self.rng.pick(&LUNCH_TEMPTATIONS);
            // Never empty: the unrostered pupil takes part in no planted event.
            let eligible: Vec<usize> = (0..people.len())
                .filter(|&index| people[index].role == Role::Pupil && !self.is_quiet(index, category.name))
                .collect();
            let person = &people[*self.rng.pick(&eligible)];
            let client = person.client(person.addresses[0]);
            let mut at = self.random_moment(date, LUNCH);
            let attempts = (1 + self.rng.below(3)).min(target - made);
            for _ in 0..attempts {
                let act = Act::Visit(self.site(category));
                out.push(self.render(at, client, act));
                at += 2_000 + self.rng.within(20_000);
            }
            made += attempts;
        }
    }

    /// The log line for `act` by `client` at `at_ms`.
    fn render(&mut self, at_ms: i64, client: Client<'a>, act: Act) -> Line<'a> {
        let (method, url, reply) =
            if blocks(client.role, act) { ("GET", self.blocked_url(act), self.denied()) } else { self.allowed(act) };
        Line { at_ms, client: client.address, user: client.user, method, url, reply }
    }

    fn allowed(&mut self, act: Act) -> (&'static str, String, Reply) {
        match act {
            Act::Visit(site) => ("CONNECT", format!("{site}:443"), self.tunnel(site.domain)),
            Act::Fetch(site) => {
                let (path, mime) = *self.rng.pick(PAGE_PATHS);
                ("GET", format!("http://{site}{path}"), self.fetched(site.domain, mime))
            }
            Act::Search { terms, .. } => {
                let engine = self.rng.pick(ENGINES);
                ("GET", engine.url(terms), self.found(engine.host, "text/html"))
            }
        }
    }

    /// The inspected HTTPS URL a block page was served for.
    fn blocked_url(&mut self, act: Act) -> String {
        match act {
            Act::Visit(site) | Act::Fetch(site) if ADVERTISING.iter().any(|c| c.name == site.category.name) => {
                format!("https://{site}/ads?slot={}", self.rng.below(100_000))
            }
            Act::Visit(site) | Act::Fetch(site) => {
                format!("https://{site}{}", self.rng.pick(BLOCKED_PATHS))
            }
            Act::Search { terms, .. } => self.rng.pick(&ENGINES[..KEYWORD_ENGINES]).url(terms),
        }
    }

    fn denied(&mut self) -> Reply {
        let bytes = 3_390 + self.rng.below(60) as u32;
        Reply { result: "TCP_DENIED/403", elapsed_ms: 0, bytes, server: None, mime: "text/html" }
    }

    fn tunnel(&mut self, host: &str) -> Reply {
        Reply {
            result: "TCP_TUNNEL/200",
            elapsed_ms: 40 + self.rng.below(90_000) as u32,
            bytes: 1_500 + self.rng.below(250_000) as u32,
            server: Some(server_address(host)),
            mime: "-",
        }
    }

    fn found(&mut self, host: &str, mime: &'static str) -> Reply {
        Reply {
            result: "TCP_MISS/200",
            elapsed_ms: 8 + self.rng.below(400) as u32,
            bytes: 4_000 + self.rng.below(120_000) as u32,
            server: Some(server_address(host)),
            mime,
        }
    }

    /// A plain-HTTP fetch: mostly found, sometimes not modified, now and then missing.
    fn fetched(&mut self, host: &str, mime: &'static str) -> Reply {
        let found = self.found(host, mime);
        match self.rng.below(10) {
            0..=6 => found,
            7..=8 => Reply { result: "TCP_MISS/304", bytes: 250 + self.rng.below(200) as u32, ..found },
            _ => Reply { result: "TCP_MISS/404", bytes: 900 + self.rng.below(600) as u32, mime: "text/html", ..found },
        }
    }

    // -- Planted events.

    fn plant_all(&mut self) -> io::Result<Vec<Planted>> {
        let cast = self.choose_cast()?;
        Ok(vec![
            self.plant_spike(cast.spike),
            self.plant_out_of_hours_staff(cast.staff[0]),
            self.plant_in_hours_staff(cast.staff[1]),
            self.plant_weekend_staff(cast.staff[2]),
            self.plant_proxy_hunter(cast.proxy_hunter),
            self.plant_adware(cast.adware),
            self.plant_scattered_blocks(cast.scattered),
            self.plant_selfharm_search(cast.self_harm),
        ])
    }

    /// The first three rostered staff by name, and distinct rostered pupils drawn at random.
    fn choose_cast(&mut self) -> io::Result<Cast> {
        let people = self.people;
        let rostered =
            move |role: Role| (0..people.len()).filter(move |&i| people[i].rostered && people[i].role == role);
        let staff: Vec<usize> = rostered(Role::Staff).collect();
        if staff.len() < 3 {
            return Err(invalid("the planted events need at least three staff"));
        }
        let mut pool: Vec<usize> = rostered(Role::Pupil).collect();
        self.rng.shuffle(&mut pool);
        let mut take = |year: Option<u8>| {
            let position = pool
                .iter()
                .position(|&i| year.is_none_or(|year| people[i].year_group == Some(year)))
                .ok_or_else(|| invalid("not enough pupils for the planted events"))?;
            Ok::<_, io::Error>(pool.remove(position))
        };
        Ok(Cast {
            staff: [staff[0], staff[1], staff[2]],
            proxy_hunter: take(Some(9))?,
            self_harm: take(Some(8))?,
            adware: take(None)?,
            scattered: take(None)?,
            spike: (0..SPIKE_PUPILS).map(|_| take(None)).collect::<io::Result<_>>()?,
        })
    }

    /// Renders a planted event's acts (by `who`, taking turns) into its day's lines, keeps its
    /// blocked categories quiet for its people, and describes it. Staff sessions start with the
    /// usual login challenge; pupils' planted requests fall inside sessions already logged in.
    fn plant(&mut self, event: &Event, who: Vec<usize>, acts: Vec<Act>) -> Planted {
        let people = self.people;
        let date = self.date(event.day);
        let times = self.event_times(event, date, acts.len());
        let mut lines = Vec::with_capacity(acts.len() + who.len());
        for (step, (&act, at_ms)) in acts.iter().zip(times).enumerate() {
            let index = who[step % who.len()];
            let person = &people[index];
            if blocks(person.role, act) && !self.is_quiet(index, act.category()) {
                self.quiet.push((index, act.category()));
            }
            let line = self.render(at_ms, person.client(person.addresses[0]), act);
            if step < who.len() && person.role == Role::Staff {
                self.push_challenged(&mut lines, line);
            } else {
                lines.push(line);
            }
        }
        self.planted[event.day].append(&mut lines);
        let user = who.iter().map(|&index| self.name(index)).collect::<Vec<_>>().join(",");
        Planted {
            kind: event.kind,
            description: event.description.replace("{user}", &user),
            user,
            start_utc: local_utc(date, event.from),
            end_utc: local_utc(date, event.to),
            requests: acts.len() as u32,
        }
    }

    fn event_times(&mut self, event: &Event, date: NaiveDate, count: usize) -> Vec<i64> {
        if !event.moments.is_empty() {
            return event.moments.iter().map(|&minute| local_ms(date, minute) + self.rng.within(50_000)).collect();
        }
        let start = local_ms(date, event.from);
        let slot = (local_ms(date, event.to) - start) / count.max(1) as i64;
        (0..count).map(|step| start + step as i64 * slot + self.rng.within(slot)).collect()
    }

    fn staff_browsing(&mut self, requests: usize) -> Vec<Act> {
        (0..requests).map(|_| self.allowed_act(Role::Staff)).collect()
    }

    fn plant_spike(&mut self, who: Vec<usize>) -> Planted {
        let acts = (0..SPIKE_REQUESTS)
            .map(|_| {
                let domain = *self.rng.pick(&SPIKE_GAMES);
                Act::Visit(Site { category: &GAMES, domain })
            })
            .collect();
        self.plant(&SPIKE, who, acts)
    }

    /// Mostly allowed browsing with three blocked gambling requests in the middle.
    fn plant_out_of_hours_staff(&mut self, index: usize) -> Planted {
        const GAMBLING_STEPS: [usize; 3] = [11, 23, 34];
        let acts = (0..40)
            .map(|step| {
                if GAMBLING_STEPS.contains(&step) {
                    Act::Visit(self.site(&GAMBLING))
                } else {
                    self.allowed_act(Role::Staff)
                }
            })
            .collect();
        self.plant(&OUT_OF_HOURS_STAFF, vec![index], acts)
    }

    fn plant_in_hours_staff(&mut self, index: usize) -> Planted {
        let acts = self.staff_browsing(30);
        self.plant(&IN_HOURS_STAFF, vec![index], acts)
    }

    fn plant_weekend_staff(&mut self, index: usize) -> Planted {
        let acts = self.staff_browsing(25);
        self.plant(&WEEKEND_STAFF, vec![index], acts)
    }

    /// 26 proxy sites with a blocked search every fifth request (six in all).
    fn plant_proxy_hunter(&mut self, index: usize) -> Planted {
        let acts = (0..32)
            .map(|step| match PROXY_TERMS.get(step / 5) {
                Some(&terms) if step % 5 == 0 => Act::Search { terms, blocked: true },
                _ => Act::Visit(self.site(&PROXY)),
            })
            .collect();
        self.plant(&PROXY_HUNTER, vec![index], acts)
    }

    fn plant_adware(&mut self, index: usize) -> Planted {
        let acts = (0..400)
            .map(|_| {
                let category = *self.rng.pick(&ADVERTISING);
                Act::Visit(self.site(category))
            })
            .collect();
        self.plant(&ADWARE, vec![index], acts)
    }

    fn plant_scattered_blocks(&mut self, index: usize) -> Planted {
        let acts = SCATTERED_BLOCKS.moments.iter().map(|_| Act::Visit(self.site(&GAMBLING))).collect();
        self.plant(&SCATTERED_BLOCKS, vec![index], acts)
    }

    /// Four blocked searches, each followed by two tries of one self-harm site.
    fn plant_selfharm_search(&mut self, index: usize) -> Planted {
        let site = Site { category: &SELFHARM, domain: SELFHARM.domains[0] };
        let acts = (0..12)
            .map(|step| match SELFHARM_TERMS.get(step / 3) {
                Some(&terms) if step % 3 == 0 => Act::Search { terms, blocked: true },
                _ => Act::Visit(site),
            })
            .collect();
        self.plant(&SELFHARM_SEARCH, vec![index], acts)
    }
}

/// Fixed domain, name and word lists, laid out by hand (rustfmt would give every entry a line).
#[rustfmt::skip]
mod lists {
    use super::{hm, Category, Engine, Event, FRIDAY, MONDAY, SATURDAY, THURSDAY, TUESDAY, WEDNESDAY};

    pub(super) const ADULT: Category = Category { name: "adult", www: true, domains: &[
        "pornhub.com", "xhamster.com", "xvideos.com", "onlyfans.com", "redtube.com", "youporn.com",
    ] };
    pub(super) const PROXY: Category = Category { name: "proxy", www: true, domains: &[
        "proxysite.com", "croxyproxy.com", "hide.me", "kproxy.com", "hidester.com", "4everproxy.com",
        "vpnbook.com", "hidemyass.com", "proxyium.com", "blockaway.net",
    ] };
    pub(super) const GAMBLING: Category = Category { name: "gambling", www: true, domains: &[
        "bet365.com", "williamhill.com", "skybet.com", "paddypower.com", "betfair.com", "ladbrokes.com",
        "coral.co.uk",
    ] };
    pub(super) const GAMES: Category = Category { name: "games", www: true, domains: &[
        "krunker.io", "poki.com", "coolmathgames.com", "slither.io", "crazygames.com", "miniclip.com",
        "roblox.com", "friv.com", "1v1.lol", "agar.io",
    ] };
    pub(super) const SOCIAL: Category = Category { name: "socialnetworking", www: true, domains: &[
        "tiktok.com", "instagram.com", "snapchat.com", "discord.com", "facebook.com", "x.com", "reddit.com",
        "pinterest.com",
    ] };
    pub(super) const STREAMING: Category = Category { name: "streaming", www: true, domains: &[
        "netflix.com", "twitch.tv", "disneyplus.com", "spotify.com", "primevideo.com", "nowtv.com",
    ] };
    pub(super) const SELFHARM: Category = Category { name: "selfharm", www: true, domains: &[
        "selfharmstories.net", "cuttingdiaries.org", "scarsecrets.net", "proana-tips.com", "bleedingquietly.org",
    ] };
    pub(super) const EXTREMISM: Category = Category { name: "extremism", www: true, domains: &[
        "truepatriotfront.org", "siegeculture.net", "khilafahvoice.net", "whiteunity88.com",
        "awakenedbrotherhood.org",
    ] };
    pub(super) const WEAPONS: Category = Category { name: "weapons", www: true, domains: &[
        "ghostgunkits.com", "knifeshopdirect.co.uk", "tacticalblades.net", "printablefirearms.org",
        "zombieknives.co.uk",
    ] };
    pub(super) const ADS: Category = Category { name: "ads", www: false, domains: &[
        "doubleclick.net", "googlesyndication.com", "adnxs.com", "taboola.com", "outbrain.com", "criteo.com",
        "amazon-adsystem.com", "pubmatic.com", "rubiconproject.com",
    ] };
    pub(super) const TRACKING: Category = Category { name: "tracking", www: false, domains: &[
        "google-analytics.com", "hotjar.com", "scorecardresearch.com", "googletagmanager.com", "quantserve.com",
        "mixpanel.com",
    ] };
    pub(super) const UPDATES: Category = Category { name: "updates", www: false, domains: &[
        "windowsupdate.com", "update.microsoft.com", "swcdn.apple.com", "dl.google.com",
        "delivery.mp.microsoft.com", "gvt1.com",
    ] };
    pub(super) const EDUCATION: Category = Category { name: "education", www: true, domains: &[
        "bbc.co.uk", "wikipedia.org", "khanacademy.org", "senecalearning.com", "sparxmaths.uk", "quizlet.com",
        "classroom.google.com", "docs.google.com", "oaknational.org.uk", "educake.co.uk", "drfrostmaths.com",
        "mathsgenie.co.uk", "physicsandmathstutor.com", "kerboodle.com",
    ] };
    pub(super) const SEARCH: Category = Category { name: "search", www: true, domains: &[
        "google.com", "google.co.uk", "bing.com", "duckduckgo.com", "youtube.com", "ecosia.org",
    ] };
    /// Everyday hosts in no list (fonts, logins, CDNs); never written to the category folder.
    pub(super) const UNCATEGORISED: Category = Category { name: "uncategorised", www: false, domains: &[
        "fonts.gstatic.com", "login.microsoftonline.com", "ajax.googleapis.com", "cdn.jsdelivr.net",
        "teams.microsoft.com", "www.office.com", "cdnjs.cloudflare.com",
    ] };

    /// The lists written to `categories/`.
    pub(super) const CATEGORIES: [&Category; 14] = [
        &ADULT, &PROXY, &GAMBLING, &GAMES, &SOCIAL, &STREAMING, &SELFHARM, &EXTREMISM, &WEAPONS, &ADS, &TRACKING,
        &UPDATES, &EDUCATION, &SEARCH,
    ];
    /// squidGuard `urls` entries for the proxy category (host/path, no scheme).
    pub(super) const PROXY_URLS: &[&str] = &["sites.google.com/view/unblocked-games", "sites.google.com/view/classroom6x"];
    pub(super) const SPIKE_GAMES: [&str; 2] = ["slither.io", "krunker.io"];

    /// The planted events.
    pub(super) const SPIKE_PUPILS: usize = 15;
    pub(super) const SPIKE_REQUESTS: usize = 90;
    pub(super) const SPIKE: Event = Event { kind: "spike", day: WEDNESDAY, from: hm(10, 5), to: hm(10, 50), moments: &[],
        description: "Fifteen pupils made 90 blocked attempts on slither.io and krunker.io during a Wednesday \
                      mid-morning lesson, when game blocks are otherwise rare." };
    pub(super) const OUT_OF_HOURS_STAFF: Event = Event { kind: "out_of_hours_staff", day: TUESDAY, from: hm(19, 30),
        to: hm(19, 55), moments: &[],
        description: "{user} browsed on Tuesday evening from 19:30 to 19:55, after the 19:00 end of the staff day, \
                      including three blocked gambling requests." };
    pub(super) const IN_HOURS_STAFF: Event = Event { kind: "in_hours_staff", day: TUESDAY, from: hm(7, 15),
        to: hm(7, 40), moments: &[],
        description: "{user} browsed allowed sites on Tuesday from 07:15 to 07:40, inside the staff day that starts \
                      at 07:00." };
    pub(super) const WEEKEND_STAFF: Event = Event { kind: "weekend_staff", day: SATURDAY, from: hm(14, 0),
        to: hm(14, 30), moments: &[],
        description: "{user} browsed for half an hour on Saturday afternoon, when the school is closed." };
    pub(super) const PROXY_HUNTER: Event = Event { kind: "proxy_hunter", day: THURSDAY, from: hm(11, 5),
        to: hm(11, 17), moments: &[],
        description: "Year 9 pupil {user} tried 26 blocked proxy sites and searched six times for ways round the \
                      filter in twelve minutes on Thursday morning." };
    pub(super) const ADWARE: Event = Event { kind: "adware", day: TUESDAY, from: hm(9, 0), to: hm(15, 0), moments: &[],
        description: "The Chromebook of {user} made a steady stream of 400 blocked advert and tracker requests all \
                      Tuesday, the mark of adware rather than of a person." };
    pub(super) const SCATTERED_BLOCKS: Event = Event { kind: "scattered_blocks", day: MONDAY, from: hm(9, 10),
        to: hm(15, 6), moments: &[hm(9, 10), hm(12, 40), hm(15, 5)],
        description: "{user} hit three blocked gambling sites at about 09:10, 12:40 and 15:05 on Monday, too far \
                      apart to be repeated attempts." };
    pub(super) const SELFHARM_SEARCH: Event = Event { kind: "selfharm_search", day: FRIDAY, from: hm(13, 2),
        to: hm(13, 10), moments: &[],
        description: "Year 8 pupil {user} searched for ways to self-harm and tried a self-harm site, twelve blocked \
                      requests in eight minutes on Friday lunchtime." };

    /// Search engines; the first ones are where the filter shows blocked searches.
    pub(super) const ENGINES: &[Engine] = &[
        Engine { host: "www.google.com", path: "/search?q=", suffix: "&hl=en-GB" },
        Engine { host: "www.bing.com", path: "/search?q=", suffix: "&form=QBLH" },
        Engine { host: "www.google.co.uk", path: "/search?q=", suffix: "&hl=en-GB" },
        Engine { host: "duckduckgo.com", path: "/?q=", suffix: "&ia=web" },
        Engine { host: "www.youtube.com", path: "/results?search_query=", suffix: "" },
        Engine { host: "www.ecosia.org", path: "/search?q=", suffix: "&method=index" },
    ];

    pub(super) const HOMEWORK_TERMS: &[&str] = &[
        "water cycle diagram", "pythagoras theorem", "photosynthesis equation", "macbeth act 1 summary",
        "causes of ww1", "how do volcanoes form?", "french verbs être", "romeo & juliet themes",
        "what is 3/8 as a percentage", "simultaneous equations", "an inspector calls quotes",
        "structure of the heart", "battle of hastings 1066", "spanish numbers 1-100", "ionic bonding",
        "effects of climate change", "iambic pentameter", "convert cm to m", "periodic table",
        "how to revise for gcse",
    ];
    pub(super) const STAFF_TERMS: &[&str] = &[
        "ofsted framework", "aqa gcse biology specification", "year 9 quadratics worksheet",
        "seating plan template", "bbc bitesize ks3 science", "kahoot", "gcse results day 2027",
        "mock exam timetable template",
    ];
    /// Pupils' searches the filter blocks by keyword.
    pub(super) const SILLY_TERMS: &[&str] = &["fortnite skins", "tiktok login", "snapchat web", "discord app", "rude jokes"];
    pub(super) const PROXY_TERMS: &[&str] = &[
        "proxy unblocked", "free vpn school", "how to bypass school filter", "unblocked proxy site",
        "vpn for chromebook", "croxyproxy",
    ];
    pub(super) const SELFHARM_TERMS: &[&str] = &[
        "ways to self harm", "how to hide cuts", "self harm without scars", "does self harm help",
    ];

    /// Plain-HTTP paths and their MIME types.
    pub(super) const PAGE_PATHS: &[(&str, &str)] = &[
        ("/", "text/html"), ("/revision/topics", "text/html"), ("/assets/site.css", "text/css"),
        ("/assets/app.js", "application/javascript"), ("/images/logo.png", "image/png"),
        ("/favicon.ico", "image/x-icon"),
    ];
    pub(super) const BLOCKED_PATHS: &[&str] = &["/", "/", "/index.html", "/favicon.ico"];
    /// First octets of made-up upstream server addresses.
    pub(super) const PUBLIC_PREFIXES: &[u8] = &[13, 52, 104, 142, 151, 172, 185, 199];

    pub(super) const SURNAMES: &[&str] = &[
        "smith", "jones", "taylor", "brown", "williams", "wilson", "johnson", "davies", "robinson", "wright",
        "thompson", "evans", "walker", "white", "roberts", "green", "hall", "wood", "jackson", "clarke", "patel",
        "khan", "lewis", "james", "phillips", "mason", "mitchell", "rose", "ahmed", "ali", "hussain", "begum",
        "shah", "kaur", "singh", "campbell", "anderson", "allen", "cook", "bailey", "parker", "miller", "harris",
        "martin", "cooper", "morris", "ward", "turner", "hill", "moore", "king", "baker", "murphy", "kelly",
        "obrien", "nowak", "kowalski", "okafor", "adeyemi", "hughes",
    ];
    pub(super) const FIRST_NAMES: &[&str] = &[
        "oliver", "amelia", "george", "isla", "harry", "ava", "noah", "mia", "jack", "ivy", "leo", "lily",
        "arthur", "freya", "muhammad", "florence", "oscar", "grace", "charlie", "sophia", "jacob", "emily",
        "thomas", "poppy", "alfie", "ella", "henry", "evie", "theo", "isabella", "archie", "rosie", "joshua",
        "daisy", "james", "chloe", "samuel", "aisha", "ethan", "zara",
    ];
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
