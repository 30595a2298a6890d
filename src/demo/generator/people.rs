//! The people of the school: pupils and staff with their usernames, year groups and the one or
//! two addresses each uses all week.

use super::*;

pub(super) const STAFF_REQUESTS_PER_DAY: u32 = 150;
/// Two real users the roster forgot: a pupil-looking name and a supply teacher.
pub(super) const UNROSTERED_PUPIL: &str = "25doej";
pub(super) const UNROSTERED_PUPIL_YEAR: YearGroup = 8;
pub(super) const SUPPLY_TEACHER: &str = "supply.teacher1";
pub(super) const SERVICE_ACCOUNTS: &[&str] = &["svc-print", "svc-mdm"];

/// Someone who browses, with the one or two addresses they use all week.
pub(super) struct Person {
    pub(super) username: String,
    pub(super) role: Role,
    pub(super) year_group: Option<YearGroup>,
    /// False for the two users the school forgot to put in the roster.
    pub(super) rostered: bool,
    pub(super) addresses: Vec<Ipv4Addr>,
}

impl Person {
    pub(super) fn client(&self, address: Ipv4Addr) -> Client<'_> {
        Client { address, user: &self.username, role: self.role }
    }
}

/// Hands out unique addresses `10.<network>.x.y`.
pub(super) struct AddressPool {
    pub(super) network: u8,
    pub(super) next: u32,
}

impl AddressPool {
    /// One address, or two for about a third of people.
    pub(super) fn addresses(&mut self, rng: &mut Rng) -> Vec<Ipv4Addr> {
        let count = if rng.chance(0.3) { 2 } else { 1 };
        (0..count).map(|_| self.take()).collect()
    }

    pub(super) fn take(&mut self) -> Ipv4Addr {
        let n = self.next;
        self.next += 1;
        Ipv4Addr::new(10, self.network, (1 + n / 250) as u8, (2 + n % 250) as u8)
    }
}

/// The calendar year in which pupils now in `year_group` joined Year 7.
pub(super) fn intake_year(monday: NaiveDate, year_group: YearGroup) -> i32 {
    let september = if monday.month() >= 9 { monday.year() } else { monday.year() - 1 };
    september - i32::from(year_group - 7)
}

/// `base`, or `base2`, `base3`, … when it is taken.
pub(super) fn unique(taken: &mut HashSet<String>, base: String) -> String {
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
pub(super) fn build_people(spec: &WeekSpec, rng: &mut Rng) -> Vec<Person> {
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
