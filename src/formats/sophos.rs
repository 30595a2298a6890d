//! Sophos web filtering logs (key=value). Sophos UTM's `httpproxy` lines carry the request, the
//! decision (`action` pass/block/warn) and the category name; Sophos XG / SFOS "Content
//! Filtering" lines (v17–18, and v19+ with their renamed fields) carry `log_subtype`
//! Allowed/Denied/Warned. Lines from other daemons or log
//! types are skipped, not rejected. A warning page the user may click through counts as allowed,
//! with `warned` as the reason.

use std::borrow::Cow;

use chrono::NaiveDateTime;

use super::kv::Pairs;
use super::vendor_category::common_category;
use super::{fail, parse_num, Action, LogTime, ParseError, Record};

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
    let (action, warned) = match p.get("action") {
        Some("block") => (Action::Blocked, false),
        Some("warn") => (Action::Allowed, true),
        Some(_) => (Action::Allowed, false),
        None => return Err(ParseError::skip("Sophos UTM proxy message without a decision")),
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
    record.category = p.get("categoryname").map(|c| Cow::Owned(common_category(c)));
    record.reason = if warned { Some(Cow::Borrowed("warned")) } else { p.take("reason").or_else(|| p.take("name")) };
    record.filter_group = p.take("profile");
    record.user_agent = p.take("ua");
    Ok(record)
}

/// Parses one Sophos XG / SFOS v17–18 line.
pub fn parse_xg(line: &str) -> Result<Record<'_>, ParseError> {
    let p = Pairs::of(line);
    if p.get("log_type").is_none() || p.get("device_name").or(p.get("device")).is_none() {
        return fail("not a Sophos XG line (no device and log_type)");
    }
    if p.get("log_type") != Some("Content Filtering") {
        return Err(ParseError::skip("Sophos XG log that is not content filtering"));
    }
    let time = xg_time(&p)?;
    let (action, warned) = match p.get("log_subtype") {
        Some("Denied") => (Action::Blocked, false),
        Some("Warned") => (Action::Allowed, true),
        _ => (Action::Allowed, false),
    };
    let url = p.take("url").or_else(|| p.take("domain")).ok_or_else(|| ParseError::new("no url"))?;
    let mut record = Record::new(time, "", "GET", "");
    record.url = url;
    record.client_ip = p.take("src_ip").ok_or_else(|| ParseError::new("no src_ip"))?;
    record.user = p.take("user_name").or_else(|| p.take("user"));
    record.action = action;
    record.status = p.get("status_code").map_or(Ok(0), |s| parse_num(s, "status_code"))?;
    record.bytes = p.get("recv_bytes").or(p.get("bytes_received")).map_or(Ok(0), |s| parse_num(s, "received bytes"))?;
    record.category = p.get("category").filter(|c| *c != "None").map(|c| Cow::Owned(common_category(c)));
    record.reason = if warned { Some(Cow::Borrowed("warned")) } else { p.take("reason") };
    record.filter_group = p.take("user_gp").or_else(|| p.take("user_group"));
    Ok(record)
}

/// v17–18 write `date` and `time` (with `timezone`); v19 and later write an ISO `timestamp` with
/// its offset. The later field names (`user`, `user_group`, `bytes_received`) are read too.
fn xg_time(p: &Pairs<'_>) -> Result<LogTime, ParseError> {
    if let Some(stamp) = p.get("timestamp") {
        return chrono::DateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%S%z")
            .map(LogTime::Offset)
            .map_err(|_| ParseError::new(format!("bad Sophos timestamp {stamp:?}")));
    }
    let stamp = format!("{} {}", p.get("date").unwrap_or(""), p.get("time").unwrap_or(""));
    let naive = NaiveDateTime::parse_from_str(&stamp, "%Y-%m-%d %H:%M:%S")
        .map_err(|_| ParseError::new(format!("bad Sophos XG time {stamp:?}")))?;
    Ok(match p.get("timezone") {
        Some("GMT") | Some("UTC") => LogTime::EpochMicros(naive.and_utc().timestamp_micros()),
        _ => LogTime::Local(naive),
    })
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
        assert_eq!(r.time, LogTime::EpochMicros(1_792_400_701_000_000), "09:05:01 GMT");
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
        match r.time {
            LogTime::Offset(t) => assert_eq!(t.timestamp(), 1_792_400_701),
            other => panic!("{other:?}"),
        }
    }
}
