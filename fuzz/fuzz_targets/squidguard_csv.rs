//! squidGuard lines, and CSV exports: the first line is the header the mapping is bound to.
#![no_main]

use filterwatch::formats::csv_export::CsvMapping;
use filterwatch::formats::csv_export::CsvParser;
use filterwatch::formats::squidguard;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let _ = squidguard::parse(line);
    }
    let mapping: CsvMapping = toml::from_str(
        "time = \"Time\"\ntime_format = \"%d/%m/%Y %H:%M:%S\"\nuser = \"User\"\nurl = \"URL\"\naction = \"Action\"\nstatus = \"Status\"\nbytes = \"Bytes\"\n",
    )
    .expect("valid mapping");
    let mut lines = text.lines();
    if let Some(header) = lines.next() {
        if let Ok(parser) = CsvParser::from_header(header, &mapping) {
            for line in lines {
                let _ = parser.parse(line);
            }
        }
    }
});
