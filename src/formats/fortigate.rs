//! FortiGate web filter and application control logs (key=value, usually through syslog). The
//! full URL is rebuilt from `hostname` and `url` (the path) with the scheme from `service`;
//! application control's `appcat="Proxy"` blocks are proxy/VPN attempts. Traffic, system, VPN and
//! user events are not web requests: they are skipped, not rejected.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime};

use super::kv::Pairs;
use super::vendor_category::common_category;
use super::{fail, parse_num, Action, LogTime, ParseError, Record};

/// Parses one FortiGate log line.
pub fn parse(line: &str) -> Result<Record<'_>, ParseError> {
    let p = Pairs::of(line);
    // Fortinet lines carry a log id or device, or start (after the syslog priority) with `date=`.
    let after_priority = line.strip_prefix('<').and_then(|l| l.split_once('>')).map_or(line, |(_, rest)| rest);
    let fortinet = ["logid", "log_id", "devid", "device_id", "devname"].iter().any(|k| p.get(k).is_some())
        || after_priority.starts_with("date=");
    if !fortinet || p.get("log_type").is_some() {
        return fail("not a FortiGate log line (no logid, devid or devname)");
    }
    let (Some(kind), Some(subtype)) = (p.get("type"), p.get("subtype")) else {
        return Err(ParseError::skip("Fortinet message without a type, not a web request"));
    };
    let app_control = match (kind, subtype) {
        ("utm", "webfilter") => false,
        ("utm", "app-ctrl") => true,
        _ => return Err(ParseError::skip("FortiGate event that is not a web request")),
    };
    let time = fortigate_time(&p)?;
    // Application control also sees non-web traffic (a VPN client over UDP): then the address
    // and port stand for the host, with no URL.
    let url = match (p.get("hostname"), p.get("dstip")) {
        (Some(host), _) => {
            let scheme = match p.get("service").map(str::to_ascii_uppercase).as_deref() {
                Some("HTTP") => "http",
                _ => "https",
            };
            let path = p.get("url").unwrap_or("/");
            if path.contains("://") {
                path.to_string()
            } else {
                format!("{scheme}://{host}{path}")
            }
        }
        (None, Some(ip)) if app_control => format!("{ip}:{}", p.get("dstport").unwrap_or("0")),
        _ => return fail("no hostname"),
    };
    let method = if url.contains("://") { "GET" } else { "-" };
    let client = p.take("srcip").ok_or_else(|| ParseError::new("no srcip"))?;
    let action = match p.get("action").unwrap_or("") {
        "blocked" | "block" | "deny" | "reset" | "dropped" | "reject" => Action::Blocked,
        _ => Action::Allowed,
    };
    let mut record = Record::new(time, "", method, "");
    record.client_ip = client;
    record.url = Cow::Owned(url);
    record.user = p.take("user").or_else(|| p.take("unauthuser"));
    record.action = action;
    let category = if app_control { p.get("appcat") } else { p.get("catdesc") };
    record.category = category.map(|c| Cow::Owned(common_category(c)));
    record.reason = match (app_control, p.take("msg")) {
        (true, msg) => {
            p.take("app").map(|app| Cow::Owned(format!("{}: {app}", p.get("appcat").unwrap_or("application")))).or(msg)
        }
        (false, msg) => msg,
    };
    record.filter_group = if app_control { p.take("applist") } else { p.take("profile") };
    record.bytes = p.get("rcvdbyte").map_or(Ok(0), |b| parse_num(b, "rcvdbyte"))?;
    record.user_agent = p.take("agent");
    Ok(record)
}

