//! Cloud filters' exports: Cisco Umbrella proxy and DNS logs (quoted CSV without a header; an
//! identity field can hold commas), Zscaler NSS web logs (JSON lines), and Palo Alto PAN-OS
//! THREAT/url logs (syslog-prefixed CSV). Lines of other log types are skipped, not rejected.

use std::borrow::Cow;

use chrono::NaiveDateTime;

use super::registry::Format;
use super::vendor_category::common_category;
use super::{dash_none, fail, parse_num, Action, FormatName, LogTime, ParseError, Record};

/// Splits one CSV line; fields are trimmed and unquoted. Umbrella writes `, "x"` at times, and a
/// space before the opening quote would make a quoted identity with commas split apart.
/// The cloud filters' and PAN-OS's formats.
pub const FORMATS: [Format; 4] = [
    Format::fixed(
        FormatName::UmbrellaProxy,
        "umbrella-proxy",
        "Cisco Umbrella proxy log export (CSV without header)",
        parse_umbrella_proxy,
    ),
    Format::fixed(
        FormatName::UmbrellaDns,
        "umbrella-dns",
        "Cisco Umbrella DNS log export (CSV without header)",
        parse_umbrella_dns,
    ),
    Format::fixed(FormatName::Zscaler, "zscaler", "Zscaler NSS web log (JSON lines)", parse_zscaler),
    Format::fixed(
        FormatName::Panos,
        "panos",
        "Palo Alto PAN-OS THREAT url log (CSV, syslog prefix allowed)",
        parse_panos,
    ),
];

fn csv_fields(line: &str) -> Result<Vec<String>, ParseError> {
    let fields = super::csv_export::split(&line.replace(", \"", ",\""), b',')?;
    Ok(fields.iter().map(|f| f.trim().trim_matches('"').to_string()).collect())
}

fn owned(value: &str) -> Option<Cow<'static, str>> {
    dash_none(value.trim()).map(|v| Cow::Owned(v.to_string()))
}

/// The first entry of a comma list that is in the common category set, else the first entry.
fn first_category(list: &str) -> Option<Cow<'static, str>> {
    let entries: Vec<&str> = list.split(',').map(str::trim).filter(|c| !c.is_empty()).collect();
    let mapped: Vec<String> = entries.iter().map(|c| common_category(c)).collect();
    let known =
        entries.iter().zip(&mapped).find(|(raw, common)| raw.to_lowercase() != **common).map(|(_, c)| c.clone());
    known.or_else(|| mapped.first().cloned()).map(Cow::Owned)
}

/// Cisco Umbrella proxy log (`proxylogs` CSV, 26 or more columns).
pub fn parse_umbrella_proxy(line: &str) -> Result<Record<'_>, ParseError> {
    let f = csv_fields(line)?;
    if f.len() < 26 || !matches!(f[6].as_str(), "ALLOWED" | "BLOCKED") {
        return fail("not an Umbrella proxy log line (expected 26+ columns with ALLOWED/BLOCKED in the 7th)");
    }
    let time = NaiveDateTime::parse_from_str(&f[0], "%Y-%m-%d %H:%M:%S")
        .map_err(|_| ParseError::new(format!("bad Umbrella time {:?}", f[0])))?;
    let blocked = f[6] == "BLOCKED";
    let mut record = Record::new(LogTime::EpochMicros(time.and_utc().timestamp_micros()), "", "GET", "");
    record.url = owned(&f[7]).ok_or_else(|| ParseError::new("no URL"))?;
    record.client_ip = Cow::Owned(f[2].clone());
    let identity_type = f[21].to_lowercase();
    if identity_type.contains("user") {
        record.user = owned(&f[1]);
    } else {
        record.device = owned(&f[1]);
    }
    record.user_agent = owned(&f[9]);
    record.status = if f[10].is_empty() { 0 } else { parse_num(&f[10], "status")? };
    record.bytes = if f[12].is_empty() { 0 } else { parse_num(&f[12], "response size")? };
    record.action = if blocked { Action::Blocked } else { Action::from_status(record.status) };
    record.category =
        if blocked { first_category(&f[22]).or_else(|| first_category(&f[15])) } else { first_category(&f[15]) };
    record.method = owned(&f[25]).unwrap_or(Cow::Borrowed("GET"));
    record.reason = blocked.then(|| owned(&f[22])).flatten();
    Ok(record)
}

