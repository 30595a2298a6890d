//! Syslog headers peeled off arbitrary lines, and the message read as Squid and e2guardian 8.
#![no_main]

use filterwatch::formats::e2guardian::E2guardianParser;
use filterwatch::formats::syslog::unframe;
use filterwatch::formats::{squid::SquidParser, FormatName};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let squid = SquidParser::builtin(FormatName::Squid);
    let e2guardian = E2guardianParser::new(8).expect("format 8 exists");
    for line in text.lines() {
        if let Some(framed) = unframe(line) {
            assert!(line.ends_with(framed.message), "the message is the line's tail");
            let _ = squid.parse(framed.message);
            let _ = e2guardian.parse(framed.message);
        }
    }
});
