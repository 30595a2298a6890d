//! The week's traffic: the background browsing of every person, and the planted incidents and
//! look-alikes laid over it.

use super::*;

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
pub(super) struct Event {
    pub(super) kind: &'static str,
    pub(super) day: usize,
    pub(super) from: Minute,
    pub(super) to: Minute,
    pub(super) moments: &'static [Minute],
    pub(super) description: &'static str,
}

/// The generator's state while it makes the week.
pub(super) struct Traffic<'a> {
    spec: &'a WeekSpec,
    people: &'a [Person],
    rng: Rng,
    /// (person, category) pairs that ordinary traffic must not block, so planted events stand out.
    quiet: Vec<(usize, &'static str)>,
    /// Planted lines waiting for their day, by day index.
    planted: Vec<Vec<Line<'a>>>,
}

impl<'a> Traffic<'a> {
    pub(super) fn new(spec: &'a WeekSpec, people: &'a [Person], rng: Rng) -> Self {
        Traffic { spec, people, rng, quiet: Vec::new(), planted: (0..DAYS).map(|_| Vec::new()).collect() }
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
    pub(super) fn day_lines(&mut self, day: usize) -> Vec<Line<'a>> {
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
            let client = Client { address: Ipv4Addr::new(10, 30, 0, 10 + device), user: "-", role: Role::Service };
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

    pub(super) fn plant_all(&mut self) -> io::Result<Vec<Planted>> {
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
        let mut take = |year: Option<YearGroup>| {
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