/// Cisco Umbrella DNS log (`dnslogs` CSV): a name look-up, with no URL.
pub fn parse_umbrella_dns(line: &str) -> Result<Record<'_>, ParseError> {
    let f = csv_fields(line)?;
    let query_type = f.get(6).map(String::as_str).unwrap_or("");
    if f.len() < 10
        || !query_type.split(' ').next().is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    {
        return fail("not an Umbrella DNS log line (expected a query type like \"1 (A)\" in the 7th column)");
    }
    let time = NaiveDateTime::parse_from_str(&f[0], "%Y-%m-%d %H:%M:%S")
        .map_err(|_| ParseError::new(format!("bad Umbrella time {:?}", f[0])))?;
    let blocked = f[5].eq_ignore_ascii_case("blocked");
    let domain = f[8].trim_end_matches('.');
    if domain.is_empty() {
        return fail("no domain");
    }
    let mut record = Record::new(LogTime::EpochMicros(time.and_utc().timestamp_micros()), "", "DNS", "");
    record.url = Cow::Owned(domain.to_string());
    record.client_ip = Cow::Owned(f[3].clone());
    // Older exports have no identity-type columns: then the identity is kept as the device.
    let first_type = f.get(11).map_or("", |t| t.split(',').next().unwrap_or("")).to_lowercase();
    if first_type.contains("user") {
        record.user = owned(&f[1]);
    } else {
        record.device = owned(&f[1]);
    }
    record.action = if blocked { Action::Blocked } else { Action::Allowed };
    let blocked_categories = f.get(12).map(String::as_str).unwrap_or("");
    record.category = if blocked {
        first_category(blocked_categories).or_else(|| first_category(&f[9]))
    } else {
        first_category(&f[9])
    };
    record.filter_group = f.get(10).and_then(|g| owned(g));
    Ok(record)
}

/// Zscaler NSS web log, one JSON object a line (`{"sourcetype": …, "event": {…}}` or the event
/// itself). Times are the feed's, GMT unless the feed was set otherwise.
pub fn parse_zscaler(line: &str) -> Result<Record<'_>, ParseError> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| ParseError::new(format!("not JSON: {e}")))?;
    let event = value.get("event").unwrap_or(&value);
    let get = |key: &str| {
        event.get(key).and_then(|v| v.as_str()).filter(|v| !matches!(*v, "" | "None" | "NA" | "N/A" | "NotFound"))
    };
    // Newer feeds (the v9 template) base64-encode the URL (`b64url`) instead of `eurl`.
    let decoded = get("b64url").and_then(base64_decode).and_then(|b| String::from_utf8(b).ok());
    let (Some(time), Some(url)) = (get("time"), get("eurl").or(get("url")).or(decoded.as_deref()).or(get("host")))
    else {
        return fail("not a Zscaler NSS web record (no time or URL)");
    };
    // `Fri Dec 31 07:07:07 2021`: the weekday is left out of the parse (exports get it wrong).
    let without_weekday = time.split_once(' ').map_or(time, |(_, rest)| rest);
    let time = NaiveDateTime::parse_from_str(without_weekday, "%b %d %H:%M:%S %Y")
        .map_err(|_| ParseError::new(format!("bad Zscaler time {time:?}")))?;
    let scheme = if get("proto").is_some_and(|p| p.eq_ignore_ascii_case("HTTP")) { "http" } else { "https" };
    let mut record = Record::new(LogTime::EpochMicros(time.and_utc().timestamp_micros()), "", "GET", "");
    record.url = Cow::Owned(if url.contains("://") { url.to_string() } else { format!("{scheme}://{url}") });
    record.client_ip = Cow::Owned(get("cip").or(get("cltip")).unwrap_or("").to_string());
    record.user = get("login").map(|u| Cow::Owned(u.to_string()));
    record.device = get("devicehostname").map(|d| Cow::Owned(d.to_string()));
    record.method = Cow::Owned(get("reqmethod").unwrap_or("GET").to_string());
    record.status = get("respcode").map_or(Ok(0), |s| parse_num(s, "respcode"))?;
    record.bytes = get("respsize").map_or(Ok(0), |s| parse_num(s, "respsize"))?;
    record.action = match get("action") {
        Some(a) if a.eq_ignore_ascii_case("blocked") || a.eq_ignore_ascii_case("denied") => Action::Blocked,
        _ => Action::Allowed,
    };
    record.category = get("urlcat").or(get("urlsubcat")).map(|c| Cow::Owned(common_category(c)));
    record.reason = get("rulelabel").map(|r| Cow::Owned(r.to_string()));
    record.filter_group = get("location").map(|l| Cow::Owned(l.to_string()));
    record.user_agent = get("ua").or(get("useragent")).map(|u| Cow::Owned(u.to_string()));
    Ok(record)
}

