//! Sophos web filtering logs (key=value). Sophos UTM's `httpproxy` lines carry the request, the
//! decision (`action` pass/block/warn) and the category name; Sophos XG / SFOS "Content
//! Filtering" lines (v17–18, and v19+ with their renamed fields) carry `log_subtype`
//! Allowed/Denied/Warned. Lines from other daemons or log
//! types are skipped, not rejected. A warning page the user may click through counts as allowed,
//! with `warned` as the reason.

use std::borrow::Cow;

use chrono::NaiveDateTime;

use super::kv::Pairs;
use super::registry::Format;
use super::vendor_category::common_category;
use super::{fail, parse_num, Action, FormatName, LogTime, ParseError, Record};

/// Sophos's web filtering formats.
pub const FORMATS: [Format; 2] = [
    Format::fixed(FormatName::SophosUtm, "sophos-utm", "Sophos UTM web proxy (httpproxy key=value lines)", parse_utm),
    Format::fixed(
        FormatName::SophosXg,
        "sophos-xg",
        "Sophos XG / SFOS content filtering, application, keyword and web antivirus (key=value)",
        parse_xg,
    ),
];

/// Parses one Sophos UTM web proxy line.
pub fn parse_utm(line: &str) -> Result<Record<'_>, ParseError> {
    let Some(stamp) =
        line.get(..19).filter(|s| s.as_bytes().get(4) == Some(&b':') && s.as_bytes().get(10) == Some(&b'-'))
    else {
        return fail("not a Sophos UTM line (no YYYY:MM:DD-HH:MM:SS stamp)");
    };
    let time = NaiveDateTime::parse_from_str(stamp, "%Y:%m:%d-%H:%M:%S")
        .map_err(|_| ParseError::new(format!("bad Sophos UTM time {stamp:?}")))?;
    if !line.contains(" httpproxy[") {
        return Err(ParseError::skip("Sophos UTM message from another service"));
    }
    let p = Pairs::of(&line[19..]);
    let (action, warning) = match (p.get("action"), p.get("id")) {
        (Some("block"), _) => (Action::Blocked, None),
        (Some("warn"), _) => (Action::Allowed, Some("warned")),
        // 0072 "Contentfilter warned and proceeded": the user clicked past the warning page.
        (None, Some("0072")) => (Action::Allowed, Some("warned, proceeded")),
        (Some(_), _) => (Action::Allowed, None),
        (None, _) => return Err(ParseError::skip("Sophos UTM proxy message without a decision")),
    };
    let url = p.take("url").ok_or_else(|| ParseError::new("no url"))?;
    let mut record = Record::new(LogTime::Local(time), "", "GET", "");
    record.url = url;
    record.client_ip = p.take("srcip").ok_or_else(|| ParseError::new("no srcip"))?;
    record.method = p.take("method").unwrap_or(Cow::Borrowed("GET"));
    record.user = p.take("user");
    record.status = p.get("statuscode").map_or(Ok(0), |s| parse_num(s, "statuscode"))?;
    record.action = action;
    record.bytes = p.get("size").map_or(Ok(0), |s| parse_num(s, "size"))?;
    // A comma list with repeats (`Business,Business,News`): the first names it.
    let category = p.get("categoryname").or(p.get("category")).and_then(|c| c.split(',').next());
    record.category = category.filter(|c| !c.is_empty()).map(|c| Cow::Owned(common_category(c)));
    record.reason = match warning {
        Some(text) => Some(Cow::Borrowed(text)),
        None => p.take("reason").or_else(|| p.take("name")),
    };
    record.filter_group = p.take("profile");
    record.user_agent = p.take("ua");
    Ok(record)
}

