//! Host and domain names as they may leave the school. A public site is kept as logged (it is
//! what every analysis of behaviour needs), but three kinds of name point at people or at the
//! school's own machines and are replaced:
//! - a host under one of the school's `internal_domains`, under a suffix no public registry knows
//!   (`jsmith-laptop.riverside.local`, a bare `printserver`), or a private, loopback or
//!   link-local address: a keyed pseudonym (`h-…`), so counts per host still work;
//! - a name under a suffix in the public suffix list's private section, where each name is
//!   someone's own page or app (`john-smith-portfolio.github.io`, `*.blogspot.com`,
//!   `*.wixsite.com`): the platform only, `*.github.io`.

use std::net::IpAddr;

use super::pseudonym::Pseudonymiser;

/// What a host or domain becomes in an export.
pub fn published(name: &str, internal: &[String], pseudonymiser: &mut Pseudonymiser) -> String {
    let lower = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let bare = lower.trim_start_matches('[').trim_end_matches(']');
    if let Ok(address) = bare.parse::<IpAddr>() {
        return if is_private(address) { pseudonymiser.pseudonym('h', &lower) } else { lower };
    }
    let under = |domain: &str| lower == domain || lower.ends_with(&format!(".{domain}"));
    if internal.iter().any(|d| under(d)) {
        return pseudonymiser.pseudonym('h', &lower);
    }
    match psl::suffix(lower.as_bytes()).and_then(|s| s.typ().map(|t| (s, t))) {
        None => pseudonymiser.pseudonym('h', &lower),
        Some((suffix, psl::Type::Private)) => {
            format!("*.{}", String::from_utf8_lossy(suffix.trim().as_bytes()))
        }
        Some((_, psl::Type::Icann)) => lower,
    }
}

fn is_private(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified(),
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback() || v6.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_sites_stay_and_names_of_people_and_school_machines_do_not() {
        let mut p = Pseudonymiser::new(b"0123456789abcdef0123");
        let internal = vec!["riverside.sch.uk".to_string()];
        let mut out = |name: &str| published(name, &internal, &mut p);
        assert_eq!(out("www.bbc.co.uk"), "www.bbc.co.uk");
        assert_eq!(out("bbc.co.uk"), "bbc.co.uk");
        assert_eq!(out("8.8.8.8"), "8.8.8.8");
        assert_eq!(out("john-smith-portfolio.github.io"), "*.github.io");
        assert_eq!(out("jsmithblog.blogspot.com"), "*.blogspot.com");
        for personal in [
            "jsmith-laptop.riverside.local",
            "printserver",
            "10.20.3.4",
            "192.168.1.9",
            "[fe80::1]",
            "mrsmith.riverside.sch.uk",
            "riverside.sch.uk",
        ] {
            let made = out(personal);
            assert!(made.starts_with("h-") && !made.contains("smith"), "{personal} → {made}");
        }
        assert_eq!(out("JSmith-Laptop.riverside.local."), out("jsmith-laptop.riverside.local"));
    }
}
