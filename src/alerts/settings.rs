//! The profile's `[alerts]` table: which incidents are high-risk enough to be told at once, and
//! how the DSL and the technician are told (SMTP, a webhook). Every key has a default; a key
//! outside its bounds is an error that names it.

use anyhow::{bail, Result};
use serde::Deserialize;

use crate::config::check_bounds;

/// `[alerts]`: the immediate rules and where their alerts go.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertSettings {
    /// Categories where one blocked request (or a blocked search about them) is an immediate
    /// alert: self-harm and suicide, extremism, terrorism and hate (the Prevent duty), child
    /// abuse (the IWF list), weapons. Matched like the severity tiers.
    pub immediate_categories: Vec<String>,
    /// Categories of filter bypass: proxies, anonymisers, VPNs.
    pub bypass_categories: Vec<String>,
    /// Blocked bypass attempts by one person within `bypass_minutes` that make an alert.
    pub bypass_attempts: u32,
    /// The window (minutes) for `bypass_attempts`.
    pub bypass_minutes: u32,
    /// Alert on staff use out of hours in a high-severity category.
    pub staff_out_of_hours: bool,
    /// A gap longer than this (minutes) between one person's requests starts a new incident.
    pub episode_minutes: u32,
    /// The SMTP server: `smtp://host:port` (STARTTLS when offered; required unless the host is
    /// loopback) or `smtps://host:port` (TLS from the start). None: no e-mail.
    pub smtp: Option<String>,
    /// SMTP user name, with `smtp_password_file`.
    pub smtp_user: Option<String>,
    /// A file (mode 600) holding the SMTP password.
    pub smtp_password_file: Option<std::path::PathBuf>,
    /// The sender address.
    pub from: Option<String>,
    /// Who gets the immediate alerts and the weekly report.
    pub dsl: Vec<String>,
    /// Who hears of job failures and logs gone silent.
    pub technician: Vec<String>,
    /// An optional URL that gets each alert as a JSON POST.
    pub webhook: Option<String>,
    /// After an alert, one person's further incidents under the same rule within this many hours
    /// are held and sent together as one digest when the window ends (0: never held).
    pub suppress_hours: f64,
    /// No log line for this many minutes during school hours on a school day alerts the
    /// technician (the filter may have stopped logging).
    pub silent_minutes: u32,
}

impl Default for AlertSettings {
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        AlertSettings {
            immediate_categories: list(&[
                "selfharm",
                "self harm",
                "suicide",
                "extremism",
                "extremist",
                "radicalisation",
                "terrorism",
                "hate",
                "child abuse",
                "child sexual abuse",
                "iwf",
                "csam",
                "weapons",
            ]),
            bypass_categories: list(&["proxy", "anonymizer", "anonymiser", "vpn", "filter bypass", "bypass"]),
            bypass_attempts: 5,
            bypass_minutes: 10,
            staff_out_of_hours: true,
            episode_minutes: 30,
            smtp: None,
            smtp_user: None,
            smtp_password_file: None,
            from: None,
            dsl: Vec::new(),
            technician: Vec::new(),
            webhook: None,
            suppress_hours: 4.0,
            silent_minutes: 60,
        }
    }
}

/// How an SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `smtp://` to a remote host: STARTTLS is required.
    StartTlsRequired,
    /// `smtp://` to a loopback address: STARTTLS when the server offers it.
    StartTlsIfOffered,
}

/// A parsed `smtp` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServer {
    /// Host name or address.
    pub host: String,
    /// TCP port (default 465 for `smtps://`, 587 for `smtp://`).
    pub port: u16,
    /// How the connection is secured.
    pub security: SmtpSecurity,
}

