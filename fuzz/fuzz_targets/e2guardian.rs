//! e2guardian lines in every logfileformat, including format 1's anchored split.
#![no_main]

use filterwatch::formats::e2guardian::E2guardianParser;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for format in [1, 2, 4, 5, 6, 7, 8] {
        let parser = E2guardianParser::new(format).expect("a known format");
        for line in text.lines() {
            let _ = parser.parse(line);
        }
    }
});
