//! FortiGate and Sophos key=value lines.
#![no_main]

use filterwatch::formats::{fortigate, sophos};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let _ = fortigate::parse(line);
        let _ = sophos::parse_utm(line);
        let _ = sophos::parse_xg(line);
    }
});