impl AlertSettings {
    /// Checks every key; the error names the key.
    pub fn validate(&self, base_dir: &std::path::Path) -> Result<AlertSettings> {
        check_bounds("alerts.bypass_attempts", self.bypass_attempts, 1, 100_000)?;
        check_bounds("alerts.bypass_minutes", self.bypass_minutes, 1, 1440)?;
        check_bounds("alerts.episode_minutes", self.episode_minutes, 1, 1440)?;
        if !(0.0..=168.0).contains(&self.suppress_hours) {
            bail!("key `alerts.suppress_hours`: {} is not a number of hours from 0 to 168", self.suppress_hours);
        }
        check_bounds("alerts.silent_minutes", self.silent_minutes, 5, 24 * 60)?;
        if let Some(url) = &self.smtp {
            parse_smtp(url)?;
            if self.from.is_none() {
                bail!("key `alerts.from`: needed when `alerts.smtp` is set");
            }
        }
        if self.smtp_user.is_some() != self.smtp_password_file.is_some() {
            bail!("keys `alerts.smtp_user` and `alerts.smtp_password_file`: give both or neither");
        }
        if let Some(from) = &self.from {
            check_address("alerts.from", from)?;
        }
        for (key, list) in [("alerts.dsl", &self.dsl), ("alerts.technician", &self.technician)] {
            for address in list {
                check_address(key, address)?;
            }
        }
        if let Some(url) = &self.webhook {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.contains(char::is_whitespace) {
                bail!("key `alerts.webhook`: {url:?} is not an http:// or https:// URL");
            }
        }
        let mut settings = self.clone();
        settings.smtp_password_file = self.smtp_password_file.as_ref().map(|p| base_dir.join(p));
        Ok(settings)
    }

    /// The SMTP server, when one is set (validated when the profile was loaded).
    pub fn smtp_server(&self) -> Option<SmtpServer> {
        self.smtp.as_deref().and_then(|url| parse_smtp(url).ok())
    }
}

/// Parses `smtp://host[:port]` or `smtps://host[:port]`.
pub fn parse_smtp(url: &str) -> Result<SmtpServer> {
    let bad = |why: &str| anyhow::anyhow!("key `alerts.smtp`: {url:?} {why}");
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad("is not smtp://host:port or smtps://host:port"))?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
            (host, Some(port.parse::<u16>().map_err(|_| bad("has a bad port"))?))
        }
        _ => (rest, None),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains(['/', '@', ' ']) {
        return Err(bad("has no host (or user details, which belong in smtp_user)"));
    }
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let (security, default_port) = match scheme {
        "smtps" => (SmtpSecurity::Tls, 465),
        "smtp" if loopback => (SmtpSecurity::StartTlsIfOffered, 587),
        "smtp" => (SmtpSecurity::StartTlsRequired, 587),
        _ => return Err(bad("must start with smtp:// or smtps://")),
    };
    Ok(SmtpServer { host: host.to_string(), port: port.unwrap_or(default_port), security })
}

/// A plain check that `address` is one mail address (`name@domain`, no spaces or controls).
fn check_address(key: &str, address: &str) -> Result<()> {
    let ok = address
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') || domain == "localhost")
        && !address.contains(|c: char| c.is_whitespace() || c.is_control() || c == ',' || c == '<' || c == '>');
    if !ok {
        bail!("key `{key}`: {address:?} is not a mail address like dsl@school.example");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_say_how_the_connection_is_secured() {
        let s = parse_smtp("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.security), ("127.0.0.1", 2525, SmtpSecurity::StartTlsIfOffered));
        let s = parse_smtp("smtp://mail.school.example").unwrap();
        assert_eq!((s.port, s.security), (587, SmtpSecurity::StartTlsRequired));
        assert_eq!(parse_smtp("smtps://mail.school.example").unwrap().security, SmtpSecurity::Tls);
        assert!(parse_smtp("http://mail").is_err());
        assert!(parse_smtp("smtp://user:pw@mail").is_err());
        assert!(parse_smtp("smtp://mail:99999").is_err());
    }

    #[test]
    fn bad_addresses_name_the_key() {
        let mut s = AlertSettings { dsl: vec!["not an address".into()], ..AlertSettings::default() };
        let err = s.validate(std::path::Path::new(".")).unwrap_err().to_string();
        assert!(err.contains("alerts.dsl"), "{err}");
        s.dsl = vec!["dsl@school.example".into()];
        s.smtp = Some("smtp://127.0.0.1:2525".into());
        let err = s.validate(std::path::Path::new(".")).unwrap_err().to_string();
        assert!(err.contains("alerts.from"), "{err}");
    }
}
