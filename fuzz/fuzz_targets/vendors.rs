//! The commercial filters' lines: FortiGate, Sophos, Umbrella, Zscaler, PAN-OS.
#![no_main]

use filterwatch::formats::{cloud, fortigate, sophos};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let _ = fortigate::parse(line);
        let _ = sophos::parse_utm(line);
        let _ = sophos::parse_xg(line);
        let _ = cloud::parse_umbrella_proxy(line);
        let _ = cloud::parse_umbrella_dns(line);
        let _ = cloud::parse_zscaler(line);
        let _ = cloud::parse_panos(line);
    }
});