/// Parses one Sophos XG / SFOS line: web requests ("Content Filtering" HTTP/HTTPS), application
/// filter denials, Web Content Policy (keyword) denials and web antivirus blocks.
pub fn parse_xg(line: &str) -> Result<Record<'_>, ParseError> {
    let p = Pairs::of(line);
    if p.get("log_type").is_none() || p.get("device_name").or(p.get("device")).is_none() {
        return fail("not a Sophos XG line (no device and log_type)");
    }
    let kind = match (p.get("log_type"), p.get("log_component")) {
        (Some("Content Filtering"), Some("Application")) => XgKind::Application,
        (Some("Content Filtering"), Some("Web Content Policy")) => XgKind::ContentPolicy,
        (Some("Content Filtering"), _) => XgKind::Web,
        (Some("Anti-Virus"), Some("HTTP" | "HTTPS")) => XgKind::Antivirus,
        _ => return Err(ParseError::skip("Sophos XG log that is not web filtering")),
    };
    let time = xg_time(&p)?;
    let subtype = p.get("log_subtype");
    let (action, warned) = match kind {
        XgKind::ContentPolicy => (
            if p.get("action").is_some_and(|a| a.eq_ignore_ascii_case("deny")) {
                Action::Blocked
            } else {
                Action::Allowed
            },
            false,
        ),
        XgKind::Antivirus => {
            (if matches!(subtype, Some("Virus" | "PUA")) { Action::Blocked } else { Action::Allowed }, false)
        }
        _ => match subtype {
            Some("Denied") => (Action::Blocked, false),
            Some("Warned") => (Action::Allowed, true),
            _ => (Action::Allowed, false),
        },
    };
    let url = match kind {
        // An application has no URL: its server's address and port stand for the host.
        XgKind::Application => match (p.get("dst_ip"), p.get("dst_port")) {
            (Some(ip), port) => Cow::Owned(format!("{ip}:{}", port.unwrap_or("0"))),
            (None, _) => Cow::Owned(p.get("app_name").unwrap_or("-").to_string()),
        },
        XgKind::ContentPolicy => {
            p.take("website").or_else(|| p.take("url")).ok_or_else(|| ParseError::new("no website"))?
        }
        _ => p
            .take("url")
            .or_else(|| p.take("domain"))
            .or_else(|| p.take("domainname"))
            .ok_or_else(|| ParseError::new("no url"))?,
    };
    let mut record = Record::new(time, "", if kind == XgKind::Application { "-" } else { "GET" }, "");
    record.url = url;
    record.client_ip = p.take("src_ip").ok_or_else(|| ParseError::new("no src_ip"))?;
    record.user = p.take("user_name").or_else(|| p.take("user"));
    record.action = action;
    let status = p.get("status_code").or(p.get("httpresponsecode")).or(p.get("http_status"));
    record.status = status.map_or(Ok(0), |s| parse_num(s, "HTTP status"))?;
    record.bytes = p.get("recv_bytes").or(p.get("bytes_received")).map_or(Ok(0), |s| parse_num(s, "received bytes"))?;
    // v19+ renamed `category` to `http_category`.
    let category = match kind {
        XgKind::Application => p.get("app_category").or(p.get("application_category")).map(common_category),
        XgKind::Antivirus => Some("malware".to_string()),
        XgKind::ContentPolicy => p.get("site_category").map(common_category),
        XgKind::Web => {
            p.get("category").or(p.get("http_category")).filter(|c| !c.is_empty() && *c != "None").map(common_category)
        }
    };
    record.category = category.map(Cow::Owned);
    record.user_agent = p.take("user_agent").or_else(|| p.take("http_user_agent"));
    record.reason = match kind {
        _ if warned => Some(Cow::Borrowed("warned")),
        XgKind::Application => {
            p.take("app_name").or_else(|| p.take("application")).map(|a| Cow::Owned(format!("application: {a}")))
        }
        XgKind::ContentPolicy => p.take("dictionary_name").map(|d| Cow::Owned(format!("keyword list: {d}"))),
        XgKind::Antivirus => p.take("virus").map(|v| Cow::Owned(format!("virus: {v}"))),
        XgKind::Web => p.take("reason"),
    };
    record.filter_group = p.take("user_gp").or_else(|| p.take("user_group"));
    Ok(record)
}

/// The Sophos XG logs that are rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum XgKind {
    Web,
    Application,
    ContentPolicy,
    Antivirus,
}

/// v17–18 write `date` and `time` (with `timezone`, honoured when it names an offset); v19 and
/// later write an ISO `timestamp` with its offset. The later field names (`user`, `user_group`,
/// `bytes_received`, `http_category`, `http_status`, `http_user_agent`) are read too.
fn xg_time(p: &Pairs<'_>) -> Result<LogTime, ParseError> {
    if let Some(stamp) = p.get("timestamp") {
        return chrono::DateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%S%z")
            .map(LogTime::Offset)
            .map_err(|_| ParseError::new(format!("bad Sophos timestamp {stamp:?}")));
    }
    let stamp = format!("{} {}", p.get("date").unwrap_or(""), p.get("time").unwrap_or(""));
    let naive = NaiveDateTime::parse_from_str(&stamp, "%Y-%m-%d %H:%M:%S")
        .map_err(|_| ParseError::new(format!("bad Sophos XG time {stamp:?}")))?;
    match p.get("timezone").and_then(zone_offset) {
        Some(offset) => naive
            .and_local_timezone(offset)
            .single()
            .map(LogTime::Offset)
            .ok_or_else(|| ParseError::new(format!("bad Sophos XG time {stamp:?}"))),
        None => Ok(LogTime::Local(naive)),
    }
}