/// PAN-OS THREAT log of subtype `url` (CSV after an optional syslog prefix).
pub fn parse_panos(line: &str) -> Result<Record<'_>, ParseError> {
    let csv_start = line.find(",20").and_then(|i| line[..i].rfind(' ').map(|s| s + 1).or(Some(0))).unwrap_or(0);
    let f = csv_fields(&line[csv_start..])?;
    if f.len() < 35 || !f[1].contains('/') || f[2].is_empty() {
        return fail("not a PAN-OS log line");
    }
    if f[3] != "THREAT" || f[4] != "url" {
        return Err(ParseError::skip("PAN-OS log that is not a URL filtering record"));
    }
    // Generated Time (field 6) is when the dataplane saw the request; Receive Time (field 1)
    // lags under load and after a forwarding outage. Strata Logging Service writes ISO 8601.
    let time = panos_time(&f[6])
        .or_else(|| panos_time(&f[1]))
        .ok_or_else(|| ParseError::new(format!("bad PAN-OS time {:?} (generated) / {:?} (received)", f[6], f[1])))?;
    let scheme = if matches!(f[14].as_str(), "web-browsing" | "http") { "http" } else { "https" };
    let target = &f[31];
    let mut record = Record::new(time, "", "GET", "");
    record.url = Cow::Owned(if target.contains("://") { target.clone() } else { format!("{scheme}://{target}") });
    record.client_ip = Cow::Owned(f[7].clone());
    record.user = owned(&f[12]);
    record.action = match f[30].as_str() {
        a if a.starts_with("block") || a.starts_with("reset") || a.starts_with("drop") || a == "deny" => {
            Action::Blocked
        }
        _ => Action::Allowed,
    };
    record.category = owned(&f[33]).map(|c| Cow::Owned(common_category(&c.replace('-', " "))));
    record.filter_group = owned(&f[11]);
    record.reason = Some(Cow::Owned(format!("{} ({})", f[30], f[11])));
    Ok(record)
}

/// A PAN-OS time: `2026/10/19 09:05:01` in the firewall's zone, or Strata's ISO 8601 in UTC.
fn panos_time(text: &str) -> Option<LogTime> {
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y/%m/%d %H:%M:%S") {
        return Some(LogTime::Local(t));
    }
    chrono::DateTime::parse_from_rfc3339(text).ok().map(LogTime::Offset)
}

