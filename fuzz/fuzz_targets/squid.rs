//! Squid lines through every built-in format, and arbitrary logformat strings compiled and
//! matched against arbitrary lines: nothing may panic, hang or read out of bounds.
#![no_main]

use filterwatch::formats::squid::SquidParser;
use filterwatch::formats::FormatName;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for name in [FormatName::Squid, FormatName::SquidCommon, FormatName::SquidCombined, FormatName::E2guardian(3)] {
        let _ = SquidParser::builtin(name).parse(&text);
    }
    // First line: a logformat string; the rest: lines to read with it.
    let mut lines = text.lines();
    if let Some(format) = lines.next() {
        if let Ok(parser) = SquidParser::from_logformat(format, FormatName::SquidLogformat) {
            for line in lines {
                let _ = parser.parse(line);
            }
        }
    }
});