/// `date` + `time` with the `tz` offset when given; else `eventtime` (s, ms, µs or ns).
fn fortigate_time(p: &Pairs<'_>) -> Result<LogTime, ParseError> {
    if let (Some(date), Some(time)) = (p.get("date"), p.get("time")) {
        let stamp = format!("{date} {time}");
        if let Some(tz) = p.get("tz") {
            if let Ok(t) = DateTime::parse_from_str(&format!("{stamp} {tz}"), "%Y-%m-%d %H:%M:%S %z") {
                return Ok(LogTime::Offset(t));
            }
        }
        if let Ok(naive) = NaiveDateTime::parse_from_str(&stamp, "%Y-%m-%d %H:%M:%S") {
            return Ok(LogTime::Local(naive));
        }
    }
    let event: i64 = parse_num(p.get("eventtime").unwrap_or(""), "eventtime")?;
    let micros = match event {
        e if e > 100_000_000_000_000_000 => e / 1000,
        e if e > 100_000_000_000_000 => e,
        e if e > 100_000_000_000 => e * 1000,
        e => e * 1_000_000,
    };
    Ok(LogTime::EpochMicros(micros))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webfilter_block_rebuilds_the_url() {
        let line = r#"<188>date=2026-10-19 time=10:05:01 devname="fw1" devid="FG100F" logid="0316013056" type="utm" subtype="webfilter" eventtype="ftgd_blk" level="warning" vd="root" eventtime=1792400701000000000 tz="+0100" policyid=3 user="22smithj" group="pupils" srcip=10.20.1.5 dstip=1.2.3.4 dstport=443 service="HTTPS" hostname="www.pornhub.com" profile="pupils-web" action="blocked" reqtype="direct" url="/video?x=1" sentbyte=100 rcvdbyte=2000 msg="URL belongs to a denied category in policy" method="domain" cat=11 catdesc="Pornography""#;
        let r = parse(line).unwrap();
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.url, "https://www.pornhub.com/video?x=1");
        // FortiOS 7.x syslog can log an absolute url=: it is kept, not prefixed again.
        let absolute = line.replace(r#"url="/video?x=1""#, r#"url="https://www.pornhub.com/video?x=1""#);
        assert_eq!(parse(&absolute).unwrap().url, "https://www.pornhub.com/video?x=1");
        assert_eq!(r.category.as_deref(), Some("adult"));
        assert_eq!(r.user.as_deref(), Some("22smithj"));
        assert_eq!(r.client_ip, "10.20.1.5");
        assert_eq!(r.filter_group.as_deref(), Some("pupils-web"));
        assert_eq!(r.bytes, 2000);
        match r.time {
            LogTime::Offset(t) => assert_eq!(t.to_rfc3339(), "2026-10-19T10:05:01+01:00"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn proxy_apps_are_proxy_and_other_events_are_skipped() {
        let line = r#"date=2026-10-19 time=11:00:00 logid="1059028705" type="utm" subtype="app-ctrl" eventtype="signature" srcip=10.20.1.9 user="23jonesb" hostname="x-vpn.example" url="/" action="block" appcat="Proxy" app="X-VPN" applist="pupils""#;
        let r = parse(line).unwrap();
        assert_eq!((r.action, r.category.as_deref()), (Action::Blocked, Some("proxy")));
        assert_eq!(r.reason.as_deref(), Some("Proxy: X-VPN"));
        let event = r#"date=2026-10-19 time=11:00:00 logid="0100032001" type="event" subtype="system" msg="Administrator admin logged in""#;
        assert!(parse(event).unwrap_err().skip);
        let udp = r#"date=2026-10-19 time=11:00:00 devid="FG1" logid="1059028705" type="utm" subtype="app-ctrl" srcip=10.20.1.9 dstip=1.2.3.4 dstport=12530 action="block" appcat="Proxy" app="X-VPN""#;
        let r = parse(udp).unwrap();
        assert_eq!((r.url.as_ref(), r.action), ("1.2.3.4:12530", Action::Blocked));
        let sophos_xg = r#"device="SFW" date=2016-12-02 time=18:27:03 device_name="SFVUNL" log_id=050901616001 log_type="Content Filtering""#;
        assert!(!parse(sophos_xg).unwrap_err().skip, "another vendor's key=value line is not ours");
        assert!(!parse("hello world").unwrap_err().skip);
    }
}