/// Standard base64 (`+`, `/`, `=` padding) as Zscaler's `b64url` writes it; `None` when it is not.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let digits = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for group in digits.chunks(4) {
        if group.len() == 1 {
            return None;
        }
        let mut bits = 0u32;
        for (i, &c) in group.iter().enumerate() {
            bits |= value(c)? << (18 - 6 * i);
        }
        out.extend_from_slice(&bits.to_be_bytes()[1..group.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umbrella_proxy_block() {
        let line = r#""2026-10-19 09:05:01","22smithj","10.20.1.5","1.1.1.91", "3.4.5.6","text/html","BLOCKED","https://www.bet365.com/en","","Mozilla/5.0","403","562","1489","","","Gambling,Sports","","","","","","AD Users","Gambling","22smithj,Pupils","AD Users,Groups","GET","","","","","""#;
        let r = parse_umbrella_proxy(line).unwrap();
        assert_eq!((r.action, r.status), (Action::Blocked, 403));
        assert_eq!(r.url, "https://www.bet365.com/en");
        assert_eq!(r.user.as_deref(), Some("22smithj"));
        assert_eq!(r.category.as_deref(), Some("gambling"));
        assert_eq!(r.time, LogTime::EpochMicros(1_792_400_701_000_000));
    }

    #[test]
    fn umbrella_dns_identities_with_commas() {
        let line = r#""2026-10-19 09:05:01","jsmith","jsmith,Smith, John (jsmith@school.uk)","10.10.0.7","81.2.69.144","Blocked","1 (A)","NOERROR","www.pornhub.com.","Pornography,Adult","Staff","AD Users,Roaming Computers","Pornography""#;
        let r = parse_umbrella_dns(line).unwrap();
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.url, "www.pornhub.com");
        assert_eq!(r.user.as_deref(), Some("jsmith"));
        assert_eq!(r.category.as_deref(), Some("adult"));
        assert!(parse_umbrella_proxy(line).is_err() && parse_umbrella_dns("\"a\",\"b\"").is_err());
    }

    #[test]
    fn zscaler_json_line() {
        let line = r#"{"sourcetype":"zscalernss-web","event":{"time":"Mon Oct 19 09:05:01 2026","login":"22smithj@school.uk","proto":"HTTPS","eurl":"www.croxyproxy.com/","action":"Blocked","urlcat":"Anonymizer","reqmethod":"GET","respcode":"403","respsize":"65","cip":"10.20.1.5","ua":"Mozilla/5.0","rulelabel":"Block proxies","devicehostname":"CB-0042"}}"#;
        let r = parse_zscaler(line).unwrap();
        assert_eq!((r.action, r.status), (Action::Blocked, 403));
        assert_eq!(r.url, "https://www.croxyproxy.com/");
        assert_eq!(r.category.as_deref(), Some("proxy"));
        assert_eq!(r.device.as_deref(), Some("CB-0042"));
        assert_eq!(r.user.as_deref(), Some("22smithj@school.uk"));
    }

    #[test]
    fn panos_block_url_and_other_logs() {
        let line = r#"Oct 19 10:05:01 PA-220 1,2026/10/19 10:05:01,012801096514,THREAT,url,2049,2026/10/19 10:05:01,10.20.1.5,175.16.199.1,192.168.1.63,175.16.199.1,pupils-web,22smithj,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,send_to_mac,2026/10/19 10:05:01,28191,1,52984,443,37679,443,0x403000,tcp,block-url,"www.bet365.com/",(9999),gambling,informational,client-to-server,7726"#;
        let r = parse_panos(line).unwrap();
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.url, "https://www.bet365.com/");
        assert_eq!(r.user.as_deref(), Some("22smithj"));
        assert_eq!(r.category.as_deref(), Some("gambling"));
        let traffic = line.replace("THREAT,url", "TRAFFIC,end");
        assert!(parse_panos(&traffic).unwrap_err().skip);
        // Received a minute after it was generated: the generated time is the event's.
        let late = line.replacen("1,2026/10/19 10:05:01,", "1,2026/10/19 10:06:01,", 1);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 19).unwrap();
        assert_eq!(parse_panos(&late).unwrap().time, LogTime::Local(day.and_hms_opt(10, 5, 1).unwrap()));
    }

    #[test]
    fn zscaler_v9_records_with_base64_urls() {
        // Field names of the v9 Cloud NSS web template (cltip, useragent, urlsubcat, b64url).
        let line = r#"{"sourcetype":"zscalernss-web","event":{"time":"Mon Oct 19 09:05:01 2026","login":"22smithj@riverside.sch.uk","proto":"HTTPS","b64url":"d3d3LmJldDM2NS5jb20vZW4/eD0x","host":"www.bet365.com","action":"Blocked","urlsubcat":"Gambling","urlsupercat":"Gambling","reqmethod":"GET","respcode":"403","respsize":"65","cltip":"10.20.1.5","useragent":"Mozilla/5.0","rulelabel":"Block gambling","devicehostname":"NA"}}"#;
        let r = parse_zscaler(line).unwrap();
        assert_eq!(r.url, "https://www.bet365.com/en?x=1");
        assert_eq!((r.action, r.client_ip.as_ref()), (Action::Blocked, "10.20.1.5"));
        assert_eq!(r.category.as_deref(), Some("gambling"));
        assert_eq!(r.user_agent.as_deref(), Some("Mozilla/5.0"));
        assert_eq!(r.device, None, "NA is no device");
        assert_eq!(base64_decode("d3d3LmV4YW1wbGUuY29t").as_deref(), Some(&b"www.example.com"[..]));
        assert_eq!(base64_decode("not base64!"), None);
    }
}