/// The offset a firewall's `timezone` names: `+08`, `+0530`, `-05:00`, or an abbreviation of a
/// European or South African zone (`GMT`, `BST`, `CEST`, `SAST`…). Other names are ambiguous
/// (`IST`) and read as the school's own time.
fn zone_offset(zone: &str) -> Option<chrono::FixedOffset> {
    let hours = |h: i32| chrono::FixedOffset::east_opt(h * 3600);
    match zone {
        "GMT" | "UTC" | "UT" | "Z" | "WET" => hours(0),
        "BST" | "CET" | "WEST" => hours(1),
        "CEST" | "EET" | "SAST" => hours(2),
        "EEST" | "MSK" => hours(3),
        _ => {
            let sign = match zone.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
                return None;
            }
            let h: i32 = digits[..2].parse().ok()?;
            let m: i32 = if digits.len() == 4 { digits[2..].parse().ok()? } else { 0 };
            chrono::FixedOffset::east_opt(sign * (h * 3600 + m * 60))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utm_block_and_other_services() {
        let line = r#"2026:10:19-10:05:01 utm1 httpproxy[6267]: id="0002" severity="info" sys="SecureWeb" sub="http" name="web request blocked" action="block" method="GET" srcip="10.20.1.5" dstip="1.2.3.4" user="22smithj" statuscode="403" size="2100" url="https://www.bet365.com/" ua="Mozilla/5.0" categoryname="Gambling" reason="category" profile="Pupils""#;
        let r = parse_utm(line).unwrap();
        assert_eq!((r.action, r.status, r.bytes), (Action::Blocked, 403, 2100));
        assert_eq!(r.category.as_deref(), Some("gambling"));
        assert_eq!(r.user.as_deref(), Some("22smithj"));
        assert_eq!(r.url, "https://www.bet365.com/");
        assert!(parse_utm("2026:10:19-10:05:01 utm1 ulogd[123]: id=\"2002\" action=\"accept\"").unwrap_err().skip);
        assert!(!parse_utm("nonsense").unwrap_err().skip);
    }

    #[test]
    fn xg_denied_and_gmt_times() {
        let line = r#"device="SFW" date=2026-10-19 time=09:05:01 timezone="GMT" device_name="XG" log_id=050901616001 log_type="Content Filtering" log_component="HTTP" log_subtype="Denied" user_name="22smithj" user_gp="Pupils" category="Proxy and Anonymizer" url="http://proxysite.com/" src_ip=10.20.1.5 recv_bytes=512 reason="category""#;
        let r = parse_xg(line).unwrap();
        assert_eq!(r.action, Action::Blocked);
        assert_eq!(r.category.as_deref(), Some("proxy"));
        assert_eq!(utc_seconds(&r.time), 1_792_400_701, "09:05:01 GMT");
        assert!(
            parse_xg(r#"device="SFW" device_name="XG" log_type="Firewall" log_subtype="Allowed""#).unwrap_err().skip
        );
    }

    #[test]
    fn xg_v19_field_names_and_iso_timestamp() {
        let line = r#"device_name="XG135" timestamp="2026-10-19T10:05:01+0100" log_type="Content Filtering" log_component="HTTP" log_subtype="Denied" user="22smithj" user_group="Pupils" category="Gambling" url="https://www.bet365.com/" src_ip=10.20.1.5 bytes_received=99"#;
        let r = parse_xg(line).unwrap();
        assert_eq!((r.action, r.user.as_deref(), r.bytes), (Action::Blocked, Some("22smithj"), 99));
        assert_eq!(r.filter_group.as_deref(), Some("Pupils"));
        assert_eq!(utc_seconds(&r.time), 1_792_400_701);
    }

    fn utc_seconds(time: &LogTime) -> i64 {
        match time {
            LogTime::Offset(t) => t.timestamp(),
            LogTime::EpochMicros(us) => us / 1_000_000,
            other => panic!("no zone: {other:?}"),
        }
    }

    #[test]
    fn xg_named_zones_and_v19_http_category() {
        // 11:05:01 CEST is 09:05:01 UTC.
        let line = r#"device="SFW" date=2026-10-19 time=11:05:01 timezone="CEST" device_name="XG" log_type="Content Filtering" log_component="HTTPS" log_subtype="Allowed" user_name="22smithj" category="News" url="https://www.bbc.co.uk/" src_ip=10.20.1.5"#;
        assert_eq!(utc_seconds(&parse_xg(line).unwrap().time), 1_792_400_701);
        let plus8 = line.replace(r#"time=11:05:01 timezone="CEST""#, r#"time=17:05:01 timezone="+08""#);
        assert_eq!(utc_seconds(&parse_xg(&plus8).unwrap().time), 1_792_400_701);
        let v19 = r#"device_name="SFW" timestamp="2026-10-19T10:05:01+0100" log_type="Content Filtering" log_component="HTTPS" log_subtype="Denied" user_name="22smithj" http_category="Proxy and Anonymizer" http_category_type="Unproductive" url="https://proxysite.com/" src_ip=10.20.1.5 http_status="403" http_user_agent="Mozilla/5.0""#;
        let r = parse_xg(v19).unwrap();
        assert_eq!(
            (r.category.as_deref(), r.status, r.user_agent.as_deref()),
            (Some("proxy"), 403, Some("Mozilla/5.0"))
        );
    }

    #[test]
    fn xg_application_keyword_and_antivirus_blocks_are_rows() {
        // Shapes from SFOS v19 syslog (docs/research/issue11-formats.md §4.2).
        let app = r#"device_name="SFW" timestamp="2026-10-19T10:05:01+0100" log_type="Content Filtering" log_component="Application" log_subtype="Denied" user_name="22smithj" app_name="Psiphon Proxy" app_category="Proxy and Tunnel" app_filter_policy_id=3 src_ip=10.20.1.5 dst_ip=203.0.113.7 dst_port=443"#;
        let r = parse_xg(app).unwrap();
        assert_eq!((r.action, r.url.as_ref()), (Action::Blocked, "203.0.113.7:443"));
        assert_eq!((r.category.as_deref(), r.reason.as_deref()), (Some("proxy"), Some("application: Psiphon Proxy")));
        let keyword = r#"device_name="SFW" timestamp="2026-10-19T10:05:01+0100" log_type="Content Filtering" log_component="Web Content Policy" log_subtype="Alert" action="Deny" user="22smithj" website="www.example-forum.com" dictionary_name="Self-harm" src_ip=10.20.1.5"#;
        let r = parse_xg(keyword).unwrap();
        assert_eq!((r.action, r.url.as_ref()), (Action::Blocked, "www.example-forum.com"));
        assert_eq!(r.reason.as_deref(), Some("keyword list: Self-harm"));
        let virus = r#"device_name="SFW" timestamp="2026-10-19T10:05:01+0100" log_type="Anti-Virus" log_component="HTTP" log_subtype="Virus" user_name="22smithj" virus="EICAR-AV-Test" url="http://www.eicar.org/download/eicar.com" src_ip=10.20.1.5"#;
        let r = parse_xg(virus).unwrap();
        assert_eq!(
            (r.action, r.category.as_deref(), r.reason.as_deref()),
            (Action::Blocked, Some("malware"), Some("virus: EICAR-AV-Test"))
        );
    }

    #[test]
    fn utm_warned_and_proceeded_is_an_allowed_row() {
        // Shape of id 0072 per the Elastic sophos/utm http fixture: no action=, only url,
        // srcip and the categories (a comma list with repeats).
        let line = r#"2026:10:19-10:05:01 utm1 httpproxy[6267]: id="0072" severity="info" sys="SecureWeb" sub="http" name="Contentfilter warned and proceeded" srcip="10.20.1.5" url="https://www.games.example/" category="167,167" categoryname="Games,Games""#;
        let r = parse_utm(line).unwrap();
        assert_eq!(r.action, Action::Allowed);
        assert_eq!(r.reason.as_deref(), Some("warned, proceeded"));
        assert_eq!(r.category.as_deref(), Some("games"));
    }
}
