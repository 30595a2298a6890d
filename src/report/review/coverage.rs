//! Who and what the logs cover: requests by user group, and by device range (IPv4 /24, IPv6
//! /64) with how much of each range's traffic names a user.

use std::collections::BTreeMap;
use std::net::IpAddr;

use anyhow::Result;
use polars::prelude::DataFrame;
use serde::Serialize;

use super::{percent, Audience};
use crate::queries::columns;
use crate::report::weekly::wording::group_label;

/// One user group.
#[derive(Debug, Serialize, Default)]
pub struct GroupRow {
    /// Staff, pupils of a year group, guests, service accounts, unknown.
    pub group: String,
    /// Distinct usernames.
    pub users: String,
    /// Requests.
    pub requests: String,
    /// Share of all requests.
    pub share: String,
    /// Blocked requests.
    pub blocked: String,
}

/// One device range.
#[derive(Debug, Serialize, Default)]
pub struct RangeRow {
    /// `10.0.3.0/24`, or `range 3` in the governors' copy.
    pub range: String,
    /// Distinct addresses seen.
    pub addresses: String,
    /// Requests.
    pub requests: String,
    /// Share of its requests that carry a username.
    pub with_user: String,
    /// Blocked requests.
    pub blocked: String,
    /// The roles seen, most requests first.
    pub roles: String,
}

/// The groups, from `by_role.sql`.
pub fn groups(df: &DataFrame) -> Result<Vec<GroupRow>> {
    let roles = columns::text(df, "role")?;
    let years = columns::int(df, "year_group")?;
    let requests = columns::int_required(df, "requests")?;
    let blocked = columns::int_required(df, "blocked")?;
    let users = columns::int_required(df, "users")?;
    let total: i64 = requests.iter().sum();
    Ok((0..df.height())
        .map(|i| GroupRow {
            group: group_label(roles[i].as_deref().unwrap_or("unknown"), years[i]),
            users: users[i].to_string(),
            requests: requests[i].to_string(),
            share: percent(requests[i] as u64, total as u64),
            blocked: blocked[i].to_string(),
        })
        .collect())
}

/// The range an address belongs to; text that is not an address is its own "range".
fn range_of(address: &str) -> String {
    match address.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        Ok(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Err(_) => "not an IP address".to_string(),
    }
}

/// The device ranges from `requests_by_address.sql`, most requests first; in the governors'
/// copy each range is only numbered.
pub fn ranges(df: &DataFrame, audience: Audience) -> Result<Vec<RangeRow>> {
    let addresses = columns::text(df, "client_ip")?;
    let roles = columns::text(df, "role")?;
    let requests = columns::int_required(df, "requests")?;
    let without_user = columns::int_required(df, "without_user")?;
    let blocked = columns::int_required(df, "blocked")?;
    #[derive(Default)]
    struct Range {
        addresses: std::collections::BTreeSet<String>,
        requests: u64,
        without_user: u64,
        blocked: u64,
        roles: BTreeMap<String, u64>,
    }
    let mut by_range: BTreeMap<String, Range> = BTreeMap::new();
    for i in 0..df.height() {
        let address = addresses[i].clone().unwrap_or_default();
        let range = by_range.entry(range_of(&address)).or_default();
        range.addresses.insert(address);
        range.requests += requests[i] as u64;
        range.without_user += without_user[i] as u64;
        range.blocked += blocked[i] as u64;
        *range.roles.entry(roles[i].clone().unwrap_or_default()).or_default() += requests[i] as u64;
    }
    let mut ranked: Vec<(String, Range)> = by_range.into_iter().collect();
    ranked.sort_by(|a, b| b.1.requests.cmp(&a.1.requests).then_with(|| a.0.cmp(&b.0)));
    Ok(ranked
        .into_iter()
        .enumerate()
        .map(|(n, (name, r))| {
            let mut roles: Vec<(String, u64)> = r.roles.into_iter().collect();
            roles.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            RangeRow {
                range: match audience {
                    Audience::School => name,
                    Audience::Governors => format!("range {}", n + 1),
                },
                addresses: r.addresses.len().to_string(),
                requests: r.requests.to_string(),
                with_user: percent(r.requests - r.without_user, r.requests),
                blocked: r.blocked.to_string(),
                roles: roles
                    .iter()
                    .map(|(role, count)| format!("{role} {}", percent(*count, r.requests)))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_fall_into_their_ranges() {
        assert_eq!(range_of("10.0.3.17"), "10.0.3.0/24");
        assert_eq!(range_of("2001:db8:1:2:aa:bb:cc:dd"), "2001:db8:1:2::/64");
        assert_eq!(range_of("laptop-17"), "not an IP address");
    }
}
