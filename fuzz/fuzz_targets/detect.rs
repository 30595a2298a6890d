//! Format detection over arbitrary first lines, then the chosen parser over them.
#![no_main]

use filterwatch::formats::detect::{choose, FormatHints};
use filterwatch::formats::FormatChoice;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().collect();
    let hints = FormatHints { squid_logformat: Some("%{%Y-%m-%d %H:%M:%S}tl %>a %un %Ss/%03>Hs %rm %ru %<st".into()), csv: None };
    if let Ok(parser) = choose(&lines, FormatChoice::Auto, &hints) {
        for line in &lines {
            let _ = parser.parse(line);
        }
    }
});
