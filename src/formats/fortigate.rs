//! FortiGate web filter, application control, DNS filter and antivirus logs (key=value, usually
//! through syslog). The full URL is rebuilt from `hostname` and `url` (the path) with the scheme
//! from `service`; application control's `appcat="Proxy"` blocks are proxy/VPN attempts; a DNS
//! filter block is a row for the queried name; a virus block is category `malware`. Traffic,
//! system, VPN and user events are not web requests: they are skipped, not rejected.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime};

use super::kv::Pairs;
use super::registry::Format;
use super::vendor_category::common_category;
use super::{fail, parse_num, Action, FormatName, LogTime, ParseError, Record};

/// FortiGate web filter, application control, DNS filter and antivirus (key=value syslog).
pub const FORMAT: Format = Format::fixed(
    FormatName::Fortigate,
    "fortigate",
    "FortiGate web filter, application control, DNS filter and antivirus (key=value syslog)",
    parse,
);

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
    let kind = match (kind, subtype) {
        ("utm", "webfilter") => Kind::WebFilter,
        ("utm", "app-ctrl") => Kind::AppControl,
        // A DNS-filter query line is followed by its response line, which carries the decision.
        ("utm", "dns") if p.get("eventtype") == Some("dns-query") => {
            return Err(ParseError::skip("FortiGate DNS query (its response line is the row)"))
        }
        ("utm", "dns") => Kind::Dns,
        ("utm", "virus") => Kind::Virus,
        _ => return Err(ParseError::skip("FortiGate event that is not a web request")),
    };
    let time = fortigate_time(&p)?;
    let url = match kind {
        Kind::Dns => p.get("qname").ok_or_else(|| ParseError::new("no qname"))?.trim_end_matches('.').to_string(),
        _ => web_url(&p, kind)?,
    };
    let method = match kind {
        Kind::Dns => "DNS",
        _ if url.contains("://") => "GET",
        _ => "-",
    };
    let client = p.take("srcip").ok_or_else(|| ParseError::new("no srcip"))?;
    let blocked_id =
        kind == Kind::Dns && p.get("logid").is_some_and(|id| DNS_BLOCK_IDS.iter().any(|b| id.ends_with(b)));
    let action = match p.get("action").unwrap_or("") {
        "blocked" | "block" | "deny" | "reset" | "dropped" | "reject" | "redirect" => Action::Blocked,
        _ if blocked_id => Action::Blocked,
        _ => Action::Allowed,
    };
    let mut record = Record::new(time, "", method, "");
    record.client_ip = client;
    record.url = Cow::Owned(url);
    record.user = p.take("user").or_else(|| p.take("unauthuser"));
    record.action = action;
    let category = match kind {
        Kind::AppControl => p.get("appcat").map(common_category),
        Kind::Virus => Some("malware".to_string()),
        Kind::WebFilter | Kind::Dns => p.get("catdesc").map(common_category),
    };
    record.category = category.map(Cow::Owned);
    record.reason = match kind {
        Kind::AppControl => p
            .take("app")
            .map(|app| Cow::Owned(format!("{}: {app}", p.get("appcat").unwrap_or("application"))))
            .or_else(|| p.take("msg")),
        Kind::Virus => p.take("virus").map(|v| Cow::Owned(format!("virus: {v}"))).or_else(|| p.take("msg")),
        Kind::WebFilter | Kind::Dns => p.take("msg"),
    };
    record.filter_group = if kind == Kind::AppControl { p.take("applist") } else { p.take("profile") };
    record.bytes = p.get("rcvdbyte").map_or(Ok(0), |b| parse_num(b, "rcvdbyte"))?;
    record.user_agent = p.take("agent");
    Ok(record)
}

/// The UTM logs that are rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    WebFilter,
    AppControl,
    Dns,
    Virus,
}

/// DNS-filter message ids that are blocks (FortiOS log reference): category block, domain
/// filter block, botnet C&C.
const DNS_BLOCK_IDS: [&str; 3] = ["54803", "54400", "54600"];

/// The request's URL: `url` when it is absolute (virus logs, some 7.x syslog lines), else
/// rebuilt from `hostname` and the path. Application control also sees non-web traffic (a VPN
/// client over UDP): then the address and port stand for the host, with no URL.
fn web_url(p: &Pairs<'_>, kind: Kind) -> Result<String, ParseError> {
    if let Some(url) = p.get("url").filter(|u| u.contains("://")) {
        return Ok(url.to_string());
    }
    Ok(match (p.get("hostname"), p.get("dstip")) {
        (Some(host), _) => {
            let scheme = match p.get("service").map(str::to_ascii_uppercase).as_deref() {
                Some("HTTP") => "http",
                _ => "https",
            };
            format!("{scheme}://{host}{}", p.get("url").unwrap_or("/"))
        }
        (None, Some(ip)) if kind == Kind::AppControl => format!("{ip}:{}", p.get("dstport").unwrap_or("0")),
        _ => return fail("no hostname"),
    })
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

    #[test]
    fn dns_filter_and_virus_blocks_are_rows_and_queries_are_skipped() {
        // Shapes per the FortiOS log reference (type utm, subtypes dns and virus).
        let response = r#"date=2026-10-19 time=10:05:01 logid="1501054803" type="utm" subtype="dns" eventtype="dns-response" srcip=10.20.1.5 qname="www.bet365.com" qtype="A" action="block" cat=19 catdesc="Gambling" msg="Domain blocked because it is in a blocked category" profile="pupils-dns""#;
        let r = parse(response).unwrap();
        assert_eq!((r.action, r.url.as_ref(), r.method.as_ref()), (Action::Blocked, "www.bet365.com", "DNS"));
        assert_eq!(r.category.as_deref(), Some("gambling"));
        let by_id = response.replace(r#" action="block""#, "");
        assert_eq!(parse(&by_id).unwrap().action, Action::Blocked, "message id 54803 is a category block");
        let query = response.replace("dns-response", "dns-query");
        assert!(parse(&query).unwrap_err().skip);
        let virus = r#"date=2026-10-19 time=10:05:01 logid="0211008192" type="utm" subtype="virus" eventtype="infected" srcip=10.20.1.5 user="22smithj" action="blocked" url="http://www.eicar.org/download/eicar.com" virus="EICAR_TEST_FILE" service="HTTP""#;
        let r = parse(virus).unwrap();
        assert_eq!((r.action, r.category.as_deref()), (Action::Blocked, Some("malware")));
        assert_eq!(
            (r.url.as_ref(), r.reason.as_deref()),
            ("http://www.eicar.org/download/eicar.com", Some("virus: EICAR_TEST_FILE"))
        );
    }
}
