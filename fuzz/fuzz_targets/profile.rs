//! The school profile loader on arbitrary TOML: errors, never panics.
#![no_main]

use filterwatch::config::Profile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Profile::settings_from_toml(text);
        let _ = Profile::from_toml(text, std::path::Path::new("/nonexistent"));
    }
});
