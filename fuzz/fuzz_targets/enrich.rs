//! What enrichment does to logged fields: usernames, URLs, domains, search terms and local
//! times around the clock changes.
#![no_main]

use filterwatch::enrich::clock::SchoolClock;
use filterwatch::enrich::{search, url, users};
use filterwatch::formats::LogTime;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = users::normalise_user(&text);
    for method in ["GET", "CONNECT"] {
        if let Some(parts) = url::split_url(&text, method) {
            let domain = url::registrable_domain(&parts.host);
            let _ = search::search_terms(&parts.host, domain, parts.path);
        }
    }
    if data.len() >= 8 {
        let micros = i64::from_le_bytes(data[..8].try_into().expect("8 bytes")) % 8_000_000_000_000_000;
        let mut clock = SchoolClock::new(chrono_tz::Europe::London);
        let _ = clock.local_parts(micros);
        if let Some(naive) = chrono::DateTime::from_timestamp_micros(micros).map(|t| t.naive_utc()) {
            let _ = clock.to_utc_micros(LogTime::Local(naive));
        }
    }
});
